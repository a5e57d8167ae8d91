"""The embedded registry as a container of the `registry:2` image, where Debian's binary is absent.

Same state folder and config as the process flavour (graders/registry/server.py), with the
image's own layout: config.yml bind-mounted read-only at /etc/docker/registry/config.yml (the
image's default command serves it), `<state>/data` at /var/lib/registry, the htpasswd read-only
at /auth/htpasswd. Published on 127.0.0.1:PORT only. The container is long-lived on purpose, so
it carries `org.labgrade.registry=<state dir>` and never `org.labgrade.run` (the reaper would
remove it). It runs as the calling user (files in `data/` stay theirs), read-only, with every
capability dropped and restart policy "no"; `down` removes it, never the storage.
"""

from __future__ import annotations

import contextlib
import copy
import hashlib
import os
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import TYPE_CHECKING, Any

import yaml

from graders.errors import BackendError, DockerUnavailable
from graders.registry import config as regconfig
from graders.registry.errors import (
    RegistryBinaryMissing,
    RegistryError,
    RegistryPortInUse,
    RegistryStartFailed,
)

if TYPE_CHECKING:
    from graders.backends.service import ServiceContainers

IMAGE = "registry:2"
ENV_IMAGE = "LABGRADE_REGISTRY_IMAGE"
LABEL = "org.labgrade.registry"
CONFIG = "/etc/docker/registry/config.yml"
STORAGE = "/var/lib/registry"
HTPASSWD = "/auth/htpasswd"
PORT = 5000
HOST = "127.0.0.1"
# Readiness probes go straight to 127.0.0.1, whatever HTTP_PROXY says.
_NO_PROXY = urllib.request.build_opener(urllib.request.ProxyHandler({}))


class RegistryUnavailable(RegistryBinaryMissing):
    """Neither Debian's registry program nor the registry image can run here."""

    def __init__(self, binary: str, image: str, reason: str, *, engine: bool = True) -> None:
        self.binary = binary
        self.image = image
        self.reason = reason
        other = (f"run `docker pull {image}` where a registry answers" if engine
                 else "start Docker (see `docker info`)")
        RegistryError.__init__(
            self,
            f"Cannot start the embedded registry: {binary} is not installed, and {reason}. "
            "Install Debian's docker-registry package (`scripts/ensure-registry-binary.sh`), "
            f"or {other}; then try again.",
        )


def default_image() -> str:
    return os.environ.get(ENV_IMAGE) or IMAGE


def name_for(state: Path) -> str:
    """One container per state folder: `labgrade-registry-<hash of its path>`."""
    return "labgrade-registry-" + hashlib.sha256(str(state).encode()).hexdigest()[:12]


def container_config(host: dict[str, Any]) -> dict[str, Any]:
    """The host's config.yml (graders/registry/config.py) with the image's paths and port."""
    cfg = copy.deepcopy(host)
    cfg["storage"]["filesystem"]["rootdirectory"] = STORAGE
    cfg["http"]["addr"] = f":{PORT}"  # inside the container; published on 127.0.0.1 only
    if "auth" in cfg:
        cfg["auth"]["htpasswd"]["path"] = HTPASSWD
    return cfg


def run_options(state: Path, port: int, auth: bool, user: str) -> dict[str, Any]:
    """docker-py `containers.run()` keyword arguments (the image and detach aside)."""
    volumes = {
        str(state / "data"): {"bind": STORAGE, "mode": "rw"},
        str(state / "config.yml"): {"bind": CONFIG, "mode": "ro"},
    }
    if auth:
        volumes[str(state / "htpasswd")] = {"bind": HTPASSWD, "mode": "ro"}
    return {
        "name": name_for(state),
        "labels": {LABEL: str(state)},
        "ports": {f"{PORT}/tcp": (HOST, port)},
        "volumes": volumes,
        "user": user,
        "read_only": True,
        "cap_drop": ["ALL"],
        "security_opt": ["no-new-privileges"],
        "privileged": False,
        "restart_policy": {"Name": "no"},
        "mem_limit": "512m",
        "pids_limit": 256,
        "log_config": {"Type": "json-file", "Config": {"max-size": "5m", "max-file": "2"}},
    }


