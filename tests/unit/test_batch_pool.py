"""Batch workers stop when told, even when the KeyboardInterrupt that SIGTERM raises is lost,
and when the batch process is gone though their pipe stays open (no Docker: a fake engine)."""

from __future__ import annotations

import multiprocessing
import os
import signal
import time
from pathlib import Path
from typing import Any

import pytest

from graders.batch import pool
from graders.batch.pool import Pool, Task
from graders.engine.run import GradeOptions
from graders.results import LabResult
from graders.spec import Lab
from tests.unit.fake_backend import FakeBackend
from tests.unit.test_batch_gradebook import LAB, make_result


class SignalInFinalizer:
    """Garbage collected while SIGTERM arrives: the handler's KeyboardInterrupt is raised inside
    __del__, where Python prints it and drops it (as it did in urllib3's pool finalizer)."""

    def __del__(self) -> None:
        os.kill(os.getpid(), signal.SIGTERM)


def grade_swallowing_sigterm(lab: Lab, folder: Path, _backend: Any,
                             _options: GradeOptions) -> LabResult:
    SignalInFinalizer()  # collected at once: the SIGTERM's exception is lost
    return make_result(lab, submission=str(folder))


def test_a_worker_whose_sigterm_was_swallowed_still_stops(tmp_path: Path) -> None:
    workers = Pool(LAB, 1, connect=lambda _host: object(), grade_fn=grade_swallowing_sigterm)
    try:
        [outcome] = list(workers.run([Task("ana", str(tmp_path), "r1")]))
        assert outcome.error is None  # the grading itself finished and was reported
        proc = workers.workers[0].proc
        proc.join(5)
        assert not proc.is_alive()  # it does not wait for another task
    finally:
        workers.close()


def test_next_task_returns_none_when_the_batch_process_is_gone() -> None:
    mine, theirs = multiprocessing.Pipe()
    try:
        t0 = time.monotonic()
        assert pool._next_task(theirs, parent=-1, poll=0.05) is None  # not our parent
        assert time.monotonic() - t0 < 2
        task = Task("ana", "/x", "r1")
        mine.send(task)
        assert pool._next_task(theirs, parent=os.getppid(), poll=0.05) == task
        mine.send(None)
        assert pool._next_task(theirs, parent=os.getppid(), poll=0.05) is None
    finally:
        mine.close()
        theirs.close()


def test_next_task_returns_none_once_stopping(monkeypatch: pytest.MonkeyPatch) -> None:
    mine, theirs = multiprocessing.Pipe()
    monkeypatch.setattr(pool, "_stopping", True)
    try:
        mine.send(Task("ana", "/x", "r1"))  # queued, but the worker was told to stop
        assert pool._next_task(theirs, parent=os.getppid(), poll=0.05) is None
    finally:
        mine.close()
        theirs.close()


def grade_slowly_if_told(lab: Lab, folder: Path, _backend: Any,
                         _options: GradeOptions) -> LabResult:
    time.sleep(6 if folder.name == "slow" else 0)
    return make_result(lab, submission=str(folder))


def test_a_worker_with_nothing_left_to_grade_leaves_while_another_still_grades(
        tmp_path: Path) -> None:
    """Its network goes with it then, not in a queue of removals at the very end (Docker
    removes networks one at a time: eight took 1.9 s after the last grading)."""
    import threading

    (tmp_path / "slow").mkdir()
    (tmp_path / "fast").mkdir()
    workers = Pool(LAB, 2, connect=lambda _host: FakeBackend(), grade_fn=grade_slowly_if_told)
    outcomes: list[Any] = []
    consumer = threading.Thread(target=lambda: outcomes.extend(workers.run(
        [Task("slow", str(tmp_path / "slow"), "r1"), Task("fast", str(tmp_path / "fast"), "r2")])))
    try:
        consumer.start()
        deadline = time.monotonic() + 5
        while not outcomes and time.monotonic() < deadline:
            time.sleep(0.05)
        assert [(o.task.student, o.error) for o in outcomes] == [("fast", None)]
        idle = next(w for w in workers.workers if w.task is None)
        idle.proc.join(3)
        assert not idle.proc.is_alive()  # gone...
        assert consumer.is_alive()  # ...while the slow one still grades
        consumer.join(15)
        assert [o.task.student for o in outcomes] == ["fast", "slow"]
    finally:
        consumer.join(15)
        workers.close()
