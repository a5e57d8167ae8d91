"""SIGTERM/SIGHUP handling shared by `main` (which installs the handler) and `grading` (whose
watch loop looks at `terminated()`)."""

from __future__ import annotations

from types import FrameType

_terminated = False
"""SIGTERM was received. Kept for good: the KeyboardInterrupt the handler raises can land in a
garbage-collection finalizer, where Python drops it (seen in batch workers); loops that would
otherwise go on forever (`check --watch`) look here."""


def _on_sigterm(_signum: int, _frame: FrameType | None) -> None:
    global _terminated
    _terminated = True
    raise KeyboardInterrupt  # so that every `finally` cleans up, as on Ctrl-C


def terminated() -> bool:
    return _terminated


def reset() -> None:
    global _terminated
    _terminated = False
