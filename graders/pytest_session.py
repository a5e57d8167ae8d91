"""The engine's own pytest session: a lab's instructor tests, run in the grading run.

The first instructor test the engine reaches at a stage runs every instructor test of that
stage in ONE in-process pytest session (pytest's start-up costs more than most tests), served
by graders/pytest_fixtures.py from the run's context; the others read the cached outcome.

The session reads nothing of the submission's: no ini file (`-c /dev/null`), the lab's folder
as rootdir and conftest cut-off, the lab's test files as the only arguments, no entry-point
plugins (PYTEST_DISABLE_PLUGIN_AUTOLOAD), no cache; its output goes to a buffer, never to the
front end's stdout. It also runs inside a pytest process (`pytest --lab`, the test suite).
"""

from __future__ import annotations

import contextlib
import io
import os
import re
import sys
import threading
import weakref
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from graders.checks.base import CheckContext, Outcome
from graders.checks.instructor_test import InstructorTest
from graders.checks.skip import CheckSkipped
from graders.i18n import Text

MAX_ACTUAL_LINES = 12
MAX_ACTUAL_CHARS = 1200
MAX_DETAILS = 4000
WHERE = re.compile(r"^\s*\+\s+where ")

PASSED = Text("O teste do professor passou.", "The instructor's test passed.")
DID_NOT_PASS = Text("O teste do professor não passou.", "The instructor's test did not pass.")

_LOCK = threading.Lock()
"""pytest is not thread-safe (sys.modules, capture, assertion rewriting): one session at a time."""


@dataclass(frozen=True)
class TestOutcome:
    """What pytest said of one test: passed, failed, error or skipped."""

    __test__ = False  # not a test class, for pytest's collector

    kind: str
    message: str = ""
    """The assertion's or the error's text; a skip's reason."""
    details: str = ""
    skip: Text | None = None


class InstructorError(Exception):
    """An instructor's test that could not run (a fixture erred, it raised something other
    than an assertion): the engine records ERROR, with `feedback` and `details`."""

    def __init__(self, feedback: Text, details: str) -> None:
        super().__init__(feedback.en)
        self.feedback = feedback
        self.details = details


