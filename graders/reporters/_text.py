"""Making untrusted text safe to show: control characters, size caps, Markdown escaping.

Everything a student's build or container printed reaches reporters through `CheckResult`
fields (`actual`, `message`, `details`, the build log), so every reporter passes text through
`clean()` before it writes it anywhere.
"""

from __future__ import annotations

import html
import json
import re
from collections.abc import Callable
from typing import Any

from graders.i18n import Lang

ANSI_RE = re.compile(
    r"\x1b\[[0-?]*[ -/]*[@-~]"  # CSI: colours, cursor moves, screen clears
    r"|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)?"  # OSC: titles, hyperlinks
    r"|\x1b[PX^_][^\x1b]*(?:\x1b\\)?"  # DCS, SOS, PM, APC strings
    r"|\x1b[ -/]*[0-~]?"  # other escapes, and a lone ESC
    r"|\x9b[0-?]*[ -/]*[@-~]"  # 8-bit CSI
)
SURROGATE_RE = re.compile("[\ud800-\udfff]")
"""Lone surrogates: what `bytes.decode(errors="surrogateescape")` leaves for invalid UTF-8."""
CONTROL_RE = re.compile(
    "[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ufffe\uffff"
    "\u202a-\u202e\u2066-\u2069]"  # bidi overrides: they reorder what a terminal shows
)
MD_SPECIAL_RE = re.compile(r"([\\`*_{}\[\]()#+\-.!|~:])")
"""Markdown punctuation to backslash-escape; `<`, `>` and `&` become HTML entities instead."""

LOG_CAP = 64 * 1024
"""Characters kept of a build log or of a check's raw details."""
FIELD_CAP = 8 * 1024
"""Characters kept of one message, expected or actual value."""


def sanitize(text: str) -> str:
    """Drop terminal escapes and XML-illegal or spoofing characters; keep tabs and newlines.

    Invalid UTF-8 (surrogate escapes) becomes U+FFFD, so the reader sees that bytes were there.
    """
    text = SURROGATE_RE.sub("\ufffd", text)
    text = ANSI_RE.sub("", text)
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return CONTROL_RE.sub("", text)


def truncate(text: str, limit: int, lang: Lang = "en") -> str:
    """Keep the head and the (more useful) tail of `text`, with a note of what was cut."""
    if limit <= 0:
        return ""
    if len(text) <= limit:
        return text
    cut = len(text) - limit
    note = (
        f"\n[... {cut} caracteres omitidos ...]\n"
        if lang == "pt"
        else f"\n[... {cut} characters truncated ...]\n"
    )
    head = limit // 3
    return text[:head] + note + text[len(text) - (limit - head) :]


def clean(text: str | None, limit: int = FIELD_CAP, lang: Lang = "en") -> str:
    """`truncate` then `sanitize`: the one call reporters make on any text they show."""
    if not text:
        return ""
    return sanitize(truncate(text, limit, lang))


def one_line(text: str) -> str:
    """Collapse whitespace runs, newlines included, to single spaces."""
    return " ".join(text.split())


def md_escape(text: str) -> str:
    """Text that Markdown and HTML show literally; newlines become `<br>`."""
    escaped = html.escape(MD_SPECIAL_RE.sub(r"\\\1", text), quote=False)
    return escaped.replace("\n", "<br>")


def md_fence(text: str, info: str = "text") -> str:
    """A fenced code block longer than any backtick run inside `text`, so it cannot be closed."""
    longest = max((len(run) for run in re.findall(r"`+", text)), default=0)
    fence = "`" * max(3, longest + 1)
    return f"{fence}{info}\n{text}\n{fence}"


def neutralize_workflow_commands(text: str) -> str:
    """Break `::command::` at line starts so GitHub Actions does not run it when logged."""
    return re.sub(r"(?m)^(\s*):(?=:)", "\\1:\u200b", text)


CAPS: tuple[tuple[int, int], ...] = (
    (LOG_CAP, FIELD_CAP),
    (16 * 1024, 2048),
    (4096, 512),
    (1024, 160),
    (0, 0),
)
"""(log cap, field cap) pairs tried in turn until an output fits its platform's size limit."""

Cut = Callable[[dict[str, Any], list[Any]], dict[str, Any]]
"""Given the object with its `tests` shortened and the tests left out, the object to write."""


def _size(data: dict[str, Any], indent: int | None) -> int:
    return len(json.dumps(data, ensure_ascii=False, indent=indent).encode("utf-8"))


def fit_json(
    build: Callable[[int, int], dict[str, Any]],
    limit_bytes: int,
    indent: int | None = None,
    cut: Cut | None = None,
) -> str:
    """Serialise `build(log_cap, field_cap)` with the first caps whose JSON fits `limit_bytes`.

    When even the smallest caps do not fit (thousands of checks), keep as many `tests` as fit
    and let `cut` account for the rest (a note, or one entry carrying their points).
    """
    data: dict[str, Any] = {}
    for log_cap, field_cap in CAPS:
        data = build(log_cap, field_cap)
        if _size(data, indent) <= limit_bytes:
            return json.dumps(data, ensure_ascii=False, indent=indent)
    tests: list[Any] = list(data.get("tests") or [])
    if cut is None or not tests:
        return json.dumps(data, ensure_ascii=False, indent=indent)

    def keep(n: int) -> dict[str, Any]:
        return cut({**data, "tests": tests[:n]}, tests[n:])

    lo, hi = 0, len(tests)
    while lo < hi:  # the largest n whose output fits
        mid = (lo + hi + 1) // 2
        if _size(keep(mid), indent) <= limit_bytes:
            lo = mid
        else:
            hi = mid - 1
    return json.dumps(keep(lo), ensure_ascii=False, indent=indent)
