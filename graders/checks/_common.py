"""Small helpers shared by check types: field validation, clipping, user and group ids.

Regex conventions (docs/writing-checks.md): every regex is Python `re.search`, so it matches
anywhere unless anchored with `^...$`; regexes over multi-line output (bodies, file contents,
stdout) are searched with `re.MULTILINE`.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

from graders.checks.base import Outcome
from graders.i18n import Shown, Text, join_shown

if TYPE_CHECKING:
    from graders.checks.base import CheckContext

ID_FILE_LIMIT = 1 << 20
"""How much of /etc/passwd or /etc/group is read (a real one is a few KiB)."""


def type_problems(
    field: str, value: object, types: type | tuple[type, ...], what: str
) -> list[str]:
    """One problem when a YAML value has the wrong type (YAML is untyped; fields are not)."""
    if isinstance(value, types) and not (isinstance(value, bool) and bool not in _tuple(types)):
        return []
    return [f"{field}: expected {what}, got {value!r}"]


def _tuple(types: type | tuple[type, ...]) -> tuple[type, ...]:
    return types if isinstance(types, tuple) else (types,)


def regex_problems(field: str, pattern: object, *, optional: bool = True) -> list[str]:
    """`[]` when `pattern` is a valid regex (or None and optional), else one problem."""
    if pattern is None and optional:
        return []
    if not isinstance(pattern, str):
        return [f"{field}: expected a regex string, got {type(pattern).__name__}"]
    try:
        re.compile(pattern)
    except re.error as e:
        return [f"{field}: invalid regex {pattern!r}: {e}"]
    return []


def mapping_problems(field: str, value: object, *, regex_values: bool) -> list[str]:
    """Problems with a non-empty `{name: value}` field whose values are scalars or regexes."""
    if not isinstance(value, Mapping) or not value:
        return [f"{field}: expected a non-empty mapping of name: value"]
    problems: list[str] = []
    for key, item in value.items():
        if not isinstance(key, str) or not key:
            problems.append(f"{field}: names must be non-empty strings, got {key!r}")
        elif isinstance(item, (list, dict)):
            problems.append(f"{field}.{key}: expected a single value, got {type(item).__name__}")
        elif regex_values:
            problems += regex_problems(f"{field}.{key}", "" if item is None else str(item))
    return problems


def number_problems(field: str, value: object, low: float, high: float) -> list[str]:
    """Problems with a number field that must lie in [low, high]."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return [f"{field}: expected a number, got {value!r}"]
    if not low <= value <= high:
        return [f"{field}: {value} is outside {low:g}..{high:g}"]
    return []


def scalar_text(value: object) -> str:
    """A YAML scalar as the string Docker would store (`80` -> "80", `true` -> "true")."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def clip(text: str, limit: int = 200) -> str:
    """`text` cut to `limit` characters, marking the cut."""
    return text if len(text) <= limit else text[:limit] + "…"


def tail(text: str, lines: int = 10, limit: int = 800) -> str:
    """The last `lines` lines of `text`, at most `limit` characters."""
    kept = "\n".join(text.rstrip().splitlines()[-lines:])
    return kept if len(kept) <= limit else "…" + kept[-limit:]


def decode(data: bytes) -> str:
    """Bytes from the submission as text, never failing."""
    return data.decode("utf-8", errors="replace")


def read_ids(ctx: CheckContext, path: str) -> dict[str, int] | None:
    """`{name: id}` from an /etc/passwd or /etc/group style file, or None when it is absent."""
    data = ctx.read_file(path, ID_FILE_LIMIT)
    if data is None:
        return None
    ids: dict[str, int] = {}
    for parts in id_file_rows(decode(data)):
        ids.setdefault(parts[0], int(parts[2]))
    return ids


def id_file_rows(text: str, fields: int = 3) -> Iterator[list[str]]:
    """The fields of each /etc/passwd or /etc/group line that has a name, a numeric id (the
    third field) and at least `fields` fields; comments and NIS `+`/`-` lines are skipped."""
    for line in text.splitlines():
        parts = line.split(":")
        if len(parts) >= fields and parts[0] and parts[0][0] not in "#+-" and parts[2].isdigit():
            yield parts


def resolve_id(value: str, ids: dict[str, int] | None) -> int | None:
    """A user or group given by name or number, as a number; None when the name is unknown."""
    if value.isdigit():
        return int(value)
    return ids.get(value) if ids else None


def name_of(number: int, ids: dict[str, int] | None) -> str:
    """`"www-data (33)"` when the id has a name in `ids`, else `"33"`."""
    for name, known in (ids or {}).items():
        if known == number:
            return f"{name} ({number})"
    return str(number)


@dataclass(frozen=True)
class Problem:
    """One way a checked thing differs from the spec (a file's mode, a user's shell)."""

    label: Shown
    what: Text
    expected: Shown
    actual: Shown


def problems_outcome(problems: list[Problem]) -> Outcome:
    """A failed outcome saying every problem at once: one message, expected and actual each
    labelled. `problems` must not be empty."""
    if len(problems) == 1:
        return Outcome.fail(problems[0].what, expected=problems[0].expected,
                            actual=problems[0].actual)
    return Outcome.fail(
        Text.same(" ").join(p.what for p in problems),
        expected=join_shown("; ", (join_shown(" ", (p.label, p.expected)) for p in problems)),
        actual=join_shown("; ", (join_shown(" ", (p.label, p.actual)) for p in problems)),
    )
