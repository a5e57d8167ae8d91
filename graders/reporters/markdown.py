"""A Markdown summary for `$GITHUB_STEP_SUMMARY` and for people: score, table, what to fix.

Student text is escaped (Markdown and HTML) or fenced, and the whole summary stays under
GitHub's 1 MiB step-summary limit (platform-formats.md §5, "GitHub display limits").
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import ClassVar

from graders.i18n import Lang, Text, in_lang
from graders.reporters._text import CAPS, clean, md_escape, md_fence, one_line, sanitize
from graders.reporters.base import (
    STATUS_EMOJI,
    STATUS_LABEL,
    fmt_score,
    hidden_summary,
    label,
    shown_checks,
)
from graders.results import CheckResult, LabResult, Status

SUMMARY_LIMIT = 1024 * 1024 - 16 * 1024
"""Bytes: GitHub rejects a step summary over 1 MiB; keep a margin for other steps' lines."""
TRUNCATED = Text(
    "> ⚠️ Resumo truncado para caber no limite de 1 MiB do GitHub.",
    "> ⚠️ Summary truncated to fit GitHub's 1 MiB limit.",
)


def _cell(text: str) -> str:
    return md_escape(one_line(text))


def _failed(check: CheckResult, lang: Lang, field_cap: int) -> list[str]:
    head = f"### {STATUS_EMOJI[check.status]} {_cell(clean(check.title(lang), 300, lang))}"
    lines = [head, "", md_escape(clean(check.message(lang), max(field_cap, 160), lang)), ""]
    if check.line:
        lines += [f"- **{label('line', lang)}:** {check.line}", ""]
    for key, value in (("expected", check.expected), ("actual", check.actual)):
        if value is not None and field_cap:
            shown = clean(in_lang(value, lang), field_cap, lang)
            lines += [f"**{label(key, lang)}:**", "", md_fence(shown), ""]
    if check.hint is not None and check.status is Status.FAILED:
        hint = md_escape(clean(check.hint(lang), max(field_cap, 160), lang))
        lines += [f"> 💡 **{label('hint', lang)}:** {hint}", ""]
    return lines


def _render(result: LabResult, lang: Lang, student_view: bool, caps: tuple[int, int]) -> str:
    log_cap, field_cap = caps
    status = result.status
    title = _cell(clean(result.title(lang), 300, lang)) or md_escape(sanitize(result.lab))
    lines = [f"## {STATUS_EMOJI[status]} {title}", ""]
    if result.submission:
        submission = one_line(sanitize(result.submission)).replace("`", "'")
        lines += [f"`{submission}`", ""]
    lines += [
        f"**{label('score', lang)}: {fmt_score(result.score, result.possible)}** "
        f"({STATUS_LABEL[status](lang)})",
        "",
    ]
    if status is Status.ERROR:
        why = label("lab_error", lang) if result.checks else label("no_checks", lang)
        lines += [f"> ⚠️ {why}", ""]
    checks = shown_checks(result, student_view)
    hidden = hidden_summary(result) if student_view else None
    if checks or hidden:
        lines += [
            f"| | {label('check', lang)} | {label('status', lang)} | {label('points', lang)} |",
            "|---|---|---|---:|",
        ]
        for c in checks:
            title = _cell(clean(c.title(lang), 300, lang))
            lines.append(
                f"| {STATUS_EMOJI[c.status]} | {title} | {STATUS_LABEL[c.status](lang)} "
                f"| {fmt_score(c.score, c.possible)} |"
            )
        if hidden is not None:
            points = fmt_score(hidden.score, hidden.possible)
            lines.append(
                f"| {STATUS_EMOJI[hidden.status]} | {_cell(hidden.title(lang))} "
                f"| {STATUS_LABEL[hidden.status](lang)} | {points} |"
            )
        lines.append("")
    build = result.build
    if build.status in (Status.FAILED, Status.ERROR):
        lines += [f"### {STATUS_EMOJI[build.status]} {label('build', lang)}", ""]
        if build.explanation is not None:
            lines += [md_escape(clean(build.explanation(lang), max(field_cap, 160), lang)), ""]
        if build.line:
            lines += [f"- **{label('line', lang)}:** {build.line}", ""]
        if build.log_tail and log_cap:
            log = clean(build.log_tail, log_cap, lang)
            lines += [f"<details><summary>{label('build_log', lang)}</summary>", ""]
            lines += [md_fence(log), "", "</details>", ""]
    for heading, verdict in (("to_fix", Status.FAILED), ("grader_errors", Status.ERROR)):
        bad = [c for c in checks if c.status is verdict]
        if bad:
            lines += [f"## {label(heading, lang)}", ""]
            for c in bad:
                lines += _failed(c, lang, field_cap)
    if hidden is not None and hidden.status is Status.ERROR:
        lines += [f"> ⚠️ {md_escape(hidden.message(lang))}", ""]
    return "\n".join(lines)


def _fit(render: Callable[[tuple[int, int]], str], limit: int, lang: Lang) -> str:
    """The first rendering under `limit` bytes, with a note when it had to shorten anything.

    When even the smallest one (no code blocks) is too big, cut it at a line.
    """
    note = "\n" + TRUNCATED(lang) + "\n"
    out = ""
    for i, caps in enumerate(CAPS):
        out = render(caps)
        if i == 0 and len(out.encode("utf-8")) <= limit:
            return out
        if len((out + note).encode("utf-8")) <= limit:
            return out + note
    room = limit - len(note.encode("utf-8"))
    cut = out.encode("utf-8")[:room].decode("utf-8", "ignore")
    return cut[: cut.rfind("\n") + 1] + note


@dataclass(frozen=True)
class MarkdownReporter:
    """`--format markdown`. Student view by default: it lands in the student's Actions summary."""

    name: ClassVar[str] = "markdown"
    student_view: bool = True
    limit: int = SUMMARY_LIMIT

    def render(self, result: LabResult, lang: Lang) -> str:
        return self.render_many([result], lang)

    def render_many(self, results: Sequence[LabResult], lang: Lang) -> str:
        def render(caps: tuple[int, int]) -> str:
            return "\n".join(_render(r, lang, self.student_view, caps) for r in results) + "\n"

        return _fit(render, self.limit, lang)
