"""The student's terminal view: a table of checks, what to fix, and the score at the end.

Colour only when asked (`color=True`; the CLI decides from the TTY and NO_COLOR). Student text
is stripped of escapes before it is printed, so only our own colours reach the terminal.
"""

from __future__ import annotations

import shutil
import textwrap
from collections.abc import Sequence
from dataclasses import dataclass
from typing import ClassVar

from graders.i18n import Lang, in_lang
from graders.reporters._text import clean, neutralize_workflow_commands, one_line, sanitize
from graders.reporters.base import (
    STATUS_LABEL,
    fmt_score,
    hidden_summary,
    label,
    shown_checks,
)
from graders.results import CheckResult, LabResult, Status

COLORS = {
    Status.PASSED: "\x1b[32m",
    Status.FAILED: "\x1b[31m",
    Status.ERROR: "\x1b[33m",
    Status.SKIPPED: "\x1b[2m",
}
BOLD, RESET = "\x1b[1m", "\x1b[0m"
FIELD_CAP = 2000
LOG_LINES = 30
MIN_WIDTH = 40


@dataclass(frozen=True)
class TableReporter:
    """`--format table` (the default on a terminal)."""

    name: ClassVar[str] = "table"
    color: bool = False
    width: int | None = None
    """Columns; None asks the terminal (80 when it cannot tell)."""
    student_view: bool = True

    def _paint(self, text: str, code: str) -> str:
        return f"{code}{text}{RESET}" if self.color and code and text else text

    def _cols(self) -> int:
        width = self.width or shutil.get_terminal_size((80, 24)).columns
        return max(width, MIN_WIDTH)

    def _wrap(self, text: str, indent: str = "", code: str = "") -> list[str]:
        """`text` wrapped to the terminal width, each line indented and painted."""
        width = max(self._cols() - len(indent), 10)
        lines: list[str] = []
        for para in text.split("\n"):
            lines += textwrap.wrap(para, width, replace_whitespace=False) or [""]
        return [indent + self._paint(line, code) for line in lines]

    def _table(self, rows: list[tuple[Status, str, str]], lang: Lang) -> list[str]:
        status_w = max(len(STATUS_LABEL[s](lang)) for s in Status)
        status_w = max(status_w, len(label("status", lang)))
        points_w = max([len(p) for _, _, p in rows] + [len(label("points", lang))])
        title_w = max(self._cols() - status_w - points_w - 4, 10)
        head = (
            f"{label('status', lang):<{status_w}}  {label('check', lang):<{title_w}}"
            f"  {label('points', lang):>{points_w}}"
        )
        out = [self._paint(head, BOLD), "-" * min(len(head), self._cols())]
        for status, title, points in rows:
            if len(title) > title_w:
                title = title[: title_w - 1] + "…"
            verdict = self._paint(f"{STATUS_LABEL[status](lang):<{status_w}}", COLORS[status])
            out.append(f"{verdict}  {title:<{title_w}}  {points:>{points_w}}")
        return out

    def _problem(self, check: CheckResult, lang: Lang) -> list[str]:
        title = one_line(clean(check.title(lang), 300, lang))
        verdict = STATUS_LABEL[check.status](lang).upper()
        out = ["", *self._wrap(f"{verdict}: {title}", "", COLORS[check.status])]
        out += self._wrap(clean(check.message(lang), FIELD_CAP, lang), "  ")
        if check.line:
            out.append(f"  {label('line', lang)}: {check.line}")
        for key, value in (("expected", check.expected), ("actual", check.actual)):
            if value is not None:
                out.append(f"  {label(key, lang)}:")
                out += self._wrap(clean(in_lang(value, lang), FIELD_CAP, lang), "    ")
        if check.hint is not None and check.status is Status.FAILED:
            out += self._wrap(
                f"{label('hint', lang)}: {clean(check.hint(lang), FIELD_CAP, lang)}", "  "
            )
        return out

    def render(self, result: LabResult, lang: Lang) -> str:
        status = result.status
        title = one_line(clean(result.title(lang), 300, lang)) or sanitize(result.lab)
        head = f"{title} [{sanitize(result.lab)}]"
        if result.submission:
            head += f" - {one_line(sanitize(result.submission))}"
        lines = [*self._wrap(head, "", BOLD), ""]
        checks = shown_checks(result, self.student_view)
        rows = [(c.status, one_line(clean(c.title(lang), 300, lang)),
                 fmt_score(c.score, c.possible)) for c in checks]
        hidden = hidden_summary(result) if self.student_view else None
        if hidden is not None:
            rows.append((hidden.status, hidden.title(lang),
                         fmt_score(hidden.score, hidden.possible)))
        if rows:
            lines += self._table(rows, lang)
        build = result.build
        if build.status in (Status.FAILED, Status.ERROR):
            verdict = f"{label('build', lang)}: {STATUS_LABEL[build.status](lang)}"
            lines += ["", *self._wrap(verdict, "", COLORS[build.status])]
            if build.explanation is not None:
                lines += self._wrap(clean(build.explanation(lang), FIELD_CAP, lang), "  ")
            if build.line:
                lines.append(f"  {label('line', lang)}: {build.line}")
            tail = clean(build.log_tail, 64 * 1024, lang).rstrip("\n").split("\n")[-LOG_LINES:]
            if any(tail):
                log = self._wrap("\n".join(tail), "    ")
                lines += ["", f"  {label('build_log', lang)}:", *log]
        for check in checks:
            if check.status in (Status.FAILED, Status.ERROR):
                lines += self._problem(check, lang)
        if hidden is not None and hidden.status is Status.ERROR:
            lines += ["", *self._wrap(hidden.message(lang), "", COLORS[Status.ERROR])]
        if status is Status.ERROR:
            why = label("lab_error", lang) if result.checks else label("no_checks", lang)
            lines += ["", *self._wrap(why, "", COLORS[Status.ERROR])]
        score = f"{label('score', lang)}: {fmt_score(result.score, result.possible)}"
        lines += [
            "",
            *self._wrap(f"{score} ({STATUS_LABEL[status](lang)})", "", BOLD + COLORS[status]),
        ]
        # In a CI log student text must not read as a workflow command (`::error::...`).
        return neutralize_workflow_commands("\n".join(lines)) + "\n"

    def render_many(self, results: Sequence[LabResult], lang: Lang) -> str:
        return "\n".join(self.render(r, lang) for r in results)
