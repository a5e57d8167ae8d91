"""Rosters: who is graded, and where each submission comes from.

A roster is a folder of submission folders (the folder name is the student), or a CSV file of
`student, path or git URL[, ref]`. Paths in a CSV are relative to the CSV's folder. A bad roster
stops everything before anything is built, with one line naming the file and the line; a
listed folder that does not exist is that student's error alone, and the others are graded.
"""

from __future__ import annotations

import csv
import hashlib
import io
import re
from dataclasses import dataclass
from pathlib import Path

from graders.errors import UsageError
from graders.i18n import Text

GIT_URL = re.compile(r"^(?:[a-z][a-z0-9+.-]*://|[\w.-]+@[\w.-]+:)", re.IGNORECASE)
"""`scheme://...` or scp-like `user@host:path`."""
MAX_NAME = 100


class RosterError(UsageError):
    """The roster cannot be used; the message names the file, the line and the fix."""


@dataclass(frozen=True)
class Entry:
    """One student's submission: a local folder or a git repository (at `ref`, if given)."""

    student: str
    source: str
    ref: str | None = None
    line: int = 0

    @property
    def is_git(self) -> bool:
        return bool(GIT_URL.match(self.source))


def name_problem(name: str) -> str | None:
    """Why `name` cannot be a student name (it becomes a folder in the out folder), or None."""
    if not name:
        return "the student name is empty"
    if len(name) > MAX_NAME:
        return f"the student name is longer than {MAX_NAME} characters"
    if name in (".", "..") or name[0] in ".-" or any(c in name for c in "/\\"):
        return f"{name!r} cannot be a folder name (no leading . or -, no / or \\)"
    if not name.isprintable() or name != name.strip():
        return f"{name!r} has control characters or leading/trailing spaces"
    return None


def load_roster(path: Path, refused: list[str] | None = None) -> list[Entry]:
    """The roster's entries in roster order; `RosterError` for anything unusable. A CSV line
    whose quoted student name holds a line break names no one for sure: it is left out, with
    a line saying so appended to `refused` (the others are graded)."""
    if not path.exists():
        raise RosterError(Text(
            f"A lista de entregas {path} não existe. Indique uma pasta com uma pasta por "
            "estudante ou um CSV (estudante, caminho ou URL git, ref opcional).",
            f"Roster {path} does not exist. Give a folder of submission folders or a CSV file "
            "(student, path or git URL, optional ref)."))
    entries = _from_folder(path) if path.is_dir() else _from_csv(path, refused)
    if not entries:
        raise RosterError(Text(
            f"A lista de entregas {path} não tem nenhuma entrega. Ponha nela uma pasta por "
            "estudante, ou uma linha `estudante,caminho` por estudante no CSV.",
            f"Roster {path} lists no submissions. Put one folder per student in it, or one "
            "`student,path` line per student in the CSV."))
    seen: dict[str, Entry] = {}
    for entry in entries:
        first = seen.get(entry.student.casefold())
        if first is not None:
            where = f"lines {first.line} and {entry.line}" if entry.line else "twice"
            raise RosterError(f"{path}: student {entry.student!r} appears {where}; "
                              "each student must appear once.")
        seen[entry.student.casefold()] = entry
    return entries


def _from_folder(path: Path) -> list[Entry]:
    subdirs = sorted(p for p in path.iterdir() if p.is_dir() and not p.name.startswith("."))
    if not subdirs and (path / "Dockerfile").exists():
        raise RosterError(Text(
            f"A lista de entregas {path} parece ser uma entrega só (tem um Dockerfile). Indique "
            "a pasta que contém uma pasta por estudante.",
            f"Roster {path} looks like one submission (it has a Dockerfile). Give the folder "
            "that holds one folder per student."))
    entries = []
    for sub in subdirs:
        problem = name_problem(sub.name)
        if problem:
            raise RosterError(f"{path}: folder {sub.name!r}: {problem}; rename the folder.")
        entries.append(Entry(sub.name, str(sub.resolve())))
    return entries


def _from_csv(path: Path, refused: list[str] | None = None) -> list[Entry]:
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as e:
        raise RosterError(f"Roster {path} cannot be read as UTF-8 text ({e}).") from e
    entries: list[Entry] = []
    first = True
    reader = csv.reader(io.StringIO(text, newline=""))  # a quoted line break stays in its cell
    start = 1
    for row in reader:
        number, start = start, reader.line_num + 1
        if row and any("\n" in c or "\r" in c for c in row[:1]):
            line = (f"{path}:{number}: the student name {row[0]!r} holds a line break inside "
                    "quotes, so it names no one for sure; that line is left out (expected: "
                    "one student per line; fix the quotes and rerun to grade that student).")
            if refused is None:
                raise RosterError(line)
            refused.append(line)
            first = False
            continue
        cells = [c.strip() for c in row]
        if not any(cells) or cells[0].startswith("#"):
            continue
        header, first = first and cells[0].lower() == "student", False
        if not header:
            entries.append(_csv_entry(path, number, cells))
    return entries


def _csv_entry(path: Path, number: int, cells: list[str]) -> Entry:
    where = f"{path}:{number}"
    if len(cells) not in (2, 3):
        raise RosterError(f"{where}: expected `student,path or git URL[,ref]`, got "
                          f"{len(cells)} column(s).")
    student, source = cells[0], cells[1]
    ref = cells[2] if len(cells) == 3 and cells[2] else None
    problem = name_problem(student)
    if problem:
        raise RosterError(f"{where}: {problem}.")
    if not source:
        raise RosterError(f"{where}: no path or git URL for {student!r}.")
    if source.startswith("-") or (ref and (ref.startswith("-") or not ref.isprintable())):
        raise RosterError(f"{where}: a source or ref may not start with '-'.")
    if GIT_URL.match(source):
        return Entry(student, source, ref, number)
    if ref:
        raise RosterError(f"{where}: a ref ({ref!r}) only makes sense with a git URL.")
    # A folder that is missing is reported for that student alone (batch.source.fetch).
    return Entry(student, str((path.parent / source).resolve()), None, number)


def parse_shard(text: str) -> tuple[int, int]:
    """`"2/4"` -> (2, 4); `UsageError` unless 1 <= K <= N."""
    match = re.fullmatch(r"\s*(\d+)\s*/\s*(\d+)\s*", text)
    if not match or not 1 <= int(match[1]) <= int(match[2]):
        raise UsageError(Text(f"--shard {text!r}: use K/N com 1 <= K <= N, como em --shard 1/4.",
                              f"--shard {text!r}: expected K/N with 1 <= K <= N, as in "
                              "--shard 1/4."))
    return int(match[1]), int(match[2])


def shard_of(student: str, count: int) -> int:
    """The shard (1..count) a student belongs to: stable across machines and Python runs."""
    digest = hashlib.sha256(student.encode("utf-8")).digest()
    return int.from_bytes(digest[:8], "big") % count + 1


def in_shard(entries: list[Entry], shard: tuple[int, int] | None) -> list[Entry]:
    if shard is None:
        return entries
    k, n = shard
    return [e for e in entries if shard_of(e.student, n) == k]
