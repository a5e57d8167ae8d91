"""Words inside an instruction, split and unquoted the way Docker's parser and shell lexer do it.

Ported from BuildKit's `frontend/dockerfile/parser` (`extractBuilderFlags`, `parseWords`,
`parseNameVal`) and `frontend/dockerfile/shell/lex.go` (`ProcessWord`) as vendored by Docker
20.10, and checked against that engine (tests/integration/test_parser_vs_docker.py).
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from graders.dockerfile.model import Instruction

WHITESPACE = re.compile(r"[\t\v\f\r ]+")
"""Docker's `tokenWhitespace`: what separates an instruction from its arguments."""

_NAME_CHAR = re.compile(r"[A-Za-z0-9_]")
NOT_STRINGS = "when using JSON array syntax, arrays must be comprised of strings only"


def extract_flags(rest: str) -> tuple[str, tuple[str, ...]]:
    """Split leading `--flag[=value]` words off `rest`; returns (the remainder, the flag words).

    A bare `--` ends the flags. Quotes inside a flag word are removed, as Docker does.
    """
    words: list[str] = []
    pos, n = 0, len(rest)
    while True:
        while pos < n and rest[pos].isspace():
            pos += 1
        if pos >= n or not rest.startswith("--", pos):
            return rest[pos:], tuple(words)
        word: list[str] = []
        quote = ""
        while pos < n and (quote or not rest[pos].isspace()):
            ch = rest[pos]
            if quote and ch == quote:
                quote = ""
            elif not quote and ch in "'\"":
                quote = ch
            elif ch == "\\":
                pos += 1
                if pos < n:
                    word.append(rest[pos])
            else:
                word.append(ch)
            pos += 1
        text = "".join(word)
        if text == "--":
            return rest[pos:], tuple(words)
        words.append(text)


def flags_dict(flag_words: tuple[str, ...]) -> dict[str, str]:
    """`("--from=build", "--link")` -> `{"from": "build", "link": "true"}`; the last one wins."""
    flags: dict[str, str] = {}
    for word in flag_words:
        name, eq, value = word[2:].partition("=")
        flags[name.lower()] = value if eq else "true"
    return flags


def parse_words(rest: str, escape: str = "\\") -> list[str]:
    """Split on whitespace outside quotes, keeping quotes and escapes (Docker's `parseWords`)."""
    words: list[str] = []
    word: list[str] = []
    quote = ""
    started = False
    i, n = 0, len(rest)
    while i < n:
        ch = rest[i]
        if not quote and ch.isspace():
            if started:
                words.append("".join(word))
            word, started = [], False
            i += 1
            continue
        started = True
        if quote:
            if ch == quote:
                quote = ""
            elif ch == escape and quote != "'":
                if i + 1 == n:
                    break
                word.append(ch)
                i += 1
                ch = rest[i]
        elif ch in "'\"":
            quote = ch
        elif ch == escape:
            if i + 1 == n:
                break
            word.append(ch)
            i += 1
            ch = rest[i]
        word.append(ch)
        i += 1
    if started:
        words.append("".join(word))
    return words


def process_word(word: str, env: Mapping[str, str] | None = None, escape: str = "\\") -> str:
    """Remove quotes and escapes; expand `$VAR`, `${VAR}`, `${VAR:-x}`, `${VAR:+x}` from `env`.

    With `env=None` variable references are kept as written (only quoting is undone). With a
    mapping, an unset variable expands to the empty string, as in Docker.
    """
    return _Lexer(word, env, escape).word()


