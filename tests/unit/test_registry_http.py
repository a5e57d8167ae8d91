"""The client's HTTP policy against tiny fake servers on 127.0.0.1: redirects, retries, limits.

No Docker and no registry binary: these are the corner cases a real registry will not produce on
demand (a storage redirect, a 429, a redirect off this machine).
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from graders.registry import manifest as mf
from graders.registry.client import RegistryClient
from graders.registry.credentials import Credentials
from graders.registry.errors import (
    DigestMismatch,
    RedirectRefused,
    RegistryResponseError,
    RegistryUnreachable,
)

BLOB = b"hello blob"
BLOB_DIGEST = mf.sha256_digest(BLOB)
Reply = tuple[int, dict[str, str], bytes]


class FakeServer:
    """Answers each request with `route(method, path, headers)`; records what it saw."""

    def __init__(self, route: Callable[[str, str, dict[str, str]], Reply]) -> None:
        self.seen: list[tuple[str, str, dict[str, str]]] = []
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, format: str, *args: Any) -> None:
                pass

            def _reply(self) -> None:
                headers = dict(self.headers.items())
                outer.seen.append((self.command, self.path, headers))
                status, out_headers, body = route(self.command, self.path, headers)
                self.send_response(status)
                for k, v in out_headers.items():
                    self.send_header(k, v)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                if self.command != "HEAD":
                    self.wfile.write(body)

            do_GET = do_HEAD = _reply

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.httpd.server_address[1]
        threading.Thread(target=self.httpd.serve_forever, args=(0.05,), daemon=True).start()

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture
def servers() -> Iterator[Callable[[Callable[[str, str, dict[str, str]], Reply]], FakeServer]]:
    made: list[FakeServer] = []

    def make(route: Callable[[str, str, dict[str, str]], Reply]) -> FakeServer:
        made.append(FakeServer(route))
        return made[-1]

    yield make
    for s in made:
        s.close()


def test_blob_redirect_to_this_machine_drops_credentials(servers: Any) -> None:
    storage = servers(lambda m, p, h: (200, {}, BLOB))

    def registry(method: str, path: str, headers: dict[str, str]) -> Reply:
        if "Authorization" not in headers:
            return 401, {"WWW-Authenticate": 'Basic realm="r"'}, b""
        return 307, {"Location": f"http://127.0.0.1:{storage.port}/blob?sig=abc"}, b""

    reg = servers(registry)
    client = RegistryClient(
        f"127.0.0.1:{reg.port}", Credentials("u", "p"), redirect_hosts={"127.0.0.1"}
    )
    assert client.blob("a/b", BLOB_DIGEST) == BLOB
    assert "Authorization" not in storage.seen[0][2]
    assert "Authorization" in reg.seen[-1][2]


@pytest.mark.parametrize(
    "location",
    [
        "http://10.255.255.1/blob",  # plain HTTP off this machine: refused before any traffic
        "http://localhost:1/blob",  # not in redirect_hosts
        "https://storage.example/blob",  # HTTPS, but not in redirect_hosts
    ],
)
def test_redirects_outside_the_allowed_hosts_are_refused(servers: Any, location: str) -> None:
    reg = servers(lambda m, p, h: (307, {"Location": location}, b""))
    client = RegistryClient(f"127.0.0.1:{reg.port}", redirect_hosts={"127.0.0.1"})
    with pytest.raises(RedirectRefused) as exc:
        client.blob("a/b", BLOB_DIGEST)
    assert "?" not in str(exc.value)


def test_default_redirect_policy() -> None:
    client = RegistryClient("127.0.0.1:1")
    may = client._http.may_follow
    assert may("https://production.cloudflare.docker.com/x")
    assert may("http://127.0.0.1:9/x") and may("http://localhost:9/x")
    assert not may("http://10.0.0.1/x")


def test_blob_digest_is_checked(servers: Any) -> None:
    reg = servers(lambda m, p, h: (200, {}, b"tampered"))
    with pytest.raises(DigestMismatch):
        RegistryClient(f"127.0.0.1:{reg.port}").blob("a/b", BLOB_DIGEST)


def test_429_is_retried_then_reported(servers: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("graders.registry.client.time.sleep", lambda s: None)
    calls = {"n": 0}

    def flaky(method: str, path: str, headers: dict[str, str]) -> Reply:
        calls["n"] += 1
        if calls["n"] == 1:
            return 429, {"Retry-After": "1"}, b""
        return 200, {"Content-Type": "application/json"}, b'{"name":"a/b","tags":["v1"]}'

    reg = servers(flaky)
    assert RegistryClient(f"127.0.0.1:{reg.port}").tags("a/b") == ["v1"]

    always = servers(lambda m, p, h: (429, {}, b'{"errors":[{"code":"TOOMANYREQUESTS"}]}'))
    with pytest.raises(RegistryResponseError) as exc:
        RegistryClient(f"127.0.0.1:{always.port}").tags("a/b")
    assert exc.value.status == 429 and "rate-limiting" in str(exc.value)
    assert len(always.seen) == 3


def test_oversized_manifest_is_refused(servers: Any) -> None:
    big = b'{"schemaVersion": 2, "pad": "' + b"x" * (5 << 20) + b'"}'
    reg = servers(lambda m, p, h: (200, {"Content-Type": mf.DOCKER_MANIFEST}, big))
    with pytest.raises(RegistryResponseError, match="more than"):
        RegistryClient(f"127.0.0.1:{reg.port}").manifest("a/b", "v1")


def test_pagination_refuses_a_next_link_to_another_host(servers: Any) -> None:
    reg = servers(
        lambda m, p, h: (200, {"Link": '<http://127.0.0.2:1/v2/a/b/tags/list?n=1>; rel="next"'},
                         b'{"tags":["v1"]}')
    )  # fmt: skip
    with pytest.raises(RedirectRefused):
        RegistryClient(f"127.0.0.1:{reg.port}").tags("a/b", page_size=1)


def test_unreachable(servers: Any) -> None:
    reg = servers(lambda m, p, h: (200, {}, b""))
    port = reg.port
    reg.close()
    with pytest.raises(RegistryUnreachable, match="connection refused"):
        RegistryClient(f"127.0.0.1:{port}", timeout=2).tags("a/b")
