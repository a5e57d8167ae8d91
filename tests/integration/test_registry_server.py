"""The embedded registry: up/down/status, persistence across restarts, auth, port conflicts.

Each test runs its own registry on a free port with a state folder under tmp_path, and stops it
in teardown; images pushed are removed.
"""

from __future__ import annotations

import os
import socket
import subprocess
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from registry_support import Images, free_port, has_registry_binary, need

from graders.registry import server
from graders.registry.client import RegistryClient
from graders.registry.credentials import is_logged_in, resolve_credentials
from graders.registry.errors import (
    RegistryBinaryMissing,
    RegistryConflict,
    RegistryPortInUse,
    RegistryStartFailed,
)

pytestmark = [pytest.mark.registry]


@pytest.fixture
def state(tmp_path: Path) -> Iterator[Path]:
    need(
        has_registry_binary(), "docker-registry/htpasswd missing: scripts/ensure-registry-binary.sh"
    )
    folder = tmp_path / "registry"
    yield folder
    server.down(folder)


def http_status(url: str) -> int:
    try:
        with urllib.request.urlopen(url, timeout=5) as resp:
            return int(resp.status)
    except urllib.error.HTTPError as e:
        return e.code


def test_up_status_down(state: Path) -> None:
    port = free_port()
    assert not server.status(state).running
    started = time.monotonic()
    st = server.up(port=port, state_dir=state)
    elapsed = time.monotonic() - started
    assert st.running and st.port == port and st.pid and st.user is None
    assert st.url == f"http://127.0.0.1:{port}" and st.address == f"localhost:{port}"
    assert http_status(f"{st.url}/v2/") == 200
    assert elapsed < 10, f"registry took {elapsed:.1f} s to answer"
    # Listening on 127.0.0.1 only.
    config = (state / "config.yml").read_text()
    assert f"addr: 127.0.0.1:{port}" in config and "delete:" in config
    # up again is a no-op on the same process
    again = server.up(port=port, state_dir=state)
    assert again.pid == st.pid and again.url == st.url
    assert server.status(state).running
    # It outlives nothing of ours: its parent is not this test process.
    ppid = int(Path(f"/proc/{st.pid}/stat").read_text().rsplit(")", 1)[1].split()[1])
    assert ppid != os.getpid()
    down = server.down(state)
    assert not down.running and not server.status(state).running
    assert not Path(f"/proc/{st.pid}").exists() or "Z" in Path(f"/proc/{st.pid}/stat").read_text()
    assert not (state / "registry.pid").exists()
    server.down(state)  # down twice is fine
    with socket.socket() as s:  # the port is free again
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        s.bind(("127.0.0.1", port))


@pytest.mark.docker
def test_down_then_up_keeps_what_was_pushed(state: Path, images: Images) -> None:
    port = free_port()
    server.up(port=port, state_dir=state)
    repo = f"localhost:{port}/student/app"
    images.build(f"{repo}:v1.0", label=uuid.uuid4().hex)
    started = time.monotonic()
    pushed = images.push(repo, "v1.0")
    push_s = time.monotonic() - started
    assert pushed.startswith("sha256:")
    print(f"push of a busybox-based image took {push_s:.2f} s")
    server.down(state)
    st = server.up(port=port, state_dir=state)
    client = RegistryClient(f"localhost:{port}")
    assert client.tags("student/app") == ["v1.0"]
    m = client.manifest("student/app", "v1.0")
    assert m.digest == pushed
    assert f"{repo}@{pushed}" in images.repo_digests(f"{repo}:v1.0")
    assert st.running


