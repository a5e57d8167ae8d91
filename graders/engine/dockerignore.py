""".dockerignore matching with Docker's semantics, in linear time, and an iterative walk.

Semantics follow docker/cli (`ignorefile.ReadAll`, then moby/patternmatcher's
`MatchesUsingParentResults` as moby/go-archive's `TarWithOptions` walks the context):

* a line starting with `#` is a comment; lines are trimmed; a leading `!` makes an exception;
* each pattern is cleaned like Go's `filepath.Clean` (`.`, `..`, `//`, trailing `/`) and a
  leading `/` is dropped;
* `*` is any run of characters but `/`, `?` one character but `/`, `[...]` a character class
  (`^` negates, `a-z` ranges, `\\` escapes), `**` any number of folders (`**/` included),
  `**` at the end everything below, `\\x` the character x;
* the last pattern that matches decides; a folder that matches a pattern makes everything under
  it match that pattern; an excluded folder is not entered unless an exception could reach
  inside it.

Docker turns patterns into RE2 expressions (linear). Python's `re` backtracks: docker-py's
translation of one `*a*a*a...` pattern against one 100-character name ran for minutes. Here a
pattern is a list of tokens matched by a set-of-states simulation: O(pattern x path) per match,
whatever the pattern.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from dataclasses import dataclass, field

LIT, ONE, STAR, CLASS, DSTAR, REST = range(6)
MAX_PATTERNS = 1000
MAX_PATTERN_CHARS = 1024


class BadPattern(ValueError):
    """A pattern Docker refuses too (`syntax error in pattern`)."""


def clean(path: str) -> str:
    """Go's `filepath.Clean` for slash paths."""
    rooted = path.startswith("/")
    out: list[str] = []
    for part in path.split("/"):
        if part in ("", "."):
            continue
        if part == "..":
            if out and out[-1] != "..":
                out.pop()
            elif not rooted:
                out.append("..")
            continue
        out.append(part)
    text = "/".join(out)
    return ("/" + text) if rooted else (text or ".")


def read_patterns(text: str) -> list[str]:
    """`ignorefile.ReadAll`: comments, trimming, `!`, cleaning and the leading `/`."""
    out = []
    for number, line in enumerate(text.splitlines()):
        if number == 0:
            line = line.removeprefix("\ufeff")
        if line.startswith("#"):
            continue
        line = line.strip()
        if not line:
            continue
        invert = line.startswith("!")
        if invert:
            line = line[1:].strip()
        if line:
            line = clean(line)
            if len(line) > 1 and line.startswith("/"):
                line = line[1:]
        out.append(("!" if invert else "") + line)
    return out


@dataclass
class Pattern:
    text: str
    exclusion: bool
    kind: str = "exact"
    tokens: list[tuple[int, object]] = field(default_factory=list)

    def match(self, path: str) -> bool:
        if self.kind == "exact":
            return path == self.text
        if self.kind == "prefix":
            return path.startswith(self.text[:-2])
        if self.kind == "suffix":
            suffix = self.text[2:]
            return path.endswith(suffix) or (suffix[:1] == "/" and path == suffix[1:])
        return _run(self.tokens, path)


def _class(pat: str, i: int) -> tuple[tuple[bool, list[tuple[str, str]]], int]:
    """`[...]` from pat[i] (just after `[`): (negated, ranges), index after `]`."""
    negated = i < len(pat) and pat[i] == "^"
    i += negated
    ranges: list[tuple[str, str]] = []
    first = True
    while i < len(pat) and (pat[i] != "]" or first):
        first = False
        lo = pat[i]
        if lo == "\\" and i + 1 < len(pat):
            i += 1
            lo = pat[i]
        i += 1
        hi = lo
        if i + 1 < len(pat) and pat[i] == "-" and pat[i + 1] != "]":
            hi = pat[i + 1]
            if hi == "\\" and i + 2 < len(pat):
                i += 1
                hi = pat[i + 1]
            i += 2
            if hi < lo:
                raise BadPattern("bad range")
        ranges.append((lo, hi))
    if i >= len(pat):
        raise BadPattern("unterminated [")
    return (negated, ranges), i + 1


def compile_pattern(raw: str) -> Pattern:
    exclusion = raw.startswith("!")
    text = raw[1:] if exclusion else raw
    if exclusion and not text:
        raise BadPattern('illegal exclusion pattern: "!"')
    if len(text) > MAX_PATTERN_CHARS:
        raise BadPattern(f"pattern longer than {MAX_PATTERN_CHARS} characters")
    text = clean(text)
    p = Pattern(text, exclusion)
    kind, i, n = "exact", 0, len(text)
    tokens = p.tokens
    while i < n:
        c = text[i]
        start = i
        i += 1
        if c == "*":
            if i < n and text[i] == "*":
                i += 1
                if i < n and text[i] == "/":
                    i += 1
                if i >= n:
                    kind = "prefix" if kind == "exact" else "regexp"
                    tokens.append((REST, None))
                else:
                    kind = "regexp"
                    tokens.append((DSTAR, None))
                if start == 0:
                    kind = "suffix"
            else:
                kind = "regexp"
                if not (tokens and tokens[-1][0] == STAR):  # ** of stars is one star
                    tokens.append((STAR, None))
        elif c == "?":
            kind = "regexp"
            tokens.append((ONE, None))
        elif c == "\\":
            if i < n:
                kind = "regexp"
                tokens.append((LIT, text[i]))
                i += 1
            else:
                tokens.append((LIT, "\\"))
        elif c == "[":
            kind = "regexp"
            cls, i = _class(text, i)
            tokens.append((CLASS, cls))
        elif c == "]":
            kind = "regexp"
            tokens.append((LIT, c))
        else:
            tokens.append((LIT, c))
    if kind == "suffix" and any(t[0] not in (LIT, DSTAR, REST) for t in tokens):
        kind = "regexp"
    if kind == "suffix" and sum(t[0] in (DSTAR, REST) for t in tokens) > 1:
        kind = "regexp"
    p.kind = kind
    return p


