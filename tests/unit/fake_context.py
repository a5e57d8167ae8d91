"""A `CheckContext` built from plain data, to unit-test checks without Docker.

    ctx = FakeContext(
        config={"Env": ["A=1"], "ExposedPorts": {"80/tcp": {}}},
        files={"/app/run.sh": text_file("#!/bin/sh\\n", mode=0o755)},
        execs={("php", "--version"): ExecResult(0, "PHP 8.2", "")},
        http={(80, "/"): HttpResponse(200, {"Content-Type": "text/html"}, b"It works")},
        state={"Running": True, "StartedAt": "2024-01-01T00:00:00Z"},
        logs="AH00558: ...",
    )

Every call is recorded in `ctx.calls` as `(method, *args)`, so a test can assert, for example,
that a check read from the host and never ran `exec`. Import it as
`from tests.unit.fake_context import FakeContext, text_file, directory, symlink`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from graders.checks.base import CheckContext, ExecResult, FileStat, HttpResponse, Outcome
from graders.dockerfile.model import Dockerfile
from graders.i18n import Shown, in_lang

Entry = tuple[FileStat, bytes]
"""A path's metadata and content (content is ignored for directories and symlinks)."""
NOT_FOUND = ExecResult(127, "", "exec: executable file not found in $PATH (FakeContext)")


def text_file(content: str | bytes, *, mode: int = 0o644, uid: int = 0, gid: int = 0) -> Entry:
    data = content.encode() if isinstance(content, str) else content
    return FileStat("", "file", mode, uid, gid, len(data)), data


def directory(*, mode: int = 0o755, uid: int = 0, gid: int = 0) -> Entry:
    return FileStat("", "directory", mode, uid, gid, 0), b""


def symlink(target: str) -> Entry:
    return FileStat("", "symlink", 0o777, 0, 0, 0, target), b""


