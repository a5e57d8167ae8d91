"""Registry authentication: parse `WWW-Authenticate`, and get and cache Bearer tokens.

Token flow (distribution `docs/spec/auth/token.md`): the registry answers 401 with
`Bearer realm=...,service=...,scope=...`; we GET `realm?service=...&scope=...` with Basic
credentials (or anonymously), read `token` or `access_token`, and retry with `Bearer <token>`.
An identity token (`docker login` with OAuth) is exchanged by POSTing `grant_type=refresh_token`.
Tokens are cached per (realm, service, scope) until shortly before `expires_in`.
"""

from __future__ import annotations

import base64
import logging
import re
import time
from dataclasses import dataclass, field
from urllib.parse import urlsplit

import requests

from graders.registry.credentials import Credentials
from graders.registry.errors import RegistryAuthError, RegistryUnreachable, safe_url
from graders.registry.reference import is_local

log = logging.getLogger(__name__)

_PARAM = re.compile(r'([A-Za-z][\w-]*)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^\s,]*))')
_SCHEME = re.compile(r"[A-Za-z][\w-]*")
_SEPARATORS = re.compile(r"[\s,]*")


@dataclass(frozen=True)
class Challenge:
    scheme: str
    """Lower case: `basic` or `bearer`."""
    params: dict[str, str] = field(default_factory=dict)


def parse_challenges(header: str) -> list[Challenge]:
    """`Bearer realm="r",service="s",scope="repository:a/b:pull,push", Basic realm="x"`."""
    out: list[Challenge] = []
    pos = 0
    while True:
        sep = _SEPARATORS.match(header, pos)
        pos = sep.end() if sep else pos
        if pos >= len(header):
            return out
        param = _PARAM.match(header, pos)
        if param and out:
            value = param.group(2) if param.group(2) is not None else param.group(3)
            out[-1].params[param.group(1).lower()] = re.sub(r"\\(.)", r"\1", value)
            pos = param.end()
            continue
        scheme = _SCHEME.match(header, pos)
        if not scheme:
            return out
        out.append(Challenge(scheme.group(0).lower(), {}))
        pos = scheme.end()


def basic_header(creds: Credentials) -> str:
    raw = f"{creds.username}:{creds.secret}".encode()
    return "Basic " + base64.b64encode(raw).decode("ascii")


@dataclass
class _Token:
    value: str = field(repr=False)
    expires_at: float


class TokenCache:
    """Bearer tokens per (realm, service, scope). The repr lists scopes only."""

    def __init__(self) -> None:
        self._tokens: dict[tuple[str, str, str], _Token] = {}

    def __repr__(self) -> str:
        return f"TokenCache(scopes={sorted(k[2] for k in self._tokens)!r})"

    def get(self, realm: str, service: str, scope: str) -> str | None:
        tok = self._tokens.get((realm, service, scope))
        if tok is None or tok.expires_at <= time.monotonic():
            return None
        return tok.value

    def put(self, realm: str, service: str, scope: str, value: str, expires_in: float) -> None:
        # Renew 10 s early; Distribution's default lifetime is 300 s, Hub's 300 s too.
        self._tokens[(realm, service, scope)] = _Token(
            value, time.monotonic() + max(expires_in - 10.0, 1.0)
        )

    def drop(self, realm: str, service: str, scope: str) -> None:
        self._tokens.pop((realm, service, scope), None)


def fetch_token(
    session: requests.Session,
    challenge: Challenge,
    scope: str,
    creds: Credentials | None,
    registry: str,
    timeout: float,
) -> tuple[str, float]:
    """Ask the challenge's realm for a token for `scope`; returns (token, expires_in)."""
    realm = challenge.params.get("realm", "")
    parts = urlsplit(realm)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise RegistryAuthError(registry, f"the token realm {safe_url(realm)!r} is not a URL")
    if parts.scheme == "http" and not is_local(parts.hostname):
        # Never send a password in clear over the network.
        raise RegistryAuthError(registry, f"the token service {safe_url(realm)} is plain HTTP")
    service = challenge.params.get("service", "")
    params = {k: v for k, v in (("service", service), ("scope", scope)) if v}
    try:
        if creds is not None and creds.identity_token:
            form = {**params, "grant_type": "refresh_token", "client_id": "labgrade",
                    "refresh_token": creds.secret}  # fmt: skip
            resp = session.post(realm, data=form, timeout=timeout, allow_redirects=False)
        else:
            headers = {"Authorization": basic_header(creds)} if creds is not None else {}
            resp = session.get(
                realm, params=params, headers=headers, timeout=timeout, allow_redirects=False
            )
    except requests.Timeout:
        raise RegistryUnreachable(realm, "the token service timed out") from None
    except requests.RequestException:
        raise RegistryUnreachable(realm, "cannot connect to the token service") from None
    log.debug("token %s scope=%s -> HTTP %s", safe_url(realm), scope, resp.status_code)
    if resp.status_code in (401, 403):
        reason = "the token service refused " + ("the credentials" if creds else "anonymous access")
        raise RegistryAuthError(registry, reason)
    if resp.status_code != 200:
        raise RegistryAuthError(registry, f"the token service answered HTTP {resp.status_code}")
    try:
        data = resp.json()
        token = data.get("access_token") or data.get("token")
        expires_in = float(data.get("expires_in") or 60)
    except (ValueError, AttributeError, TypeError):
        token = None
    if not isinstance(token, str) or not token:
        raise RegistryAuthError(registry, "the token service's answer has no token")
    return token, expires_in
