"""The registry's container flavour without Docker: its config, its run options, its errors."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

from graders.cli.env import Env, ExitStatus
from graders.cli.main import main
from graders.registry import container, server
from graders.registry.errors import RegistryBinaryMissing

HOST_CONFIG = {
    "version": 0.1,
    "storage": {"filesystem": {"rootdirectory": "/state/data"}, "delete": {"enabled": True}},
    "http": {"addr": "127.0.0.1:5999", "secret": "s"},
    "auth": {"htpasswd": {"realm": "labgrade-registry", "path": "/state/htpasswd"}},
}


@pytest.fixture
def no_engine(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """No registry binary and no Docker engine; the state folder."""
    monkeypatch.setenv(server.ENV_BINARY, str(tmp_path / "no-such-registry"))
    monkeypatch.setenv("DOCKER_HOST", f"unix://{tmp_path}/no-docker.sock")
    return tmp_path / "registry"


def test_container_config_uses_the_images_layout() -> None:
    cfg = container.container_config(HOST_CONFIG)
    assert cfg["storage"]["filesystem"]["rootdirectory"] == "/var/lib/registry"
    assert cfg["http"] == {"addr": ":5000", "secret": "s"}
    assert cfg["auth"]["htpasswd"] == {"realm": "labgrade-registry", "path": "/auth/htpasswd"}
    assert cfg["storage"]["delete"] == {"enabled": True}
    assert HOST_CONFIG["http"]["addr"] == "127.0.0.1:5999"  # type: ignore[index]  # untouched
    open_cfg = container.container_config({k: v for k, v in HOST_CONFIG.items() if k != "auth"})
    assert "auth" not in open_cfg


@pytest.mark.parametrize("auth", [False, True])
def test_run_options(tmp_path: Path, auth: bool) -> None:
    opts = container.run_options(tmp_path, 5999, auth, "1000:1000")
    assert opts["ports"] == {"5000/tcp": ("127.0.0.1", 5999)}
    assert opts["labels"] == {"org.labgrade.registry": str(tmp_path)}  # never org.labgrade.run
    assert opts["read_only"] and opts["cap_drop"] == ["ALL"] and not opts["privileged"]
    assert opts["restart_policy"] == {"Name": "no"} and opts["user"] == "1000:1000"
    volumes = opts["volumes"]
    assert volumes[str(tmp_path / "data")] == {"bind": "/var/lib/registry", "mode": "rw"}
    assert volumes[str(tmp_path / "config.yml")]["mode"] == "ro"
    assert (str(tmp_path / "htpasswd") in volumes) == auth
    if auth:
        assert volumes[str(tmp_path / "htpasswd")] == {"bind": "/auth/htpasswd", "mode": "ro"}


def test_one_container_name_per_state_folder(tmp_path: Path) -> None:
    name = container.name_for(tmp_path / "a")
    assert name == container.name_for(tmp_path / "a") != container.name_for(tmp_path / "b")
    assert name.startswith("labgrade-registry-") and len(name) == len("labgrade-registry-") + 12


def test_image_and_binary_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(container.ENV_IMAGE, raising=False)
    monkeypatch.delenv(server.ENV_BINARY, raising=False)
    assert container.default_image() == "registry:2"
    assert server.default_binary() == "/usr/bin/docker-registry"
    monkeypatch.setenv(container.ENV_IMAGE, "example/registry:2")
    monkeypatch.setenv(server.ENV_BINARY, "/opt/registry")
    assert (container.default_image(), server.default_binary()) == (
        "example/registry:2", "/opt/registry")


def test_status_how() -> None:
    st = server.RegistryStatus(True, Path("/s"), port=5, container="labgrade-registry-x",
                               image="registry:2")
    assert st.how == "container labgrade-registry-x of registry:2"
    assert server.RegistryStatus(True, Path("/s"), port=5, pid=42).how == "pid 42"


def test_no_binary_and_no_engine_is_a_clear_error(no_engine: Path) -> None:
    out, err = io.StringIO(), io.StringIO()
    code = main(["registry", "up", "--port", "5999", "--state", str(no_engine)], Env(out, err, {}))
    text = err.getvalue()
    assert code == ExitStatus.INFRA_ERROR and out.getvalue() == "" and "Traceback" not in text
    assert "no-such-registry is not installed" in text and "no Docker engine answers" in text
    assert "docker-registry package" in text and "start Docker" in text


def test_a_binary_given_never_falls_back_to_the_image(no_engine: Path) -> None:
    with pytest.raises(RegistryBinaryMissing) as exc:
        server.up(port=5999, state_dir=no_engine, binary=str(no_engine / "nope"))
    assert type(exc.value) is RegistryBinaryMissing


def test_a_container_without_engine_is_not_running(no_engine: Path) -> None:
    no_engine.mkdir()
    (no_engine / "registry.json").write_text(
        json.dumps({"port": 5999, "user": None, "container": "labgrade-registry-x",
                    "image": "registry:2"}))
    assert not server.status(no_engine).running
    out, err = io.StringIO(), io.StringIO()
    code = main(["registry", "down", "--state", str(no_engine)], Env(out, err, {}))
    assert code == ExitStatus.INFRA_ERROR and "Cannot reach the Docker daemon" in err.getvalue()
