"""Registry credentials: environment variables, then the Docker config (helpers, then `auths`).

Lookup order, as the docker CLI's plus explicit overrides:
0. credentials `provided()` to this process for one registry (the samples' embedded registry:
   no environment variable, no file, gone when the block ends);
1. `LABGRADE_REGISTRY_USER` + `LABGRADE_REGISTRY_PASSWORD` (for every registry asked about);
2. `credHelpers[<host>]` in `$DOCKER_CONFIG/config.json` (else `~/.docker/config.json`);
3. `credsStore`, the default helper;
4. `auths[<host>].auth` (base64 `user:password`) or `identitytoken`.

A helper is `docker-credential-<name> get` with the server address on stdin, under a timeout.
The secret stays inside `Credentials`, whose repr and str redact it; no error message, log line
or returned value besides `Credentials.secret` carries it.
"""

from __future__ import annotations

import base64
import binascii
import json
import logging
import os
import re
import subprocess
import threading
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from graders.registry.errors import CredentialsError

log = logging.getLogger(__name__)

ENV_USER = "LABGRADE_REGISTRY_USER"
ENV_PASSWORD = "LABGRADE_REGISTRY_PASSWORD"
HUB_SERVER = "https://index.docker.io/v1/"
"""The key `docker login` uses for Docker Hub in config.json and with helpers."""
_HUB_ALIASES = {"docker.io", "index.docker.io", "registry-1.docker.io", "registry.hub.docker.com"}
_PROVIDED: dict[str, Credentials] = {}
_PROVIDED_LOCK = threading.Lock()
_HELPER_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]*\Z")
HELPER_TIMEOUT_S = 10.0


@dataclass(frozen=True)
class Credentials:
    """A user name and a secret (password, token, or an identity token when `identity_token`)."""

    username: str
    secret: str = field(repr=False)
    source: str = ""
    identity_token: bool = False

    def __repr__(self) -> str:
        return (
            f"Credentials(username={self.username!r}, secret=<redacted>, source={self.source!r}"
            + (", identity_token=True)" if self.identity_token else ")")
        )

    __str__ = __repr__


def docker_config_path(environ: Mapping[str, str] | None = None) -> Path:
    env = os.environ if environ is None else environ
    folder = env.get("DOCKER_CONFIG") or str(Path(env.get("HOME") or Path.home()) / ".docker")
    return Path(folder) / "config.json"


def server_key(registry: str) -> str:
    """The key config.json and helpers use: Hub's legacy URL, else `host[:port]`."""
    host = _hostname(registry)
    return HUB_SERVER if host in _HUB_ALIASES else host


@contextmanager
def provided(registry: str, creds: Credentials) -> Iterator[None]:
    """Use `creds` for `registry` in this process while the block runs (then forget them)."""
    key = server_key(registry)
    with _PROVIDED_LOCK:
        previous = _PROVIDED.get(key)
        _PROVIDED[key] = creds
    try:
        yield
    finally:
        with _PROVIDED_LOCK:
            if previous is None:
                _PROVIDED.pop(key, None)
            else:
                _PROVIDED[key] = previous


def resolve_credentials(
    registry: str,
    environ: Mapping[str, str] | None = None,
    config_path: Path | None = None,
    timeout: float = HELPER_TIMEOUT_S,
) -> Credentials | None:
    """Credentials for `registry` (`docker.io`, `localhost:5000`, ...), or None (anonymous)."""
    with _PROVIDED_LOCK:
        given = _PROVIDED.get(server_key(registry))
    if given is not None:
        return given
    env = os.environ if environ is None else environ
    user, password = env.get(ENV_USER), env.get(ENV_PASSWORD)
    if user and password:
        return Credentials(user, password, f"${ENV_USER}")
    path = config_path or docker_config_path(env)
    config = load_docker_config(path)
    helper = _helper_for(config, registry)
    if helper:
        return _from_helper(helper, server_key(registry), timeout)
    entry = _auth_entry(config, registry)
    if entry is None:
        return None
    if entry.get("identitytoken"):
        return Credentials("", str(entry["identitytoken"]), str(path), identity_token=True)
    encoded = entry.get("auth")
    if not encoded:
        return None
    try:
        decoded = base64.b64decode(str(encoded), validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError):
        raise CredentialsError(
            str(path), f"the 'auth' entry for {registry} is not base64"
        ) from None
    user, sep, password = decoded.partition(":")
    if not sep:
        raise CredentialsError(str(path), f"the 'auth' entry for {registry} is not user:password")
    return Credentials(user, password, str(path))


def is_logged_in(
    registry: str,
    environ: Mapping[str, str] | None = None,
    config_path: Path | None = None,
    timeout: float = HELPER_TIMEOUT_S,
) -> bool:
    """Whether `docker login <registry>` left credentials behind. Never reads a secret out."""
    return login_source(registry, environ, config_path, timeout) is not None


