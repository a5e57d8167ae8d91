"""GitHub Classroom: the runner result that `autograding-grading-reporter` reads.

The reporter base64-decodes the env var `<STEP_ID>_RESULTS`, `JSON.parse`s it, sums
`tests[].score` into the points sent to Classroom and fails the step on status fail/error
(platform-formats.md §1.2, "the contract we must satisfy"). So: `tests` is always a non-empty
array, scores are per check (partial credit survives), and hidden checks are one anonymous
entry whose score still counts. Everything here lands in a public Actions log.
"""

from __future__ import annotations

import base64
import sys
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, ClassVar, TextIO

from graders.i18n import Lang, default_lang
from graders.reporters._text import clean, fit_json, neutralize_workflow_commands, one_line
from graders.reporters.base import (
    fmt_score,
    hidden_summary,
    label,
    shown_checks,
)
from graders.results import CheckResult, LabResult, Status

OUTPUT_LIMIT = 512 * 1024
"""JSON bytes before base64 (+33%): step outputs are capped at 1 MB per job (§1.2, Limits)."""
VERDICT = {Status.PASSED: "pass", Status.FAILED: "fail", Status.ERROR: "error"}


def _verdict(status: Status) -> str:
    return VERDICT.get(status, "fail")  # a skipped check earned nothing: the student must act


def _log_text(text: str, cap: int, lang: Lang) -> str:
    return neutralize_workflow_commands(clean(text, cap, lang))


def _entry(
    name: str, status: Status, score: float, message: str, duration_s: float = 0.0, **extra: Any
) -> dict[str, Any]:
    return {
        "name": name,
        "status": _verdict(status),
        "score": round(score, 4),
        "message": message,
        "test_code": extra.get("test_code", ""),
        "filename": extra.get("filename", ""),
        "line_no": extra.get("line_no", 0),
        "duration": round(duration_s * 1000),  # ms, as the command grader writes it
        "execution_time": f"{duration_s:.2f}s",  # as the io grader writes it; neither is read
    }


def _check_entry(check: CheckResult, lang: Lang, field_cap: int) -> dict[str, Any]:
    title = one_line(clean(check.title(lang), 200, lang))
    name = f"{title} ({fmt_score(check.score, check.possible)})"
    return _entry(
        _log_text(name, 300, lang),
        check.status,
        check.score,
        _log_text(check.feedback(lang), field_cap * 3, lang),
        check.duration_s,
        test_code=_log_text(f"{check.type}: {check.check_id}", 200, lang),
        filename="Dockerfile" if check.line else "",
        line_no=check.line or 0,
    )


def classroom_dict(
    result: LabResult, lang: Lang, log_cap: int = 4096, field_cap: int = 2048
) -> dict[str, Any]:
    """The runner result object, before base64. Caps are small: the Actions log is public."""
    log_cap, field_cap = min(log_cap, 4096), min(field_cap, 2048)
    status = result.status
    tests = [_check_entry(c, lang, field_cap) for c in shown_checks(result, True)]
    hidden = hidden_summary(result)
    if hidden is not None:
        tests.append(_entry(hidden.title(lang), hidden.status, hidden.score, hidden.message(lang)))
    build = result.build
    if build.status in (Status.FAILED, Status.ERROR):
        parts = [build.explanation(lang) if build.explanation else "", build.log_tail[-log_cap:]]
        message = _log_text("\n".join(p for p in parts if p), log_cap + field_cap, lang)
        tests.insert(
            0,
            _entry(
                label("build", lang),
                build.status,
                0.0,
                message,
                build.duration_s,
                filename="Dockerfile" if build.line else "",
                line_no=build.line or 0,
            ),
        )
    if not tests:
        tests.append(_entry("labgrade", Status.ERROR, 0.0, label("no_checks", lang)))
    out: dict[str, Any] = {
        "version": 1,
        "status": _verdict(status),
        "max_score": result.possible,
        "tests": tests,
    }
    if status is Status.ERROR:
        out["message"] = label("lab_error", lang)
    return out


def render_json(result: LabResult, lang: Lang) -> str:
    """The runner result as JSON text, capped to fit a step output."""

    def cut(data: dict[str, Any], dropped: list[dict[str, Any]]) -> dict[str, Any]:
        # The reporter sums tests[].score: the checks left out still bring their points.
        verdicts = {t["status"] for t in dropped}
        status = Status.ERROR if "error" in verdicts else Status.FAILED
        if verdicts == {"pass"}:
            status = Status.PASSED
        score = sum(t["score"] for t in dropped)
        entry = _entry(label("omitted", lang, n=len(dropped)), status, score, "")
        return {**data, "tests": [*data["tests"], entry]}

    def build(log_cap: int, field_cap: int) -> dict[str, Any]:
        return classroom_dict(result, lang, log_cap, field_cap)

    return fit_json(build, OUTPUT_LIMIT, cut=cut)


@dataclass(frozen=True)
class ClassroomReporter:
    """`--format classroom`: the base64 text to set as the step output `result`."""

    name: ClassVar[str] = "classroom"

    def render(self, result: LabResult, lang: Lang) -> str:
        return base64.b64encode(render_json(result, lang).encode("utf-8")).decode("ascii")


def github_output_line(result: LabResult, lang: Lang | None = None, name: str = "result") -> str:
    """`result=<base64>`: one line for `$GITHUB_OUTPUT` (base64 has no newline to escape)."""
    return f"{name}={ClassroomReporter().render(result, lang or default_lang())}"


def append_github_output(
    path: str | Path, result: LabResult, lang: Lang | None = None, name: str = "result"
) -> None:
    """Append the step output line to the `$GITHUB_OUTPUT` file at `path`."""
    with open(path, "a", encoding="utf-8") as out:
        out.write(github_output_line(result, lang, name) + "\n")


def guard_token() -> str:
    """A fresh unguessable token for `::stop-commands::`; student output cannot predict it."""
    return uuid.uuid4().hex


@contextmanager
def stop_commands(stream: TextIO | None = None, token: str | None = None) -> Iterator[str]:
    """Suspend workflow commands while student output is printed (§1.1, "Log-injection guard").

    Prints `::stop-commands::TOKEN` on entry and `::TOKEN::` on exit, even on an exception.
    """
    out = stream if stream is not None else sys.stdout
    token = token or guard_token()
    out.write(f"::stop-commands::{token}\n")
    out.flush()
    try:
        yield token
    finally:
        out.write(f"::{token}::\n")
        out.flush()
