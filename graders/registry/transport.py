"""HTTP for the registry client: one session, bounded reads and a redirect policy.

Redirects are followed by hand, for GET and HEAD only: to the registry itself with our
credentials, elsewhere without the Authorization header, and only to HTTPS hosts or this
machine, or, when `redirect_hosts` is given, only to those hosts (tests pass `{"127.0.0.1"}`).
"""

from __future__ import annotations

import logging
from collections.abc import Collection
from urllib.parse import urljoin, urlsplit

import requests

from graders.registry.errors import (
    RedirectRefused,
    RegistryAuthError,
    RegistryError,
    RegistryNotFound,
    RegistryResponseError,
    RegistryUnreachable,
    safe_url,
)
from graders.registry.reference import is_local

log = logging.getLogger("graders.registry.client")

REDIRECTS = (301, 302, 303, 307, 308)
MAX_HOPS = 5


class Transport:
    def __init__(
        self, base: str, timeout: float, redirect_hosts: Collection[str] | None = None
    ) -> None:
        self.base = base
        self.origin = urlsplit(base).netloc
        self.timeout = timeout
        self.redirect_hosts = None if redirect_hosts is None else frozenset(redirect_hosts)
        self.session = requests.Session()
        # No proxies and no ~/.netrc for this machine; keep them for remote registries.
        self.session.trust_env = not is_local(urlsplit(base).hostname or "")

    def close(self) -> None:
        self.session.close()

    def send(
        self,
        method: str,
        url: str,
        headers: dict[str, str],
        data: bytes | None = None,
        stream: bool = False,
    ) -> requests.Response:
        for _ in range(MAX_HOPS + 1):
            if urlsplit(url).netloc != self.origin:
                headers = {k: v for k, v in headers.items() if k.lower() != "authorization"}
            try:
                resp = self.session.request(
                    method,
                    url,
                    headers=headers,
                    data=data,
                    stream=stream,
                    timeout=self.timeout,
                    allow_redirects=False,
                )
            except requests.Timeout:
                raise RegistryUnreachable(url, f"no answer within {self.timeout:.0f} s") from None
            except requests.RequestException as e:
                raise RegistryUnreachable(url, _reason(e)) from None
            log.debug("%s %s -> HTTP %s", method, safe_url(url), resp.status_code)
            location = resp.headers.get("Location")
            if resp.status_code not in REDIRECTS or not location or method not in ("GET", "HEAD"):
                return resp
            resp.close()
            url = urljoin(url, location)
            if not self.may_follow(url):
                raise RedirectRefused(url)
        raise RegistryResponseError(url, 310, "too many redirects")

    def may_follow(self, url: str) -> bool:
        parts = urlsplit(url)
        if parts.netloc == self.origin:
            return True
        host = parts.hostname or ""
        if self.redirect_hosts is not None:
            return host in self.redirect_hosts
        return parts.scheme == "https" or (parts.scheme == "http" and is_local(host))

    @staticmethod
    def read(resp: requests.Response, limit: int) -> bytes:
        """The body, at most `limit` bytes (RegistryResponseError beyond)."""
        chunks, total = [], 0
        for chunk in resp.iter_content(65536):
            total += len(chunk)
            if total > limit:
                resp.close()
                raise RegistryResponseError(resp.url, resp.status_code, f"more than {limit} bytes")
            chunks.append(chunk)
        return b"".join(chunks)


def backoff(resp: requests.Response, attempt: int) -> float:
    """Seconds to wait before retry `attempt`: Retry-After when given, at most 10 s."""
    try:
        after = float(resp.headers.get("Retry-After", "") or 0.0)
    except ValueError:
        after = 0.0
    return min(max(after, 0.5 * 2.0**attempt), 10.0)


def _reason(e: requests.RequestException) -> str:
    text = str(e).lower()  # matched, never shown: it may hold the URL
    if "refused" in text:
        return "connection refused"
    if "name or service not known" in text or "resolve" in text:
        return "unknown host"
    return type(e).__name__


def error_for(resp: requests.Response, registry: str, repository: str | None) -> RegistryError:
    """The error for a response we did not expect: NotFound, AuthError or ResponseError."""
    code, message = "", ""
    try:
        first = (resp.json().get("errors") or [{}])[0]
        code, message = str(first.get("code", "")), str(first.get("message", ""))[:200]
    except (ValueError, AttributeError, IndexError, requests.RequestException):
        pass
    if resp.status_code == 404:
        return RegistryNotFound(registry, _what(resp.url, repository), code)
    if resp.status_code == 401 and 'error="insufficient_scope"' in resp.headers.get(
        "WWW-Authenticate", ""
    ):  # logged in (or anonymous) but not granted: how Hub hides private and missing repos
        return RegistryNotFound(registry, _what(resp.url, repository), "INSUFFICIENT_SCOPE")
    if resp.status_code in (401, 403):
        return RegistryAuthError(registry, f"HTTP {resp.status_code} {code}".strip())
    return RegistryResponseError(resp.url, resp.status_code, " ".join((code, message)).strip())


def _what(url: str, repository: str | None) -> str:
    path = urlsplit(url).path
    if repository is None:
        return path
    kind, _, ref = path.partition(f"/{repository}/")[2].partition("/")
    if kind == "manifests":
        return f"{repository}{'@' if ':' in ref else ':'}{ref}"
    if kind == "blobs":
        return f"blob {ref} of {repository}"
    return f"repository {repository}"
