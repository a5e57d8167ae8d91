"""Registry credentials from env vars, config.json and credential helpers; never shown."""

from __future__ import annotations

import base64
import json
import logging
import os
import stat
from pathlib import Path

import pytest

from graders.registry.credentials import (
    HUB_SERVER,
    Credentials,
    docker_config_path,
    is_logged_in,
    resolve_credentials,
    server_key,
)
from graders.registry.errors import CredentialsError

PASSWORD = "pa55-w0rd-not-to-leak"


def write_config(folder: Path, config: dict[str, object]) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "config.json"
    path.write_text(json.dumps(config))
    return path


def auth_entry(user: str, password: str) -> dict[str, str]:
    return {"auth": base64.b64encode(f"{user}:{password}".encode()).decode()}


def fake_helper(bin_dir: Path, name: str, store: dict[str, tuple[str, str]]) -> None:
    """A docker-credential-<name> script answering `get` and `list` from `store`."""
    bin_dir.mkdir(parents=True, exist_ok=True)
    script = bin_dir / f"docker-credential-{name}"
    get = {k: {"ServerURL": k, "Username": u, "Secret": s} for k, (u, s) in store.items()}
    listing = {k: u for k, (u, _) in store.items()}
    script.write_text(
        "#!/usr/bin/env python3\n"
        "import json, sys\n"
        f"GET = {json.dumps(get)!r}\nLIST = {json.dumps(listing)!r}\n"
        "action = sys.argv[1]\n"
        "if action == 'list':\n    print(LIST); sys.exit(0)\n"
        "server = sys.stdin.read().strip()\n"
        "entries = json.loads(GET)\n"
        "if server not in entries:\n"
        "    print('credentials not found in native keychain'); sys.exit(1)\n"
        "print(json.dumps(entries[server]))\n"
    )
    script.chmod(script.stat().st_mode | stat.S_IXUSR)


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    return {"DOCKER_CONFIG": str(tmp_path / "docker"), "HOME": str(tmp_path / "home")}


def test_config_path(tmp_path: Path) -> None:
    assert docker_config_path({"DOCKER_CONFIG": "/x"}) == Path("/x/config.json")
    assert docker_config_path({"HOME": "/home/s"}) == Path("/home/s/.docker/config.json")


def test_server_keys() -> None:
    for hub in ("docker.io", "index.docker.io", "registry-1.docker.io", HUB_SERVER):
        assert server_key(hub) == HUB_SERVER
    assert server_key("localhost:5000") == "localhost:5000"
    assert server_key("https://ghcr.io/v2/") == "ghcr.io"


def test_env_vars_win(env: dict[str, str]) -> None:
    write_config(Path(env["DOCKER_CONFIG"]), {"auths": {"localhost:5000": auth_entry("a", "b")}})
    env.update(LABGRADE_REGISTRY_USER="teacher", LABGRADE_REGISTRY_PASSWORD=PASSWORD)
    creds = resolve_credentials("localhost:5000", env)
    assert creds is not None and (creds.username, creds.secret) == ("teacher", PASSWORD)


def test_auths_entry(env: dict[str, str]) -> None:
    write_config(
        Path(env["DOCKER_CONFIG"]),
        {
            "auths": {
                "localhost:5000": auth_entry("alice", PASSWORD),
                HUB_SERVER: auth_entry("bob", "hub-pass"),
                "http://ghcr.io": auth_entry("carol", "gh:pass"),
            }
        },
    )
    creds = resolve_credentials("localhost:5000", env)
    assert creds is not None and (creds.username, creds.secret) == ("alice", PASSWORD)
    hub = resolve_credentials("docker.io", env)
    assert hub is not None and hub.username == "bob"
    gh = resolve_credentials("ghcr.io", env)
    assert gh is not None and gh.secret == "gh:pass"  # only the first ':' splits
    assert resolve_credentials("localhost:6000", env) is None
    assert is_logged_in("localhost:5000", env)
    assert is_logged_in("docker.io", env)
    assert not is_logged_in("localhost:6000", env)


def test_identity_token(env: dict[str, str]) -> None:
    write_config(Path(env["DOCKER_CONFIG"]), {"auths": {"r.example": {"identitytoken": "id-tok"}}})
    creds = resolve_credentials("r.example", env)
    assert creds is not None and creds.identity_token and creds.secret == "id-tok"


def test_no_config_means_anonymous(env: dict[str, str]) -> None:
    assert resolve_credentials("docker.io", env) is None
    assert not is_logged_in("docker.io", env)


def test_logged_out_entry_is_not_logged_in(env: dict[str, str]) -> None:
    write_config(Path(env["DOCKER_CONFIG"]), {"auths": {"localhost:5000": {}}})
    assert not is_logged_in("localhost:5000", env)
    assert resolve_credentials("localhost:5000", env) is None


def test_broken_config_names_the_file_not_its_content(env: dict[str, str]) -> None:
    folder = Path(env["DOCKER_CONFIG"])
    folder.mkdir(parents=True)
    (folder / "config.json").write_text('{"auths": {"x": {"auth": "' + PASSWORD)
    with pytest.raises(CredentialsError) as exc:
        resolve_credentials("x", env)
    assert "config.json" in str(exc.value) and PASSWORD not in str(exc.value)
    write_config(folder, {"auths": {"x": {"auth": "!!not base64!!"}}})
    with pytest.raises(CredentialsError, match="not base64"):
        resolve_credentials("x", env)


def test_helpers(env: dict[str, str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    bin_dir = tmp_path / "bin"
    fake_helper(bin_dir, "fakestore", {HUB_SERVER: ("hubuser", PASSWORD)})
    fake_helper(bin_dir, "fakelocal", {"localhost:5000": ("localuser", "local-secret")})
    monkeypatch.setenv("PATH", f"{bin_dir}{os.pathsep}{os.environ['PATH']}")
    write_config(
        Path(env["DOCKER_CONFIG"]),
        {
            "credsStore": "fakestore",
            "credHelpers": {"localhost:5000": "fakelocal"},
            "auths": {HUB_SERVER: {}},
        },
    )
    hub = resolve_credentials("docker.io", env)
    assert hub is not None and (hub.username, hub.secret) == ("hubuser", PASSWORD)
    local = resolve_credentials("localhost:5000", env)
    assert local is not None and local.source == "docker-credential-fakelocal"
    assert resolve_credentials("ghcr.io", env) is None  # the store has nothing for it
    assert is_logged_in("docker.io", env)
    assert is_logged_in("localhost:5000", env)
    assert not is_logged_in("ghcr.io", env)


def test_missing_or_bad_helper(env: dict[str, str]) -> None:
    write_config(Path(env["DOCKER_CONFIG"]), {"credsStore": "labgrade-no-such-helper"})
    with pytest.raises(CredentialsError, match="not installed"):
        resolve_credentials("docker.io", env)
    write_config(Path(env["DOCKER_CONFIG"]), {"credsStore": "../../bin/sh"})
    with pytest.raises(CredentialsError, match="invalid"):
        resolve_credentials("docker.io", env)


def test_credentials_never_show_the_secret(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    creds = Credentials("alice", PASSWORD, "test")
    logging.getLogger("test").debug("using %s / %r / %s", creds, creds, [creds])
    for text in (repr(creds), str(creds), f"{creds}", repr([creds]), caplog.text):
        assert PASSWORD not in text
    assert "alice" in repr(creds) and "redacted" in repr(creds)
