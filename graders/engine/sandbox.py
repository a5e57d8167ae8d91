"""Sandbox defaults for the student's build and container: the least they need, per lab overridable.

A lab's `run.limits` may change the numbers (memory, pids, cpus, nofile, the build's memory and
CPU, the build context caps) and the capabilities given back; anything that would open the
sandbox itself (privileged mode, host mounts, the Docker socket, host namespaces, devices,
escape-grade capabilities) is refused with a `SpecError` naming the key.

The capability default was measured on the day2-apache solution (Docker 20.10, runc): with
`--cap-drop ALL`, Apache's start needs CHOWN (apachectl chowns its socket dir), SETUID and SETGID
(without them the workers silently stay root instead of www-data). NET_BIND_SERVICE is not needed
on Docker >= 20.10 (it sets net.ipv4.ip_unprivileged_port_start=0 in the container) but is kept
for older engines and other runtimes. KILL, DAC_OVERRIDE, FOWNER and the rest of Docker's
default set are not needed; a lab that needs one adds it with `cap_add`.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from graders.errors import SpecError
from graders.i18n import Text

DEFAULTS: dict[str, Any] = {
    "memory": "512m",  # of the container; memory+swap is the same (no swap)
    "pids": 256,
    "cpus": 1.0,
    "nofile": 1024,
    "cap_add": ["CHOWN", "SETUID", "SETGID", "NET_BIND_SERVICE"],
    "cap_drop": ["ALL"],
    "log_max": "1m",  # the container's json-file log: two files of half this size
    "build_memory": "1g",  # of each RUN step's container (memory+swap the same)
    "build_cpus": 1.0,
    "build_network": "default",  # RUN steps reach the network (apt-get), or "none"
    "context_max_bytes": "100m",
    "context_max_files": 10000,  # entries (files, folders, links) after .dockerignore
    "dockerfile_max_bytes": "1m",
    "build_cache": "256m",  # the layers one run's build may leave in the engine's cache
}
CACHE_BUDGET_ENV = "LABGRADE_CACHE_BUDGET"
"""The operator's default for `build_cache` (a size such as 256m; 0 keeps no private layer);
a lab's own `run.limits.build_cache` wins."""
ALLOWED = set(DEFAULTS)

NEVER: dict[str, str] = {
    "privileged": "privileged mode gives the container the host's devices and every capability",
    "volumes": "host mounts would expose host files to the submission",
    "binds": "host mounts would expose host files to the submission",
    "mounts": "host mounts would expose host files to the submission",
    "devices": "host devices are never given to a submission",
    "network_mode": "the network is chosen by labgrade (none, or a port published on 127.0.0.1)",
    "pid_mode": "the host's process namespace is never shared",
    "ipc_mode": "the host's IPC namespace is never shared",
    "uts_mode": "the host's UTS namespace is never shared",
    "userns_mode": "the user namespace is never changed",
    "cgroupns": "the cgroup namespace is never changed",
    "security_opt": "no-new-privileges and the engine's default profiles always apply",
    "docker_socket": "the Docker socket is root on the host; it is never given to a submission",
    "sysctls": "kernel parameters are never changed for a submission",
    "runtime": "the OCI runtime is the engine's default",
}
DANGEROUS_CAPS = frozenset({
    "ALL", "SYS_ADMIN", "SYS_MODULE", "SYS_RAWIO", "SYS_BOOT", "SYS_TIME", "DAC_READ_SEARCH",
    "MAC_ADMIN", "MAC_OVERRIDE", "BPF", "PERFMON", "SYSLOG", "NET_ADMIN", "SYS_PTRACE",
    "LINUX_IMMUTABLE", "WAKE_ALARM", "BLOCK_SUSPEND", "AUDIT_CONTROL", "SYS_RESOURCE",
    "CHECKPOINT_RESTORE",
})
"""Capabilities that break out of (or see through) the container; a lab can never add them."""
CAP_RE = re.compile(r"^(CAP_)?[A-Z_]+$")
SIZE_RE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([kmgt]?)i?b?\s*$", re.IGNORECASE)
UNITS = {"": 1, "k": 1 << 10, "m": 1 << 20, "g": 1 << 30, "t": 1 << 40}


@dataclass(frozen=True)
class Limits:
    """The resolved sandbox of one lab: the defaults with the lab's `run.limits` applied."""

    memory: int
    pids: int
    cpus: float
    nofile: int
    cap_add: tuple[str, ...]
    cap_drop: tuple[str, ...]
    log_max: int
    build_memory: int
    build_cpus: float
    build_network: str
    context_max_bytes: int
    context_max_files: int
    dockerfile_max_bytes: int
    build_cache: int = 256 << 20
    """The bytes of new layers one run's build may leave in the engine's layer cache; over it,
    the run's own layers are removed when the run ends (graders.engine.cleanup.trim_build)."""


