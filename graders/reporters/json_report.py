"""labgrade's own JSON: every field of the result, text in one language, for tools and archives.

With `student_view=True` hidden checks are left out entirely (titles, messages, expected values)
and appear only as a `hidden` point total; instructor-only `details` are dropped too.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, ClassVar

from graders.i18n import Lang, Shown, in_lang
from graders.reporters._text import FIELD_CAP, LOG_CAP, clean, sanitize
from graders.reporters.base import (
    GRADER_NAME,
    grader_version,
    hidden_summary,
    shown_checks,
)
from graders.results import BuildInfo, CheckResult, LabResult


def _value(value: Shown | None, lang: Lang) -> str | None:
    """An expected/actual value as the string it always was in this format, in `lang`."""
    return None if value is None else clean(in_lang(value, lang), FIELD_CAP, lang)


def _check(check: CheckResult, lang: Lang, student_view: bool) -> dict[str, Any]:
    out: dict[str, Any] = {
        "id": sanitize(check.check_id),
        "title": clean(check.title(lang), FIELD_CAP, lang),
        "type": sanitize(check.type),
        "status": check.status.value,
        "points": check.score,
        "max_points": check.possible,
        "message": clean(check.message(lang), FIELD_CAP, lang),
        "expected": _value(check.expected, lang),
        "actual": _value(check.actual, lang),
        "hint": None if check.hint is None else clean(check.hint(lang), FIELD_CAP, lang),
        "visibility": "hidden" if check.hidden else "visible",
        "line": check.line,
        "duration_s": round(check.duration_s, 3),
    }
    if not student_view:
        out["live"] = check.live
        out["details"] = clean(check.details, LOG_CAP, lang)
    return out


def _build(build: BuildInfo, lang: Lang) -> dict[str, Any]:
    return {
        "status": build.status.value,
        "duration_s": round(build.duration_s, 3),
        "log_tail": clean(build.log_tail, LOG_CAP, lang),
        "explanation": None
        if build.explanation is None
        else clean(build.explanation(lang), FIELD_CAP, lang),
        "line": build.line,
        "image_id": None if build.image_id is None else sanitize(build.image_id),
    }


def result_dict(result: LabResult, lang: Lang, student_view: bool = False) -> dict[str, Any]:
    """The JSON object for one result (also the element of `render_many`'s list)."""
    out: dict[str, Any] = {
        "lab": sanitize(result.lab),
        "title": clean(result.title(lang), FIELD_CAP, lang),
        "submission": sanitize(result.submission),
        "score": result.score,
        "max_score": result.possible,
        "status": result.status.value,
        "checks": [_check(c, lang, student_view) for c in shown_checks(result, student_view)],
        "build": _build(result.build, lang),
        "duration_s": round(result.duration_s, 3),
        "run_id": sanitize(result.run_id),
        "lang": lang,
        "grader": {"name": GRADER_NAME, "version": grader_version()},
    }
    hidden = hidden_summary(result) if student_view else None
    if hidden is not None:
        out["hidden"] = {
            "count": hidden.count,
            "status": hidden.status.value,
            "points": hidden.score,
            "max_points": hidden.possible,
        }
    return out


@dataclass(frozen=True)
class JsonReporter:
    """`labgrade grade --format json`: the result as one JSON object."""

    name: ClassVar[str] = "json"
    student_view: bool = False
    indent: int | None = 2

    def render(self, result: LabResult, lang: Lang) -> str:
        data = result_dict(result, lang, self.student_view)
        return json.dumps(data, ensure_ascii=False, indent=self.indent) + "\n"

    def render_many(self, results: Sequence[LabResult], lang: Lang) -> str:
        data = {
            "grader": {"name": GRADER_NAME, "version": grader_version()},
            "results": [result_dict(r, lang, self.student_view) for r in results],
        }
        return json.dumps(data, ensure_ascii=False, indent=self.indent) + "\n"
