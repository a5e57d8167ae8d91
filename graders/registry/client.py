"""A small Registry HTTP API v2 client: ping, tags, manifests, blobs, with Basic and Bearer auth.

Not python-dxf (12.1.1, tried): it refuses any auth over plain HTTP (`DXFAuthInsecureError`), so
it cannot log in to the embedded registry on localhost; it forces every token realm to https;
it keeps one token, not one per scope; it is untyped. This is small, on `requests` (docker SDK).

Redirects follow `transport.Transport`'s policy (HTTPS hosts or this machine, never with our
Authorization header to another host). Requests hit by 429 or 502-504 are retried twice with
backoff, then raise RegistryResponseError. 404 raises RegistryNotFound, which checks turn into a
FAILED result ("tag not found"); every other RegistryError is an ERROR (registry unavailable).
"""

from __future__ import annotations

import dataclasses
import json
import time
from collections.abc import Collection
from dataclasses import dataclass
from typing import Any
from urllib.parse import urljoin, urlsplit

import requests

from graders.registry import manifest as mf
from graders.registry.auth import Challenge, TokenCache, basic_header, fetch_token, parse_challenges
from graders.registry.credentials import Credentials, resolve_credentials
from graders.registry.errors import (
    DigestMismatch,
    RedirectRefused,
    RegistryAuthError,
    RegistryNotFound,
    RegistryResponseError,
    UnsupportedManifest,
)
from graders.registry.reference import api_host, scheme_for
from graders.registry.transport import Transport, backoff, error_for

MAX_MANIFEST = 4 << 20
MAX_BLOB = 64 << 20
RETRY_STATUSES = (429, 502, 503, 504)


@dataclass(frozen=True)
class Ping:
    status: int
    """200 (open, or our credentials accepted) or 401 (needs auth)."""
    auth_scheme: str | None
    """`basic` or `bearer` when the registry asked for auth."""


