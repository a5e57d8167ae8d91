"""PrairieLearn external grader: `/grade/results/results.json` (platform-formats.md §3.2).

`score` is a fraction in 0..1. Any ERROR (ours, not the student's) makes the submission
`gradable: false` with `format_errors`: PrairieLearn then takes no points and uses no attempt.
Students see whatever this file holds, so hidden checks are folded into one anonymous test
whose points still count. The file is kept under PrairieLearn's 1 MB limit.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

from graders.i18n import Lang
from graders.reporters._text import clean, fit_json, one_line, sanitize
from graders.reporters.base import (
    STATUS_LABEL,
    fmt_score,
    hidden_summary,
    label,
    shown_checks,
    unique_ids,
)
from graders.results import CheckResult, LabResult, Status

RESULTS_LIMIT = 1_000_000 - 50_000
"""Bytes: PrairieLearn rejects results.json over 1 MB; keep a margin."""


def _test(check: CheckResult, uid: str, lang: Lang, field_cap: int) -> dict[str, Any]:
    return {
        "name": one_line(clean(check.title(lang), 300, lang)) or sanitize(uid),
        "description": sanitize(f"{uid} ({check.type})"),
        "points": check.score,
        "max_points": check.possible,
        "message": clean(check.message(lang), field_cap, lang),
        "output": ""
        if check.status is Status.PASSED
        else clean(check.feedback(lang), field_cap * 3, lang),
    }


def _format_errors(result: LabResult, checks: tuple[CheckResult, ...], lang: Lang) -> list[str]:
    errors: list[str] = []
    if not result.checks:
        errors.append(label("no_checks", lang))
    if result.build.status is Status.ERROR:
        why = result.build.explanation
        errors.append(
            f"{label('build', lang)}: "
            + (clean(why(lang), 2048, lang) if why else STATUS_LABEL[Status.ERROR](lang))
        )
    for c in checks:
        if c.status is Status.ERROR:
            errors.append(one_line(clean(f"{c.title(lang)}: {c.message(lang)}", 2048, lang)))
    hidden = hidden_summary(result)
    if hidden is not None and hidden.status is Status.ERROR:
        errors.append(label("hidden_error", lang))
    return errors


def prairielearn_dict(
    result: LabResult, lang: Lang, log_cap: int = 64 * 1024, field_cap: int = 8192
) -> dict[str, Any]:
    """The results.json object."""
    checks = shown_checks(result, True)
    pairs = zip(checks, unique_ids(checks), strict=True)
    tests = [_test(c, uid, lang, field_cap) for c, uid in pairs]
    hidden = hidden_summary(result)
    if hidden is not None:
        tests.append(
            {
                "name": hidden.title(lang),
                "description": "",
                "points": hidden.score,
                "max_points": hidden.possible,
                "message": hidden.message(lang),
                "output": "",
            }
        )
    status = result.status
    points = fmt_score(result.score, result.possible)
    out: dict[str, Any] = {
        "gradable": status is not Status.ERROR,
        "score": round(min(max(result.score / result.possible, 0.0), 1.0), 6)
        if result.possible > 0
        else 0.0,
        "points": result.score,
        "max_points": result.possible,
        "message": f"{label('score', lang)}: {points} ({STATUS_LABEL[status](lang)})",
        "output": "",
        "tests": tests,
    }
    build = result.build
    if build.status in (Status.FAILED, Status.ERROR):
        parts = [build.explanation(lang) if build.explanation else "", build.log_tail[-log_cap:]]
        out["output"] = clean("\n".join(p for p in parts if p), log_cap + field_cap, lang)
    if status is Status.ERROR:
        out["format_errors"] = _format_errors(result, checks, lang)
        out["message"] += "\n" + label("lab_error", lang)
    return out


@dataclass(frozen=True)
class PrairieLearnReporter:
    """`--format prairielearn`: write the output to /grade/results/results.json."""

    name: ClassVar[str] = "prairielearn"

    def render(self, result: LabResult, lang: Lang) -> str:
        def build(log_cap: int, field_cap: int) -> dict[str, Any]:
            return prairielearn_dict(result, lang, log_cap, field_cap)

        def cut(data: dict[str, Any], dropped: list[Any]) -> dict[str, Any]:
            # `score` is top-level, so the grade stays right without every test listed.
            note = label("omitted", lang, n=len(dropped))
            return {**data, "message": data["message"] + "\n" + note}

        return fit_json(build, RESULTS_LIMIT, cut=cut) + "\n"
