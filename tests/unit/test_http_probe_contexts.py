"""Which contexts `http_probe` calls in its own thread: only those whose `http_get` keeps the
deadline itself (the engine's); any other `http_get` runs under `within`'s watchdog thread."""

from __future__ import annotations

import threading

from graders.backends.base import HttpResponse
from graders.checks.http import http_probe, keeps_deadline
from graders.engine.context import EngineContext


class Unmarked:
    def __init__(self) -> None:
        self.thread: threading.Thread | None = None

    def http_get(self, port: int, path: str = "/", timeout: float = 5.0) -> HttpResponse:
        self.thread = threading.current_thread()
        return HttpResponse(200, {}, b"ok")


class Marked(Unmarked):
    @keeps_deadline
    def http_get(self, port: int, path: str = "/", timeout: float = 5.0) -> HttpResponse:
        return super().http_get(port, path, timeout)


def test_the_engine_context_keeps_its_own_deadline() -> None:
    assert getattr(EngineContext.http_get, "keeps_deadline", False)


def test_a_marked_http_get_runs_in_the_callers_thread() -> None:
    ctx = Marked()
    assert http_probe(ctx, 80, "/", 1.0).body == b"ok"
    assert ctx.thread is threading.current_thread()


def test_an_unmarked_http_get_runs_under_the_watchdog() -> None:
    ctx = Unmarked()
    assert http_probe(ctx, 80, "/", 1.0).body == b"ok"
    assert ctx.thread is not None and ctx.thread is not threading.current_thread()


def test_overriding_a_marked_http_get_without_the_mark_loses_it() -> None:
    class Override(Marked):
        def http_get(self, port: int, path: str = "/", timeout: float = 5.0) -> HttpResponse:
            return Unmarked.http_get(self, port, path, timeout)

    ctx = Override()
    http_probe(ctx, 80, "/", 1.0)
    assert ctx.thread is not threading.current_thread()