def _in_class(cls: object, c: str) -> bool:
    negated: bool
    ranges: list[tuple[str, str]]
    negated, ranges = cls  # type: ignore[misc]
    inside = any(lo <= c <= hi for lo, hi in ranges)
    return inside != negated


def _closure(tokens: list[tuple[int, object]], states: set[int]) -> set[int]:
    """States reachable without reading: a star, `**` and `**/` may match nothing. Inner states
    of `**/` (inside its `.*/`) are encoded as -(i + 1)."""
    todo = list(states)
    seen = set(states)
    while todo:
        s = todo.pop()
        if s < 0 or s >= len(tokens):
            continue
        kind = tokens[s][0]
        nxt = []
        if kind in (STAR, REST):
            nxt.append(s + 1)
        elif kind == DSTAR:
            nxt += [s + 1, -(s + 1)]
        for t in nxt:
            if t not in seen:
                seen.add(t)
                todo.append(t)
    return seen


def _run(tokens: list[tuple[int, object]], path: str) -> bool:
    end = len(tokens)
    states = _closure(tokens, {0})
    for c in path:
        nxt: set[int] = set()
        for s in states:
            if s < 0:  # inside `**/`: any character; a `/` may end it
                nxt.add(s)
                if c == "/":
                    nxt.add(-s)
                continue
            if s >= end:
                continue
            kind, arg = tokens[s]
            if kind == LIT:
                if arg == c:
                    nxt.add(s + 1)
            elif kind == ONE:
                if c != "/":
                    nxt.add(s + 1)
            elif kind == STAR:
                if c != "/":
                    nxt.add(s)
            elif kind == CLASS:
                if _in_class(arg, c):
                    nxt.add(s + 1)
            elif kind == REST:
                nxt.add(s)
        if not nxt:
            return False
        states = _closure(tokens, nxt)
    return end in states


class Matcher:
    """moby/patternmatcher's PatternMatcher, with `MatchesUsingParentResults`."""

    def __init__(self, raw: list[str]) -> None:
        if len(raw) > MAX_PATTERNS:
            raise BadPattern(f"more than {MAX_PATTERNS} patterns")
        self.patterns = [compile_pattern(r) for r in raw if r.strip()]
        self.exclusions = any(p.exclusion for p in self.patterns)

    def matches(self, path: str, parent: list[bool] | None) -> tuple[bool, list[bool]]:
        matched = False
        info = [False] * len(self.patterns)
        for i, pattern in enumerate(self.patterns):
            match = bool(parent) and parent[i]  # type: ignore[index]
            if not match:
                if pattern.exclusion != matched:
                    continue
                match = pattern.match(path)
                if not match and not parent and "/" in path:
                    dirs = path.split("/")[:-1]
                    match = any(pattern.match("/".join(dirs[: j + 1])) for j in range(len(dirs)))
            info[i] = match
            if match:
                matched = not pattern.exclusion
        return matched, info

    def could_reach_inside(self, folder: str) -> bool:
        prefix = folder + "/"
        return any((p.text + "/").startswith(prefix) for p in self.patterns if p.exclusion)


class TooDeep(Exception):
    def __init__(self, path: str, depth: int) -> None:
        super().__init__(path)
        self.path, self.depth = path, depth


def walk(root: str, matcher: Matcher, max_depth: int) -> Iterator[str]:
    """The context's entries Docker would send, relative (iteratively, never following links).
    Raises `TooDeep` for a folder nested deeper than `max_depth` folders that must be entered."""
    stack: list[tuple[str, list[bool] | None, int]] = [("", None, 0)]
    while stack:
        rel, info, depth = stack.pop()
        with os.scandir(os.path.join(root, rel) if rel else root) as it:
            names = sorted(e.name for e in it)
        below = []
        for name in names:
            path = f"{rel}/{name}" if rel else name
            is_dir = stat.S_ISDIR(os.lstat(os.path.join(root, path)).st_mode)
            skip, child = matcher.matches(path, info)
            if skip and (not is_dir or not matcher.could_reach_inside(path)):
                continue
            if not skip:
                yield path
            if is_dir:
                if depth + 1 > max_depth:
                    raise TooDeep(path, depth + 1)
                below.append((path, child, depth + 1))
        stack.extend(reversed(below))
