"""Wait until the student's container is ready: polled with short backoff, never a fixed sleep.

The wait has a deadline (the lab's `run.ready.timeout`) and ends early when the container stops,
or when it can no longer become ready: its processes sat idle for `IDLE_LIMIT` seconds with
nothing listening on the awaited port (`graders.engine.idle`). `wait_ready_reason` says which,
so the runtime checks that then fail can tell the student ("not ready after 30 s", "stopped
while starting: killed for running out of memory", "idle for 5 s: only tcp://0.0.0.0:8081
listens, not on port 80").
"""

from __future__ import annotations

import re
import socket
import time

from graders.checks._pattern import pattern_text
from graders.checks.http import http_probe
from graders.engine.context import EngineContext
from graders.engine.idle import IdleWatch, idle_message
from graders.engine.sandbox import exit_reason
from graders.i18n import Text
from graders.spec import Readiness

LOG_WINDOW = 64 * 1024
"""Characters of the container's output searched for a `log:` readiness pattern."""


def wait_ready_reason(ctx: EngineContext, ready: Readiness) -> Text | None:
    """None once ready, else why not: the deadline passed, the container stopped, or it sat
    idle with nothing listening where it should (`graders.engine.idle`)."""
    if ready.kind is None:
        return None
    t0 = time.monotonic()
    deadline = t0 + ready.timeout
    delay = 0.01  # Apache answers ~25 ms after start: a first pause of 50 ms cost ~35 ms a run
    watch = IdleWatch(ctx.container_id or "", ready.port) if ready.port is not None else None
    while time.monotonic() < deadline:
        if _ready_now(ctx, ready):
            return None
        state = ctx.container_state()
        stuck = watch.stuck(int(state.get("Pid") or 0)) if watch and state.get("Running") else None
        if stuck is not None and not _ready_now(ctx, ready):
            return idle_message(stuck, ready.port or 0)
        if not state.get("Running"):
            after = time.monotonic() - t0
            why = exit_reason(state, ctx.limits)
            return Text(f"(O contêiner parou {after:.1f} s após iniciar, antes de ficar pronto: "
                        f"{why.pt}.)",
                        f"(The container stopped {after:.1f} s after it started, before it was "
                        f"ready: {why.en}.)")
        time.sleep(min(delay, max(0.0, deadline - time.monotonic())))
        delay = min(delay * 1.5, 0.5)
    if _ready_now(ctx, ready):
        return None
    what = _what(ready)
    return Text(f"(O contêiner não ficou pronto em {ready.timeout:g} s: {what.pt}.)",
                f"(The container was not ready within {ready.timeout:g} s: {what.en}.)")


def _what(ready: Readiness) -> Text:
    if ready.kind == "log":
        said = pattern_text(ready.pattern or "", part=Text.same('"{v}"'),
                            other=Text("a linha esperada", "the expected line"))
        return Text("a saída nunca mostrou ", "its output never showed ") + said
    if ready.kind == "http":
        return Text(f"nenhuma resposta HTTP na porta {ready.port}",
                    f"no HTTP answer on port {ready.port}")
    return Text(f"nada escutando na porta {ready.port}", f"nothing listening on port {ready.port}")


def _ready_now(ctx: EngineContext, ready: Readiness) -> bool:
    if ready.kind == "log":
        return re.search(ready.pattern or "", ctx.container_logs(LOG_WINDOW)) is not None
    assert ready.port is not None
    host_port = ctx.published_port(ready.port)
    if host_port is None:
        return False
    if ready.kind == "http":
        try:
            http_probe(ctx, ready.port, ready.path, timeout=1.0)
            return True
        except (OSError, ValueError):
            return False
        except Exception:  # http.client.HTTPException and the like: not an HTTP server yet
            return False
    return _tcp_open(host_port)


def _tcp_open(host_port: int) -> bool:
    """Docker's proxy accepts at once even when nothing listens inside, then hangs up: so a
    connection counts only if it is not closed straight away."""
    try:
        with socket.create_connection(("127.0.0.1", host_port), timeout=1.0) as sock:
            sock.settimeout(0.2)
            try:
                return sock.recv(1, socket.MSG_PEEK) != b""
            except TimeoutError:
                return True
    except OSError:
        return False
