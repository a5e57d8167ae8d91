"""The engine's CheckContext: what checks may observe, read from outside the container first."""

from __future__ import annotations

import fnmatch
import io
import posixpath
import tarfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from graders.backends.base import DockerBackend, ExecResult, FileStat, HttpResponse
from graders.checks.http import fetch, keeps_deadline
from graders.dockerfile.model import Dockerfile
from graders.errors import GraderError

MAX_HTTP_BODY = 1 << 20
MAX_EXEC_OUTPUT = 64 * 1024
MAX_TAR_HEADERS = 256 * 1024
"""Bytes of tar headers (long names, PAX records) read before a probe's first file gives up."""
MAX_LIST_BYTES = 1 << 30
"""Bytes of a folder's tar stream `list_dir` reads at most (names are in the headers, but the
content between them streams too; reading stops early past the pattern's literal prefix)."""
MAX_LINK_HOPS = 8
"""Symbolic links `read_file` follows (each resolved by us, one archive request per hop)."""


class StageUnavailable(GraderError):
    """A check asked for something this grading run never got to (no image, no container)."""


class ProbeTooLarge(GraderError):
    """An archive probe read more than its byte budget (a hostile or huge tar stream)."""


class _ChunkReader:
    """A file-like object over the archive's byte chunks, for tarfile's streaming mode.

    Reads at most `budget` bytes in all (the probe's entry cap is structural: one member per
    request, `MAX_LINK_HOPS` requests at most); `close()` closes the HTTP stream, so the daemon
    stops sending the rest of a directory or a large file."""

    def __init__(self, chunks: Iterator[bytes], budget: int) -> None:
        self.chunks = chunks
        self.buffer = b""
        self.budget = budget

    def read(self, size: int = -1) -> bytes:
        while size < 0 or len(self.buffer) < size:
            if self.budget <= 0:
                raise ProbeTooLarge("archive probe over its size budget")
            chunk = next(self.chunks, None)
            if chunk is None:
                break
            self.budget -= len(chunk)
            self.buffer += chunk
        if size < 0:
            data, self.buffer = self.buffer, b""
        else:
            data, self.buffer = self.buffer[:size], self.buffer[size:]
        return data

    def close(self) -> None:
        close = getattr(self.chunks, "close", None)
        if close is not None:
            close()


