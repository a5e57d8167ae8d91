"""A lossless, JSON-able form of `LabResult` (both languages kept), for the batch store.

The JSON reporter writes one language and caps long fields; the store needs the result back as
it was, so that a gradebook, a merged shard or a combined JUnit file can be rendered later.
"""

from __future__ import annotations

from dataclasses import fields
from typing import Any

from graders.i18n import Text
from graders.results import BuildInfo, CheckResult, LabResult, Status


def utf8(text: str) -> str:
    """Text every file and the database can hold: a lone surrogate (a byte that was not UTF-8,
    left by any path we did not clean at intake) becomes a `\\udcff` escape instead of a
    UnicodeEncodeError that would stop the batch."""
    try:
        text.encode("utf-8")
        return text
    except UnicodeEncodeError:
        return text.encode("utf-8", "backslashreplace").decode("utf-8")


def _plain(value: Any) -> Any:
    if isinstance(value, Text):
        return {"pt": value.pt, "en": value.en}
    if isinstance(value, Status):
        return value.value
    return value


def _text(value: Any) -> Text | None:
    return None if value is None else Text(str(value["pt"]), str(value["en"]))


def _shown(value: Any) -> Any:
    """An expected/actual value back: a {pt, en} mapping was a `Text`, a string a literal."""
    return _text(value) if isinstance(value, dict) else value


def check_to_dict(check: CheckResult) -> dict[str, Any]:
    return {f.name: _plain(getattr(check, f.name)) for f in fields(check)}


def check_from_dict(data: dict[str, Any]) -> CheckResult:
    values = dict(data)
    values["status"] = Status(values["status"])
    title, message = _text(values["title"]), _text(values["message"])
    assert title is not None and message is not None
    values["title"], values["message"], values["hint"] = title, message, _text(values.get("hint"))
    for key in ("expected", "actual"):
        values[key] = _shown(values.get(key))
    return CheckResult(**values)


def to_dict(result: LabResult) -> dict[str, Any]:
    """The result as plain JSON types."""
    build = {f.name: _plain(getattr(result.build, f.name)) for f in fields(result.build)}
    return {
        "lab": result.lab,
        "title": _plain(result.title),
        "submission": result.submission,
        "checks": [check_to_dict(c) for c in result.checks],
        "build": build,
        "duration_s": result.duration_s,
        "run_id": result.run_id,
    }


def from_dict(data: dict[str, Any]) -> LabResult:
    """The inverse of `to_dict`."""
    build = dict(data["build"])
    build["status"] = Status(build["status"])
    build["explanation"] = _text(build.get("explanation"))
    title = _text(data["title"])
    assert title is not None
    return LabResult(data["lab"], title, data["submission"],
                     tuple(check_from_dict(c) for c in data["checks"]), BuildInfo(**build),
                     float(data.get("duration_s", 0.0)), str(data.get("run_id", "")))