@dataclass
class FakeContext:
    """Answers every CheckContext question from the data given; absent data means absent."""

    config: dict[str, Any] = field(default_factory=dict)
    """The image's inspected `Config`."""
    inspect: dict[str, Any] | None = None
    """The whole image inspect; defaults to `{"Config": config}`."""
    files: dict[str, Entry] = field(default_factory=dict)
    """Absolute path -> (FileStat, content); the FileStat's path is filled in on `stat`."""
    execs: dict[tuple[str, ...], ExecResult] = field(default_factory=dict)
    """argv -> result; any other argv answers `exec_default`."""
    exec_default: ExecResult = NOT_FOUND
    http: dict[tuple[int, str], HttpResponse | BaseException] = field(default_factory=dict)
    """(container port, path) -> response, or an exception to raise (ConnectionRefusedError)."""
    ports: dict[int, int] | None = None
    """Container port -> published host port; defaults to every port named in `http`."""
    state: dict[str, Any] = field(default_factory=lambda: {"Running": True})
    logs: str = ""
    """What the container wrote to stdout."""
    errors: str = ""
    """What the container wrote to stderr."""
    submission: Path = Path("/nonexistent/submission")
    dockerfile: Dockerfile | None = None
    live_view: Any = None
    """What `live()` returns (a `graders.backends.live.LiveView` or a stand-in), for live checks."""
    runs: dict[tuple[str, ...] | None, ExecResult] = field(default_factory=dict)
    """What running the image once answers: argv (None for its own CMD) -> result."""
    target: Any = None
    """What `registry_target()` returns, for registry checks."""
    calls: list[tuple[Any, ...]] = field(default_factory=list)

    def image_config(self) -> dict[str, Any]:
        self.calls.append(("image_config",))
        return self.config

    def image_inspect(self) -> dict[str, Any]:
        self.calls.append(("image_inspect",))
        return self.inspect if self.inspect is not None else {"Config": self.config}

    def stat(self, path: str) -> FileStat | None:
        self.calls.append(("stat", path))
        entry = self.files.get(path)
        if entry is None:
            return None
        st = entry[0]
        return FileStat(path, st.kind, st.mode, st.uid, st.gid, st.size, st.linkname)

    def read_file(self, path: str, limit: int = 1 << 20) -> bytes | None:
        self.calls.append(("read_file", path, limit))
        for _ in range(8):  # follow symlinks, as the engine does
            entry = self.files.get(path)
            if entry is None or entry[0].kind not in ("file", "symlink"):
                return None
            if entry[0].kind == "file":
                return entry[1][:limit]
            target = entry[0].linkname
            path = target if target.startswith("/") else path.rsplit("/", 1)[0] + "/" + target
        return None

    def exec(self, argv: list[str], timeout: float = 10.0) -> ExecResult:
        self.calls.append(("exec", tuple(argv), timeout))
        return self.execs.get(tuple(argv), self.exec_default)

    def http_get(self, port: int, path: str = "/", timeout: float = 5.0) -> HttpResponse:
        self.calls.append(("http_get", port, path, timeout))
        answer = self.http.get((port, path))
        if answer is None:
            raise ConnectionRefusedError(111, "Connection refused")
        if isinstance(answer, BaseException):
            raise answer
        return answer

    def published_port(self, port: int) -> int | None:
        self.calls.append(("published_port", port))
        if self.ports is not None:
            return self.ports.get(port)
        return 32768 + port if any(p == port for p, _ in self.http) else None

    def container_state(self) -> dict[str, Any]:
        self.calls.append(("container_state",))
        return self.state

    def container_logs(self, limit: int = 4000, stream: str = "all") -> str:
        self.calls.append(("container_logs", limit))
        text = self.errors if stream == "stderr" else self.logs
        if stream == "all":
            text = self.logs + self.errors
        return text[-limit:]

    def live(self) -> Any:
        self.calls.append(("live",))
        if self.live_view is None:
            raise NotImplementedError("FakeContext(live_view=...) was not given a live view")
        return self.live_view

    def list_dir(self, path: str, pattern: str = "*", limit: int = 256) -> list[str] | None:
        import fnmatch
        import posixpath

        self.calls.append(("list_dir", path, pattern))
        folder = path.rstrip("/") or "/"
        entry = self.files.get(folder)
        if folder != "/" and (entry is None or entry[0].kind != "directory"):
            return None
        names = {p[len(folder):].lstrip("/").split("/")[0] for p in self.files
                 if posixpath.dirname(p) == folder}
        return sorted(n for n in names if n and fnmatch.fnmatch(n, pattern))[:limit]

    def put_file(self, directory: str, name: str, data: bytes, mode: int = 0o644) -> None:
        self.calls.append(("put_file", directory, name))
        self.files[f"{directory.rstrip('/')}/{name}"] = text_file(data, mode=mode)

    def run_once(self, argv: list[str] | None = None, timeout: float = 10.0) -> ExecResult:
        self.calls.append(("run_once", tuple(argv) if argv is not None else None))
        return self.runs.get(tuple(argv) if argv is not None else None, NOT_FOUND)

    def run_image(self, image: str | None = None, timeout: float = 30.0,
                  pull: bool = False) -> ExecResult:
        self.calls.append(("run_image", image, pull))
        return self.runs.get(None, NOT_FOUND)

    def registry_target(self) -> Any:
        self.calls.append(("registry_target",))
        if self.target is None:
            raise NotImplementedError("FakeContext(target=...) was not given a registry target")
        return self.target

    def called(self, method: str) -> bool:
        """Whether any call to `method` was made."""
        return any(call[0] == method for call in self.calls)


def _conforms(ctx: FakeContext) -> CheckContext:
    return ctx  # mypy proves FakeContext satisfies the protocol


def failed(outcome: Outcome) -> Outcome:
    """Assert a failure that says what (really translated), expected and actual."""
    assert not outcome.passed, outcome
    assert outcome.message.pt and outcome.message.en and outcome.message.pt != outcome.message.en
    assert outcome.expected and outcome.actual
    return outcome


def passed(outcome: Outcome, *, translated: bool = False) -> Outcome:
    """Assert a pass with a message in both languages (really translated, if `translated`:
    some read the same in both, such as `WORKDIR: /app.`)."""
    assert outcome.passed, outcome
    assert outcome.message.pt and outcome.message.en
    assert not translated or outcome.message.pt != outcome.message.en, outcome.message
    return outcome


def en(value: Shown | None) -> str:
    """An expected/actual value as an English run shows it ("" when there is none)."""
    return "" if value is None else in_lang(value, "en")


def pt(value: Shown | None) -> str:
    """An expected/actual value as a Portuguese run shows it ("" when there is none)."""
    return "" if value is None else in_lang(value, "pt")
