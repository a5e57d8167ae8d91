"""Wait until the student's container is ready: polled with short backoff, never a fixed sleep."""

from __future__ import annotations

import re
import socket
import time

from graders.context import EngineContext
from graders.spec import Readiness


def wait_ready(ctx: EngineContext, ready: Readiness) -> bool:
    """True once ready; False at the timeout or as soon as the container stops."""
    if ready.kind is None:
        return True
    deadline = time.monotonic() + ready.timeout
    delay = 0.05
    while time.monotonic() < deadline:
        if _ready_now(ctx, ready):
            return True
        if not ctx.container_state().get("Running"):
            return False
        time.sleep(delay)
        delay = min(delay * 1.5, 0.5)
    return False


def _ready_now(ctx: EngineContext, ready: Readiness) -> bool:
    if ready.kind == "log":
        return re.search(ready.pattern or "", ctx.container_logs(64 * 1024)) is not None
    assert ready.port is not None
    host_port = ctx.published_port(ready.port)
    if host_port is None:
        return False
    if ready.kind == "http":
        try:
            ctx.http_get(ready.port, ready.path, timeout=1.0)
            return True
        except (OSError, ValueError):
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
