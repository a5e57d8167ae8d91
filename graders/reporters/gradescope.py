"""Gradescope: `/autograder/results/results.json` (platform-formats.md §2, "results.json").

Gradescope enforces visibility itself, so hidden checks keep their text and get a per-test
`visibility` (default "hidden": never shown to students). An instructor who wants students to
read them once grades are out sets `hidden_visibility="after_published"`. Gradescope has no
error verdict: an ERROR check is `failed` with 0 points, its output says it was not the
student's fault, and `extra_data.status` keeps "error" for instructors.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar, Literal

from graders.i18n import Lang
from graders.reporters._text import clean, fit_json, one_line, sanitize
from graders.reporters.base import (
    GRADER_NAME,
    STATUS_LABEL,
    fmt_score,
    grader_version,
    label,
    unique_ids,
)
from graders.results import CheckResult, LabResult, Status

Visibility = Literal["hidden", "after_due_date", "after_published", "visible"]
RESULTS_LIMIT = 1024 * 1024
"""Gradescope documents no size limit; one MiB keeps the page and the upload reasonable."""


def _test(
    check: CheckResult, uid: str, number: int, lang: Lang, field_cap: int, hidden_vis: Visibility
) -> dict[str, Any]:
    output = clean(check.feedback(lang), field_cap * 3, lang)
    if check.status is Status.ERROR:
        output = label("lab_error", lang) + "\n" + output
    return {
        "score": check.score,
        "max_score": check.possible,
        "status": "passed" if check.status is Status.PASSED else "failed",
        "name": one_line(clean(check.title(lang), 300, lang)) or sanitize(uid),
        "name_format": "text",
        "number": str(number),
        "output": output,
        "output_format": "text",
        "tags": [sanitize(check.type)],
        "visibility": hidden_vis if check.hidden else "visible",
        "extra_data": {
            "check_id": sanitize(uid),
            "status": check.status.value,
            "line": check.line,
        },
    }


def _output(result: LabResult, lang: Lang, log_cap: int, field_cap: int) -> str:
    status = result.status
    score = fmt_score(result.score, result.possible)
    lines = [f"{label('score', lang)}: {score} ({STATUS_LABEL[status](lang)})"]
    if status is Status.ERROR:
        lines.append(label("lab_error", lang) if result.checks else label("no_checks", lang))
    build = result.build
    if build.status in (Status.FAILED, Status.ERROR):
        lines.append(f"{label('build', lang)}: {STATUS_LABEL[build.status](lang)}")
        if build.explanation is not None:
            lines.append(clean(build.explanation(lang), field_cap, lang))
        if build.log_tail and log_cap:
            lines += [f"{label('build_log', lang)}:", clean(build.log_tail, log_cap, lang)]
    return "\n".join(lines)


def gradescope_dict(
    result: LabResult,
    lang: Lang,
    log_cap: int = 64 * 1024,
    field_cap: int = 8192,
    hidden_visibility: Visibility = "hidden",
    stdout_visibility: Visibility = "hidden",
) -> dict[str, Any]:
    """The results.json object."""
    pairs = zip(result.checks, unique_ids(result.checks), strict=True)
    tests = [
        _test(c, uid, i, lang, field_cap, hidden_visibility)
        for i, (c, uid) in enumerate(pairs, start=1)
    ]
    return {
        "score": result.score,
        "execution_time": round(result.duration_s),
        "output": _output(result, lang, log_cap, field_cap),
        "output_format": "text",
        "test_output_format": "text",
        "test_name_format": "text",
        "visibility": "visible",
        "stdout_visibility": stdout_visibility,
        "extra_data": {
            "lab": sanitize(result.lab),
            "submission": sanitize(result.submission),
            "status": result.status.value,
            "max_score": result.possible,
            "grader": {"name": GRADER_NAME, "version": grader_version()},
        },
        "tests": tests,
    }


@dataclass(frozen=True)
class GradescopeReporter:
    """`--format gradescope`: write the output to /autograder/results/results.json."""

    name: ClassVar[str] = "gradescope"
    hidden_visibility: Visibility = "hidden"
    stdout_visibility: Visibility = "hidden"
    """Our own stdout may show hidden checks' evidence, so it is instructor-only by default."""

    def render(self, result: LabResult, lang: Lang) -> str:
        def build(log_cap: int, field_cap: int) -> dict[str, Any]:
            return gradescope_dict(
                result, lang, log_cap, field_cap, self.hidden_visibility, self.stdout_visibility
            )

        def cut(data: dict[str, Any], dropped: list[Any]) -> dict[str, Any]:
            # The top-level score overrides the tests' sum, so the grade stays right.
            return {
                **data,
                "output": data["output"] + "\n" + label("omitted", lang, n=len(dropped)),
            }

        return fit_json(build, RESULTS_LIMIT, indent=2, cut=cut) + "\n"
