"""GitHub Classroom: the runner result that `autograding-grading-reporter` reads.

The reporter (classroom-resources/autograding-grading-reporter@v1: src/main.js,
notify-classroom.js) base64-decodes the env var `<RUNNER>_RESULTS`, `JSON.parse`s it, sums
`tests[].score` from 0 with JavaScript's `+=` into the notices `Points X/Y` and
`{"totalPoints": X, "maxPoints": Y}` that Classroom reads, and fails the step on status
fail/error. So: `tests` is always a non-empty
array, scores are per check (partial credit survives), and hidden checks are one anonymous
entry whose score still counts. Everything here lands in a public Actions log.

This module only renders the JSON; graders/platforms/github.py puts it, base64-encoded, in
`$GITHUB_OUTPUT` as the step output `result`.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from typing import Any, ClassVar

from graders.i18n import Lang
from graders.reporters._text import clean, fit_json, neutralize_workflow_commands, one_line
from graders.reporters.base import (
    fmt_score,
    hidden_summary,
    label,
    shown_checks,
)
from graders.results import CheckResult, LabResult, Status

ENV_LIMIT = 131_072
"""Bytes of one environment variable (`NAME=value`), Linux's MAX_ARG_STRLEN: the reporter step
gets the result as `LABGRADE_RESULTS`, and a longer one fails to start ("Argument list too
long")."""
OUTPUT_LIMIT = 72 * 1024
"""JSON bytes before base64 (+33%): 98,304 bytes of base64, a 32 KiB margin under ENV_LIMIT
(and far under the 1 MB of step outputs per job)."""
SHRINK_CAPS: tuple[tuple[int, int], ...] = (
    (4096, 2048), (2048, 1024), (1024, 512), (512, 256), (256, 128), (0, 80), (0, 40), (0, 0),
)
"""(log cap, field cap) tried in turn: messages get shorter before any test is folded."""
PLACES = 2
"""Decimals of every score emitted: labgrade shows points with two (`fmt_points`)."""
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
        "score": round(score, PLACES),
        "message": message,
        "test_code": extra.get("test_code", ""),
        "filename": extra.get("filename", ""),
        "line_no": extra.get("line_no", 0),
        "duration": round(duration_s * 1000),  # ms, as the command grader writes it
        "execution_time": f"{duration_s:.2f}s",  # as the io grader writes it; neither is read
    }


def _check_entry(check: CheckResult, lang: Lang, field_cap: int) -> dict[str, Any]:
    title_cap = min(200, max(40, field_cap))
    title = one_line(clean(check.title(lang), title_cap, lang))
    name = f"{title} ({fmt_score(check.score, check.possible)})"
    return _entry(
        _log_text(name, title_cap + 100, lang),
        check.status,
        check.score,
        _log_text(check.feedback(lang), field_cap * 3, lang),
        check.duration_s,
        test_code=_log_text(f"{check.type}: {check.check_id}", min(200, field_cap), lang),
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
    exact_sum(tests, result.score)
    out: dict[str, Any] = {
        "version": 1,
        "status": _verdict(status),
        "max_score": _js_number(round(result.possible, PLACES)),
        "tests": tests,
    }
    if status is Status.ERROR:
        out["message"] = label("lab_error", lang)
    return out


def _js_number(value: float) -> float | int:
    """An integral value as an int (JSON `10`, not `10.0`); JavaScript reads both the same."""
    return int(value) if float(value).is_integer() else value


def js_sum(scores: list[float]) -> float:
    """`notify-classroom.js`: `totalPoints += score` from 0, left to right, in IEEE doubles
    (Python's floats are the same doubles, so the result is JavaScript's to the bit)."""
    total = 0.0
    for score in scores:
        total += score
    return total


def exact_sum(tests: list[dict[str, Any]], score: float) -> None:
    """Round `tests[].score` in place so that the reporter's sum prints as labgrade's score.

    Each score is rounded to PLACES, the rounding drift spread by largest remainders, and one
    nonzero entry (the last if it can) absorbs the float error of the additions (0.1 + 0.2 is
    0.30000000000000004 in JavaScript), so `Points X/Y` shows what `fmt_points` shows.
    """
    target = round(score, PLACES)
    raw = [float(t["score"]) for t in tests]
    values = [round(x, PLACES) for x in raw]
    unit = 10.0**-PLACES
    units = round((target - sum(values)) / unit)
    if units and values:  # largest remainders: each entry moves by one unit at most
        order = sorted(range(len(values)), key=lambda i: raw[i] - values[i], reverse=units > 0)
        if units < 0:  # no score goes below 0
            order = [i for i in order if values[i] >= unit] or order
        for n in range(abs(units)):
            i = order[n % len(order)]
            values[i] = round(values[i] + (unit if units > 0 else -unit), PLACES)
    if js_sum(values) != target:
        values = _absorb_float_error(values, target)
    for test, value in zip(tests, values, strict=True):
        test["score"] = _js_number(value)


def _absorb_float_error(values: list[float], target: float) -> list[float]:
    """Nudge one nonzero score, the last ones first, by as little as it takes (a few ulps)
    for `js_sum` to be exactly `target`. Ties in the additions can make one entry unable to
    reach it, hence the next candidates."""
    candidates = [i for i in range(len(values) - 1, -1, -1) if values[i]][:20]
    for k in candidates:
        cur = list(values)
        for _ in range(3):  # move by the error itself first
            err = target - js_sum(cur)
            if err == 0:
                return cur
            cur[k] += err
        base = cur[k]
        for steps in range(1, 33):
            for direction in (math.inf, -math.inf):
                v = base
                for _ in range(steps):
                    v = math.nextafter(v, direction)
                cur[k] = v
                if v >= 0 and js_sum(cur) == target:
                    return cur
    return values


def _size(data: dict[str, Any]) -> int:
    return len(json.dumps(data, ensure_ascii=False).encode("utf-8"))


def render_json(result: LabResult, lang: Lang) -> str:
    """The runner result as JSON text, capped so its base64 fits one environment variable.

    Messages (then titles) are shortened first; only when even empty messages do not fit
    (thousands of checks) are the last tests folded into one entry carrying their points.
    """
    for log_cap, field_cap in SHRINK_CAPS:
        data = classroom_dict(result, lang, log_cap, field_cap)
        if _size(data) <= OUTPUT_LIMIT:
            return json.dumps(data, ensure_ascii=False)

    def cut(data: dict[str, Any], dropped: list[dict[str, Any]]) -> dict[str, Any]:
        # The reporter sums tests[].score: the checks left out still bring their points.
        verdicts = {t["status"] for t in dropped}
        status = Status.ERROR if "error" in verdicts else Status.FAILED
        if verdicts == {"pass"}:
            status = Status.PASSED
        score = sum(t["score"] for t in dropped)
        entry = _entry(label("omitted", lang, n=len(dropped)), status, score, "")
        tests = [*data["tests"], entry]
        exact_sum(tests, result.score)
        return {**data, "tests": tests}

    def build(_log_cap: int, _field_cap: int) -> dict[str, Any]:
        return classroom_dict(result, lang, 0, 0)

    return fit_json(build, OUTPUT_LIMIT, cut=cut)


@dataclass(frozen=True)
class ClassroomReporter:
    """`--classroom FILE`: the runner result JSON (what the reporter decodes from base64)."""

    name: ClassVar[str] = "classroom"

    def render(self, result: LabResult, lang: Lang) -> str:
        return render_json(result, lang) + "\n"