def parse_size(value: object, field: str = "memory") -> int:
    """`512m`, `1g`, `1.5GiB`, `65536` -> bytes."""
    if isinstance(value, bool):
        raise SpecError(f"expected a size such as 512m, got {value!r}", field=f"run.limits.{field}")
    if isinstance(value, int | float):
        return int(value)
    match = SIZE_RE.match(str(value))
    if not match:
        raise SpecError(f"expected a size such as 512m or 1g, got {value!r}",
                        field=f"run.limits.{field}")
    return int(float(match.group(1)) * UNITS[match.group(2).lower()])


def human_size(n: int) -> str:
    """1073741824 -> '1 GiB', 536870912 -> '512 MiB'."""
    for unit, size in (("GiB", 1 << 30), ("MiB", 1 << 20), ("KiB", 1 << 10)):
        if n >= size:
            value = n / size
            whole = value == int(value) or value >= 10
            return f"{value:.0f} {unit}" if whole else f"{value:.1f} {unit}"
    return f"{n} B"


def _number(value: object, field: str, low: float, high: float) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not low <= value <= high:
        raise SpecError(f"expected a number from {low:g} to {high:g}, got {value!r}",
                        field=f"run.limits.{field}")
    return float(value)


def _caps(value: object, field: str) -> tuple[str, ...]:
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list | tuple):
        raise SpecError(f"expected a list of capability names, got {value!r}",
                        field=f"run.limits.{field}")
    caps = []
    for item in value:
        name = str(item).upper()
        if not CAP_RE.match(name):
            raise SpecError(f"{item!r} is not a capability name", field=f"run.limits.{field}")
        caps.append(name.removeprefix("CAP_"))
    return tuple(caps)


def resolve_limits(overrides: Mapping[str, Any] | None = None) -> Limits:
    """The defaults with a lab's overrides; SpecError for unknown keys or a widened sandbox."""
    merged = dict(DEFAULTS)
    if os.environ.get(CACHE_BUDGET_ENV, "").strip():
        merged["build_cache"] = os.environ[CACHE_BUDGET_ENV].strip()
    for key, value in (overrides or {}).items():
        if key in NEVER:
            raise SpecError(f"{key} is never allowed: {NEVER[key]}", field=f"run.limits.{key}")
        if key not in ALLOWED:
            raise SpecError(f"unknown sandbox limit {key!r}; allowed: {', '.join(sorted(ALLOWED))}",
                            field="run.limits")
        merged[key] = value
    cap_add = _caps(merged["cap_add"], "cap_add")
    bad = sorted(set(cap_add) & DANGEROUS_CAPS)
    if bad:
        raise SpecError(f"{', '.join(bad)} can never be given to a submission: they reach past "
                        "the container", field="run.limits.cap_add")
    network = str(merged["build_network"])
    if network not in ("default", "none"):
        raise SpecError(f"build_network must be default or none, got {network!r}",
                        field="run.limits.build_network")
    return Limits(
        memory=_at_least(parse_size(merged["memory"], "memory"), 6 << 20, "memory"),
        pids=int(_number(merged["pids"], "pids", 8, 32768)),
        cpus=_number(merged["cpus"], "cpus", 0.01, 256),
        nofile=int(_number(merged["nofile"], "nofile", 64, 1 << 20)),
        cap_add=cap_add,
        cap_drop=_caps(merged["cap_drop"], "cap_drop"),
        log_max=_at_least(parse_size(merged["log_max"], "log_max"), 64 << 10, "log_max"),
        build_memory=_at_least(parse_size(merged["build_memory"], "build_memory"), 6 << 20,
                               "build_memory"),
        build_cpus=_number(merged["build_cpus"], "build_cpus", 0.01, 256),
        build_network=network,
        context_max_bytes=parse_size(merged["context_max_bytes"], "context_max_bytes"),
        context_max_files=int(_number(merged["context_max_files"], "context_max_files", 1,
                                      10_000_000)),
        dockerfile_max_bytes=parse_size(merged["dockerfile_max_bytes"], "dockerfile_max_bytes"),
        build_cache=parse_size(merged["build_cache"], "build_cache"),
    )


def _at_least(value: int, low: int, field: str) -> int:
    if value < low:
        raise SpecError(f"{value} bytes is too small (at least {human_size(low)})",
                        field=f"run.limits.{field}")
    return value


def _limits(limits: Limits | Mapping[str, Any] | None) -> Limits:
    return limits if isinstance(limits, Limits) else resolve_limits(limits)


