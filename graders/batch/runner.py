"""`labgrade batch`: grade a roster with N workers, resumable, into one out folder.

Resume rule: a student is graded again only when new, when the submission's content hash
changed, with `--force`, or with `--only-failed` when below full marks or errored. Results are
committed to the store one student at a time, so nothing finished is ever graded twice.
"""

from __future__ import annotations

import contextlib
import fcntl
import time
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime
from functools import partial
from pathlib import Path
from typing import TextIO

from graders.batch import repush, serial
from graders.batch.outputs import for_student, ungraded_result, write_student, write_summaries
from graders.batch.pool import Connect, GradeFn, Outcome, Pool, Task, make_backend
from graders.batch.progress import FETCHING, GRADING, NOTHING_TO_GRADE, SLOW_DOCKER, Progress
from graders.batch.roster import Entry, in_shard, load_roster
from graders.batch.source import Fetched, content_hash, fetch
from graders.batch.store import FILENAME, Record, Store
from graders.batch.throttle import cpu_count, default_jobs
from graders.engine.run import GradeOptions
from graders.errors import UsageError
from graders.i18n import Lang, shown
from graders.results import Status
from graders.spec import Lab

TIMEOUT_MARGIN = 120.0


@dataclass(frozen=True)
class BatchConfig:
    lab: Lab
    roster: Path
    out: Path
    jobs: int | None = None
    """Workers at most; None: `default_jobs()` (graders/batch/throttle.py)."""
    force: bool = False
    only_failed: bool = False
    deadline: datetime | None = None
    shard: tuple[int, int] | None = None
    hosts: tuple[str, ...] = ()
    backend: str = "sdk"
    timeout: float | None = None
    """Hard limit per student (default: the lab's build + ready + run time-outs + 2 min)."""
    lang: Lang = "en"
    command: str = ""
    registry: str | None = None
    """The registry pushed images are looked up in (`--registry`); None: Docker Hub."""


@dataclass(frozen=True)
class BatchReport:
    records: list[Record]
    """The latest result of every student in the (sharded) roster."""
    graded: int
    skipped: int
    seconds: float

    peak: int = 0
    """The most gradings in flight at once."""

    @property
    def errored(self) -> list[Record]:
        return [r for r in self.records if r.status is Status.ERROR]


def default_timeout(lab: Lab) -> float:
    build = lab.build.timeout if lab.build else 0.0
    run = (lab.run.ready.timeout + lab.run.timeout) if lab.run else 0.0
    return build + run + TIMEOUT_MARGIN


