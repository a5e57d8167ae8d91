"""How many gradings a batch runs at once (graders/batch/throttle.py, gate.py), without Docker:
the default is several per core, builds take turns at one per core across processes, and the
number in flight falls while Docker answers slowly and rises again when it is fast."""

from __future__ import annotations

import multiprocessing
import os
import signal
import time
from pathlib import Path
from typing import Any

from graders.batch.gate import CpuGate, Paced
from graders.batch.pool import Pool, Task
from graders.batch.throttle import (
    FAST_API,
    SETTLE,
    SLOW_API,
    WAITING_FACTOR,
    ApiMeter,
    Throttle,
    cpu_count,
    default_jobs,
)
from graders.engine.run import GradeOptions
from graders.results import LabResult
from graders.spec import Lab
from tests.unit.test_batch_gradebook import LAB, make_result
from tests.unit.test_batch_runner import NoEngine

FORK = multiprocessing.get_context("fork")


def test_the_default_is_several_gradings_per_core() -> None:
    assert default_jobs(2) == round(2 * WAITING_FACTOR) == 9
    assert default_jobs() == round(cpu_count() * WAITING_FACTOR)
    assert default_jobs(1) >= 4


def test_slow_answers_lower_the_number_in_flight_down_to_one_per_core() -> None:
    t = Throttle(cap=8, floor=2)
    now = 0.0
    assert t.observe(None, now) == 8  # nothing measured yet: the cap
    assert t.observe(SLOW_API * 2, now) == 6  # a quarter less
    assert t.observe(SLOW_API * 2, now + SETTLE / 2) == 6  # not before it settles
    seen = [t.observe(SLOW_API * 2, now + SETTLE * k) for k in range(1, 6)]
    assert seen == [5, 4, 3, 2, 2]  # never below the floor
    assert t.backoffs == 5


def test_fast_answers_raise_it_again_one_at_a_time_up_to_the_cap() -> None:
    t = Throttle(cap=4, floor=1, allowed=1)
    seen = [t.observe(FAST_API / 2, SETTLE * k) for k in range(5)]
    assert seen == [2, 3, 4, 4, 4]
    between = Throttle(cap=4, floor=1, allowed=2)  # neither slow nor fast: stays
    assert between.observe((SLOW_API + FAST_API) / 2, 10.0) == 2


def test_jobs_caps_everything() -> None:
    t = Throttle(cap=1, floor=2)
    assert (t.allowed, t.floor) == (1, 1)
    assert t.observe(SLOW_API * 10, 100.0) == 1


def test_the_meter_is_shared_with_forked_workers() -> None:
    meter = ApiMeter(FORK)
    assert meter.read() is None
    proc = FORK.Process(target=meter.record, args=(0.4,))
    proc.start()
    proc.join(10)
    assert meter.read() == 0.4  # the first call sets it
    meter.record(0.0)
    value = meter.read()
    assert value is not None and 0.0 < value < 0.4  # later ones move it


def _hold(gate: CpuGate, log: Any, seconds: float) -> None:
    with gate.slot():
        with log.get_lock():
            log[0] += 1
            log[1] = max(log[1], log[0])
        time.sleep(seconds)
        with log.get_lock():
            log[0] -= 1


def test_builds_take_turns_one_per_slot_across_processes(tmp_path: Path) -> None:
    gate = CpuGate(tmp_path / "gate", 2)
    log = FORK.Array("i", [0, 0])  # holding now, most holding at once
    procs = [FORK.Process(target=_hold, args=(gate, log, 0.3)) for _ in range(6)]
    for p in procs:
        p.start()
    for p in procs:
        p.join(20)
    assert log[1] == 2


def test_a_slot_of_a_killed_worker_is_free_again(tmp_path: Path) -> None:
    gate = CpuGate(tmp_path / "gate", 1)
    log = FORK.Array("i", [0, 0])
    holder = FORK.Process(target=_hold, args=(gate, log, 60))
    holder.start()
    while log[0] == 0:
        time.sleep(0.01)
    os.kill(holder.pid or 0, signal.SIGKILL)
    holder.join(5)
    t0 = time.monotonic()
    with gate.slot(patience=5) as slot:
        assert slot == 0
    assert time.monotonic() - t0 < 1


def test_a_build_goes_ahead_ungated_after_waiting_its_patience(tmp_path: Path) -> None:
    gate = CpuGate(tmp_path / "gate", 1)
    with gate.slot(), gate.slot(patience=0.2) as second:
        assert second is None


class Recorder(NoEngine):
    def __init__(self) -> None:
        super().__init__()
        self.builds = 0

    def build(self, *_args: Any, **_kwargs: Any) -> str:
        self.builds += 1
        return "built"

    def inspect_container(self, _cid: str) -> dict[str, Any]:
        time.sleep(0.05)
        return {"State": {}}


def test_a_workers_backend_gates_builds_and_times_quick_calls(tmp_path: Path) -> None:
    engine, meter = Recorder(), ApiMeter(FORK)
    paced = Paced(engine, CpuGate(tmp_path / "gate", 1), meter)
    assert paced.build("ctx") == "built" and engine.builds == 1
    assert meter.read() is None  # a build is the student's time, not the engine's
    assert paced.inspect_container("c1") == {"State": {}}
    value = meter.read()
    assert value is not None and value >= 0.05
    assert paced.name == "fake"  # everything else is the engine's own


def _slow_grade(lab: Lab, folder: Path, _backend: Any, _options: GradeOptions) -> LabResult:
    time.sleep(0.6)  # waiting, as readiness and the stability window do
    return make_result(lab, submission=str(folder))


def test_more_gradings_than_cores_are_in_flight_when_they_wait(tmp_path: Path) -> None:
    pool = Pool(LAB, jobs=6, connect=lambda host: NoEngine(host), grade_fn=_slow_grade, cpus=2)
    try:
        t0 = time.monotonic()
        outcomes = list(pool.run(Task(f"s{i}", str(tmp_path), f"r{i}") for i in range(6)))
        took = time.monotonic() - t0
    finally:
        pool.close()
    assert all(o.error is None for o in outcomes) and len(outcomes) == 6
    assert pool.peak == 6
    assert took < 3 * 0.6  # not three rounds of two
