"""HTTP for the registry client: one session, bounded reads and a redirect policy.

Redirects are followed by hand, for GET and HEAD only: to the registry itself with our
credentials, elsewhere without the Authorization header, and only to HTTPS hosts or this
machine, or, when `redirect_hosts` is given, only to those hosts (tests pass `{"127.0.0.1"}`).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Collection, Iterator
from urllib.parse import urljoin, urlsplit

import requests
import urllib3.exceptions

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

MAX_SMALL_BODY = 4 << 20
"""Bytes of a body `send` reads itself (stream=False: JSON, errors); larger is refused."""

MIN_RATE = 256 * 1024
"""Bytes per second a body must average: a body of N bytes has `timeout + N / MIN_RATE` s in
all, so a registry that drips its answer cannot hold the grader (the socket timeout alone
restarts on every byte)."""


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
                    stream=True,  # the body is read by `read`, bounded in bytes and time
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
                if not stream:  # what requests would have read, but bounded
                    body = b"" if method == "HEAD" else self.read(resp, MAX_SMALL_BODY)
                    resp._content = body  # type: ignore[attr-defined]
                    resp._content_consumed = True  # type: ignore[attr-defined]
                    resp.close()
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

    def read(self, resp: requests.Response, limit: int) -> bytes:
        """The body, at most `limit` bytes (RegistryResponseError beyond), within
        `timeout + size / MIN_RATE` s in all, size being the declared length when there is
        one, else `limit` (RegistryUnreachable after; each wait is also bounded by `timeout`)."""
        try:
            declared = int(resp.headers.get("Content-Length") or limit)
        except ValueError:
            declared = limit
        allowed = self.timeout + min(max(declared, 0), limit) / MIN_RATE
        deadline = time.monotonic() + allowed
        chunks, total = [], 0
        try:
            for chunk in _chunks(resp):
                total += len(chunk)
                if total > limit:
                    raise RegistryResponseError(resp.url, resp.status_code,
                                                f"more than {limit} bytes")
                if time.monotonic() > deadline:
                    raise RegistryUnreachable(resp.url, f"the answer took longer than "
                                              f"{allowed:.0f} s ({total} bytes so far)")
                chunks.append(chunk)
        except requests.RequestException as e:
            raise RegistryUnreachable(resp.url, _reason(e)) from None
        finally:
            if total > limit or time.monotonic() > deadline:
                resp.close()
        return b"".join(chunks)


def _chunks(resp: requests.Response) -> Iterator[bytes]:
    """The body as it arrives: each read returns what one receive gave (urllib3's `read1`),
    not a full 64 KiB block that a slow sender could make wait for ever, byte by byte."""
    read1 = getattr(resp.raw, "read1", None)
    if read1 is None:  # an old urllib3: small blocks
        yield from resp.iter_content(1024)
        return
    try:
        while chunk := read1(65536, decode_content=True):
            yield chunk
    except (urllib3.exceptions.ReadTimeoutError, TimeoutError) as e:
        raise requests.exceptions.ReadTimeout(str(e)) from None
    except (urllib3.exceptions.HTTPError, OSError) as e:
        raise requests.exceptions.ConnectionError(str(e)) from None


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
