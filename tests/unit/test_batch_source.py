"""Content hashes and git fetching (file:// repositories; no network, no Docker)."""

from __future__ import annotations

import os
import subprocess
from datetime import datetime, timezone
from pathlib import Path

import pytest

from graders.batch.roster import Entry
from graders.batch.source import content_hash, fetch, parse_deadline
from graders.errors import UsageError


def _tree(root: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text)
    return root


def test_hash_depends_on_names_and_bytes_only(tmp_path: Path) -> None:
    a = _tree(tmp_path / "a", {"Dockerfile": "FROM x\n", "app/run.sh": "echo hi\n"})
    b = _tree(tmp_path / "b", {"app/run.sh": "echo hi\n", "Dockerfile": "FROM x\n"})
    os.utime(b / "Dockerfile", (0, 0))  # times and creation order do not count
    assert content_hash(a) == content_hash(b)
    _tree(b, {".git/HEAD": "ref: refs/heads/main\n"})  # a clone's .git does not count
    assert content_hash(a) == content_hash(b)
    (b / "app" / "run.sh").write_text("echo hi!\n")
    assert content_hash(a) != content_hash(b)
    c = _tree(tmp_path / "c", {"Dockerfile": "FROM x\n", "app/run2.sh": "echo hi\n"})
    assert content_hash(a) != content_hash(c)
    # No ambiguity between a name and the bytes that follow it.
    assert content_hash(_tree(tmp_path / "d", {"ab": "c"})) != \
        content_hash(_tree(tmp_path / "e", {"a": "bc"}))


def test_hash_never_follows_symlinks(tmp_path: Path) -> None:
    secret = _tree(tmp_path / "outside", {"secret": "s3cret"})
    sub = _tree(tmp_path / "sub", {"Dockerfile": "FROM x\n"})
    (sub / "link").symlink_to(secret / "secret")
    (sub / "dirlink").symlink_to(secret)
    (sub / "loop").symlink_to(sub)
    before = content_hash(sub)
    (secret / "secret").write_text("changed")
    assert content_hash(sub) == before  # the link's target text counts, not what it points to


def _git(repo: Path, *args: str, when: str = "2024-05-01T12:00:00+00:00") -> str:
    env = {**os.environ, "GIT_AUTHOR_DATE": when, "GIT_COMMITTER_DATE": when,
           "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@x", "GIT_COMMITTER_NAME": "t",
           "GIT_COMMITTER_EMAIL": "t@x", "GIT_CONFIG_NOSYSTEM": "1", "HOME": str(repo.parent)}
    out = subprocess.run(["git", "-C", str(repo), *args], check=True, capture_output=True,
                         text=True, env=env)
    return out.stdout.strip()


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    """Three commits on main (May 1st, 2nd, 3rd) and a branch `v2`."""
    repo = tmp_path / "student.git"
    repo.mkdir()
    _git(repo, "init", "-q", "-b", "main")
    for day in (1, 2, 3):
        (repo / "Dockerfile").write_text(f"FROM debian:12\n# day {day}\n")
        _git(repo, "add", "Dockerfile")
        _git(repo, "commit", "-q", "-m", f"day {day}", when=f"2024-05-0{day}T12:00:00+00:00")
    _git(repo, "checkout", "-q", "-b", "v2")
    (repo / "Dockerfile").write_text("FROM debian:12\n# v2\n")
    _git(repo, "commit", "-qam", "v2", when="2024-05-04T12:00:00+00:00")
    _git(repo, "checkout", "-q", "main")
    return repo


def test_clone_shallow_at_head_and_at_a_branch(repo: Path, tmp_path: Path) -> None:
    url = repo.as_uri()
    got = fetch(Entry("ana", url), tmp_path / "co", None)
    assert got.folder == tmp_path / "co" / "ana" and got.error is None
    assert "day 3" in (got.folder / "Dockerfile").read_text()
    assert _git(got.folder, "rev-list", "--count", "HEAD") == "1"  # shallow
    got = fetch(Entry("ana", url, "v2"), tmp_path / "co", None)  # a fresh clone replaces it
    assert got.folder is not None and "v2" in (got.folder / "Dockerfile").read_text()
    first = _git(repo, "rev-list", "--max-parents=0", "HEAD")
    got = fetch(Entry("ana", url, first), tmp_path / "co", None)
    assert got.commit == first and got.folder is not None
    assert "day 1" in (got.folder / "Dockerfile").read_text()


def test_clone_at_the_last_commit_before_the_deadline(repo: Path, tmp_path: Path) -> None:
    url = repo.as_uri()
    deadline = parse_deadline("2024-05-02T13:00:00Z")
    got = fetch(Entry("ana", url), tmp_path / "co", deadline)
    assert got.folder is not None and "day 2" in (got.folder / "Dockerfile").read_text()
    got = fetch(Entry("ana", url, "v2"), tmp_path / "co", parse_deadline("2024-05-05T00:00"))
    assert got.folder is not None and "v2" in (got.folder / "Dockerfile").read_text()
    early = fetch(Entry("ana", url), tmp_path / "co", parse_deadline("2024-04-30T00:00:00Z"))
    assert early.folder is None and early.missing and "before the deadline" in early.missing


def test_a_failed_clone_is_an_error_not_an_exception(tmp_path: Path) -> None:
    got = fetch(Entry("ana", (tmp_path / "none.git").as_uri()), tmp_path / "co", None)
    assert got.folder is None and got.error and got.error.startswith("git clone failed")


def test_deadline_parsing() -> None:
    utc = parse_deadline("2024-05-01T23:59:00Z")
    assert utc == datetime(2024, 5, 1, 23, 59, tzinfo=timezone.utc)
    assert parse_deadline("2024-05-01T23:59").tzinfo is not None  # naive means local time
    with pytest.raises(UsageError, match="ISO 8601"):
        parse_deadline("tomorrow")
