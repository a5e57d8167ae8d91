"""Issue 16, items 3, 4 and 8 through a real batch on the real engine: a FIFO named with bytes
that are not UTF-8 and a chain of 1,000 nested folders are each one student's FAILED result
(before the fix: UnicodeEncodeError writing record.json and RecursionError in the fingerprint
walk, the whole batch dead, and the same again on a rerun); a student named like a formula is
graded and lands in gradebook.csv as text."""

from __future__ import annotations

import csv
import io
import json
import os
from pathlib import Path

import pytest
from advkit import GOOD, INDEX, labelled, write_submission

from graders.batch.runner import BatchConfig, run_batch
from graders.batch.store import FILENAME, Store
from tests.deep_folders import chain, remove_all

pytestmark = pytest.mark.docker


@pytest.fixture(autouse=True)
def _no_deep_leftovers(tmp_path: Path):  # type: ignore[no-untyped-def]
    """pytest's own clean-up recurses: deep chains are removed here."""
    yield
    remove_all(tmp_path)


def test_round2_hostile_names_and_depth_fail_one_student_each(adv_lab, tmp_path: Path) -> None:
    roster = tmp_path / "roster"
    write_submission(roster / "=cmd", {"index.html": INDEX, "Dockerfile": GOOD})
    fifo = write_submission(roster / "fifo", {"index.html": INDEX, "Dockerfile": GOOD})
    os.mkfifo(os.path.join(os.fsencode(fifo), b"\xff\xfe-pipe"))
    deep = write_submission(roster / "deep", {"index.html": INDEX, "Dockerfile": GOOD})
    chain(deep, 1000)
    out = tmp_path / "out"
    cfg = BatchConfig(lab=adv_lab, roster=roster, out=out, jobs=1)
    report = run_batch(cfg, io.StringIO())
    by = {r.student: r for r in report.records}
    assert set(by) == {"=cmd", "fifo", "deep"}
    assert by["=cmd"].result.score == 100
    for student in ("fifo", "deep"):
        assert by[student].status.value == "failed", by[student].error
        assert by[student].result.score == 0
    assert "\\xff\\xfe-pipe is a special file" in by["fifo"].result.build.explanation.en
    assert "folders nested too deep" in by["deep"].result.build.explanation.en
    for student in by:
        json.loads((out / "students" / student / "record.json").read_text("utf-8"))
    with Store(out / FILENAME) as store:
        assert set(store.latest()) == set(by)
    rows = list(csv.reader(io.StringIO((out / "gradebook.csv").read_text(), newline="")))
    assert sorted(r[0] for r in rows[1:]) == ["'=cmd", "deep", "fifo"]
    again = run_batch(cfg, io.StringIO())  # a rerun: nothing changed, nothing crashes
    assert again.graded == 0 and again.skipped == 3
    for r in report.records:
        assert not any(labelled(r.result.run_id).values())
