"""Issue 16, items 3, 4 and 8 in the batch, with the fake engine (no Docker): a deep folder
chain or an unreadable entry does not stop the fingerprint walk, a lone surrogate never stops
record.json or the store, gradebook cells are never formulas, and a roster name with a quoted
line break is left out with a message while the others are graded."""

from __future__ import annotations

import csv
import io
import json
import os
from pathlib import Path

import pytest

from graders.batch.gradebook import csv_cell, gradebook_csv
from graders.batch.outputs import write_student
from graders.batch.roster import RosterError, load_roster
from graders.batch.runner import BatchConfig, run_batch
from graders.batch.source import content_hash
from graders.batch.store import FILENAME, Record, Store
from graders.i18n import Text
from tests.deep_folders import chain, remove_all
from tests.unit.test_batch_gradebook import LAB, make_result
from tests.unit.test_batch_runner import fake_grade, no_docker


@pytest.fixture(autouse=True)
def _no_deep_leftovers(tmp_path: Path):  # type: ignore[no-untyped-def]
    """Deep folder chains are removed here, iteratively: pytest's own clean-up recurses."""
    yield
    remove_all(tmp_path)




def test_fingerprint_walks_a_thousand_nested_folders(tmp_path: Path) -> None:
    (tmp_path / "s").mkdir()
    chain(tmp_path / "s", 1000, leaf="leaf.txt")
    first = content_hash(tmp_path / "s")
    assert first == content_hash(tmp_path / "s")  # stable
    (tmp_path / "s" / "x").write_text("y")
    assert content_hash(tmp_path / "s") != first


def test_fingerprint_is_unchanged_for_ordinary_submissions(tmp_path: Path) -> None:
    """The same digest as before the iterative walk, so a rerun does not regrade everyone."""
    sub = tmp_path / "s"
    (sub / "a").mkdir(parents=True)
    (sub / "Dockerfile").write_text("FROM x\n")
    (sub / "a" / "b.txt").write_text("b")
    os.symlink("a/b.txt", sub / "link")
    os.mkfifo(sub / "pipe")
    (sub / ".git").mkdir()
    (sub / ".git" / "HEAD").write_text("ref")
    import hashlib

    h = hashlib.sha256()
    for name, kind, data in sorted([("Dockerfile", b"F", b"FROM x\n"), ("a/b.txt", b"F", b"b"),
                                    ("link", b"L", b"a/b.txt"), ("pipe", b"O", b"")]):
        raw = name.encode()
        h.update(len(raw).to_bytes(8, "big") + raw)
        if kind == b"L":
            h.update(b"L" + len(data).to_bytes(8, "big") + data)
        elif kind == b"F":
            h.update(b"F" + len(data).to_bytes(8, "big") + data)
        else:
            h.update(b"O")
    assert content_hash(sub) == h.hexdigest()


def test_a_surrogate_never_stops_record_json_or_the_store(tmp_path: Path) -> None:
    bad = os.fsdecode(b"\xff\xfe-pipe")
    result = make_result(LAB, failed=[])
    check = result.checks[0]
    from dataclasses import replace

    result = replace(result, checks=(replace(check, message=Text(bad, bad), actual=bad),
                                     *result.checks[1:]))
    rec = Record("ana", result, "run1", 1.0, "h", source=bad, error=bad)
    write_student(tmp_path, rec, "en")
    raw = (tmp_path / "students" / "ana" / "record.json").read_bytes()
    assert b"\\udcff" in raw  # valid UTF-8: the byte as a JSON escape, read back losslessly
    assert json.loads(raw.decode("utf-8"))["source"] == bad
    with Store(tmp_path / FILENAME) as store:
        store.add(rec)
        assert store.latest()["ana"].source == "\\udcff\\udcfe-pipe"


@pytest.mark.parametrize("name", ["=HYPERLINK(\"http://x\")", "+1+2", "@SUM(A1)", "\tx", "\rx"])
def test_gradebook_cells_are_never_formulas(name: str) -> None:
    rec = Record(name, make_result(LAB, failed=[]), "r", 1.0)
    rows = list(csv.reader(io.StringIO(gradebook_csv([rec]), newline="")))
    assert rows[1][0] == "'" + name.replace("\r", "\\r")
    assert csv_cell("-1") == "-1" and csv_cell("12.5") == "12.5" and csv_cell("ana") == "ana"


def test_formula_names_from_a_roster_reach_the_gradebook_neutralised(tmp_path: Path) -> None:
    for name in ("=cmd", "+sum", "@x", "ana"):
        (tmp_path / "subs" / name).mkdir(parents=True)
    (tmp_path / "roster.csv").write_text("student,source\n" + "".join(
        f"{n},subs/{n}\n" for n in ("=cmd", "+sum", "@x", "ana")))
    cfg = BatchConfig(lab=LAB, roster=tmp_path / "roster.csv", out=tmp_path / "out", jobs=1)
    run_batch(cfg, io.StringIO(), grade_fn=fake_grade, connect=no_docker)
    text = (tmp_path / "out" / "gradebook.csv").read_text()
    firsts = [row[0] for row in csv.reader(io.StringIO(text))][1:]
    assert sorted(firsts) == sorted(["'=cmd", "'+sum", "'@x", "ana"])


def test_a_quoted_line_break_in_a_roster_name_is_left_out_with_a_message(tmp_path: Path) -> None:
    for name in ("ana", "bia", "caio"):
        (tmp_path / "subs" / name).mkdir(parents=True)
    roster = tmp_path / "roster.csv"
    roster.write_text('student,source\nana,subs/ana\n"bia\ncaio",subs/bia\ncaio,subs/caio\n')
    with pytest.raises(RosterError, match="line break"):
        load_roster(roster)
    refused: list[str] = []
    entries = load_roster(roster, refused)
    assert [e.student for e in entries] == ["ana", "caio"]
    assert entries[1].line == 5 and "roster.csv:3" in refused[0]
    err = io.StringIO()
    cfg = BatchConfig(lab=LAB, roster=roster, out=tmp_path / "out", jobs=1)
    report = run_batch(cfg, err, grade_fn=fake_grade, connect=no_docker)
    assert sorted(r.student for r in report.records) == ["ana", "caio"]
    assert "holds a line break" in err.getvalue()


def test_an_unreadable_submission_is_that_students_error_only(tmp_path: Path,
                                                              monkeypatch: pytest.MonkeyPatch
                                                              ) -> None:
    for name in ("ana", "bia"):
        (tmp_path / "roster" / name).mkdir(parents=True)
    import graders.batch.runner as runner

    real = runner.content_hash

    def flaky(folder: Path) -> str:
        if folder.name == "bia":
            raise PermissionError(13, "Permission denied", os.fsdecode(b"bia/\xff"))
        return real(folder)

    monkeypatch.setattr(runner, "content_hash", flaky)
    cfg = BatchConfig(lab=LAB, roster=tmp_path / "roster", out=tmp_path / "out", jobs=1)
    report = run_batch(cfg, io.StringIO(), grade_fn=fake_grade, connect=no_docker)
    by = {r.student: r for r in report.records}
    assert by["ana"].status.value != "error" and by["bia"].status.value == "error"
    assert "PermissionError" in (by["bia"].error or "")
