"""The engine's CheckContext: what checks may observe, read from outside the container first."""

from __future__ import annotations

import http.client
import posixpath
import tarfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from graders.backends.base import DockerBackend
from graders.checks.base import ExecResult, FileStat, HttpResponse
from graders.dockerfile.model import Dockerfile
from graders.errors import GraderError

MAX_HTTP_BODY = 1 << 20
MAX_EXEC_OUTPUT = 64 * 1024


class StageUnavailable(GraderError):
    """A check asked for something this grading run never got to (no image, no container)."""


class _ChunkReader:
    """A file-like object over the archive's byte chunks, for tarfile's streaming mode."""

    def __init__(self, chunks: Iterator[bytes]) -> None:
        self.chunks = chunks
        self.buffer = b""

    def read(self, size: int = -1) -> bytes:
        while size < 0 or len(self.buffer) < size:
            chunk = next(self.chunks, None)
            if chunk is None:
                break
            self.buffer += chunk
        if size < 0:
            data, self.buffer = self.buffer, b""
        else:
            data, self.buffer = self.buffer[:size], self.buffer[size:]
        return data


class EngineContext:
    def __init__(self, backend: DockerBackend, submission: Path, dockerfile: Dockerfile | None):
        self.backend = backend
        self._submission = submission
        self._dockerfile = dockerfile
        self.image_ref: str | None = None
        self.container_id: str | None = None
        self.started = False
        self._image: dict[str, Any] | None = None
        self._ports: dict[int, int] = {}
        self._host: Any = None

    @property
    def submission(self) -> Path:
        return self._submission

    @property
    def dockerfile(self) -> Dockerfile | None:
        return self._dockerfile

    # --- the image ---------------------------------------------------------------------
    def image_inspect(self) -> dict[str, Any]:
        if self.image_ref is None:
            raise StageUnavailable("no image was built")
        if self._image is None:  # one inspect per image
            self._image = self.backend.inspect_image(self.image_ref)
        return self._image

    def image_config(self) -> dict[str, Any]:
        return dict(self.image_inspect().get("Config") or {})

    # --- the filesystem, read on the host as a tar stream --------------------------------
    def _container(self) -> str:
        if self.container_id is None:
            raise StageUnavailable("no container was created")
        return self.container_id

    def _first_member(self, path: str) -> tuple[tarfile.TarInfo, tarfile.TarFile] | None:
        found = self.backend.archive(self._container(), path)
        if found is None:
            return None
        chunks, _stat = found
        tar = tarfile.open(fileobj=_ChunkReader(chunks), mode="r|")  # type: ignore[call-overload]
        member = tar.next()
        return (member, tar) if member is not None else None

    def stat(self, path: str) -> FileStat | None:
        found = self._first_member(path)
        if found is None:
            return None
        m, tar = found
        tar.close()
        kind = ("directory" if m.isdir() else "symlink" if m.issym() else
                "file" if m.isfile() else "other")
        return FileStat(path, kind, m.mode & 0o7777, m.uid, m.gid, m.size, m.linkname)

    def read_file(self, path: str, limit: int = 1 << 20) -> bytes | None:
        for _ in range(8):  # follow up to 8 symlinks, resolving them ourselves
            found = self._first_member(path)
            if found is None:
                return None
            m, tar = found
            if m.issym():
                path = posixpath.normpath(posixpath.join(posixpath.dirname(path), m.linkname))
                tar.close()
                continue
            if not m.isfile():
                tar.close()
                return None
            handle = tar.extractfile(m)
            data = handle.read(limit) if handle else b""
            tar.close()
            return data
        return None

    # --- the running container -------------------------------------------------------------
    def exec(self, argv: list[str], timeout: float = 10.0) -> ExecResult:
        if not self.started:
            raise StageUnavailable("the container is not running")
        return self.backend.exec(self._container(), argv, timeout, MAX_EXEC_OUTPUT)

    def published_port(self, port: int) -> int | None:
        if port not in self._ports and self.started:
            ports = self.container_inspect().get("NetworkSettings", {}).get("Ports") or {}
            for binding in ports.get(f"{port}/tcp") or []:
                if binding.get("HostIp") in ("127.0.0.1", "") and binding.get("HostPort"):
                    self._ports[port] = int(binding["HostPort"])
        return self._ports.get(port)

    def http_get(self, port: int, path: str = "/", timeout: float = 5.0) -> HttpResponse:
        host_port = self.published_port(port)
        if host_port is None:
            raise StageUnavailable(f"container port {port} is not published; add it to run.ports")
        conn = http.client.HTTPConnection("127.0.0.1", host_port, timeout=timeout)
        try:
            conn.request("GET", path, headers={"User-Agent": "labgrade"})
            resp = conn.getresponse()
            body = resp.read(MAX_HTTP_BODY)
            return HttpResponse(resp.status, {k: v for k, v in resp.getheaders()}, body)
        finally:
            conn.close()

    def container_inspect(self) -> dict[str, Any]:
        return self.backend.inspect_container(self._container())

    def container_state(self) -> dict[str, Any]:
        return dict(self.container_inspect().get("State") or {})

    def container_logs(self, limit: int = 4000) -> str:
        return self.backend.logs(self._container(), limit)

    def processes(self) -> list[dict[str, str]]:
        if not self.started:
            raise StageUnavailable("the container is not running")
        return self.backend.top(self._container())

    def testinfra_host(self) -> Any:
        if self._host is None:
            import testinfra  # heavy: imported only when a check needs it

            self._host = testinfra.get_host(f"docker://{self._container()}")
        return self._host
