"""Helpers for the registry integration tests: skip-or-fail, free ports, a local token service.

`need()` skips when a prerequisite (the registry binary, openssl, the base image) is missing,
except when CI is set: there a missing prerequisite FAILS, because a skipped test hides a broken
run. The Docker engine itself is gated by tests/conftest.py through the `docker`/`registry`
markers. (The lead may move `need` into tests/conftest.py.)
"""

from __future__ import annotations

import base64
import contextlib
import json
import os
import shutil
import socket
import subprocess
import threading
import time
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

REGISTRY_BINARY = "/usr/bin/docker-registry"


def need(ok: bool, reason: str) -> None:
    """Skip when `ok` is false; under CI, fail instead."""
    __tracebackhide__ = True
    if ok:
        return
    if os.environ.get("CI"):
        pytest.fail(f"{reason} (CI is set, so this is a failure, not a skip)")
    pytest.skip(reason)


def has_registry_binary() -> bool:
    return os.access(REGISTRY_BINARY, os.X_OK) and shutil.which("htpasswd") is not None


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


class TokenServer:
    """A Docker token service on 127.0.0.1: checks Basic credentials, signs RS256 JWTs.

    The registry trusts `cert` (a self-signed certificate made with the openssl CLI) through
    `rootcertbundle`; each token carries the certificate in its `x5c` header.
    """

    issuer = "labgrade-test-issuer"
    service = "labgrade-test-registry"

    def __init__(self, folder: Path, user: str, password: str) -> None:
        self.folder = folder
        self.key = folder / "token.key"
        self.cert = folder / "token.crt"
        subprocess.run(
            ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
             "-subj", "/CN=labgrade-token", "-keyout", str(self.key), "-out", str(self.cert)],
            check=True, capture_output=True,
        )  # fmt: skip
        der = subprocess.run(
            ["openssl", "x509", "-in", str(self.cert), "-outform", "DER"],
            check=True, capture_output=True,
        ).stdout  # fmt: skip
        self._x5c = base64.b64encode(der).decode("ascii")
        self._user, self._password = user, password
        self.requests: list[dict[str, Any]] = []
        self.private: set[str] = set()
        """Repositories this user gets no access to (a valid token with an empty grant)."""
        self.issued: list[str] = []
        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.port = self._httpd.server_address[1]
        self.realm = f"http://127.0.0.1:{self.port}/token"
        self._thread = threading.Thread(target=self._httpd.serve_forever, args=(0.05,), daemon=True)
        self._thread.start()

    def close(self) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()

    def sign(self, claims: dict[str, Any]) -> str:
        header = {"typ": "JWT", "alg": "RS256", "x5c": [self._x5c]}
        signing_input = (
            f"{_b64url(json.dumps(header).encode())}.{_b64url(json.dumps(claims).encode())}"
        )
        sig = subprocess.run(
            ["openssl", "dgst", "-sha256", "-sign", str(self.key)],
            input=signing_input.encode(), check=True, capture_output=True,
        ).stdout  # fmt: skip
        return f"{signing_input}.{_b64url(sig)}"

    def _issue(self, scopes: list[str], service: str) -> str:
        access = []
        for scope in scopes:
            kind, _, rest = scope.partition(":")
            name, _, actions = rest.rpartition(":")
            if name in self.private:
                continue
            access.append({"type": kind, "name": name, "actions": actions.split(",")})
        now = int(time.time())
        token = self.sign({
            "iss": self.issuer, "sub": self._user, "aud": service, "exp": now + 300,
            "nbf": now - 10, "iat": now, "jti": uuid.uuid4().hex, "access": access,
        })  # fmt: skip
        self.issued.append(token)
        return token

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        server = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, format: str, *args: Any) -> None:
                pass

            def do_GET(self) -> None:
                query = parse_qs(urlsplit(self.path).query)
                auth = self.headers.get("Authorization", "")
                expected = (
                    "Basic "
                    + base64.b64encode(f"{server._user}:{server._password}".encode()).decode()
                )
                server.requests.append({"query": query, "basic": auth.startswith("Basic ")})
                if auth != expected:
                    self.send_response(401)
                    self.end_headers()
                    return
                token = server._issue(query.get("scope", []), query.get("service", [""])[0])
                body = json.dumps({"token": token, "expires_in": 300}).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

        return Handler


