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
from typing import Any

import yaml

from graders.errors import BackendError, DockerUnavailable, docker_host
from graders.registry import config as regconfig
from graders.registry.errors import (
    RegistryBinaryMissing,
    RegistryError,
    RegistryPortInUse,
    RegistryStartFailed,
)

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
    import docker.errors

    try:
        client = _connect()
    except DockerUnavailable as e:
        raise RegistryUnavailable(
            binary, image, f"no Docker engine answers at {e.host} to run {image} ({e.reason})",
            engine=False) from None
    try:
        _ensure_image(client, binary, image)
        host = yaml.safe_load((state / "config.yml").read_text())
        regconfig.write_private(
            state / "config.yml",
            f"# Served in container {name_for(state)}, published on {HOST}:{port} only.\n"
            + yaml.safe_dump(container_config(host), sort_keys=False),
        )
        _remove_ours(client, state)  # one that exited (a daemon restart) keeps the name
        user = "0:0" if _rootless(client) else f"{os.getuid()}:{os.getgid()}"
        try:
            container = client.containers.run(
                image, detach=True, **run_options(state, port, auth is not None, user))
            _wait_ready(client, container, port, state, timeout)
        except docker.errors.APIError as e:
            _remove_ours(client, state)
            text = str(e)
            if "port is already allocated" in text or "address already in use" in text:
                raise RegistryPortInUse(port) from None
            raise RegistryStartFailed(f"Docker refused to run {image}: {_short(e)}",
                                      str(state / "registry.log")) from None
        except BaseException:  # not ready in time, or Ctrl-C: nothing is left running
            with contextlib.suppress(Exception):
                _remove_ours(client, state)
            raise
    except _failures() as e:
        raise BackendError("registry container", _short(e)) from None
    finally:
        client.close()


def running_port(state: Path) -> int | None:
    """The host port of our running container for `state`; None when none runs (or no
    Docker engine answers, so nothing of ours can be running)."""
    try:
        client = _connect()
    except DockerUnavailable:
        return None
    unknown: tuple[type[Exception], ...] = (KeyError, IndexError, TypeError, ValueError)
    try:
        found = client.api.containers(filters={"label": f"{LABEL}={state}", "status": "running"})
        if not found:
            return None
        ports = client.api.inspect_container(found[0]["Id"])["HostConfig"]["PortBindings"]
        return int(ports[f"{PORT}/tcp"][0]["HostPort"])
    except unknown + _failures():
        return None
    finally:
        client.close()


def down(state: Path, timeout: float) -> None:
    """Stop and remove our container(s) for `state`; the storage on the host stays.
    Raises DockerUnavailable when no engine answers, BackendError when Docker fails."""
    client = _connect()
    try:
        for c in client.api.containers(all=True, filters={"label": f"{LABEL}={state}"}):
            with contextlib.suppress(Exception):  # already stopping, or gone
                client.api.stop(c["Id"], timeout=int(timeout))
        _remove_ours(client, state)
    except _failures() as e:
        raise BackendError("registry container removal", _short(e)) from None
    finally:
        client.close()


# --- helpers ------------------------------------------------------------------------------


def _connect() -> Any:
    import docker
    import docker.errors
    import docker.utils
    import requests.exceptions

    try:
        return docker.DockerClient(timeout=120, **docker.utils.kwargs_from_env())
    except (docker.errors.DockerException, requests.exceptions.RequestException) as e:
        raise DockerUnavailable(docker_host(),
                                _short(e)) from None


def _failures() -> tuple[type[Exception], ...]:
    """What a Docker call raises when the engine refuses or goes away (docker stays lazy)."""
    import docker.errors
    import requests.exceptions

    return (docker.errors.DockerException, requests.exceptions.RequestException)


def _ensure_image(client: Any, binary: str, image: str) -> None:
    """Use `image` if present; otherwise pull it, once."""
    import docker.errors
    import requests.exceptions

    try:
        client.images.get(image)
        return
    except docker.errors.ImageNotFound:
        pass
    except docker.errors.APIError as e:  # an invalid reference, say
        raise RegistryUnavailable(binary, image, f"Docker refused {image} ({_short(e)})") from None
    error = ""
    try:
        for line in client.api.pull(image, stream=True, decode=True):
            error = str(line.get("error") or error)
        if not error:
            client.images.get(image)
            return
    except (docker.errors.DockerException, requests.exceptions.RequestException) as e:
        error = _short(e)
    raise RegistryUnavailable(
        binary, image, f"the image {image} is not here and pulling it failed ({error})")


def _rootless(client: Any) -> bool:
    """Rootless Docker maps the container's root to the calling user: run as root there."""
    with contextlib.suppress(Exception):
        return any("rootless" in o for o in client.info().get("SecurityOptions") or [])
    return False


def _remove_ours(client: Any, state: Path) -> None:
    import docker.errors

    for c in client.api.containers(all=True, filters={"label": f"{LABEL}={state}"}):
        with contextlib.suppress(docker.errors.NotFound):
            client.api.remove_container(c["Id"], force=True, v=True)


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


def _wait_ready(client: Any, container: Any, port: int, state: Path, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    reason = f"no answer on http://{HOST}:{port}/v2/ within {timeout:.0f} s"
    while time.monotonic() < deadline:
        if answers(port):
            return
        container.reload()
        if container.status in ("exited", "dead"):
            reason = "it exited at once"
            break
        time.sleep(0.05)
    log = state / "registry.log"
    tail = ""
    with contextlib.suppress(Exception):
        text = container.logs(tail=8).decode(errors="replace")
        with log.open("a") as f:
            f.write(text)
        tail = text.strip()
    _remove_ours(client, state)
    raise RegistryStartFailed(f"{reason} (container {name_for(state)})", str(log), tail)


def _short(e: BaseException) -> str:
    text = getattr(e, "explanation", None) or str(e)
    return " ".join(str(text).split())[:300]