class EngineContext:
    def __init__(self, backend: DockerBackend | None, submission: Path,
                 dockerfile: Dockerfile | None, options: Any = None, limits: Any = None):
        self._backend = backend
        self.options = options
        """The run's `GradeOptions` (registry, image, run_id), when the engine gives them."""
        self.limits = limits
        """The lab's sandbox (`graders.engine.sandbox.Limits`) for containers run here;
        None: defaults."""
        self._registry: Any = None
        self._submission = submission
        self._dockerfile = dockerfile
        self.image_ref: str | None = None
        self.container_id: str | None = None
        self.started = False
        self._image: dict[str, Any] | None = None
        self._ports: dict[int, int] = {}
        self._host: Any = None
        self._reads: dict[tuple[str, int], bytes | None] = {}
        """read_file results while the container is not started (its filesystem is the image's
        and cannot change): two package checks read /var/lib/dpkg/status once."""

    # --- what the engine tells it, stage by stage ---------------------------------------
    def dockerfile_read(self, dockerfile: Dockerfile | None) -> None:
        self._dockerfile = dockerfile

    def image_built(self, image_ref: str) -> None:
        self.image_ref = image_ref

    def container_created(self, container_id: str) -> None:
        self.container_id = container_id

    def container_started(self) -> None:
        self.started = True

    @property
    def backend(self) -> DockerBackend:
        """The engine; a run without one (graders.engine.offline) asks only the Dockerfile."""
        if self._backend is None:
            raise StageUnavailable("no Docker engine answers")
        return self._backend

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

    @contextmanager
    def _first_member(self, path: str, limit: int = 0
                      ) -> Iterator[tuple[tarfile.TarInfo, tarfile.TarFile] | None]:
        """The first tar member of `path` (its own entry), reading at most `limit` bytes of
        content plus `MAX_TAR_HEADERS`; the stream is closed when the block ends."""
        found = self.backend.archive(self._container(), path)
        if found is None:
            yield None
            return
        chunks, _stat = found
        reader = _ChunkReader(chunks, limit + MAX_TAR_HEADERS)
        try:
            tar = tarfile.open(fileobj=reader, mode="r|")  # type: ignore[call-overload]  # noqa: SIM115
            member = tar.next()
            yield (member, tar) if member is not None else None
        finally:
            reader.close()

    def stat(self, path: str) -> FileStat | None:
        with self._first_member(path) as found:
            if found is None:
                return None
            m, _tar = found
        kind = ("directory" if m.isdir() else "symlink" if m.issym() else
                "file" if m.isfile() else "other")
        return FileStat(path, kind, m.mode & 0o7777, m.uid, m.gid, m.size, m.linkname)

    def read_file(self, path: str, limit: int = 1 << 20) -> bytes | None:
        if self.started:  # a running container may change its files: always read afresh
            self._reads.clear()
            return self._read_file(path, limit)
        if (path, limit) not in self._reads:
            self._reads[(path, limit)] = self._read_file(path, limit)
        return self._reads[(path, limit)]

    def _read_file(self, path: str, limit: int) -> bytes | None:
        for _ in range(MAX_LINK_HOPS):  # follow symlinks, resolving them ourselves
            with self._first_member(path, limit) as found:
                if found is None:
                    return None
                m, tar = found
                if m.issym():
                    path = posixpath.normpath(posixpath.join(posixpath.dirname(path), m.linkname))
                    continue
                if not m.isfile():
                    return None
                handle = tar.extractfile(m)
                return handle.read(limit) if handle else b""
        return None

    def list_dir(self, path: str, pattern: str = "*", limit: int = 256) -> list[str] | None:
        """Names in folder `path` (symlinks followed) matching the glob `pattern`, at most
        `limit`, read from the host through the archive API; None when it is no folder.

        Docker archives a folder in name order (Go's filepath.Walk), so the stream is closed as
        soon as a name sorts past every possible match (`go*` stops at `gold-ld`)."""
        prefix = pattern[:next((i for i, c in enumerate(pattern) if c in "*?["), len(pattern))]
        st = self.stat(path)
        if st is None or st.kind not in ("directory", "symlink"):
            return None
        try:  # a trailing slash makes Docker follow a symbolic link
            found = self.backend.archive(self._container(), path.rstrip("/") + "/")
        except GraderError:
            if st.kind == "symlink":  # to a file: "not a directory"
                return None
            raise
        if found is None:
            return None
        reader = _ChunkReader(found[0], MAX_LIST_BYTES)
        names: list[str] = []
        try:
            tar = tarfile.open(fileobj=reader, mode="r|")  # type: ignore[call-overload]  # noqa: SIM115
            top = tar.next()
            if top is None or not top.isdir():
                return None
            root = top.name.lstrip("/").removeprefix("./").rstrip("/")
            for member in tar:
                rel = member.name.lstrip("/").removeprefix("./")
                rel = rel[len(root) + 1:] if root else rel
                child = rel.split("/", 1)[0]
                if not child:
                    continue
                if prefix and child > prefix and not child.startswith(prefix):
                    break
                if "/" not in rel.rstrip("/") and fnmatch.fnmatchcase(child, pattern):
                    names.append(child)
                    if len(names) >= limit:
                        break
        finally:
            reader.close()
        return names

    def put_file(self, directory: str, name: str, data: bytes, mode: int = 0o644) -> None:
        """Write one file into a folder of the container through the Docker archive API (the
        host's `docker cp`, inward): nothing runs inside the container to do it."""
        buffer = io.BytesIO()
        with tarfile.open(fileobj=buffer, mode="w") as tar:
            info = tarfile.TarInfo(name)
            info.size, info.mode, info.mtime = len(data), mode, int(time.time())
            tar.addfile(info, io.BytesIO(data))
        self.backend.put_archive(self._container(), directory, buffer.getvalue())

    # --- the running container -------------------------------------------------------------
    def exec(self, argv: list[str], timeout: float = 10.0) -> ExecResult:
        if not self.started:
            raise StageUnavailable("the container is not running")
        return self.backend.exec(self._container(), argv, timeout, MAX_EXEC_OUTPUT)

    def run_once(self, argv: list[str] | None = None, timeout: float = 10.0) -> ExecResult:
        """Run the built image once (`DockerBackend.run_once`): a container of its own, no
        network, the sandbox's limits and this run's label; never an exec into the graded one."""
        if self.image_ref is None:
            raise StageUnavailable("no image was built")
        return self._run_once(self.image_ref, argv, timeout)

    def _run_once(self, image: str, argv: list[str] | None, timeout: float) -> ExecResult:
        from graders.backends.base import LABEL_CREATED, LABEL_RUN
        from graders.engine.sandbox import host_config

        labels = {LABEL_RUN: getattr(self.options, "run_id", None) or "unknown",
                  LABEL_CREATED: str(int(time.time()))}
        return self.backend.run_once(image, argv, labels=labels, timeout=timeout,
                                     limit=MAX_EXEC_OUTPUT,
                                     host_config=host_config(self.limits))

    def published_port(self, port: int) -> int | None:
        if port not in self._ports and self.started:
            ports = self.container_inspect().get("NetworkSettings", {}).get("Ports") or {}
            for binding in ports.get(f"{port}/tcp") or []:
                if binding.get("HostIp") in ("127.0.0.1", "") and binding.get("HostPort"):
                    self._ports[port] = int(binding["HostPort"])
        return self._ports.get(port)

    @keeps_deadline
    def http_get(self, port: int, path: str = "/", timeout: float = 5.0) -> HttpResponse:
        """GET through the port published on 127.0.0.1, all of it within `timeout` seconds."""
        host_port = self.published_port(port)
        if host_port is None:
            raise StageUnavailable(f"container port {port} is not published; add it to run.ports")
        return fetch("127.0.0.1", host_port, path, timeout, limit=MAX_HTTP_BODY)

    def container_inspect(self) -> dict[str, Any]:
        return self.backend.inspect_container(self._container())

    def container_state(self) -> dict[str, Any]:
        return dict(self.container_inspect().get("State") or {})

    def container_logs(self, limit: int = 4000, stream: str = "all") -> str:
        return self.backend.logs(self._container(), limit, stream)

    def registry_address(self) -> str | None:
        return getattr(self.options, "registry", None)

    def registry_target(self) -> Any:
        """`graders.registry.target.RegistryTarget` from `--registry`/`--image`/labgrade.yaml."""
        if self._registry is None:
            from graders.registry.target import RegistryTarget

            opts = self.options
            self._registry = RegistryTarget.resolve(getattr(opts, "registry", None),
                                                    getattr(opts, "image", None), self._submission)
        return self._registry

    def run_image(self, image: str | None = None, timeout: float = 30.0,
                  pull: bool = False) -> ExecResult:
        """Run `image` (None: the built one) once, as `run_once`; `pull` a pushed
        `name@digest` first with the registry target's credentials (removed afterwards)."""
        ref = image or self.image_ref
        if ref is None:
            raise StageUnavailable("no image was built")
        if not pull:
            return self._run_once(ref, None, timeout)
        from graders.registry.pull import pulled

        auth = self.registry_target().docker_auth()
        with pulled(self.backend, ref, auth):
            return self._run_once(ref, None, timeout)

    def live(self) -> Any:
        """The student's own engine, read-only (`graders.backends.live.LiveView`), over the
        backend's connection; made on first use."""
        if getattr(self, "_live", None) is None:
            self._live = self.backend.live()
        return self._live

    def testinfra_host(self) -> Any:
        if self._host is None:
            import testinfra  # heavy: imported only when a check needs it

            self._host = testinfra.get_host(f"docker://{self._container()}")
        return self._host
