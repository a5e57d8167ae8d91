"""The batch's progress line on stderr: done/total, elapsed time, ETA, the last student."""

from __future__ import annotations

import time
from typing import TextIO

from graders.batch.store import Record
from graders.reporters.base import fmt_score


def duration(seconds: float) -> str:
    seconds = max(0, round(seconds))
    if seconds < 60:
        return f"{seconds}s"
    if seconds < 3600:
        return f"{seconds // 60}m{seconds % 60:02d}s"
    return f"{seconds // 3600}h{seconds % 3600 // 60:02d}m"


class Progress:
    """On a terminal one line redrawn in place; elsewhere (CI logs) one line per student."""

    def __init__(self, total: int, stream: TextIO) -> None:
        self.total, self.stream = total, stream
        self.done = 0
        self.t0 = time.monotonic()
        self.tty = bool(getattr(stream, "isatty", lambda: False)())

    def eta(self) -> float | None:
        """Remaining time at the pace so far (the pace already reflects the parallelism)."""
        if not self.done:
            return None
        return (time.monotonic() - self.t0) / self.done * (self.total - self.done)

    def line(self, record: Record | None = None) -> str:
        width = len(str(self.total))
        pct = 100 * self.done / self.total if self.total else 100
        eta = self.eta()
        text = (f"[{self.done:>{width}}/{self.total}] {pct:3.0f}%  "
                f"{duration(time.monotonic() - self.t0)} elapsed, ETA "
                f"{'?' if eta is None else duration(eta)}")
        if record is not None:
            r = record.result
            text += (f"  {record.student[:40]}: {fmt_score(r.score, r.possible)}"
                     f" {record.status.value}")
        return text

    def tick(self, record: Record) -> None:
        self.done += 1
        self._show(self.line(record))

    def say(self, text: str) -> None:
        """A message that stays: on a terminal it takes the progress line's place, and the
        next tick draws the progress line below it."""
        if self.tty:
            self.stream.write("\r\033[K" + text + "\n")
            self.stream.flush()
        else:
            self._show(text)

    def _show(self, text: str) -> None:
        if self.tty:
            self.stream.write("\r\033[K" + text)
        else:
            self.stream.write(text + "\n")
        self.stream.flush()

    def close(self) -> None:
        if self.tty:
            self.stream.write("\n")
            self.stream.flush()
