"""A stopped container's last output is read until Docker has finished copying it."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from graders.context import EngineContext


class LateLogs:
    """Docker marks the container exited while its last lines are still being copied: the
    first read misses the final stderr line, the second has it."""

    def __init__(self, reads: list[str], running: bool = False) -> None:
        self.reads, self.running, self.calls = reads, running, 0

    def logs(self, _cid: str, limit: int) -> str:
        self.calls += 1
        return self.reads[min(self.calls, len(self.reads)) - 1][-limit:]

    def inspect_container(self, _cid: str) -> dict[str, Any]:
        return {"State": {"Running": self.running}}


def context(backend: LateLogs) -> EngineContext:
    ctx = EngineContext(backend, Path("."), None)  # type: ignore[arg-type]
    ctx.container_id = "c1"
    return ctx


def test_a_stopped_containers_logs_are_read_until_they_settle() -> None:
    backend = LateLogs(["BBBB\n", "BBBB\nthe last line\n", "BBBB\nthe last line\n"])
    assert context(backend).container_logs().endswith("the last line\n")
    assert backend.calls == 3  # the third read agreed with the second


def test_a_running_containers_logs_are_read_once() -> None:
    backend = LateLogs(["starting\n", "starting\nready\n"], running=True)
    assert context(backend).container_logs() == "starting\n"
    assert backend.calls == 1
