"""The embedded registry: Debian's Docker Distribution on 127.0.0.1, for practising `docker push`.

`up()` writes a config.yml into the state folder and starts `/usr/bin/docker-registry serve` in
its own session (it outlives the CLI), with its pid file and log beside the config. Images live
under `<state>/data`, so `down()` then `up()` loses nothing pushed. `down()` only ever stops the
pid we started, and only while that pid still runs our binary with our config.

Where the binary is absent (`$LABGRADE_REGISTRY_BINARY` overrides its path) and a Docker engine
answers, the same config and data run in a container of the `registry:2` image instead
(`$LABGRADE_REGISTRY_IMAGE` overrides it): see graders/registry/container.py. `registry.json`
then names the container, and `status`/`down` ask Docker about it.

Layout of the state folder (default `$LABGRADE_STATE/registry`, else `<repo>/.state/registry`):
`config.yml`, `htpasswd` (0600, bcrypt), `http-secret`, `registry.pid`, `registry.json`
(port and user name, never a password; the container and image when one runs), `registry.log`,
`data/`.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import socket
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

from graders.registry import config as regconfig
from graders.registry import container as regcontainer
from graders.registry.errors import (
    RegistryBinaryMissing,
    RegistryConflict,
    RegistryPortInUse,
    RegistryStartFailed,
)

BINARY = "/usr/bin/docker-registry"
ENV_BINARY = "LABGRADE_REGISTRY_BINARY"
HOST = "127.0.0.1"
START_TIMEOUT_S = 20.0
STOP_TIMEOUT_S = 10.0


@dataclass(frozen=True)
class RegistryStatus:
    running: bool
    state_dir: Path
    port: int | None = None
    pid: int | None = None
    user: str | None = None
    """The htpasswd user when auth is on; None when the registry is open."""
    container: str | None = None
    """The container's name when the registry runs from the image (`pid` is then None)."""
    image: str | None = None

    @property
    def how(self) -> str:
        """`pid N`, or `container NAME of IMAGE`."""
        if self.container:
            return f"container {self.container} of {self.image or regcontainer.IMAGE}"
        return f"pid {self.pid}"

    @property
    def url(self) -> str | None:
        return f"http://{HOST}:{self.port}" if self.port else None

    @property
    def address(self) -> str | None:
        """What to give `docker push` / `docker login`: `localhost:PORT`."""
        return f"localhost:{self.port}" if self.port else None

    @property
    def log(self) -> Path:
        return self.state_dir / "registry.log"


def default_state_dir() -> Path:
    """`$LABGRADE_STATE/registry`, else `<repo>/.state/registry` (repo = this checkout)."""
    env = os.environ.get("LABGRADE_STATE")
    if env:
        return Path(env) / "registry"
    repo = Path(__file__).resolve().parents[2]
    if (repo / "pyproject.toml").is_file():
        return repo / ".state" / "registry"
    xdg = os.environ.get("XDG_STATE_HOME") or str(Path.home() / ".local" / "state")
    return Path(xdg) / "labgrade" / "registry"


def default_binary() -> str:
    return os.environ.get(ENV_BINARY) or BINARY


def status(state_dir: Path | str | None = None) -> RegistryStatus:
    """Whether our registry runs, and where. Cleans up a stale pid file."""
    state = _state(state_dir)
    info = _read_info(state)
    user = info.get("user")
    user = user if isinstance(user, str) else None
    name, image = info.get("container"), info.get("image")
    if isinstance(name, str):  # the image flavour: Docker knows whether it runs
        cport = regcontainer.running_port(state)
        if cport is None:
            return RegistryStatus(False, state)
        image = image if isinstance(image, str) else None
        return RegistryStatus(True, state, port=cport, user=user, container=name, image=image)
    pid = _read_pid(state)
    if pid is None or not _is_ours(pid, state):
        (state / "registry.pid").unlink(missing_ok=True)
        return RegistryStatus(False, state)
    port = info.get("port")
    return RegistryStatus(
        True, state, port=port if isinstance(port, int) else None, pid=pid, user=user
    )


def up(
    port: int = 5000,
    auth: tuple[str, str] | None = None,
    state_dir: Path | str | None = None,
    *,
    binary: str | None = None,
    image: str | None = None,
    timeout: float = START_TIMEOUT_S,
) -> RegistryStatus:
    """Start the registry on 127.0.0.1:`port`, or report the one already running as asked.

    `binary` None: `default_binary()`, and where that is absent the registry image (`image`,
    default `$LABGRADE_REGISTRY_IMAGE` or registry:2) in a container. A `binary` given runs
    that program only, never the image.

    Raises RegistryConflict when ours runs with another port or user (run `down` first),
    RegistryPortInUse when something else holds the port, RegistryBinaryMissing (its subclass
    RegistryUnavailable when the image cannot run either), and RegistryStartFailed with the
    log's tail when it does not answer within `timeout`.
    """
    state = _state(state_dir)
    current = status(state)
    if current.running:
        _check_same(current, port, auth)
        return current
    program = binary or default_binary()
    use_image = binary is None and not _executable(program)
    if not use_image and not _executable(program):
        raise RegistryBinaryMissing(program)
    if auth is not None:
        _validate_user(auth[0])
    if not _port_free(port):
        raise RegistryPortInUse(port)

    (state / "data").mkdir(parents=True, exist_ok=True)
    os.chmod(state, 0o700)
    config = regconfig.write_config(state, port, auth)
    if use_image:
        image = image or regcontainer.default_image()
        regcontainer.up(state, port, auth, binary=program, image=image, timeout=timeout)
        (state / "registry.pid").unlink(missing_ok=True)
        info = {"port": port, "user": auth and auth[0], "container": regcontainer.name_for(state),
                "image": image}
        regconfig.write_private(state / "registry.json", json.dumps(info))
        return status(state)
    log = state / "registry.log"
    # A shell in a new session starts the registry in the background and exits: the registry is
    # re-parented to init, outlives this process and leaves no child for us to reap.
    out = subprocess.run(
        [
            "setsid", "sh", "-c", 'exec "$0" serve "$1" >>"$2" 2>&1 </dev/null & echo $!',
            program, str(config), str(log),
        ],
        capture_output=True, text=True, check=False, timeout=10,
    )  # fmt: skip
    try:
        pid = int(out.stdout.strip())
    except ValueError:
        raise RegistryStartFailed(
            f"could not start {program}: {out.stderr.strip()}", str(log)
        ) from None
    regconfig.write_private(state / "registry.pid", f"{pid}\n")
    regconfig.write_private(
        state / "registry.json", json.dumps({"port": port, "user": auth and auth[0]})
    )
    _wait_ready(pid, port, state, timeout)
    return status(state)