def token_registry_config(root: Path, port: int, token: TokenServer) -> dict[str, Any]:
    return {
        "version": 0.1,
        "log": {"level": "info"},
        "storage": {"filesystem": {"rootdirectory": str(root)}, "delete": {"enabled": True}},
        "http": {"addr": f"127.0.0.1:{port}", "secret": uuid.uuid4().hex},
        "auth": {
            "token": {
                "realm": token.realm,
                "service": token.service,
                "issuer": token.issuer,
                "rootcertbundle": str(token.cert),
            }
        },
    }


# --- Docker images ----------------------------------------------------------------------------


class Images:
    """Builds small images FROM busybox:1.35 and pushes them; removes every tag in `cleanup`."""

    BASE = "busybox:1.35"

    def __init__(self) -> None:
        import docker

        self.client = docker.from_env(timeout=120)
        self.tags: list[str] = []

    def base_present(self) -> bool:
        import docker.errors

        try:
            self.client.images.get(self.BASE)
        except docker.errors.ImageNotFound:
            return False
        return True

    def build(self, tag: str, label: str, extra: str = "") -> Any:
        """An image with a unique label (so each test run pushes a new config)."""
        import io

        dockerfile = f"FROM {self.BASE}\nLABEL org.labgrade.test={json.dumps(label)}\n{extra}"
        image, _ = self.client.images.build(
            fileobj=io.BytesIO(dockerfile.encode()), tag=tag, rm=True, pull=False
        )
        self.tags.append(tag)
        return image

    def tag(self, image: Any, repository: str, tag: str) -> None:
        image.tag(repository, tag)
        self.tags.append(f"{repository}:{tag}")

    def push(self, repository: str, tag: str, auth: dict[str, str] | None = None) -> str:
        """Push and return the digest the engine reports; raise on any error in the stream."""
        digest = ""
        for line in self.client.images.push(
            repository, tag, stream=True, decode=True, auth_config=auth
        ):
            if "error" in line or "errorDetail" in line:
                raise RuntimeError(f"push {repository}:{tag} failed: {line}")
            aux = line.get("aux") or {}
            digest = aux.get("Digest", digest)
        return str(digest)

    def repo_digests(self, ref: str) -> list[str]:
        return list(self.client.images.get(ref).attrs.get("RepoDigests") or [])

    def cleanup(self) -> None:
        import docker.errors

        for tag in reversed(self.tags):
            with contextlib.suppress(docker.errors.APIError):
                self.client.images.remove(tag, force=True)
        self.client.close()


# --- registries the tests run themselves ------------------------------------------------------


