"""Batch outputs without Docker: serialisation, the store, gradebook, summaries, merge."""

from __future__ import annotations

import csv
import io
import json
import sqlite3
from collections.abc import Iterable
from dataclasses import replace
from html.parser import HTMLParser
from pathlib import Path

from graders.batch import serial
from graders.batch.gradebook import compute, gradebook_csv, summary_md
from graders.batch.html import summary_html
from graders.batch.merge import merge
from graders.batch.outputs import ungraded_result, write_student, write_summaries
from graders.batch.store import FILENAME, Record, Store
from graders.i18n import Text
from graders.results import BuildInfo, CheckResult, LabResult, Status
from graders.spec import Lab, load_lab

LAB = load_lab("day2-apache")
IDS = [c.id for c in LAB.checks if not c.live]


def make_result(lab: Lab, failed: Iterable[str] = (), errored: Iterable[str] = (),
                submission: str = "x") -> LabResult:
    """A result of `lab` where the named checks failed or errored and the rest passed."""
    failed, errored = set(failed), set(errored)
    checks = []
    for s in lab.checks:
        if s.live:
            continue
        status = (Status.ERROR if s.id in errored else Status.FAILED if s.id in failed
                  else Status.PASSED)
        score = s.points if status is Status.PASSED else 0.0
        details = "Traceback (most recent call last):\nRuntimeError: boom" \
            if s.id in errored else ""
        checks.append(CheckResult(s.id, s.title, s.type, status, score, s.points, s.hidden,
                                  Text("m <b>", "m <b>"), "exp", "act", s.hint, details, 3))
    return LabResult(lab.id, lab.title, submission, tuple(checks),
                     BuildInfo(Status.PASSED, 1.5, "log", "sha256:1", None, None), 2.0, "r1")


def rec(student: str, failed: Iterable[str] = (), errored: Iterable[str] = (),
        at: float = 1.0, run: str = "b1", error: str | None = None) -> Record:
    return Record(student, make_result(LAB, failed, errored, student), run, at, "h-" + student,
                  "/src/" + student, error)


def test_serial_round_trip_is_lossless() -> None:
    result = make_result(LAB, failed=["exposes-80"], errored=["serves-http"])
    data = json.loads(json.dumps(serial.to_dict(result)))
    assert serial.from_dict(data) == result


def test_serial_round_trip_keeps_expected_words_and_literals() -> None:
    """An expected/actual in both languages (a Text) comes back as a Text, a literal as a str."""
    base = make_result(LAB, failed=["exposes-80"])
    words = Text("um USER que não seja root", "a non-root USER")
    checks = tuple(replace(c, expected=words, actual="root") if c.status is Status.FAILED else c
                   for c in base.checks)
    result = replace(base, checks=checks)
    back = serial.from_dict(json.loads(json.dumps(serial.to_dict(result))))
    assert back == result
    assert any(c.expected == words and c.actual == "root" for c in back.checks)


def test_store_keeps_history_and_latest(tmp_path: Path) -> None:
    with Store(tmp_path / FILENAME) as store:
        store.begin_run("b1", LAB.id, "cmd", None)
        store.add(rec("ana", failed=["exposes-80"], at=1.0, run="b1"))
        store.add(rec("bia", at=1.0, run="b1"))
        store.add(rec("ana", at=2.0, run="b2"))
        latest = store.latest(LAB.id)
        assert sorted(latest) == ["ana", "bia"]
        assert latest["ana"].result.score == 100 and latest["ana"].full_marks
        assert [r.result.score for r in store.history("ana")] == [90, 100]
        assert store.labs() == {LAB.id}
    mode = sqlite3.connect(tmp_path / FILENAME).execute("PRAGMA journal_mode").fetchone()[0]
    assert mode == "wal"


