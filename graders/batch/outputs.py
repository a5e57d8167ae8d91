"""What a batch writes to its out folder: each student's reports as they finish, then the
class-wide gradebook, combined JUnit and summaries. Every file is written atomically."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path

from graders.atomic import write_atomic
from graders.batch import serial
from graders.batch.gradebook import gradebook_csv, summary_md
from graders.batch.html import summary_html
from graders.batch.serial import utf8
from graders.batch.store import Record
from graders.i18n import Lang, Text
from graders.reporters import get_reporter, render
from graders.results import BuildInfo, CheckResult, LabResult, Status
from graders.spec import Lab

STUDENTS = "students"
RECORD = "record.json"


def write_student(out: Path, record: Record, lang: Lang) -> None:
    """students/<student>/: result.json and junit.xml (instructor view), feedback.md (what the
    student may see) and record.json (lossless, what `labgrade merge` reads without SQLite)."""
    folder = out / STUDENTS / record.student
    write_atomic(folder / "result.json", utf8(render("json", record.result, lang)))
    write_atomic(folder / "junit.xml", utf8(render("junit", record.result, lang)))
    write_atomic(folder / "feedback.md",
                 utf8(render("markdown", record.result, lang, student_view=True)))
    data = {"student": record.student, "run_id": record.run_id, "graded_at": record.graded_at,
            "content_hash": record.content_hash, "source": record.source,
            "error": record.error, "result": serial.to_dict(record.result)}
    write_atomic(folder / RECORD, utf8(json.dumps(data, ensure_ascii=False, indent=1)) + "\n")


def read_record(path: Path) -> Record:
    data = json.loads(path.read_text(encoding="utf-8"))
    return Record(data["student"], serial.from_dict(data["result"]), data["run_id"],
                  float(data["graded_at"]), data.get("content_hash"), data.get("source", ""),
                  data.get("error"))


def write_summaries(out: Path, records: Sequence[Record], lab: str, title: Text,
                    lang: Lang) -> None:
    """gradebook.csv, junit.xml, summary.md and summary.html for these records."""
    recs = sorted(records, key=lambda r: r.student)
    write_atomic(out / "gradebook.csv", gradebook_csv(recs))
    junit = get_reporter("junit")()
    write_atomic(out / "junit.xml", junit.render_many([r.result for r in recs], lang))  # type: ignore[attr-defined]
    write_atomic(out / "summary.md", summary_md(recs, lab, title, lang))
    write_atomic(out / "summary.html", summary_html(recs, lab, title, lang))


def for_student(result: LabResult, student: str) -> LabResult:
    """The result named after the student (reports and JUnit suites), not a temporary path."""
    return replace(result, submission=student)


UNGRADED = Text("Esta entrega não pôde ser corrigida: {why}",
                "This submission could not be graded: {why}")
MISSING = Text("Nada foi entregue: {why}.", "Nothing was submitted: {why}.")


def ungraded_result(lab: Lab, student: str, why: str, missing: bool = False) -> LabResult:
    """A result for a submission the engine never saw: ERROR (ours: a failed clone, a dead
    worker, a time-out) or, when `missing`, FAILED with 0 points (nothing was submitted)."""
    status = Status.FAILED if missing else Status.ERROR
    message = (MISSING if missing else UNGRADED).format(why=why.strip().splitlines()[0])
    checks = tuple(
        CheckResult(s.id, s.title, s.type, status, 0.0, s.points, s.hidden, message,
                    details="" if missing else why, live=s.live)
        for s in lab.checks if not s.live)
    build = BuildInfo(Status.SKIPPED if missing or lab.build is None else Status.ERROR)
    return LabResult(lab.id, lab.title, student, checks, build)
