"""Rosters and shards, without Docker."""

from __future__ import annotations

import collections
from pathlib import Path

import pytest

from graders.batch.roster import RosterError, in_shard, load_roster, parse_shard, shard_of
from graders.errors import UsageError


def _folders(root: Path, *names: str) -> Path:
    for name in names:
        (root / name).mkdir(parents=True)
        (root / name / "Dockerfile").write_text("FROM debian:12\n")
    return root


def test_folder_roster_is_sorted_and_skips_hidden(tmp_path: Path) -> None:
    roster = _folders(tmp_path / "r", "zoe", "ana", ".git", "João Silva")
    (roster / "notes.txt").write_text("ignored")
    entries = load_roster(roster)
    assert [e.student for e in entries] == ["João Silva", "ana", "zoe"]  # code-point order
    assert all(not e.is_git and Path(e.source).is_dir() for e in entries)


def test_csv_roster_paths_git_urls_refs_header_and_comments(tmp_path: Path) -> None:
    _folders(tmp_path, "subs/ana")
    csv = tmp_path / "roster.csv"
    csv.write_text("student,source,ref\n# a comment\n\nana,subs/ana\n"
                   "bia,https://example.invalid/bia.git,main\n"
                   "caio,git@example.invalid:caio/lab.git\n"
                   "dani,file:///srv/dani.git,v1.0\n", encoding="utf-8")
    entries = load_roster(csv)
    assert [(e.student, e.is_git, e.ref) for e in entries] == [
        ("ana", False, None), ("bia", True, "main"), ("caio", True, None), ("dani", True, "v1.0")]
    assert entries[0].source == str((tmp_path / "subs" / "ana").resolve())
    assert entries[1].line == 5


@pytest.mark.parametrize(("text", "fragment"), [
    ("ana\n", "got 1 column"),
    ("ana,a,b,c\n", "got 4 column"),
    ("ana,https://x.invalid/a.git\nANA,https://x.invalid/b.git\n", "appears lines 1 and 2"),
    ("../evil,https://x.invalid/a.git\n", "cannot be a folder name"),
    (".hidden,https://x.invalid/a.git\n", "cannot be a folder name"),
    (",https://x.invalid/a.git\n", "empty"),
    ("ana,\n", "no path or git URL"),
    ("ana,--upload-pack=evil\n", "may not start with '-'"),
    ("ana,https://x.invalid/a.git,--evil\n", "may not start with '-'"),
    ("ana,subs,main\n", "only makes sense with a git URL"),
    ("# only a comment\n", "lists no submissions"),
])
def test_bad_csv_rosters_are_rejected_with_one_line(tmp_path: Path, text: str,
                                                     fragment: str) -> None:
    (tmp_path / "subs").mkdir()
    csv = tmp_path / "roster.csv"
    csv.write_text(text)
    with pytest.raises(RosterError) as info:
        load_roster(csv)
    message = str(info.value)
    assert fragment in message and "\n" not in message and info.value.exit_status == 2


def test_bad_folder_rosters(tmp_path: Path) -> None:
    with pytest.raises(RosterError, match="does not exist"):
        load_roster(tmp_path / "nope")
    (tmp_path / "empty").mkdir()
    with pytest.raises(RosterError, match="lists no submissions"):
        load_roster(tmp_path / "empty")
    one = tmp_path / "one"
    one.mkdir()
    (one / "Dockerfile").write_text("FROM x\n")
    with pytest.raises(RosterError, match="looks like one submission"):
        load_roster(one)
    bad = tmp_path / "bad"
    (bad / "-rf").mkdir(parents=True)
    with pytest.raises(RosterError, match="rename the folder"):
        load_roster(bad)
    latin = tmp_path / "latin1.csv"
    latin.write_bytes("jos\xe9,x\n".encode("latin-1"))
    with pytest.raises(RosterError, match="UTF-8"):
        load_roster(latin)


@pytest.mark.parametrize("text", ["0/2", "3/2", "1", "a/b", "1/0", ""])
def test_bad_shards(text: str) -> None:
    with pytest.raises(UsageError, match="K/N"):
        parse_shard(text)


def test_shards_partition_the_roster_stably(tmp_path: Path) -> None:
    assert parse_shard(" 2 / 4 ") == (2, 4)
    roster = _folders(tmp_path / "r", *(f"s{i:03d}" for i in range(200)))
    entries = load_roster(roster)
    slices = [in_shard(entries, (k, 4)) for k in range(1, 5)]
    names = [e.student for part in slices for e in part]
    assert sorted(names) == sorted(e.student for e in entries)  # every student exactly once
    assert all(25 <= len(part) <= 75 for part in slices)  # roughly even
    # Stable across runs and machines: a known value, not Python's salted hash().
    assert shard_of("ana", 2) == shard_of("ana", 2) and shard_of("s000", 4) == 1
    assert collections.Counter(shard_of(e.student, 1) for e in entries) == {1: 200}
    assert in_shard(entries, None) == entries


def test_a_missing_folder_in_a_csv_is_that_students_error_alone(tmp_path: Path) -> None:
    """One bad path in a class's CSV must not stop the class: the others are graded."""
    from graders.batch.source import fetch

    _folders(tmp_path, "subs/ana")
    csv = tmp_path / "roster.csv"
    csv.write_text("ana,subs/ana\nbia,subs/bia\n", encoding="utf-8")
    ana, bia = load_roster(csv)
    assert fetch(ana, tmp_path / "co", None).folder is not None
    got = fetch(bia, tmp_path / "co", None)
    assert got.folder is None and got.error is not None
    assert "subs/bia does not exist (roster line 2)" in got.error
