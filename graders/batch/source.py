"""Getting a submission onto disk (git clones) and fingerprinting it (the content hash)."""

from __future__ import annotations

import hashlib
import os
import re
import stat
import subprocess
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

from graders.batch.roster import Entry
from graders.i18n import Text

GIT_TIMEOUT = 300.0
SKIP_DIRS = frozenset({".git"})
"""Not part of the submission: a fresh clone's .git differs every time (packs, index times)."""


def content_hash(folder: Path) -> str:
    """sha256 over every file's relative path and bytes, in sorted order. Symlinks count by
    their target text and are never followed (a hostile link cannot make us read outside).
    The walk is iterative: no depth of folders makes it raise (Python 3.11's os.walk recursed,
    and 1,000 nested folders crashed a batch before anyone was graded). An entry that cannot
    be read counts by its name and error, so the hash still changes when the student fixes it."""
    items: list[tuple[str, str]] = []
    stack = [""]
    while stack:
        rel = stack.pop()
        try:
            with os.scandir(os.path.join(folder, rel) if rel else folder) as it:
                entries = [(e.name, e.is_dir(follow_symlinks=False)) for e in it]
        except OSError as e:
            items.append((rel + "/", f"E{e.errno}"))
            continue
        for name, is_dir in entries:
            path = f"{rel}/{name}" if rel else name
            if is_dir:
                if name not in SKIP_DIRS:
                    stack.append(path)
            else:
                items.append((path, ""))
    h = hashlib.sha256()
    for rel_name, problem in sorted(items):
        raw = rel_name.encode("utf-8", "surrogateescape")
        h.update(len(raw).to_bytes(8, "big") + raw)
        if problem:
            h.update(b"E" + problem.encode())
            continue
        _hash_entry(h, folder / rel_name)
    return h.hexdigest()


def _hash_entry(h: hashlib._Hash, path: Path) -> None:
    try:
        st = path.lstat()
        if stat.S_ISLNK(st.st_mode):
            target = os.readlink(path).encode("utf-8", "surrogateescape")
            h.update(b"L" + len(target).to_bytes(8, "big") + target)
        elif stat.S_ISREG(st.st_mode):
            h.update(b"F" + st.st_size.to_bytes(8, "big"))
            fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
            with os.fdopen(fd, "rb") as f:
                for chunk in iter(lambda: f.read(1 << 20), b""):
                    h.update(chunk)
        else:
            h.update(b"O")  # sockets, fifos: their name only (never opened)
    except OSError as e:
        h.update(b"E" + str(e.errno).encode())


def remove_tree(path: Path) -> None:
    """`shutil.rmtree` without recursion (Python 3.11's recursed: a checkout of 1,000 nested
    folders was a RecursionError on the next run). Links are removed, never followed."""
    if not os.path.lexists(path):
        return
    if not os.path.isdir(path) or os.path.islink(path):
        os.unlink(path)
        return
    folders, stack = [], [str(path)]
    while stack:
        here = stack.pop()
        folders.append(here)
        with os.scandir(here) as it:
            for entry in it:
                if entry.is_dir(follow_symlinks=False):
                    stack.append(entry.path)
                else:
                    os.unlink(entry.path)
    for folder in reversed(folders):
        os.rmdir(folder)


@dataclass(frozen=True)
class Fetched:
    """A submission on disk: `folder`, or why it is not there (`error` ours, `missing` theirs)."""

    folder: Path | None
    commit: str | None = None
    error: str | None = None
    missing: str | None = None


def parse_deadline(text: str) -> datetime:
    """ISO 8601 (`2024-05-01T23:59`, `...Z`, `...-03:00`); a naive time is local time."""
    try:
        moment = datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    except ValueError as e:
        from graders.errors import UsageError

        raise UsageError(Text(f"--deadline {text!r} não é um horário ISO 8601; tente "
                              "--deadline 2024-05-01T23:59:00-03:00.",
                              f"--deadline {text!r} is not an ISO 8601 time; try "
                              "--deadline 2024-05-01T23:59:00-03:00.")) from e
    return moment if moment.tzinfo else moment.astimezone()


def fetch(entry: Entry, checkouts: Path, deadline: datetime | None) -> Fetched:
    """A local entry as is; a git entry cloned afresh into `checkouts/<student>`."""
    if not entry.is_git:
        folder = Path(entry.source)
        if not folder.is_dir():  # that one student's error: the others are still graded
            where = f" (roster line {entry.line})" if entry.line else ""
            return Fetched(None, error=f"submission folder {folder} does not exist{where}; fix "
                           "the path and rerun with --only-failed")
        return Fetched(folder)
    dest = checkouts / entry.student
    if os.path.lexists(dest):
        remove_tree(dest)
    dest.parent.mkdir(parents=True, exist_ok=True)
    try:
        return _clone(entry, dest, deadline)
    except subprocess.TimeoutExpired:
        return Fetched(None, error=f"git timed out after {GIT_TIMEOUT:g} s on {entry.source}")
    except subprocess.CalledProcessError as e:
        words = [a for a in e.cmd[3:] if not a.startswith("-")]
        verb = words[1] if e.cmd[3] == "-C" and len(words) > 1 else words[0] if words else "?"
        tail = [line.strip() for line in (e.stderr or "").splitlines() if line.strip()][-3:]
        return Fetched(None, error=f"git {verb} failed: {' / '.join(tail) or e.returncode}")


def _clone(entry: Entry, dest: Path, deadline: datetime | None) -> Fetched:
    sha = entry.ref if entry.ref and re.fullmatch(r"[0-9a-f]{7,64}", entry.ref) else None
    branch = ["--branch", entry.ref] if entry.ref and not sha else []
    if deadline is None and sha is None:  # the common case: one commit, shallow
        _git(["clone", "--quiet", "--depth", "1", "--no-tags", *branch, "--", entry.source,
              str(dest)])
        return Fetched(dest, _git(["-C", str(dest), "rev-parse", "HEAD"]))
    # A deadline or a commit needs the history.
    _git(["clone", "--quiet", "--no-checkout", *branch, "--", entry.source, str(dest)])
    target = sha or "HEAD"
    if deadline is not None:
        when = deadline.astimezone(timezone.utc).strftime("%Y-%m-%d %H:%M:%S +0000")
        target = _git(["-C", str(dest), "rev-list", "-1", f"--before={when}", target, "--"])
        if not target:
            remove_tree(dest)
            return Fetched(None, missing=f"no commit before the deadline ({when})")
    _git(["-C", str(dest), "-c", "advice.detachedHead=false", "checkout", "--quiet", target])
    return Fetched(dest, _git(["-C", str(dest), "rev-parse", "HEAD"]))


def _git(args: list[str]) -> str:
    env = {**os.environ, "GIT_TERMINAL_PROMPT": "0", "GIT_LFS_SKIP_SMUDGE": "1",
           "GIT_CONFIG_NOSYSTEM": "1", "GIT_ASKPASS": "true"}
    done = subprocess.run(["git", "-c", "core.hooksPath=/dev/null", *args], check=True,
                          capture_output=True, text=True, errors="replace",  # a remote's bytes
                          timeout=GIT_TIMEOUT, env=env)
    return done.stdout.strip()