def up(state: Path, port: int, auth: tuple[str, str] | None, *, binary: str, image: str,
       timeout: float) -> None:
    """Run the registry image for `state` (config.yml and data/ already written); wait until
    it answers. Raises RegistryUnavailable, RegistryPortInUse, RegistryStartFailed, or
    BackendError when Docker fails otherwise."""
    from graders.backends.service import (
        ImageUnavailable,
        RunRefused,
        ServiceContainers,
        ServiceFailed,
    )

    try:
        engine = ServiceContainers()
    except DockerUnavailable as e:
        raise RegistryUnavailable(
            binary, image, f"no Docker engine answers at {e.host} to run {image} ({e.reason})",
            engine=False) from None
    try:
        try:
            engine.ensure_image(image)
        except ImageUnavailable as e:
            raise RegistryUnavailable(binary, image, e.reason) from None
        host = yaml.safe_load((state / "config.yml").read_text())
        regconfig.write_private(
            state / "config.yml",
            f"# Served in container {name_for(state)}, published on {HOST}:{port} only.\n"
            + yaml.safe_dump(container_config(host), sort_keys=False),
        )
        engine.remove(_label(state))  # one that exited (a daemon restart) keeps the name
        user = "0:0" if engine.rootless() else f"{os.getuid()}:{os.getgid()}"
        try:
            container = engine.run(image, run_options(state, port, auth is not None, user))
            _wait_ready(engine, container, port, state, timeout)
        except RunRefused as e:
            engine.remove(_label(state))
            if "port is already allocated" in e.whole or "address already in use" in e.whole:
                raise RegistryPortInUse(port) from None
            raise RegistryStartFailed(f"Docker refused to run {image}: {e.reason}",
                                      str(state / "registry.log")) from None
        except BaseException:  # not ready in time, or Ctrl-C: nothing is left running
            with contextlib.suppress(Exception):
                engine.remove(_label(state))
            raise
    except ServiceFailed as e:
        raise BackendError("registry container", e.reason) from None
    finally:
        engine.close()


def running_port(state: Path) -> int | None:
    """The host port of our running container for `state`; None when none runs (or no
    Docker engine answers, so nothing of ours can be running)."""
    from graders.backends.service import ServiceContainers, ServiceFailed

    try:
        with ServiceContainers() as engine:
            return engine.published_port(_label(state), f"{PORT}/tcp")
    except (DockerUnavailable, ServiceFailed):
        return None


def down(state: Path, timeout: float) -> None:
    """Stop and remove our container(s) for `state`; the storage on the host stays.
    Raises DockerUnavailable when no engine answers, BackendError when Docker fails."""
    from graders.backends.service import ServiceContainers, ServiceFailed

    with ServiceContainers() as engine:
        try:
            engine.stop(_label(state), timeout)
            engine.remove(_label(state))
        except ServiceFailed as e:
            raise BackendError("registry container removal", e.reason) from None


# --- helpers ------------------------------------------------------------------------------


def _label(state: Path) -> str:
    return f"{LABEL}={state}"


def answers(port: int) -> bool:
    """The registry on 127.0.0.1:`port` answers `/v2/` (200, or 401 with auth on), asked
    straight, whatever HTTP_PROXY says. Both flavours' readiness waits ask it."""
    try:
        with _NO_PROXY.open(f"http://{HOST}:{port}/v2/", timeout=1) as resp:
            return bool(resp.status == 200)
    except urllib.error.HTTPError as e:
        return e.code == 401  # auth on: it answers, so it is ready
    except (urllib.error.URLError, OSError):
        return False


def _wait_ready(engine: ServiceContainers, container: str, port: int, state: Path,
                timeout: float) -> None:
    """Until the registry answers on `port`; raises RegistryStartFailed (with the container's
    last lines in registry.log) when it exits or `timeout` passes, and removes it."""
    deadline = time.monotonic() + timeout
    reason = f"no answer on http://{HOST}:{port}/v2/ within {timeout:.0f} s"
    while time.monotonic() < deadline:
        if answers(port):
            return
        if engine.status(container) in ("exited", "dead", "removed"):
            reason = "it exited at once"
            break
        time.sleep(0.05)
    log = state / "registry.log"
    text = engine.log_tail(container, 8)
    with contextlib.suppress(OSError), log.open("a") as f:
        f.write(text)
    engine.remove(_label(state))
    raise RegistryStartFailed(f"{reason} (container {name_for(state)})", str(log), text.strip())

