"""The embedded registry's container flavour: the registry image where the binary is absent.

registry:2 cannot be pulled here, so a stand-in is built FROM debian:12 with Debian's
/usr/bin/docker-registry laid out as the official image is (/bin/registry, /entrypoint.sh,
CMD /etc/docker/registry/config.yml, storage /var/lib/registry, port 5000) and tagged
`labgrade-test/registry:2-<random>` (never `registry:2`, so nothing on the machine is shadowed;
random, so test sessions sharing the engine never remove each other's). The binary path is
pointed at a missing file through $LABGRADE_REGISTRY_BINARY. Every image, tag and container
made here is removed in teardown.
"""

from __future__ import annotations

import contextlib
import io
import shutil
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from registry_support import REGISTRY_BINARY, Images, free_port, has_registry_binary, need

from graders.cli.env import Env, ExitStatus
from graders.cli.main import main
from graders.registry import container, server
from graders.registry.client import RegistryClient
from graders.registry.credentials import Credentials
from graders.registry.errors import RegistryAuthError

pytestmark = [pytest.mark.docker, pytest.mark.registry]

ENTRYPOINT = """#!/bin/sh
set -e
case "$1" in
    *.yaml|*.yml) set -- registry serve "$@" ;;
    serve|garbage-collect|help|-*) set -- registry "$@" ;;
esac
exec "$@"
"""
DEFAULT_CONFIG = """version: 0.1
log:
  fields:
    service: registry
storage:
  cache:
    blobdescriptor: inmemory
  filesystem:
    rootdirectory: /var/lib/registry
http:
  addr: :5000
  headers:
    X-Content-Type-Options: [nosniff]
"""
DOCKERFILE = """FROM debian:12
COPY registry /bin/registry
COPY config.yml /etc/docker/registry/config.yml
COPY entrypoint.sh /entrypoint.sh
VOLUME ["/var/lib/registry"]
EXPOSE 5000
ENTRYPOINT ["/entrypoint.sh"]
CMD ["/etc/docker/registry/config.yml"]
"""


@pytest.fixture(scope="module")
def client() -> Iterator[Any]:
    import docker

    c = docker.from_env(timeout=300)
    yield c
    c.close()