@pytest.mark.docker
def test_auth_and_docker_login(state: Path, images: Images, tmp_path: Path) -> None:
    port = free_port()
    password = "registry-pass-" + uuid.uuid4().hex[:8]
    st = server.up(port=port, auth=("student", password), state_dir=state)
    assert st.user == "student"
    assert http_status(f"{st.url}/v2/") == 401
    htpasswd = (state / "htpasswd").read_text()
    assert htpasswd.startswith("student:$2y$") and password not in htpasswd
    assert (state / "htpasswd").stat().st_mode & 0o077 == 0
    assert password not in (state / "config.yml").read_text()
    assert password not in (state / "registry.json").read_text()

    docker_config = tmp_path / "docker-config"  # never the real ~/.docker
    env = {**os.environ, "DOCKER_CONFIG": str(docker_config)}

    def login(pw: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            ["docker", "login", f"localhost:{port}", "-u", "student", "--password-stdin"],
            input=pw, capture_output=True, text=True, env=env, timeout=60,
        )  # fmt: skip

    assert login("wrong").returncode != 0
    ok = login(password)
    assert ok.returncode == 0, ok.stderr
    assert password not in ok.stdout + ok.stderr
    assert is_logged_in(f"localhost:{port}", env)
    repo = f"localhost:{port}/student/app"
    images.build(f"{repo}:v1.0", label=uuid.uuid4().hex)
    push = subprocess.run(
        ["docker", "push", f"{repo}:v1.0"], capture_output=True, text=True, env=env, timeout=120
    )
    assert push.returncode == 0, push.stderr
    creds = resolve_credentials(f"localhost:{port}", env)
    assert creds is not None and creds.username == "student"
    assert RegistryClient(f"localhost:{port}", creds).tags("student/app") == ["v1.0"]

    # Already up: the same settings are a no-op, other settings a clear conflict.
    assert server.up(port=port, auth=("student", password), state_dir=state).pid == st.pid
    for port_, auth in ((port, None), (port, ("other", "x")), (port, ("student", "nope")),
                        (port + 1, ("student", password))):  # fmt: skip
        with pytest.raises(RegistryConflict) as exc:
            server.up(port=port_, auth=auth, state_dir=state)
        assert "labgrade registry down" in str(exc.value)
        assert password not in str(exc.value) and "nope" not in str(exc.value)

    # Restarted without auth, the data is still there and open.
    server.down(state)
    server.up(port=port, state_dir=state)
    assert http_status(f"http://127.0.0.1:{port}/v2/") == 200
    assert not (state / "htpasswd").exists()
    assert RegistryClient(f"localhost:{port}").tags("student/app") == ["v1.0"]
    subprocess.run(["docker", "logout", f"localhost:{port}"], env=env, capture_output=True)


def test_port_taken_by_another_program(state: Path) -> None:
    with socket.socket() as holder:
        holder.bind(("127.0.0.1", 0))
        holder.listen()
        port = holder.getsockname()[1]
        with pytest.raises(RegistryPortInUse) as exc:
            server.up(port=port, state_dir=state)
    message = str(exc.value)
    assert str(port) in message and f"--port {port + 1}" in message and "ss -ltnp" in message
    assert not server.status(state).running


def test_missing_binary_says_how_to_install(tmp_path: Path) -> None:
    with pytest.raises(RegistryBinaryMissing, match=r"ensure-registry-binary\.sh"):
        server.up(port=free_port(), state_dir=tmp_path, binary=str(tmp_path / "nope"))


def test_a_registry_that_dies_at_once_is_reported_with_its_log(state: Path) -> None:
    with pytest.raises(RegistryStartFailed) as exc:
        server.up(port=free_port(), state_dir=state, binary="/bin/false")
    assert "exited at once" in str(exc.value) and "registry.log" in str(exc.value)
    assert not server.status(state).running


def test_relative_state_dir(state: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    state.mkdir(parents=True)
    monkeypatch.chdir(state.parent)
    st = server.up(port=free_port(), state_dir=state.name)
    assert st.running and server.status(state).running
    server.down(state.name)
    assert not server.status(state).running


def test_a_stale_pid_file_never_stops_someone_else(state: Path) -> None:
    state.mkdir(parents=True)
    sleeper = subprocess.Popen(["sleep", "30"])
    try:
        (state / "registry.pid").write_text(f"{sleeper.pid}\n")
        assert not server.status(state).running
        (state / "registry.pid").write_text(f"{sleeper.pid}\n")
        server.down(state)
        assert sleeper.poll() is None  # still running
    finally:
        sleeper.kill()
        sleeper.wait()


def test_default_state_dir(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("LABGRADE_STATE", str(tmp_path))
    assert server.default_state_dir() == tmp_path / "registry"
    monkeypatch.delenv("LABGRADE_STATE")
    assert server.default_state_dir().parts[-2:] == (".state", "registry")