class OwnRegistry:
    """The registry binary with a config of the test's own (token auth), stopped by `close`."""

    def __init__(self, folder: Path, config: dict[str, Any], port: int) -> None:
        import yaml

        folder.mkdir(parents=True, exist_ok=True)
        path = folder / "config.yml"
        path.write_text(yaml.safe_dump(config))
        self.log = folder / "registry.log"
        self._log = self.log.open("wb")
        self.proc = subprocess.Popen(
            [REGISTRY_BINARY, "serve", str(path)], stdout=self._log, stderr=subprocess.STDOUT
        )
        self.port = port
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline:
            with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), 0.2):
                return
            if self.proc.poll() is not None:
                break
            time.sleep(0.05)
        self.close()
        raise RuntimeError(f"registry did not start: {self.log.read_text()[-2000:]}")

    def close(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        self._log.close()


class PaginatingProxy:
    """Forwards to a registry on 127.0.0.1 and paginates `tags/list` as the OCI spec says.

    Distribution 2.8 (Debian's, and registry:2) ignores `n` on tags/list (tag pagination came in
    Distribution 3), so the `Link: <...>; rel="next"` walk for tags is exercised through this
    proxy over the real registry's full answer. `_catalog` pagination is real in 2.8.
    """

    def __init__(self, upstream_port: int) -> None:
        import http.client

        self.tag_requests: list[str] = []
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, format: str, *args: Any) -> None:
                pass

            def do_GET(self) -> None:
                conn = http.client.HTTPConnection("127.0.0.1", upstream_port, timeout=10)
                headers = {k: v for k, v in self.headers.items() if k.lower() != "host"}
                path = self.path
                parts = urlsplit(path)
                paginate = parts.path.endswith("/tags/list")
                conn.request("GET", parts.path if paginate else path, headers=headers)
                resp = conn.getresponse()
                body = resp.read()
                out_headers = {k: v for k, v in resp.getheaders()
                               if k.lower() not in ("content-length", "connection")}  # fmt: skip
                if paginate and resp.status == 200:
                    outer.tag_requests.append(path)
                    q = parse_qs(parts.query)
                    doc = json.loads(body)
                    tags = sorted(doc.get("tags") or [])
                    if "last" in q:
                        tags = [t for t in tags if t > q["last"][0]]
                    if "n" in q:
                        n = int(q["n"][0])
                        if len(tags) > n:
                            nxt = f"{parts.path}?n={n}&last={tags[n - 1]}"
                            out_headers["Link"] = f'<{nxt}>; rel="next"'
                        tags = tags[:n]
                    body = json.dumps({"name": doc["name"], "tags": tags}).encode()
                self.send_response(resp.status)
                for k, v in out_headers.items():
                    self.send_header(k, v)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)
                conn.close()

        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self._httpd.server_address[1]
        threading.Thread(target=self._httpd.serve_forever, args=(0.05,), daemon=True).start()

    def close(self) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()


# --- images made by hand through the API -----------------------------------------------------

DOCKER_LAYER = "application/vnd.docker.image.rootfs.diff.tar.gzip"
OCI_LAYER = "application/vnd.oci.image.layer.v1.tar+gzip"


def make_layer(files: dict[str, bytes]) -> tuple[bytes, str]:
    """A gzipped tar layer and its diff_id (sha256 of the uncompressed tar)."""
    import gzip
    import hashlib
    import io
    import tarfile

    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w") as tar:
        for name, data in files.items():
            info = tarfile.TarInfo(name)
            info.size, info.mode, info.mtime = len(data), 0o644, 0
            tar.addfile(info, io.BytesIO(data))
    raw = buf.getvalue()
    return gzip.compress(raw, mtime=0), "sha256:" + hashlib.sha256(raw).hexdigest()


def push_image_by_api(
    client: Any, repository: str, tag: str, arch: str, label: str, oci: bool = True
) -> tuple[str, int]:
    """Upload a one-layer image (config + layer) and PUT its manifest. Returns (digest, size)."""
    from graders.registry import manifest as mf

    layer, diff_id = make_layer({"hello.txt": f"{label} {arch}\n".encode()})
    config = json.dumps({
        "architecture": arch, "os": "linux",
        "config": {"Labels": {"org.labgrade.test": label}, "Cmd": ["sh"]},
        "rootfs": {"type": "layers", "diff_ids": [diff_id]},
    }).encode()  # fmt: skip
    config_digest = client.push_blob(repository, config)
    layer_digest = client.push_blob(repository, layer)
    media_type = mf.OCI_MANIFEST if oci else mf.DOCKER_MANIFEST
    manifest = json.dumps({
        "schemaVersion": 2, "mediaType": media_type,
        "config": {"mediaType": mf.OCI_CONFIG if oci else mf.DOCKER_CONFIG,
                   "digest": config_digest, "size": len(config)},
        "layers": [{"mediaType": OCI_LAYER if oci else DOCKER_LAYER,
                    "digest": layer_digest, "size": len(layer)}],
    }).encode()  # fmt: skip
    return client.put_manifest(repository, tag, manifest, media_type), len(manifest)


def index_body(media_type: str, entries: list[tuple[str, int, str, str]]) -> bytes:
    """A manifest list / OCI index over (digest, size, manifest media type, os/arch)."""
    return json.dumps({
        "schemaVersion": 2, "mediaType": media_type,
        "manifests": [
            {"mediaType": mt, "digest": d, "size": size,
             "platform": {"os": p.split("/")[0], "architecture": p.split("/")[1]}}
            for d, size, mt, p in entries
        ],
    }).encode()  # fmt: skip