class RegistryClient:
    """One registry (`docker.io`, `localhost:5000`, ...). Not thread-safe; cheap to create."""

    def __init__(
        self,
        registry: str,
        credentials: Credentials | None = None,
        *,
        scheme: str | None = None,
        timeout: float = 15.0,
        redirect_hosts: Collection[str] | None = None,
        retries: int = 2,
    ) -> None:
        self.registry = registry
        self.base = f"{scheme or scheme_for(registry)}://{api_host(registry)}"
        self.timeout = timeout
        self.retries = retries
        self._creds = credentials
        self._http = Transport(self.base, timeout, redirect_hosts)
        self._tokens = TokenCache()
        self._bearer: Challenge | None = None
        self._basic = False

    @classmethod
    def connect(cls, registry: str, **kwargs: Any) -> RegistryClient:
        """A client with credentials from the environment or the Docker config, if any."""
        return cls(registry, resolve_credentials(registry), **kwargs)

    def __repr__(self) -> str:
        user = self._creds.username if self._creds else None
        return f"RegistryClient({self.base!r}, user={user!r})"

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> RegistryClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # --- the API ------------------------------------------------------------------------------

    def ping(self, authenticate: bool = False) -> Ping:
        """GET /v2/. With `authenticate`, log in first: RegistryAuthError if refused."""
        if authenticate:
            self._request("GET", "/v2/", scope="")
            return Ping(200, "bearer" if self._bearer else "basic" if self._basic else None)
        resp = self._http.send("GET", self.base + "/v2/", {})
        if resp.status_code not in (200, 401):
            raise RegistryResponseError(resp.url, resp.status_code, "not a registry API v2")
        challenges = parse_challenges(resp.headers.get("WWW-Authenticate", ""))
        return Ping(resp.status_code, challenges[0].scheme if challenges else None)

    def tags(self, repository: str, page_size: int | None = None) -> list[str]:
        """Every tag, following `Link: <...>; rel="next"` pages of `page_size`."""
        return self._paginate(f"/v2/{repository}/tags/list", "tags", repository, page_size)

    def catalog(self, page_size: int | None = None) -> list[str]:
        return self._paginate("/v2/_catalog", "repositories", None, page_size)

    def head_manifest(self, repository: str, reference: str) -> str | None:
        """The digest a tag points to without counting as a pull; None when absent."""
        try:
            resp = self._request(
                "HEAD",
                f"/v2/{repository}/manifests/{reference}",
                repository=repository,
                headers={"Accept": mf.ACCEPT},
            )
        except RegistryNotFound:
            return None
        digest = resp.headers.get("Docker-Content-Digest")
        return digest or self.manifest(repository, reference).digest

    def manifest(self, repository: str, reference: str) -> mf.Manifest:
        """The manifest (image, list or index) as served, with its media type and digest."""
        path = f"/v2/{repository}/manifests/{reference}"
        resp = self._request(
            "GET", path, repository=repository, headers={"Accept": mf.ACCEPT}, stream=True
        )
        body = self._http.read(resp, MAX_MANIFEST)
        sep = "@" if ":" in reference else ":"
        m = mf.parse_manifest(
            body,
            resp.headers.get("Content-Type", ""),
            f"{self.registry}/{repository}{sep}{reference}",
            resp.headers.get("Docker-Content-Digest"),
        )
        if reference.startswith("sha256:") and m.digest != reference:
            raise DigestMismatch(resp.url, reference, m.digest)
        return m

    def image_manifest(
        self, repository: str, reference: str, platform: str = mf.DEFAULT_PLATFORM
    ) -> mf.Manifest:
        """The image manifest for `platform`, picked out of a list or index when there is one."""
        m = self.manifest(repository, reference)
        if not m.is_index:
            return m
        chosen = self.manifest(repository, m.pick(platform).digest)
        if chosen.is_index:
            raise UnsupportedManifest(f"nested {chosen.media_type}", chosen.reference)
        return dataclasses.replace(chosen, index_digest=m.digest)

    def blob(self, repository: str, digest: str, limit: int = MAX_BLOB) -> bytes:
        """A blob's bytes, checked against its digest."""
        resp = self._request(
            "GET", f"/v2/{repository}/blobs/{digest}", repository=repository, stream=True
        )
        data = self._http.read(resp, limit)
        if digest.startswith("sha256:") and mf.sha256_digest(data) != digest:
            raise DigestMismatch(resp.url, digest, mf.sha256_digest(data))
        return data

    def image_config(
        self, repository: str, reference: str, platform: str = mf.DEFAULT_PLATFORM
    ) -> dict[str, Any]:
        """The image config blob (`config.Entrypoint`, `config.Env`, `rootfs`, ...)."""
        m = self.image_manifest(repository, reference, platform)
        if m.config is None:
            raise UnsupportedManifest(f"{m.media_type} without config", m.reference)
        doc = json.loads(self.blob(repository, m.config.digest, MAX_MANIFEST))
        if not isinstance(doc, dict):
            raise UnsupportedManifest("config that is not a JSON object", m.reference)
        return doc

    def push_blob(self, repository: str, data: bytes) -> str:
        """Upload `data` in one request (POST then PUT); returns its digest."""
        digest, push = mf.sha256_digest(data), ("pull", "push")
        path = f"/v2/{repository}/blobs/uploads/"
        resp = self._request("POST", path, repository=repository, actions=push, ok=(202,))
        location = urljoin(self.base + "/", resp.headers["Location"])
        if urlsplit(location).netloc != urlsplit(self.base).netloc:
            raise RedirectRefused(location)
        url = f"{location}{'&' if '?' in location else '?'}digest={digest}"
        headers = {"Content-Type": "application/octet-stream"}
        self._request("PUT", url, repository=repository, actions=push, data=data, ok=(201,),
                      headers=headers)  # fmt: skip
        return digest

    def put_manifest(self, repository: str, reference: str, body: bytes, media_type: str) -> str:
        """PUT a manifest under a tag or digest; returns its digest."""
        path, headers = f"/v2/{repository}/manifests/{reference}", {"Content-Type": media_type}
        self._request("PUT", path, repository=repository, actions=("pull", "push"), data=body,
                      headers=headers, ok=(201,))  # fmt: skip
        return mf.sha256_digest(body)

    def delete_manifest(self, repository: str, digest: str) -> None:
        """DELETE a manifest by digest (its tags go with it); the registry must allow deletes."""
        self._request("DELETE", f"/v2/{repository}/manifests/{digest}", repository=repository,
                      actions=("pull", "push", "delete"), ok=(202,))  # fmt: skip

    # --- HTTP -------------------------------------------------------------------------------

    def _paginate(self, path: str, key: str, repository: str | None, n: int | None) -> list[str]:
        out: list[str] = []
        url: str | None = path + (f"?n={n}" if n else "")
        for _ in range(10_000):
            if url is None:
                return out
            scope = None if repository else "registry:catalog:*"
            resp = self._request("GET", url, repository=repository, scope=scope)
            try:
                out.extend(str(t) for t in (resp.json().get(key) or ()))
            except (ValueError, AttributeError) as e:
                raise RegistryResponseError(resp.url, resp.status_code, "invalid JSON") from e
            nxt = resp.links.get("next", {}).get("url")
            url = urljoin(resp.url, nxt) if nxt else None
            if url and urlsplit(url).netloc != urlsplit(self.base).netloc:
                raise RedirectRefused(url)
        raise RegistryResponseError(self.base + path, 200, "more than 10000 pages")

    def _request(
        self,
        method: str,
        path: str,
        *,
        repository: str | None = None,
        actions: tuple[str, ...] = ("pull",),
        scope: str | None = None,
        headers: dict[str, str] | None = None,
        data: bytes | None = None,
        ok: tuple[int, ...] = (200,),
        stream: bool = False,
    ) -> requests.Response:
        url = path if "://" in path else self.base + path
        if scope is None:
            scope = f"repository:{repository}:{','.join(actions)}" if repository else ""
        retried_auth = False
        for attempt in range(self.retries + 1):
            auth = self._auth_for(scope)
            resp = self._http.send(method, url, {**(headers or {}), **auth}, data, stream)
            if resp.status_code == 401 and not retried_auth:
                retried_auth = True
                resp.close()
                self._authenticate(resp, scope)
                auth = self._auth_for(scope)
                resp = self._http.send(method, url, {**(headers or {}), **auth}, data, stream)
            if resp.status_code in RETRY_STATUSES and attempt < self.retries:
                resp.close()
                time.sleep(backoff(resp, attempt))
                continue
            break
        if resp.status_code in ok:
            return resp
        raise error_for(resp, self.registry, repository)

    def _auth_for(self, scope: str) -> dict[str, str]:
        if self._bearer is not None:
            p = self._bearer.params
            token = self._tokens.get(p.get("realm", ""), p.get("service", ""), scope)
            return {"Authorization": f"Bearer {token}"} if token else {}
        if self._basic and self._creds is not None:
            return {"Authorization": basic_header(self._creds)}
        return {}

    def _authenticate(self, resp: requests.Response, scope: str) -> None:
        challenges = {
            c.scheme: c for c in parse_challenges(resp.headers.get("WWW-Authenticate", ""))
        }
        if "bearer" in challenges:
            c = challenges["bearer"]
            self._bearer = c
            wanted = scope or c.params.get("scope", "")
            token, ttl = fetch_token(
                self._http.session, c, wanted, self._creds, self.registry, self.timeout
            )
            self._tokens.put(
                c.params.get("realm", ""), c.params.get("service", ""), scope, token, ttl
            )
        elif "basic" in challenges and self._creds is not None and not self._creds.identity_token:
            self._basic = True
        else:
            raise RegistryAuthError(self.registry, "it asks for a login and we have none")
