"""The sandbox defaults, a lab's overrides, what can never be allowed, and how endings read."""

from __future__ import annotations

import pytest

from graders.backends.base import build_cpuset
from graders.engine.sandbox import (
    DEFAULTS,
    build_kill_note,
    build_options,
    exit_reason,
    host_config,
    human_size,
    parse_size,
    pressure_note,
    resolve_limits,
    stopped_message,
)
from graders.errors import SpecError


def test_defaults_are_the_measured_least() -> None:
    hc = host_config()
    assert hc["mem_limit"] == hc["memswap_limit"] == 512 * 1024**2  # no swap to hide in
    assert hc["pids_limit"] == 256
    assert hc["nano_cpus"] == 1_000_000_000
    assert {u["Name"]: (u["Soft"], u["Hard"]) for u in hc["ulimits"]} == {
        "nofile": (1024, 1024), "core": (0, 0)}
    assert hc["cap_drop"] == ["ALL"]
    assert hc["cap_add"] == ["CHOWN", "SETUID", "SETGID", "NET_BIND_SERVICE"]
    assert hc["security_opt"] == ["no-new-privileges"]
    assert hc["init"] is True and hc["privileged"] is False
    assert hc["log_config"] == {"Type": "json-file",
                                "Config": {"max-size": "524288", "max-file": "2"}}
    for key in ("volumes", "binds", "mounts", "devices", "network_mode", "pid_mode"):
        assert key not in hc


def test_overrides_apply() -> None:
    lim = resolve_limits({"memory": "128m", "pids": 64, "cpus": 0.5, "nofile": 256,
                          "cap_add": ["CHOWN", "cap_dac_override"], "build_memory": "2g",
                          "build_network": "none", "context_max_files": 50})
    hc = host_config(lim)
    assert hc["mem_limit"] == hc["memswap_limit"] == 128 * 1024**2
    assert hc["pids_limit"] == 64 and hc["nano_cpus"] == 500_000_000
    assert hc["cap_add"] == ["CHOWN", "DAC_OVERRIDE"]
    assert lim.context_max_files == 50
    opts = build_options(lim)
    assert opts["container_limits"] == {"memory": 2 * 1024**3, "memswap": 2 * 1024**3,
                                        "cpushares": 512}
    assert opts["network_mode"] == "none"
    assert host_config({"memory": "128m"})["mem_limit"] == 128 * 1024**2  # a plain mapping too


@pytest.mark.parametrize("key", ["privileged", "volumes", "binds", "mounts", "devices",
                                 "network_mode", "pid_mode", "ipc_mode", "userns_mode",
                                 "security_opt", "docker_socket", "sysctls", "runtime"])
def test_widening_the_sandbox_is_never_allowed(key: str) -> None:
    with pytest.raises(SpecError, match="never allowed") as e:
        resolve_limits({key: True})
    assert e.value.field == f"run.limits.{key}"


@pytest.mark.parametrize("cap", ["SYS_ADMIN", "ALL", "sys_module", "CAP_SYS_PTRACE",
                                 "DAC_READ_SEARCH", "NET_ADMIN"])
def test_escape_grade_capabilities_are_refused(cap: str) -> None:
    with pytest.raises(SpecError, match="can never be given"):
        resolve_limits({"cap_add": [cap]})


@pytest.mark.parametrize(("limits", "match"), [
    ({"swap": "1g"}, "unknown sandbox limit 'swap'"),
    ({"memory": "lots"}, "expected a size"),
    ({"memory": "1m"}, "too small"),
    ({"pids": 0}, "from 8 to"),
    ({"cpus": True}, "expected a number"),
    ({"build_network": "host"}, "default or none"),
    ({"cap_add": ["NOT A CAP"]}, "not a capability"),
])
def test_bad_limits_name_the_problem(limits: dict, match: str) -> None:
    with pytest.raises(SpecError, match=match):
        resolve_limits(limits)


def test_every_default_is_allowed_and_valid() -> None:
    assert resolve_limits(DEFAULTS) == resolve_limits()


@pytest.mark.parametrize(("text", "size"), [
    ("512m", 512 * 1024**2), ("1g", 1024**3), ("1.5GiB", int(1.5 * 1024**3)), ("64k", 65536),
    ("100", 100), (2048, 2048), ("8MB", 8 * 1024**2)])
def test_parse_size(text: object, size: int) -> None:
    assert parse_size(text) == size


def test_human_size() -> None:
    assert human_size(512 * 1024**2) == "512 MiB"
    assert human_size(3 * 1024**3) == "3 GiB"
    assert human_size(1536) == "1.5 KiB"
    assert human_size(12) == "12 B"


@pytest.mark.parametrize(("cpus", "ncpu", "cpuset"), [
    (1, 2, "1"), (0.5, 2, "1"), (2, 2, None), (1, 1, None), (2, 8, "6-7"), (1.5, 8, "6-7"),
    (8, 8, None)])
def test_build_cpuset_leaves_cpu0_to_the_host(cpus: float, ncpu: int, cpuset: str | None) -> None:
    assert build_cpuset(cpus, ncpu) == cpuset


def test_exit_reasons() -> None:
    oom = exit_reason({"ExitCode": 137, "OOMKilled": True}, resolve_limits({"memory": "64m"}))
    assert "out of memory (OOMKilled" in oom.en and "64 MiB" in oom.en
    assert "falta de memória" in oom.pt
    assert exit_reason({"ExitCode": 137}).en == "it was killed by signal SIGKILL (exit code 137)"
    assert "SIGTERM" in exit_reason({"ExitCode": 143}).en
    assert exit_reason({"ExitCode": 3}).en == "it exited with code 3"
    assert exit_reason({"ExitCode": 3}).pt == "terminou com código de saída 3"
    missing = exit_reason({"ExitCode": 127, "Error": 'exec: "/nope": no such file'})
    assert "could not run" in missing.en and "/nope" in missing.en
    assert stopped_message({"ExitCode": 0}).en == "The container stopped: it exited with code 0."


def test_build_kill_note_only_for_sigkill() -> None:
    note = build_kill_note("The command '/bin/sh -c x' returned a non-zero code: 137",
                           resolve_limits())
    assert note is not None and "1 GiB" in note.en and "fork bomb" in note.en
    assert build_kill_note("The command '/bin/sh -c x' returned a non-zero code: 1") is None
    assert build_kill_note("") is None


def test_pressure_note() -> None:
    at_limit = pressure_note({"pids_stats": {"current": 64, "limit": 64}})
    assert at_limit is not None and "process limit: 64 of 64" in at_limit.en
    assert pressure_note({"pids_stats": {"current": 3, "limit": 64}}) is None
    memory = pressure_note({"pids_stats": {"current": 3}, "memory_stats": {"failcnt": 2}})
    assert memory is not None and "memory limit" in memory.en
    assert pressure_note({}) is None