@dataclass(frozen=True)
class LoginState:
    """What `docker login` left for one registry, as a live check reports it."""

    logged_in: bool
    config: Path
    """The Docker client config that was read."""
    via: str = ""
    """`config.json auths` or `docker-credential-<helper>`; never a user name or secret."""
    problem: str = ""
    """Why the answer could not be read (an unusable helper, invalid JSON), for the student."""


def client_login(registry: str) -> LoginState:
    """Whether the Docker client ($DOCKER_CONFIG, else ~/.docker) holds credentials for
    `registry`: an `auths` entry with a credential, or a credential helper that lists it.
    Never reads a secret out; a config or helper that cannot be read is `problem`."""
    path = docker_config_path()
    try:
        source = login_source(registry, config_path=path)
    except CredentialsError as e:
        return LoginState(False, path, problem=str(e))
    return LoginState(source is not None, path, source or "")


def login_source(
    registry: str,
    environ: Mapping[str, str] | None = None,
    config_path: Path | None = None,
    timeout: float = HELPER_TIMEOUT_S,
) -> str | None:
    """Where the Docker client keeps its login to `registry`: "config.json auths" or
    "docker-credential-<helper>"; None when it has none. Never reads a secret out."""
    env = os.environ if environ is None else environ
    config = load_docker_config(config_path or docker_config_path(env))
    entry = _auth_entry(config, registry)
    if entry is not None and (entry.get("auth") or entry.get("identitytoken")):
        return "config.json auths"
    helper = _helper_for(config, registry)
    if helper is None:
        return None
    # `list` maps server URL -> user name only; it never prints secrets.
    listing = _run_helper(helper, "list", "", timeout)
    try:
        servers = json.loads(listing or "{}")
    except ValueError:
        return None
    wanted = server_key(registry)
    if isinstance(servers, dict) and any(server_key(s) == wanted for s in servers):
        return f"docker-credential-{helper}"
    return None


def load_docker_config(path: Path) -> dict[str, Any]:
    """The parsed config.json; {} when the file does not exist."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return {}
    except OSError as e:
        raise CredentialsError(str(path), e.strerror or type(e).__name__) from None
    try:
        data = json.loads(text) if text.strip() else {}
    except ValueError as e:
        # No excerpt of the file: it holds secrets.
        raise CredentialsError(str(path), f"invalid JSON at line {e.lineno}") from None  # type: ignore[attr-defined]
    if not isinstance(data, dict):
        raise CredentialsError(str(path), "the top level is not a JSON object")
    return data


def _hostname(registry: str) -> str:
    """`https://host:port/v1/` -> `host:port`, like the CLI's ConvertToHostname."""
    s = registry.split("://", 1)[-1]
    return s.split("/", 1)[0]


def _auth_entry(config: Mapping[str, Any], registry: str) -> dict[str, Any] | None:
    auths = config.get("auths")
    if not isinstance(auths, dict):
        return None
    wanted = server_key(registry)
    for key, entry in auths.items():
        if isinstance(entry, dict) and server_key(str(key)) == wanted:
            return entry
    return None


def _helper_for(config: Mapping[str, Any], registry: str) -> str | None:
    helpers = config.get("credHelpers")
    host = _hostname(registry)
    if isinstance(helpers, dict):
        for key, name in helpers.items():
            if server_key(str(key)) == server_key(host) and name:
                return str(name)
    store = config.get("credsStore")
    return str(store) if store else None


def _from_helper(helper: str, server: str, timeout: float) -> Credentials | None:
    out = _run_helper(helper, "get", server, timeout)
    if out is None:
        return None
    try:
        data = json.loads(out)
        user, secret = str(data["Username"]), str(data["Secret"])
    except (ValueError, KeyError, TypeError):
        raise CredentialsError(f"docker-credential-{helper}", "its answer is not valid") from None
    if not secret:
        return None
    if user == "<token>":
        return Credentials("", secret, f"docker-credential-{helper}", identity_token=True)
    return Credentials(user, secret, f"docker-credential-{helper}")


def _run_helper(helper: str, action: str, stdin: str, timeout: float) -> str | None:
    """The helper's stdout, or None when it has nothing for this server."""
    if not _HELPER_NAME.match(helper):
        raise CredentialsError("config.json", f"the credential helper name {helper!r} is invalid")
    program = f"docker-credential-{helper}"
    try:
        proc = subprocess.run(
            [program, action], input=stdin, capture_output=True, text=True, timeout=timeout
        )
    except FileNotFoundError:
        raise CredentialsError(program, "it is not installed (not on PATH)") from None
    except subprocess.TimeoutExpired:
        raise CredentialsError(program, f"it did not answer within {timeout:.0f} s") from None
    if proc.returncode != 0:
        reason = (proc.stderr or proc.stdout).strip().splitlines()
        first = reason[0][:200] if reason else f"exit status {proc.returncode}"
        if "credentials not found" in first.lower():
            return None
        log.debug("%s %s failed with exit status %s", program, action, proc.returncode)
        raise CredentialsError(program, f"`{action}` failed: {first}")
    return proc.stdout
