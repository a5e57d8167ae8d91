"""The batch's progress line on stderr: done/total, elapsed time, ETA, the last student."""

from __future__ import annotations

import time
from typing import TextIO

from graders.batch.store import Record
from graders.i18n import Lang, Text
from graders.reporters.base import fmt_score
from graders.results import Status


def duration(seconds: float) -> str:
    seconds = max(0, round(seconds))
    if seconds < 60:
        return f"{seconds}s"
    if seconds < 3600:
        return f"{seconds // 60}m{seconds % 60:02d}s"
    return f"{seconds // 3600}h{seconds % 3600 // 60:02d}m"


ELAPSED = Text("{elapsed} decorridos, faltam {eta}", "{elapsed} elapsed, ETA {eta}")
STATUS: dict[Status, Text] = {
    Status.PASSED: Text("passou", "passed"),
    Status.FAILED: Text("falhou", "failed"),
    Status.ERROR: Text("erro", "error"),
    Status.SKIPPED: Text("pulado", "skipped"),
}
GRADING = Text("labgrade: corrigindo {count} entrega(s) de {lab} com no máximo {workers} "
               "worker(s), {building} construindo por vez...",
               "labgrade: grading {count} submission(s) of {lab} with {workers} worker(s) at "
               "most, {building} building at a time...")
SLOW_DOCKER = Text("labgrade: o Docker respondeu devagar; as correções simultâneas foram "
                   "reduzidas {times} vez(es) (agora {now}).",
                   "labgrade: Docker answered slowly; gradings in flight were lowered {times} "
                   "time(s) (now {now}).")
NOTHING_TO_GRADE = Text(
    "labgrade: nada a corrigir; toda entrega já foi corrigida e não mudou (--force corrige "
    "todas de novo, --only-failed as que não tiveram a nota máxima).",
    "labgrade: nothing to grade; every submission is graded and unchanged (--force regrades "
    "all, --only-failed those below full marks).",
)
FETCHING = Text("labgrade: baixando {count} entrega(s) do git...",
                "labgrade: fetching {count} git submission(s)...")


class Progress:
    """On a terminal one line redrawn in place; elsewhere (CI logs) one line per student."""

    def __init__(self, total: int, stream: TextIO, lang: Lang = "en") -> None:
        self.total, self.stream, self.lang = total, stream, lang
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
        times = ELAPSED.format(elapsed=duration(time.monotonic() - self.t0),
                               eta="?" if eta is None else duration(eta))
        text = f"[{self.done:>{width}}/{self.total}] {pct:3.0f}%  {times(self.lang)}"
        if record is not None:
            r = record.result
            text += (f"  {record.student[:40]}: {fmt_score(r.score, r.possible)}"
                     f" {STATUS[record.status](self.lang)}")
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