def test_gradebook_columns_points_and_order() -> None:
    records = [rec("zé", failed=["exposes-80", "serves-http"]), rec("ana"),
               rec("bob, jr", errored=["base-image"])]
    rows = list(csv.reader(io.StringIO(gradebook_csv(records))))
    assert rows[0] == ["student", "score", "max", *IDS, "status"]
    assert [r[0] for r in rows[1:]] == ["ana", "bob, jr", "zé"]
    ze = dict(zip(rows[0], rows[3], strict=True))
    assert (ze["score"], ze["max"], ze["exposes-80"], ze["serves-http"], ze["status"]) == \
        ("80", "100", "0", "0", "failed")
    assert dict(zip(rows[0], rows[2], strict=True))["status"] == "error"
    assert gradebook_csv(list(reversed(records))) == gradebook_csv(records)  # deterministic


def test_stats_histogram_pass_rates_and_errors() -> None:
    records = [rec("a"), rec("b", failed=["exposes-80"]), rec("c", failed=IDS),
               rec("d", errored=["base-image"]), rec("e", error="git clone failed: nope")]
    records[-1] = Record("e", ungraded_result(LAB, "e", "git clone failed: nope"), "b1", 1.0,
                         None, "", "git clone failed: nope")
    s = compute(records)
    assert s.count == 5 and s.full_marks == 1 and s.possible == 100
    # Errored d and e count as students but not in the statistics: their 0 is not a score.
    assert s.histogram[9] == 2 and s.histogram[0] == 1 and sum(s.histogram) == 3
    assert (round(s.mean, 2), s.median) == (63.33, 90)
    expose = next(c for c in s.checks if c.id == "exposes-80")
    assert (expose.passed, expose.graded) == (1, 3)  # errored d and e are left out
    assert [who for who, _ in s.errored] == ["d", "e"]
    assert dict(s.errored)["d"] == "base-image: RuntimeError: boom"
    assert dict(s.errored)["e"] == "git clone failed: nope"


def test_summary_md_lists_checks_and_errors() -> None:
    text = summary_md([rec("a"), rec("b", errored=["base-image"])], LAB.id, LAB.title, "pt")
    assert text.startswith("# day2-apache:") and "Distribuição" in text
    assert "`exposes-80`" in text and "**b**" in text and "1/1 | 100%" in text


class _Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[str] = []
        self.links: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        self.links += [v or "" for k, v in attrs if k in ("src", "href")]


def test_summary_html_is_self_contained_and_escaped() -> None:
    hostile = "<script>alert(1)</script>"
    records = [rec("a"), rec("b", failed=["exposes-80"]),
               Record(hostile, ungraded_result(LAB, hostile, "boom <img src=x>"), "b1", 1.0,
                      None, "", "boom <img src=x>")]
    page = summary_html(records, LAB.id, LAB.title, "en")
    parser = _Tags()
    parser.feed(page)
    assert parser.tags.count("svg") == 2 and parser.tags.count("rect") >= 10
    assert "script" not in parser.tags and "img" not in parser.tags and not parser.links
    assert "&lt;script&gt;" in page and "Errored submissions (1)" in page


def test_write_outputs_and_merge_from_sqlite_and_records(tmp_path: Path) -> None:
    a, b = tmp_path / "a", tmp_path / "b"
    a.mkdir()
    with Store(a / FILENAME) as store:
        store.begin_run("b1", LAB.id, "", "1/2")
        for r in (rec("ana", run="b1"), rec("bia", failed=["exposes-80"], run="b1")):
            store.add(r)
            write_student(a, r, "en")
    write_student(b, rec("caio", failed=IDS, run="b2"), "en")  # a shard without its sqlite
    report = merge(tmp_path / "m", [a, b], "en")
    assert [r.student for r in report.records] == ["ana", "bia", "caio"] and report.new_rows
    for name in ("gradebook.csv", "junit.xml", "summary.md", "summary.html"):
        assert (tmp_path / "m" / name).stat().st_size > 0
    assert (tmp_path / "m" / "students" / "caio" / "result.json").exists()
    expected = gradebook_csv([rec("ana"), rec("bia", failed=["exposes-80"]),
                              rec("caio", failed=IDS)])
    assert (tmp_path / "m" / "gradebook.csv").read_text() == expected
    again = merge(tmp_path / "m", [a, b], "en")
    assert again.new_rows == 0  # idempotent
    write_summaries(tmp_path / "m", report.records, LAB.id, LAB.title, "en")
    assert (tmp_path / "m" / "junit.xml").read_text().count("<testsuite ") == 3