@contextlib.contextmanager
def out_lock(out: Path) -> Iterator[None]:
    """One batch per out folder. A POSIX lock: released when the holder dies, even by kill -9,
    and not inherited by forked workers (who may outlive it by a few seconds of clean-up)."""
    with open(out / ".lock", "a+") as f:
        try:
            fcntl.lockf(f, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            raise UsageError(f"Another labgrade batch is writing to {out}; wait for it to end "
                             "or use another --out.") from None
        yield


def jobs(cfg: BatchConfig) -> int:
    """The workers of this batch: `--jobs`, else `default_jobs()`."""
    return cfg.jobs or default_jobs()


def needs_grading(prev: Record | None, digest: str, cfg: BatchConfig) -> bool:
    if prev is None or cfg.force or prev.content_hash != digest:
        return True
    return cfg.only_failed and not prev.full_marks


def run_batch(cfg: BatchConfig, stderr: TextIO, grade_fn: GradeFn | None = None,
              connect: Connect | None = None) -> BatchReport:
    """Grade the roster into `cfg.out`. `grade_fn` and `connect` replace the engine and the
    Docker connection (tests)."""
    t0 = time.monotonic()
    refused: list[str] = []  # roster lines left out (a line break in a name): said, not fatal
    entries = in_shard(load_roster(cfg.roster, refused), cfg.shard)
    for line in refused:
        stderr.write(f"labgrade: {line}\n")
    cfg.out.mkdir(parents=True, exist_ok=True)
    with out_lock(cfg.out), Store(cfg.out / FILENAME) as store:
        others = store.labs() - {cfg.lab.id}
        if others:
            raise UsageError(f"{cfg.out} holds results of lab {sorted(others)[0]}; give each "
                             "lab its own --out folder.")
        previous = store.latest(cfg.lab.id)
        batch_id = uuid.uuid4().hex[:12]
        store.begin_run(batch_id, cfg.lab.id, cfg.command,
                        None if cfg.shard is None else "{}/{}".format(*cfg.shard))
        state, graded, skipped, peak = "interrupted", 0, 0, 0
        try:
            tasks: list[tuple[Task, tuple[str, str]]] = []
            for entry, got, digest in _fetch_all(entries, cfg, stderr):
                if got.folder is None or digest is None:
                    why = got.missing or got.error or "not fetched"
                    _save(store, cfg, Record(entry.student, ungraded_result(
                        cfg.lab, entry.student, why, missing=got.missing is not None),
                        batch_id, time.time(), None, entry.source, got.error))
                    graded += 1
                elif needs_grading(previous.get(entry.student), digest, cfg):
                    source = entry.source + (f"@{got.commit}" if got.commit else "")
                    run_id = batch_id[:6] + uuid.uuid4().hex[:10]  # traceable to its batch
                    tasks.append((Task(entry.student, str(got.folder), run_id),
                                  (digest, source)))
                else:
                    skipped += 1
            done, peak = _grade(store, cfg, batch_id, tasks, previous, stderr, grade_fn,
                                connect or partial(make_backend, cfg.backend))
            graded += done
            state = "finished"
        finally:
            store.finish_run(batch_id, state)
            latest = store.latest(cfg.lab.id)
            records = [latest[e.student] for e in entries if e.student in latest]
            if records:
                write_summaries(cfg.out, records, cfg.lab.id, cfg.lab.title, cfg.lang)
    return BatchReport(records, graded, skipped, time.monotonic() - t0, peak)


def _fetch_all(entries: list[Entry], cfg: BatchConfig,
               stderr: TextIO) -> list[tuple[Entry, Fetched, str | None]]:
    """Clone git submissions (in parallel) and hash every submission."""
    def one(entry: Entry) -> tuple[Entry, Fetched, str | None]:
        try:  # one student's submission never stops the others' grading
            got = fetch(entry, cfg.out / "checkouts", cfg.deadline)
            return entry, got, None if got.folder is None else content_hash(got.folder)
        except Exception as e:
            return entry, Fetched(None, error=f"could not read the submission: "
                                  f"{type(e).__name__}: {shown(str(e))}"), None

    clones = sum(e.is_git for e in entries)
    if clones:
        stderr.write(FETCHING.format(count=clones)(cfg.lang) + "\n")
    with ThreadPoolExecutor(max_workers=max(4, jobs(cfg))) as ex:
        return list(ex.map(one, entries))


def _grade(store: Store, cfg: BatchConfig, batch_id: str,
           tasks: list[tuple[Task, tuple[str, str]]], previous: dict[str, Record],
           stderr: TextIO, grade_fn: GradeFn | None, connect: Connect) -> tuple[int, int]:
    """Grade `tasks`; how many, and the most that were in flight at once."""
    if not tasks:
        stderr.write(NOTHING_TO_GRADE(cfg.lang) + "\n")
        return 0, 0
    extra = {task.student: meta for task, meta in tasks}
    progress = Progress(len(tasks), stderr, cfg.lang)
    progress.say(GRADING.format(count=len(tasks), lab=cfg.lab.id,
                                workers=min(jobs(cfg), len(tasks)),
                                building=cpu_count())(cfg.lang))
    pool = Pool(cfg.lab, jobs(cfg), list(cfg.hosts), connect, GradeOptions(registry=cfg.registry),
                cfg.timeout or default_timeout(cfg.lab), grade_fn)
    try:
        for outcome in pool.run(task for task, _ in tasks):
            digest, source = extra[outcome.task.student]
            record, repushed = repush.annotate(_record(cfg, batch_id, outcome, digest, source),
                                               previous.get(outcome.task.student))
            _save(store, cfg, record)
            for change in repushed:
                progress.say(change.line(cfg.lang))
            progress.tick(record)
        if pool.throttle.backoffs:
            progress.say(SLOW_DOCKER.format(times=pool.throttle.backoffs,
                                            now=pool.throttle.allowed)(cfg.lang))
    finally:
        progress.close()
        pool.close()
    return len(tasks), pool.peak


def _record(cfg: BatchConfig, batch_id: str, outcome: Outcome, digest: str,
            source: str) -> Record:
    student = outcome.task.student
    if outcome.result is None:
        result = ungraded_result(cfg.lab, student, outcome.error or "unknown error")
    else:
        result = for_student(serial.from_dict(outcome.result), student)
    return Record(student, result, batch_id, time.time(), digest, source, outcome.error)


def _save(store: Store, cfg: BatchConfig, record: Record) -> None:
    """Reports first, then the commit: a crash in between only means grading it again."""
    write_student(cfg.out, record, cfg.lang)
    store.add(record)