@pytest.fixture(scope="module")
def stand_in(client: Any, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The registry:2 stand-in image; its tag."""
    import docker.errors

    need(has_registry_binary(), "docker-registry/htpasswd missing: "
                                "scripts/ensure-registry-binary.sh")
    try:
        client.images.get("debian:12")
    except docker.errors.ImageNotFound:
        need(False, "debian:12 missing: run scripts/ensure-base-images.sh")
    folder = tmp_path_factory.mktemp("registry-image")
    shutil.copy2(REGISTRY_BINARY, folder / "registry")  # needs only libc, which debian:12 has
    (folder / "entrypoint.sh").write_text(ENTRYPOINT)
    (folder / "entrypoint.sh").chmod(0o755)
    (folder / "config.yml").write_text(DEFAULT_CONFIG)
    (folder / "Dockerfile").write_text(DOCKERFILE)
    tag = f"labgrade-test/registry:2-{uuid.uuid4().hex[:8]}"
    try:
        client.images.build(path=str(folder), tag=tag, rm=True, forcerm=True, pull=False)
        yield tag
    finally:
        with contextlib.suppress(docker.errors.APIError):
            client.images.remove(tag, force=True)


@pytest.fixture
def state(tmp_path: Path, stand_in: str, client: Any,
          monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A state folder; the binary is absent and the stand-in is the registry image."""
    monkeypatch.setenv(server.ENV_BINARY, str(tmp_path / "no-such-registry"))
    monkeypatch.setenv(container.ENV_IMAGE, stand_in)
    folder = (tmp_path / "registry").resolve()
    try:
        yield folder
    finally:
        with contextlib.suppress(Exception):
            server.down(folder)
        for c in ours(client, folder):  # whatever down missed
            client.api.remove_container(c["Id"], force=True, v=True)


def ours(client: Any, state: Path) -> list[dict[str, Any]]:
    return list(client.api.containers(all=True, filters={"label": f"{container.LABEL}={state}"}))


def cli(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    status = main(list(argv), Env(out, err, {}))
    return status, out.getvalue(), err.getvalue()


def http_status(url: str) -> int:
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    try:
        with opener.open(url, timeout=5) as resp:
            return int(resp.status)
    except urllib.error.HTTPError as e:
        return e.code


def push_busybox(images: Images, port: int, auth: dict[str, str] | None = None) -> str:
    repo = f"127.0.0.1:{port}/student/app"
    images.tag(images.client.images.get(Images.BASE), repo, "v1.0")
    return images.push(repo, "v1.0", auth=auth)


def test_up_push_status_down_up_keeps_the_tag(state: Path, images: Images, client: Any,
                                              stand_in: str) -> None:
    port = free_port()
    started = time.monotonic()
    code, out, err = cli("registry", "up", "--port", str(port), "--state", str(state))
    elapsed = time.monotonic() - started
    assert code == ExitStatus.SUCCESS, err
    name = container.name_for(state)
    assert f"container {name} of {stand_in}" in out and f"docker logs {name}" in out
    print(f"container flavour: `registry up` took {elapsed:.2f} s")

    # The container as asked: ours by its own label, never the run label; the sandbox basics.
    (found,) = ours(client, state)
    attrs = client.api.inspect_container(found["Id"])
    labels, host = attrs["Config"]["Labels"], attrs["HostConfig"]
    assert labels[container.LABEL] == str(state) and "org.labgrade.run" not in labels
    assert attrs["Config"]["Image"] == stand_in and attrs["Name"] == f"/{name}"
    assert host["PortBindings"] == {"5000/tcp": [{"HostIp": "127.0.0.1", "HostPort": str(port)}]}
    assert host["ReadonlyRootfs"] and host["CapDrop"] == ["ALL"] and not host["Privileged"]
    assert host["RestartPolicy"]["Name"] == "no"
    assert "no-new-privileges" in host["SecurityOpt"]
    mounts = {m["Destination"]: (m["Source"], m["RW"]) for m in attrs["Mounts"]}
    assert mounts["/var/lib/registry"] == (str(state / "data"), True)
    assert mounts["/etc/docker/registry/config.yml"] == (str(state / "config.yml"), False)
    assert "/auth/htpasswd" not in mounts
    assert "rootdirectory: /var/lib/registry" in (state / "config.yml").read_text()

    pushed = push_busybox(images, port)
    assert pushed.startswith("sha256:")
    assert RegistryClient(f"127.0.0.1:{port}").tags("student/app") == ["v1.0"]

    code, out, _ = cli("registry", "status", "--state", str(state))
    assert code == ExitStatus.SUCCESS
    assert f"Registry running at localhost:{port}" in out and f"container {name}" in out
    assert "no login required" in out
    st = server.status(state)
    assert st.running and st.port == port and st.pid is None and st.container == name
    # up again as asked: the same container; other settings: a conflict (exit 3).
    assert server.up(port=port, state_dir=state).container == name
    assert [c["Id"] for c in ours(client, state)] == [found["Id"]]
    code, _, err = cli("registry", "up", "--port", str(port + 1), "--state", str(state))
    assert code == 3 and "labgrade registry down" in err and "Traceback" not in err

    code, out, _ = cli("registry", "down", "--state", str(state))
    assert code == ExitStatus.SUCCESS and f"container {name}" in out and "kept" in out
    assert ours(client, state) == []
    assert any((state / "data").rglob("link"))  # the storage stays on the host
    code, out, _ = cli("registry", "status", "--state", str(state))
    assert code == ExitStatus.CHECKS_FAILED and "not running" in out
    assert cli("registry", "down", "--state", str(state))[1].startswith("The registry was not")

    assert cli("registry", "up", "--port", str(port), "--state", str(state))[0] == 0
    registry = RegistryClient(f"127.0.0.1:{port}")
    assert registry.tags("student/app") == ["v1.0"]
    assert registry.manifest("student/app", "v1.0").digest == pushed
    assert cli("registry", "down", "--state", str(state))[0] == 0
    assert ours(client, state) == []


def test_auth_requires_login(state: Path, images: Images, client: Any) -> None:
    port = free_port()
    password = "registry-pass-" + uuid.uuid4().hex[:8]
    st = server.up(port=port, auth=("student", password), state_dir=state)
    assert st.container and st.user == "student"
    (found,) = ours(client, state)
    mounts = {m["Destination"]: (m["Source"], m["RW"])
              for m in client.api.inspect_container(found["Id"])["Mounts"]}
    assert mounts["/auth/htpasswd"] == (str(state / "htpasswd"), False)
    assert password not in (state / "config.yml").read_text()

    push_busybox(images, port, auth={"username": "student", "password": password})
    url = f"http://127.0.0.1:{port}/v2/student/app/tags/list"
    assert http_status(url) == 401
    with pytest.raises(RegistryAuthError):
        RegistryClient(f"127.0.0.1:{port}").tags("student/app")
    with pytest.raises(RegistryAuthError):
        RegistryClient(f"127.0.0.1:{port}", Credentials("student", "wrong", "test")).tags(
            "student/app")
    creds = Credentials("student", password, "test")
    assert RegistryClient(f"127.0.0.1:{port}", creds).tags("student/app") == ["v1.0"]

    code, out, _ = cli("registry", "status", "--state", str(state))
    assert code == 0 and "login required for student" in out and password not in out
    server.down(state)
    assert ours(client, state) == []


def test_missing_image_and_no_pull_is_a_clear_error(state: Path, client: Any,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    # A pull that can only fail, and only ever talks to 127.0.0.1 (nothing listens there).
    image = f"127.0.0.1:{free_port()}/labgrade-test/registry:absent"
    monkeypatch.setenv(container.ENV_IMAGE, image)
    code, out, err = cli("registry", "up", "--port", str(free_port()), "--state", str(state))
    assert code == ExitStatus.INFRA_ERROR and out == ""
    assert "Traceback" not in err and err.startswith("labgrade: Cannot start the embedded registry")
    assert "no-such-registry is not installed" in err and f"the image {image} is not here" in err
    assert "docker-registry package" in err and f"`docker pull {image}`" in err
    assert ours(client, state) == [] and not server.status(state).running


def test_an_absent_image_is_pulled_once(state: Path, tmp_path: Path, client: Any,
                                        images: Images, stand_in: str,
                                        monkeypatch: pytest.MonkeyPatch) -> None:
    """The pull, for real, from a registry on 127.0.0.1 (the binary flavour) that holds it."""
    source = tmp_path / "source"
    try:
        src = server.up(port=free_port(), state_dir=source, binary=REGISTRY_BINARY)
        remote = f"127.0.0.1:{src.port}/labgrade-test/registry"
        images.tag(client.images.get(stand_in), remote, "2")
        images.push(remote, "2")
        client.images.remove(f"{remote}:2")  # untag only: the stand-in keeps the image
        monkeypatch.setenv(container.ENV_IMAGE, f"{remote}:2")
        port = free_port()
        code, out, err = cli("registry", "up", "--port", str(port), "--state", str(state))
        assert code == ExitStatus.SUCCESS, err
        assert f"of {remote}:2" in out
        assert client.images.get(f"{remote}:2").id == client.images.get(stand_in).id
        assert http_status(f"http://127.0.0.1:{port}/v2/") == 200
    finally:
        server.down(state)
        server.down(source)


def test_an_image_that_is_no_registry_is_reported_with_its_log(
        state: Path, client: Any, images: Images, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(container.ENV_IMAGE, Images.BASE)  # busybox: `sh`, which exits at once
    code, _, err = cli("registry", "up", "--port", str(free_port()), "--state", str(state))
    assert code == ExitStatus.INFRA_ERROR and "Traceback" not in err
    assert "exited at once" in err and container.name_for(state) in err
    assert str(state / "registry.log") in err
    assert ours(client, state) == [] and not server.status(state).running


def test_startup_time_against_the_binary(state: Path, tmp_path: Path) -> None:
    """A measurement of both flavours (best of 3), printed; only the container's is bounded."""
    times: dict[str, float] = {}
    for flavour, folder, binary in (("container", state, None),
                                    ("binary", tmp_path / "binary", REGISTRY_BINARY)):
        best = float("inf")
        try:
            for _ in range(3):
                started = time.monotonic()
                st = server.up(port=free_port(), state_dir=folder, binary=binary)
                best = min(best, time.monotonic() - started)
                assert http_status(f"{st.url}/v2/") == 200
                assert (st.container is not None) == (flavour == "container")
                server.down(folder)
        finally:
            server.down(folder)
        times[flavour] = best
    print(f"registry up, best of 3: container {times['container']:.2f} s, "
          f"binary {times['binary']:.2f} s")
    assert times["container"] < 10
