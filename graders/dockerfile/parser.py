"""Read a Dockerfile the way Docker does: `parse_dockerfile(text)` -> `Dockerfile`.

The line scanner follows BuildKit's `frontend/dockerfile/parser/parser.go` (the parser Docker's
classic builder also uses): a UTF-8 BOM is dropped, parser directives (`# escape=`, `# syntax=`)
count only before any other line, comment lines inside a continuation are skipped, empty
continuation lines are dropped, and heredocs (`RUN <<EOF`, `COPY <<EOF /file`) take the lines up
to their terminator.

Why not `dockerfile-parse` underneath: measured with 2.0.1, it keeps the BOM in the first
keyword (`\\ufeffFROM`), turns heredoc bodies into instructions, keeps a trailing `\\` on the last
line, mangles `${TAG:-12}` in FROM, leaves flags inside the value and cannot tell JSON from shell
form. Each would be one more patch over its output, so this module scans lines itself and reuses
nothing from it; `words.py` holds the word-level rules.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, replace
from pathlib import Path

from graders.dockerfile.model import Dockerfile, Instruction, ParseProblem, Stage
from graders.dockerfile.words import (
    WHITESPACE,
    extract_flags,
    flags_dict,
    key_value_problem,
    parse_json_args,
    parse_words,
    process_word,
    split_key_values,
)

# fmt: off
KEYWORDS = frozenset({
    "ADD", "ARG", "CMD", "COPY", "ENTRYPOINT", "ENV", "EXPOSE", "FROM", "HEALTHCHECK", "LABEL",
    "MAINTAINER", "ONBUILD", "RUN", "SHELL", "STOPSIGNAL", "USER", "VOLUME", "WORKDIR",
})
# fmt: on
MAYBE_JSON = frozenset({"ADD", "CMD", "COPY", "ENTRYPOINT", "RUN", "SHELL", "VOLUME"})
HEREDOC_KEYWORDS = frozenset({"ADD", "COPY", "RUN"})
DIRECTIVES = frozenset({"escape", "syntax", "check"})
"""Docker 20.10 knows escape and syntax; newer BuildKit adds check. Any other line ends them."""

_DIRECTIVE = re.compile(r"^#\s*([a-zA-Z][a-zA-Z0-9]*)\s*=\s*(.+?)\s*$")
_HEREDOC = re.compile(r"^(\d*)<<(-?)([^<]*)$")
_STAGE_NAME = re.compile(r"^[a-z][a-z0-9-_.]*$")


def load_dockerfile(
    path: Path, build_args: Mapping[str, str] | None = None, *, heredocs: bool = True
) -> Dockerfile | None:
    """Parse the file at `path`; None when it does not exist. Bytes are decoded leniently."""
    try:
        data = path.read_bytes()
    except (FileNotFoundError, IsADirectoryError, NotADirectoryError):
        return None
    return parse_dockerfile(
        data.decode("utf-8", errors="replace"), str(path), build_args, heredocs=heredocs
    )


def parse_dockerfile(
    text: str,
    path: str = "Dockerfile",
    build_args: Mapping[str, str] | None = None,
    *,
    heredocs: bool = True,
) -> Dockerfile:
    """Instructions with 1-based lines, stages and problems Docker would report.

    `build_args` override the defaults of ARGs declared before the first FROM, as in
    `docker build --build-arg`. `heredocs=False` reads like Docker 20.10's classic builder, which
    does not know heredocs (their bodies then show up as unknown instructions).
    """
    text = text.removeprefix("\ufeff")
    scanner = _Scanner(text, heredocs)
    scanner.scan()
    return replace(_Assembler(path, scanner, dict(build_args or {})).build(), source=text)


class _Scanner:
    """Turns lines into logical instructions: (start, end, line, heredoc bodies)."""

    def __init__(self, text: str, heredocs: bool) -> None:
        lines = text.split("\n")
        if lines and lines[-1] == "":
            lines.pop()
        self.lines = [line.rstrip("\r") for line in lines]
        self.heredocs = heredocs
        self.escape = "\\"
        self.directives: dict[str, str] = {}
        self.problems: list[ParseProblem] = []
        self.logical: list[tuple[int, int, str, tuple[str, ...]]] = []

    def scan(self) -> None:
        lines, i, directives_done = self.lines, 0, False
        while i < len(lines):
            first = lines[i].lstrip()
            i += 1
            if not directives_done:
                directives_done = self._directive(first, i)
            start = i
            line, done = self._trim(self._uncomment(first))
            if done and not line:
                continue
            while not done and i < len(lines):
                piece = lines[i]
                i += 1
                if piece.lstrip().startswith("#") or not piece.strip():
                    continue  # a comment or an empty line inside a continuation: skipped
                piece, done = self._trim(piece)
                line += piece
            bodies: list[str] = []
            if self.heredocs and _may_open_heredocs(line):
                for name, chomp in _heredoc_names(line):
                    body, i = self._heredoc(i, name, chomp, start)
                    bodies.append(body)
            self.logical.append((start, i, line, tuple(bodies)))

    def _directive(self, line: str, number: int) -> bool:
        """Record a parser directive; True once directives are over (Docker's rule)."""
        match = _DIRECTIVE.match(line)
        if not match or match.group(1).lower() not in DIRECTIVES:
            return True
        key, value = match.group(1).lower(), match.group(2)
        if key in self.directives:
            self.problems.append(
                ParseProblem(number, f"only one {key} parser directive can be used")
            )
        elif key == "escape" and value not in ("\\", "`"):
            self.problems.append(ParseProblem(number, f"invalid ESCAPE '{value}'. Must be ` or \\"))
        else:
            self.directives[key] = value
            if key == "escape":
                self.escape = value
        return False

    @staticmethod
    def _uncomment(line: str) -> str:
        return "" if line.startswith("#") else line

    def _trim(self, line: str) -> tuple[str, bool]:
        """Drop a trailing escape character (and blanks after it); False means "continues"."""
        stripped = line.rstrip(" \t")
        if stripped.endswith(self.escape):
            return stripped[: -len(self.escape)], False
        return line, True

    def _heredoc(self, i: int, name: str, chomp: bool, start: int) -> tuple[str, int]:
        body: list[str] = []
        while i < len(self.lines):
            line = self.lines[i]
            i += 1
            if (line.lstrip("\t") if chomp else line) == name:
                return "".join(body), i
            body.append(line + "\n")
        self.problems.append(ParseProblem(start, f"unterminated heredoc {name}"))
        return "".join(body), i


def _may_open_heredocs(line: str) -> bool:
    """RUN, COPY and ADD (also after ONBUILD) in shell form, as BuildKit's canContainHeredoc."""
    parts = WHITESPACE.split(line.strip(), maxsplit=1)
    if parts[0].upper() == "ONBUILD" and len(parts) == 2:
        parts = WHITESPACE.split(parts[1].strip(), maxsplit=1)
    if parts[0].upper() not in HEREDOC_KEYWORDS:
        return False
    value, _ = extract_flags(parts[1] if len(parts) > 1 else "")
    return parse_json_args(value) == (None, None)


def _heredoc_names(line: str) -> list[tuple[str, bool]]:
    """Heredoc terminators a line opens, in order: `<<EOF`, `<<-EOF`, `<<"EOF"`, `3<<EOF`."""
    names = []
    for word in parse_words(line):
        match = _HEREDOC.match(word)
        if match and match.group(3):
            names.append((process_word(match.group(3)), match.group(2) == "-"))
    return names


@dataclass
class _StageInfo:
    name: str | None
    base: str
    line: int
    base_stage: int | None


class _Assembler:
    """Builds instructions from logical lines, then groups them into stages."""

    def __init__(self, path: str, scanner: _Scanner, build_args: dict[str, str]) -> None:
        self.path, self.scanner, self.build_args = path, scanner, build_args
        self.problems = scanner.problems
        self.meta: dict[str, str] = {}
        self.stages: list[_StageInfo] = []
        self.instructions: list[Instruction] = []

    def build(self) -> Dockerfile:
        for start, end, line, bodies in self.scanner.logical:
            self._add(start, end, line, bodies)
        stages = tuple(
            Stage(
                index=index,
                name=info.name,
                base=info.base,
                line=info.line,
                instructions=tuple(i for i in self.instructions if i.stage == index),
                base_stage=info.base_stage,
            )
            for index, info in enumerate(self.stages)
        )
        return Dockerfile(
            path=self.path,
            instructions=tuple(self.instructions),
            stages=stages,
            directives=dict(self.scanner.directives),
            problems=tuple(sorted(self.problems, key=lambda p: p.line)),
            global_args=dict(self.meta),
        )

    def _add(self, start: int, end: int, line: str, bodies: tuple[str, ...]) -> None:
        parts = WHITESPACE.split(line.strip(), maxsplit=1)
        keyword = parts[0].upper()
        if keyword not in KEYWORDS:
            self.problems.append(ParseProblem(start, f"unknown instruction: {keyword}"))
            return
        value, flag_words = extract_flags(parts[1] if len(parts) > 1 else "")
        value = value.strip()
        json_args, error = None, None
        if keyword in MAYBE_JSON:
            json_args, error = parse_json_args(value)
        elif keyword == "HEALTHCHECK":
            sub = WHITESPACE.split(value, maxsplit=1)
            if len(sub) == 2 and sub[0].upper() == "CMD":
                json_args, error = parse_json_args(sub[1])
        if error:
            self.problems.append(ParseProblem(start, error))
        if keyword == "FROM":
            self._stage(start, value)
        stage = len(self.stages) - 1
        instr = Instruction(
            keyword=keyword,
            value=value,
            line=start,
            end_line=end,
            stage=stage,
            flags=flags_dict(flag_words),
            json_args=json_args,
            heredocs=bodies,
            raw="\n".join(self.scanner.lines[start - 1 : end]),
            flag_words=flag_words,
            escape=self.scanner.escape,
        )
        self.instructions.append(instr)
        self._check(instr)

    def _check(self, instr: Instruction) -> None:
        if instr.keyword == "ARG" and instr.stage < 0:
            for name, default in split_key_values(
                instr.value, self.meta, instr.escape, legacy=False
            ):
                self.meta[name] = self.build_args.get(name, default)
        elif instr.stage < 0:
            self.problems.append(
                ParseProblem(instr.line, f"{instr.keyword} before the first FROM: no build stage")
            )
        if instr.keyword in ("ENV", "LABEL"):
            problem = key_value_problem(instr)
            if problem:
                self.problems.append(ParseProblem(instr.line, problem))

    def _stage(self, line: int, value: str) -> None:
        words = WHITESPACE.split(value) if value else []
        name: str | None = None
        if len(words) not in (1, 3):
            self.problems.append(ParseProblem(line, "FROM requires either one or three arguments"))
        elif len(words) == 3:
            if words[1].lower() != "as":
                self.problems.append(ParseProblem(line, "the second argument of FROM must be AS"))
            name = words[2].lower()
            if not _STAGE_NAME.match(name):
                self.problems.append(ParseProblem(line, f"invalid name for build stage: {name!r}"))
        base = process_word(words[0], self.meta, self.scanner.escape) if words else ""
        base_stage = next(
            (i for i, s in enumerate(self.stages) if s.name and s.name == base.lower()), None
        )
        self.stages.append(_StageInfo(name, base, line, base_stage))
