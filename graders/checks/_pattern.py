"""A lab's regex as a student can read it: never the raw pattern (issue 14).

A pattern that is plain text once its anchors and flags are taken off (`(?i)apache`,
`^ok$`, `Instruções do Dockerfile`) reads as that text; any other pattern reads as a pointer
to the lab's instructions, and the lab says it in words with a check's `expected:` field.
"""

from __future__ import annotations

import re

from graders.i18n import Text

_FLAGS = re.compile(r"^\(\?[aiLmsux]+\)")
_SPECIAL = set("^$.*+?()[]{}|\\")
LAB_PATTERN = Text("o que o enunciado do laboratório pede", "what the lab's instructions ask for")


def literal(pattern: str) -> tuple[str, str] | None:
    """`(text, how)` when `pattern` matches one plain text (escaped punctuation allowed): how is
    "whole" when anchored at both ends, "start" at the start only, else "part"; None when it
    is a real pattern."""
    body = _FLAGS.sub("", pattern)
    start, end = body.startswith("^"), body.endswith("$") and not body.endswith("\\$")
    body = body[1 if start else 0: len(body) - 1 if end else len(body)]
    out, i = [], 0
    while i < len(body):
        ch = body[i]
        if ch == "\\":
            if i + 1 >= len(body) or body[i + 1].isalnum():
                return None  # \b, \d, \s ...: a class, not a character
            out.append(body[i + 1])
            i += 2
            continue
        if ch in _SPECIAL:
            return None
        out.append(ch)
        i += 1
    text = "".join(out)
    if not text.strip():
        return None
    return text, "whole" if start and end else "start" if start else "part"


def pattern_text(pattern: str, whole: Text | None = None, part: Text | None = None,
                 other: Text = LAB_PATTERN, start: Text | None = None) -> Text:
    """What `pattern` asks for, in words: `whole` (default: the text, quoted) when it must be
    exactly a text, `start` (default: starting with "text") when it must start with it, `part`
    (default: containing "text") when it must contain it, else `other`. Each gets the text as
    `{v}`."""
    found = literal(pattern)
    if found is None:
        return other
    text, how = found
    if how == "whole":
        return (whole or Text.same('"{v}"')).format(v=text)
    if how == "start":
        return (start or Text('começando com "{v}"', 'starting with "{v}"')).format(v=text)
    return (part or Text('contendo "{v}"', 'containing "{v}"')).format(v=text)
