"""The batch store: an SQLite file in the out folder holding every grading, history included.

One writer (the batch's main process) commits once per student, in WAL mode, so a crash, a
kill -9 or Ctrl-C loses no finished result. A regrade adds a row; the gradebook reads the
latest row per student, and earlier scores stay for `history()`.
"""

from __future__ import annotations

import json
import sqlite3
import time
from dataclasses import dataclass
from pathlib import Path

from graders.batch import serial
from graders.batch.serial import utf8
from graders.results import LabResult, Status

SCHEMA = """
CREATE TABLE IF NOT EXISTS runs (
  run_id TEXT PRIMARY KEY, lab TEXT NOT NULL, started_at REAL NOT NULL, finished_at REAL,
  status TEXT NOT NULL DEFAULT 'running', command TEXT, shard TEXT, grader TEXT);
CREATE TABLE IF NOT EXISTS results (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  run_id TEXT NOT NULL, lab TEXT NOT NULL, student TEXT NOT NULL, graded_at REAL NOT NULL,
  score REAL NOT NULL, possible REAL NOT NULL, status TEXT NOT NULL, content_hash TEXT,
  source TEXT, error TEXT, duration_s REAL, result TEXT NOT NULL,
  UNIQUE (run_id, student));
CREATE INDEX IF NOT EXISTS results_by_student ON results (lab, student, graded_at);
"""
COLUMNS = ("run_id, lab, student, graded_at, score, possible, status, content_hash, source, "
           "error, duration_s, result")
FILENAME = "labgrade.sqlite"


@dataclass(frozen=True)
class Record:
    """One student's grading in one batch run. `error` says why the batch itself (not the
    engine) gave an ERROR result: a failed clone, a worker that died, a time-out."""

    student: str
    result: LabResult
    run_id: str
    graded_at: float
    content_hash: str | None = None
    source: str = ""
    error: str | None = None

    @property
    def status(self) -> Status:
        return self.result.status

    @property
    def full_marks(self) -> bool:
        return self.status is Status.PASSED and self.result.score >= self.result.possible


class Store:
    def __init__(self, path: Path) -> None:
        self.path = path
        self.db = sqlite3.connect(str(path), timeout=30.0)
        self.db.execute("PRAGMA journal_mode=WAL")
        self.db.execute("PRAGMA synchronous=FULL")
        self.db.executescript(SCHEMA)
        self.db.commit()

    def close(self) -> None:
        self.db.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    # --- runs ------------------------------------------------------------------------------
    def begin_run(self, run_id: str, lab: str, command: str, shard: str | None) -> None:
        from graders.reporters.base import grader_version

        with self.db:
            self.db.execute("INSERT INTO runs (run_id, lab, started_at, command, shard, grader) "
                            "VALUES (?, ?, ?, ?, ?, ?)",
                            (run_id, lab, time.time(), command, shard, grader_version()))

    def finish_run(self, run_id: str, status: str) -> None:
        with self.db:
            self.db.execute("UPDATE runs SET finished_at = ?, status = ? WHERE run_id = ?",
                            (time.time(), status, run_id))

    def labs(self) -> set[str]:
        rows = self.db.execute("SELECT lab FROM runs UNION SELECT lab FROM results")
        return {r[0] for r in rows}

    # --- results ---------------------------------------------------------------------------
    def add(self, record: Record) -> None:
        """Insert and commit: when this returns, the result survives any crash."""
        r = record.result
        row = (record.run_id, r.lab, record.student, record.graded_at, r.score, r.possible,
               record.status.value, record.content_hash, utf8(record.source),
               None if record.error is None else utf8(record.error),
               r.duration_s, utf8(json.dumps(serial.to_dict(r), ensure_ascii=False)))
        with self.db:
            self.db.execute(f"INSERT OR REPLACE INTO results ({COLUMNS}) VALUES "
                            f"({', '.join('?' * 12)})", row)

    def latest(self, lab: str | None = None) -> dict[str, Record]:
        """Each student's most recent result (of `lab`, or of the only lab stored)."""
        query = (f"SELECT {COLUMNS} FROM results r WHERE r.id = (SELECT id FROM results s "
                 "WHERE s.lab = r.lab AND s.student = r.student "
                 "ORDER BY graded_at DESC, id DESC LIMIT 1)")
        params: tuple[str, ...] = ()
        if lab is not None:
            query, params = query + " AND r.lab = ?", (lab,)
        return {rec.student: rec for rec in map(_record, self.db.execute(query, params))}

    def history(self, student: str, lab: str | None = None) -> list[Record]:
        """Every grading of one student, oldest first."""
        query = f"SELECT {COLUMNS} FROM results WHERE student = ?"
        params: tuple[str, ...] = (student,)
        if lab is not None:
            query, params = query + " AND lab = ?", (student, lab)
        return [_record(row) for row in self.db.execute(query + " ORDER BY graded_at, id", params)]

    def import_from(self, other: Path) -> int:
        """Copy another store's runs and results in (a shard's); idempotent. Returns how many
        results were new."""
        count = "SELECT count(*) FROM results"
        before = self.db.execute(count).fetchone()[0]
        src = sqlite3.connect(f"file:{other}?mode=ro", uri=True)
        try:
            runs = src.execute("SELECT run_id, lab, started_at, finished_at, status, command, "
                               "shard, grader FROM runs").fetchall()
            results = src.execute(f"SELECT {COLUMNS} FROM results ORDER BY graded_at, id")
            with self.db:
                self.db.executemany("INSERT OR IGNORE INTO runs VALUES (?,?,?,?,?,?,?,?)", runs)
                self.db.executemany(f"INSERT OR IGNORE INTO results ({COLUMNS}) VALUES "
                                    f"({', '.join('?' * 12)})", results)
        finally:
            src.close()
        return int(self.db.execute(count).fetchone()[0] - before)

    def add_run_if_missing(self, run_id: str, lab: str, when: float) -> None:
        with self.db:
            self.db.execute("INSERT OR IGNORE INTO runs (run_id, lab, started_at, status) "
                            "VALUES (?, ?, ?, 'imported')", (run_id, lab, when))


def _record(row: tuple[object, ...]) -> Record:
    (run_id, _lab, student, graded_at, _score, _possible, _status, content_hash, source, error,
     _duration, result) = row
    return Record(str(student), serial.from_dict(json.loads(str(result))), str(run_id),
                  float(str(graded_at)), None if content_hash is None else str(content_hash),
                  str(source or ""), None if error is None else str(error))