def host_config(limits: Limits | Mapping[str, Any] | None = None) -> dict[str, Any]:
    """docker-py `containers.create()` keyword arguments for the sandbox.

    Never privileged, no host mounts, never the Docker socket: nothing here can add them, and
    `resolve_limits` refuses the keys that would. Ports and the network are set by the backend
    (127.0.0.1 only; no network at all when the lab publishes no port).
    """
    lim = _limits(limits)
    return {
        "mem_limit": lim.memory,
        "memswap_limit": lim.memory,  # memory+swap equal to memory: no swap to hide in
        "pids_limit": lim.pids,
        "nano_cpus": int(lim.cpus * 1e9),
        "ulimits": [
            {"Name": "nofile", "Soft": lim.nofile, "Hard": lim.nofile},
            {"Name": "core", "Soft": 0, "Hard": 0},
        ],
        "cap_drop": list(lim.cap_drop),
        "cap_add": list(lim.cap_add) or None,
        "security_opt": ["no-new-privileges"],
        "init": True,
        "privileged": False,
        # Two files, not one: with one, json-file empties it when full, and what was logged
        # just before (a crash's last stderr line after 1 MB of output) was seen lost.
        "log_config": {"Type": "json-file",
                       "Config": {"max-size": str(lim.log_max // 2), "max-file": "2"}},
    }


def build_options(limits: Limits | Mapping[str, Any] | None = None) -> dict[str, Any]:
    """Keyword arguments for `DockerBackend.build`: the RUN steps' limits and network.

    `container_limits` is docker-py's (memory, memswap, cpushares); `cpus` is turned by the
    backend into a cpuset of that many CPUs, leaving CPU 0 to the host when the daemon has
    more than one. Not a CFS quota: measured with a fork bomb in a RUN step, a quota-throttled
    cgroup of 20 000 processes takes minutes to die after SIGKILL (each must be scheduled to
    exit), while an unthrottled one dies in a second or two.
    There is no pids limit for the classic builder's RUN containers (the build API has none);
    a fork bomb in a RUN step is stopped by the memory limit or by the build's deadline.
    """
    lim = _limits(limits)
    return {
        "container_limits": {"memory": lim.build_memory, "memswap": lim.build_memory,
                             "cpushares": 512},
        "cpus": lim.build_cpus,
        "network_mode": "none" if lim.build_network == "none" else None,
    }


# --- saying what happened --------------------------------------------------------------------
SIGNALS = {1: "SIGHUP", 2: "SIGINT", 3: "SIGQUIT", 4: "SIGILL", 6: "SIGABRT", 8: "SIGFPE",
           9: "SIGKILL", 11: "SIGSEGV", 13: "SIGPIPE", 14: "SIGALRM", 15: "SIGTERM"}


def exit_reason(state: Mapping[str, Any], limits: Limits | None = None) -> Text:
    """How a stopped container ended, from its inspected State: OOM, a signal or an exit code.

    Reads as the end of "The container stopped: ..." in both languages.
    """
    code = state.get("ExitCode")
    if state.get("OOMKilled"):
        limit = f" ({human_size(limits.memory)})" if limits else ""
        return Text(f"foi morto por falta de memória (OOMKilled: passou do limite de memória"
                    f"{limit}; código de saída {code})",
                    f"it was killed for running out of memory (OOMKilled: it went over the "
                    f"memory limit{limit}; exit code {code})")
    if isinstance(code, int) and code > 128 and code - 128 in SIGNALS:
        name = SIGNALS[code - 128]
        return Text(f"foi morto pelo sinal {name} (código de saída {code})",
                    f"it was killed by signal {name} (exit code {code})")
    if state.get("Error"):
        error = str(state["Error"])[:300]
        return Text(f"não pôde executar: {error} (código de saída {code})",
                    f"it could not run: {error} (exit code {code})")
    return Text(f"terminou com código de saída {code}", f"it exited with code {code}")


def stopped_message(state: Mapping[str, Any], limits: Limits | None = None) -> Text:
    reason = exit_reason(state, limits)
    return Text(f"O contêiner parou: {reason.pt}.", f"The container stopped: {reason.en}.")


BUILD_CODE_RE = re.compile(r"returned a non-zero code: (\d+)")


def build_kill_note(error: str, limits: Limits | None = None) -> Text | None:
    """For a RUN step killed by a signal (137: SIGKILL, what the OOM killer sends): why."""
    match = BUILD_CODE_RE.search(error or "")
    if not match or int(match.group(1)) != 137:
        return None
    limit = f" ({human_size(limits.build_memory)})" if limits else ""
    return Text(
        f"Um passo RUN do build foi morto (código 137, SIGKILL): provavelmente passou do limite "
        f"de memória do build{limit}, por exemplo com processos demais (fork bomb) ou um "
        "consumo de memória sem fim.",
        f"A RUN step of the build was killed (exit code 137, SIGKILL): it most likely went over "
        f"the build's memory limit{limit}, for example with runaway processes (a fork bomb) or "
        "memory use without end.")


def pressure_note(stats: Mapping[str, Any], limits: Limits | None = None) -> Text | None:
    """From one stats sample: the container is at its process limit, or has hit its memory
    limit. The first is what a fork bomb looks like from outside; Docker reports no flag."""
    pids = stats.get("pids_stats") or {}
    current, limit = pids.get("current"), pids.get("limit") or (limits.pids if limits else None)
    if isinstance(current, int) and isinstance(limit, int) and 0 < limit <= current + 1:
        return Text(f"(O contêiner está no limite de processos: {current} de {limit}; "
                    "processos sem fim, como uma fork bomb, não podem rodar.)",
                    f"(The container is at its process limit: {current} of {limit}; runaway "
                    "processes, such as a fork bomb, cannot run.)")
    memory = stats.get("memory_stats") or {}
    if memory.get("failcnt"):
        return Text("(O contêiner bateu no limite de memória.)",
                    "(The container hit its memory limit.)")
    return None