def down(state_dir: Path | str | None = None, *, timeout: float = STOP_TIMEOUT_S) -> RegistryStatus:
    """Stop the registry we started (SIGTERM, then SIGKILL; or remove its container; the
    data stays). A no-op when none runs."""
    state = _state(state_dir)
    if isinstance(_read_info(state).get("container"), str):
        regcontainer.down(state, timeout)
        (state / "registry.json").unlink(missing_ok=True)
        return RegistryStatus(False, state)
    current = status(state)
    if current.running and current.pid is not None:
        _stop(current.pid, state, timeout)
    (state / "registry.pid").unlink(missing_ok=True)
    return RegistryStatus(False, state)


# --- helpers ------------------------------------------------------------------------------


def _state(state_dir: Path | str | None) -> Path:
    # Absolute, so the config path in the registry's argv matches whatever the caller's cwd.
    return Path(state_dir).resolve() if state_dir else default_state_dir()


def _executable(path: str) -> bool:
    return os.path.isfile(path) and os.access(path, os.X_OK)


def _check_same(current: RegistryStatus, port: int, auth: tuple[str, str] | None) -> None:
    running = f"port {current.port}, " + (f"auth for {current.user}" if current.user else "no auth")
    asked = f"port {port}, " + (f"auth for {auth[0]}" if auth else "no auth")
    if current.port != port or current.user != (auth[0] if auth else None):
        raise RegistryConflict(running, asked)
    if auth and not regconfig.password_matches(current.state_dir / "htpasswd", *auth):
        raise RegistryConflict(running, asked + " with another password")


def _validate_user(user: str) -> None:
    if not user or ":" in user or any(c.isspace() for c in user):
        from graders.errors import UsageError

        raise UsageError(
            "The registry user name must be non-empty, without ':' or spaces. "
            "Try `--auth student:PASSWORD`."
        )


def _port_free(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        # SO_REUSEADDR as the registry itself sets it: TIME_WAIT leftovers of a registry we just
        # stopped do not count, a program listening there still does.
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((HOST, port))
        except OSError:
            return False
    return True


def _read_pid(state: Path) -> int | None:
    try:
        return int((state / "registry.pid").read_text().strip())
    except (OSError, ValueError):
        return None


def _read_info(state: Path) -> dict[str, object]:
    try:
        data = json.loads((state / "registry.json").read_text())
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def _alive(pid: int) -> bool:
    """Any thread of `pid` still runs. A Go program's main thread can be a zombie while its
    other threads still hold the listening socket, so every task is looked at."""
    try:
        tasks = [t / "stat" for t in Path(f"/proc/{pid}/task").iterdir()]
    except OSError:
        tasks = [Path(f"/proc/{pid}/stat")]
    for stat_file in tasks:
        try:
            stat = stat_file.read_text()
        except OSError:
            continue
        if stat.rsplit(")", 1)[-1].split()[0] not in ("Z", "X"):
            return True
    return False


def _is_ours(pid: int, state: Path) -> bool:
    """The pid still runs the registry with our config (guards against a recycled pid)."""
    if not _alive(pid):
        return False
    try:
        argv = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
    except OSError:
        return False
    return str(state / "config.yml").encode() in argv and b"serve" in argv


def _wait_ready(pid: int, port: int, state: Path, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    url = f"http://{HOST}:{port}/v2/"
    while time.monotonic() < deadline:
        if not _alive(pid):
            (state / "registry.pid").unlink(missing_ok=True)
            raise RegistryStartFailed(
                "it exited at once", str(state / "registry.log"), _tail(state)
            )
        if regcontainer.answers(port):
            return
        time.sleep(0.05)
    _stop(pid, state, STOP_TIMEOUT_S)
    raise RegistryStartFailed(
        f"no answer on {url} within {timeout:.0f} s", str(state / "registry.log"), _tail(state)
    )


def _stop(pid: int, state: Path, timeout: float) -> None:
    for sig, wait in ((signal.SIGTERM, timeout), (signal.SIGKILL, 2.0)):
        if not _is_ours(pid, state):
            return
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, sig)
        deadline = time.monotonic() + wait
        while time.monotonic() < deadline and _alive(pid):
            time.sleep(0.05)


def _tail(state: Path, lines: int = 8) -> str:
    try:
        text = (state / "registry.log").read_text(errors="replace")
    except OSError:
        return ""
    return "\n".join(text.splitlines()[-lines:])
