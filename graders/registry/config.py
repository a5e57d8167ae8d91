"""Files of the embedded registry's state folder: config.yml, htpasswd, the HTTP secret.

The password only ever goes to `htpasswd` through stdin (never argv) and is stored bcrypt-hashed
in a 0600 file; config.yml and registry.json never hold it.
"""

from __future__ import annotations

import os
import secrets
import shutil
import subprocess
from pathlib import Path

import yaml

from graders.registry.errors import RegistryBinaryMissing, RegistryStartFailed

HOST = "127.0.0.1"


def write_private(path: Path, text: str) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    os.fchmod(fd, 0o600)  # also when the file existed with a wider mode
    with os.fdopen(fd, "w") as f:
        f.write(text)


def write_config(state: Path, port: int, auth: tuple[str, str] | None) -> Path:
    secret_file = state / "http-secret"
    if not secret_file.exists():  # kept across restarts so resumable uploads survive `down`/`up`
        write_private(secret_file, secrets.token_hex(32))
    config: dict[str, object] = {
        "version": 0.1,
        "log": {"level": "info", "fields": {"service": "labgrade-registry"}},
        "storage": {
            "filesystem": {"rootdirectory": str(state / "data")},
            "delete": {"enabled": True},
            "cache": {"blobdescriptor": "inmemory"},
        },
        "http": {
            "addr": f"{HOST}:{port}",
            "secret": secret_file.read_text().strip(),
            "headers": {"X-Content-Type-Options": ["nosniff"]},
        },
    }
    htpasswd = state / "htpasswd"
    if auth is not None:
        write_private(htpasswd, bcrypt_line(*auth))
        config["auth"] = {"htpasswd": {"realm": "labgrade-registry", "path": str(htpasswd)}}
    else:
        htpasswd.unlink(missing_ok=True)
    path = state / "config.yml"
    write_private(path, yaml.safe_dump(config, sort_keys=False))
    return path


def bcrypt_line(user: str, password: str) -> str:
    """`user:$2y$...` from `htpasswd -B`; the password goes through stdin, never argv."""
    tool = shutil.which("htpasswd")
    if tool is None:
        raise RegistryBinaryMissing("htpasswd (apache2-utils)")
    out = subprocess.run(
        [tool, "-niB", user], input=password, capture_output=True, text=True, timeout=30
    )
    if out.returncode != 0 or not out.stdout.startswith(f"{user}:"):
        raise RegistryStartFailed("htpasswd could not hash the password", "htpasswd")
    return out.stdout.strip() + "\n"


def password_matches(htpasswd: Path, user: str, password: str) -> bool:
    tool = shutil.which("htpasswd")
    if tool is None or not htpasswd.exists():
        return False
    # -v verifies; -i reads the password from stdin.
    out = subprocess.run(
        [tool, "-vi", str(htpasswd), user], input=password, capture_output=True, text=True
    )
    return out.returncode == 0