class PytestSuite:
    """The instructor tests of one lab (`InstructorSuite` for their checks)."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.tests: list[InstructorTest] = []
        self.lab: Any = None
        """The `Lab` once loaded, for the `lab` fixture."""
        self._runs: weakref.WeakKeyDictionary[Any, dict[str, TestOutcome]] = \
            weakref.WeakKeyDictionary()

    def outcome(self, ctx: CheckContext, test: InstructorTest) -> Outcome:
        done = self._runs.setdefault(ctx, {})
        if test.name not in done:
            hidden = getattr(getattr(ctx, "options", None), "include_hidden", True)
            batch = [t for t in self.tests if t.need == test.need and t.name not in done
                     and (hidden or not t.hidden or t is test)]
            done.update(run_tests(self.root, batch, ctx, self.lab))
        return _outcome(test, done[test.name])


def run_tests(root: Path, tests: list[InstructorTest], ctx: Any,
              lab: Any) -> dict[str, TestOutcome]:
    """Run `tests` (all in `root`'s test files) in one pytest session; their outcomes by name."""
    import pytest

    import graders.pytest_fixtures as fixtures  # one module object for the plugin and its key

    collector = _Collector(fixtures.SOURCE, fixtures.FixtureSource(ctx, lab))
    ids = {f"{t.file}::{t.name}": t.name for t in tests}
    root = root.resolve()
    args = ["-c", os.devnull, "--rootdir", str(root), "--confcutdir", str(root),
            "-p", "no:cacheprovider", "-p", "no:faulthandler",
            "--import-mode=importlib", "--tb=short", "-q", *ids]
    output = io.StringIO()
    with _LOCK, _own_modules(tests), _session_environ(), contextlib.redirect_stdout(output), \
            contextlib.redirect_stderr(output):
        code = pytest.main(args, plugins=[collector, fixtures])
    if code == pytest.ExitCode.INTERRUPTED:  # pytest caught Ctrl-C or SIGTERM: not ours to eat
        raise KeyboardInterrupt
    found = {ids[nodeid]: outcome for nodeid, outcome in collector.outcomes.items()
             if nodeid in ids}
    why = collector.collect_error or f"pytest exited with {code!r} before running it:\n" + \
        output.getvalue()[-MAX_DETAILS:]
    for name in ids.values():
        found.setdefault(name, TestOutcome("error", why.splitlines()[0] if why else "",
                                           why[-MAX_DETAILS:]))
    return found


class _Collector:
    """Plugin of the engine's session: gives the fixtures their source, keeps each test's
    outcome (the first phase that did not pass decides)."""

    def __init__(self, key: Any, source: Any) -> None:
        self.key, self.source = key, source
        self.outcomes: dict[str, TestOutcome] = {}
        self.collect_error: str | None = None

    def pytest_configure(self, config: Any) -> None:
        config.stash[self.key] = self.source
        config.addinivalue_line("markers", "points(n): points this test is worth")
        config.addinivalue_line("markers", "hidden: a hidden check of the lab")

    def pytest_collectreport(self, report: Any) -> None:
        if report.failed and self.collect_error is None:
            self.collect_error = _short(str(report.longrepr))

    def pytest_runtest_makereport(self, item: Any, call: Any) -> None:
        import pytest

        key = f"{Path(item.path).resolve()}::{item.name}"
        earlier = self.outcomes.get(key)
        if earlier is not None and earlier.kind != "passed":
            return
        if call.excinfo is None:
            if call.when == "call":
                self.outcomes[key] = TestOutcome("passed")
            return
        error = call.excinfo.value
        if isinstance(error, pytest.skip.Exception):
            text = getattr(error, "text", None)
            self.outcomes[key] = TestOutcome("skipped", str(error.msg), skip=text)
        elif call.when == "call" and isinstance(error, AssertionError | pytest.fail.Exception):
            self.outcomes[key] = TestOutcome("failed", _message(error))
        else:
            where = {"setup": "while setting up its fixtures", "call": "while running",
                     "teardown": "while tearing down its fixtures"}[call.when]
            self.outcomes[key] = TestOutcome(
                "error", f"{type(error).__name__} {where}: {_message(error)}",
                _short(str(item.repr_failure(call.excinfo))))  # pytest's own pruned traceback


def _outcome(test: InstructorTest, result: TestOutcome) -> Outcome:
    if result.kind == "passed":
        return Outcome.ok(PASSED)
    if result.kind == "skipped":
        raise CheckSkipped(result.skip or Text(
            f"O teste do professor foi pulado: {result.message}",
            f"The instructor's test was skipped: {result.message}"))
    if result.kind == "failed":
        first, _, rest = result.message.partition("\n")
        actual: str | None = result.message
        if first.startswith("assert ") or not first:  # no message of the instructor's own
            message = DID_NOT_PASS
        else:
            message = Text(f"O teste do professor não passou: {first}",
                           f"The instructor's test did not pass: {first}")
            actual = rest.strip() or None
        return Outcome.fail(message, expected=test.title, actual=_clip(actual))
    raise InstructorError(Text(
        f"O teste do professor {test.name} não pôde rodar (erro do professor ou do corretor, "
        f"não da entrega): {result.message}",
        f"The instructor's test {test.name} could not run (the instructor's or the grader's "
        f"error, not the submission's): {result.message}"), result.details)


def _message(error: BaseException) -> str:
    text = str(getattr(error, "msg", None) or error).strip()
    return text.removeprefix("AssertionError: ")


def _clip(text: str | None) -> str | None:
    """pytest's assertion text, short: its `+ where` lines (object reprs and addresses) go."""
    if not text:
        return None
    lines = [x for x in text.strip().splitlines() if not WHERE.match(x)]
    clipped = "\n".join(lines[:MAX_ACTUAL_LINES])
    if len(clipped) > MAX_ACTUAL_CHARS:
        clipped = clipped[:MAX_ACTUAL_CHARS] + "..."
    elif len(lines) > MAX_ACTUAL_LINES:
        clipped += "\n..."
    return clipped


def _short(text: str) -> str:
    return text if len(text) <= MAX_DETAILS else "...\n" + text[-MAX_DETAILS:]


@contextlib.contextmanager
def _own_modules(tests: list[InstructorTest]) -> Iterator[None]:
    """pytest's importlib mode names a lab's `test_x.py` `test_x` and reuses any module of that
    name in sys.modules: two labs' files of one name, or the caller's own `conftest`, would
    mix. The names are set aside for the session and given back after it."""
    names = {Path(t.file).stem for t in tests} | {"conftest"}
    saved = {n: sys.modules.pop(n) for n in names if n in sys.modules}
    try:
        yield
    finally:
        for n in names:
            sys.modules.pop(n, None)
        sys.modules.update(saved)


@contextlib.contextmanager
def _session_environ() -> Iterator[None]:
    """No entry-point plugins (`--disable-plugin-autoload` is pytest 8.4's; the variable works
    in every pytest), and not the caller's PYTEST_ADDOPTS (`--lab ...` would recurse)."""
    names = ("PYTEST_ADDOPTS", "PYTEST_DISABLE_PLUGIN_AUTOLOAD")
    saved = {n: os.environ.pop(n) for n in names if n in os.environ}
    os.environ["PYTEST_DISABLE_PLUGIN_AUTOLOAD"] = "1"
    try:
        yield
    finally:
        for n in names:
            os.environ.pop(n, None)
        os.environ.update(saved)