class _Lexer:
    def __init__(self, text: str, env: Mapping[str, str] | None, escape: str) -> None:
        self.text, self.env, self.escape = text, env, escape
        self.pos = 0

    def word(self, stop: str = "") -> str:
        out: list[str] = []
        text, n = self.text, len(self.text)
        while self.pos < n:
            ch = text[self.pos]
            if stop and ch == stop:
                break
            if ch == self.escape:
                if self.pos + 1 < n:
                    out.append(text[self.pos + 1])
                self.pos += 2
            elif ch == "'":
                end = text.find("'", self.pos + 1)
                end = n if end < 0 else end
                out.append(text[self.pos + 1 : end])
                self.pos = end + 1
            elif ch == '"':
                out.append(self._double_quoted())
            elif ch == "$":
                out.append(self._dollar())
            else:
                out.append(ch)
                self.pos += 1
        return "".join(out)

    def _double_quoted(self) -> str:
        out: list[str] = []
        text, n = self.text, len(self.text)
        self.pos += 1
        while self.pos < n and text[self.pos] != '"':
            ch = text[self.pos]
            if ch == "$":
                out.append(self._dollar())
                continue
            if ch == self.escape and self.pos + 1 < n and text[self.pos + 1] in ('"', "$", ch):
                self.pos += 1
                ch = text[self.pos]
            out.append(ch)
            self.pos += 1
        self.pos += 1
        return "".join(out)

    def _dollar(self) -> str:
        text, n, start = self.text, len(self.text), self.pos
        self.pos += 1
        if self.pos < n and text[self.pos] == "{":
            self.pos += 1
            name = self._name()
            modifier, alternative = "", ""
            if (
                self.pos < n
                and text[self.pos] == ":"
                and text[self.pos + 1 : self.pos + 2] in ("-", "+")
            ):
                modifier = text[self.pos + 1]
                self.pos += 2
                alternative = self.word(stop="}")
            self.pos += 1  # the closing brace
            if self.env is None:
                return text[start : self.pos]
            value = self.env.get(name, "")
            if modifier == "-":
                return value or alternative
            if modifier == "+":
                return alternative if value else ""
            return value
        name = self._name()
        if not name:
            return "$"
        return text[start : self.pos] if self.env is None else self.env.get(name, "")

    def _name(self) -> str:
        """A variable name; one starting with a digit is only digits (`$1x` is `$1` then x)."""
        start, text = self.pos, self.text
        digits = self.pos < len(text) and text[self.pos].isdigit()
        while self.pos < len(text) and (
            text[self.pos].isdigit() if digits else _NAME_CHAR.match(text[self.pos])
        ):
            self.pos += 1
        return self.text[start : self.pos]


def key_values(instr: Instruction, env: Mapping[str, str] | None = None) -> list[tuple[str, str]]:
    """The pairs an ENV or LABEL (or ARG) sets, in order, unquoted as Docker stores them.

    Both forms: `ENV A=1 B="two words"` and the legacy `ENV NAME value with spaces`. Values are
    expanded from `env` when given (see `process_word`); else `$VAR` references stay as written.
    An ARG without a default gives `(name, "")`.
    """
    return split_key_values(instr.value, env, instr.escape, legacy=instr.keyword != "ARG")


def split_key_values(
    value: str, env: Mapping[str, str] | None, escape: str, *, legacy: bool = True
) -> list[tuple[str, str]]:
    words = parse_words(value, escape)
    if not words:
        return []
    if legacy and "=" not in words[0]:
        parts = WHITESPACE.split(value.strip(), maxsplit=1)
        second = parts[1] if len(parts) > 1 else ""
        return [(process_word(parts[0], env, escape), process_word(second, env, escape))]
    pairs = []
    for word in words:
        key, _, val = word.partition("=")
        pairs.append((process_word(key, env, escape), process_word(val, env, escape)))
    return pairs


def key_value_problem(instr: Instruction) -> str | None:
    """Docker's parse error for a malformed ENV/LABEL, or None when it is well formed."""
    words = parse_words(instr.value, instr.escape)
    if not words:
        return f"{instr.keyword} requires at least one argument"
    if "=" not in words[0]:
        if len(WHITESPACE.split(instr.value.strip(), maxsplit=1)) < 2:
            return f"{instr.keyword} must have two arguments"
        return None
    for word in words:
        if "=" not in word:
            return f'Syntax error - can\'t find = in "{word}". Must be of the form: name=value'
    return None


def shell_words(value: str) -> list[str]:
    """Whitespace-separated words (Docker's `parseStringsWhitespaceDelimited`: no unquoting)."""
    return [w for w in WHITESPACE.split(value.strip()) if w]


def parse_json_args(value: str) -> tuple[tuple[str, ...] | None, str | None]:
    """Exec-form arguments, or None for shell form; second item: Docker's error, if any.

    Like Go's json.Decoder, only the first JSON value counts: `CMD ["a"] b` is `["a"]`.
    """
    text = value.lstrip()
    if not text.startswith("["):
        return None, None
    try:
        parsed, _ = json.JSONDecoder().raw_decode(text)
    except ValueError:
        return None, None  # not JSON: shell form, as Docker does
    if not isinstance(parsed, list) or not all(isinstance(a, str) for a in parsed):
        return None, NOT_STRINGS
    return tuple(parsed), None
