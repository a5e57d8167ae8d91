"""How many gradings a batch runs at once: as many as the work allows, not one per core.

Most of a grading is waiting (the readiness wait, the lab's "keeps running" window, HTTP
probes), during which it uses no CPU; so a batch runs `WAITING_FACTOR` gradings per core by
default. What does use the machine's cores, the image build, passes a gate of one slot per core
(`graders.batch.gate`). What could still be overdriven is Docker's engine: the workers time its
quick API calls (inspect, create, start, remove) into a shared `ApiMeter`, and `Throttle` lowers
the number of gradings in flight while their response times are high, and raises it again
when they fall. `--jobs N` caps all of it (N workers at most).
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass, field
from multiprocessing.context import BaseContext
from typing import Any

WAITING_FACTOR = 4.5
"""Gradings in flight per core by default (rounded). On 2 cores, 20 cached day2-apache answers
took 37.9 s with 2 workers, ~16 s with 8 and ~13.5 s with 9 (issue 17, docs/benchmarks.md, "A
class"). Each worker costs ~11-12 MB of its own memory: 9 keep the batch's process tree at
137-147 MB for 20 to 200 students, 10 took it to 148-150 MB, the limit the issue sets."""
SLOW_API = 0.5
"""Seconds: when the smoothed response time of Docker's quick calls exceeds it, back off."""
FAST_API = 0.15
"""Seconds: below it, let one more grading in (up to the cap)."""
SETTLE = 2.0
"""Seconds between two changes of the number in flight (a change takes a while to show)."""
SMOOTHING = 0.2
"""Weight of a new response time in the moving average."""


def cpu_count() -> int:
    """The cores this process may run on."""
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


def default_jobs(cpus: int | None = None) -> int:
    """Workers when `--jobs` is not given: `WAITING_FACTOR` per core (9 on 2 cores)."""
    return max(1, round(max(1, cpus or cpu_count()) * WAITING_FACTOR))


@dataclass
class Throttle:
    """The number of gradings allowed in flight: `cap` at first, down to `floor` (one per core)
    while Docker answers slowly, back up by one at a time when it is fast again."""

    cap: int
    floor: int
    allowed: int = 0
    changed: float = field(default=float("-inf"))
    backoffs: int = 0

    def __post_init__(self) -> None:
        self.cap = max(1, self.cap)
        self.floor = max(1, min(self.floor, self.cap))
        self.allowed = self.allowed or self.cap

    def observe(self, response: float | None, now: float) -> int:
        """Take the latest smoothed response time (None: nothing measured yet); the number
        now allowed in flight."""
        if response is None or now - self.changed < SETTLE:
            return self.allowed
        if response > SLOW_API and self.allowed > self.floor:
            self.allowed = max(self.floor, self.allowed - max(1, self.allowed // 4))
            self.changed, self.backoffs = now, self.backoffs + 1
        elif response < FAST_API and self.allowed < self.cap:
            self.allowed += 1
            self.changed = now
        return self.allowed


class ApiMeter:
    """The smoothed response time of Docker's quick calls, shared by the batch and its forked
    workers (a few bytes of shared memory)."""

    def __init__(self, ctx: BaseContext) -> None:
        self._values: Any = ctx.Array("d", [0.0, 0.0])  # smoothed seconds, calls seen

    def record(self, seconds: float) -> None:
        with self._values.get_lock():
            mean, calls = self._values[0], self._values[1]
            self._values[0] = seconds if calls == 0 else mean + SMOOTHING * (seconds - mean)
            self._values[1] = calls + 1

    def read(self) -> float | None:
        with self._values.get_lock():
            return None if self._values[1] == 0 else float(self._values[0])


QUICK_CALLS = frozenset({"inspect_container", "inspect_image", "create_container",
                         "start_container", "remove_container"})
"""The engine calls timed: short requests whose time is the engine's, not the student's (a
build, an exec or a log read take as long as the submission makes them)."""


def timed(meter: ApiMeter, call: Any) -> Any:
    def run(*args: Any, **kwargs: Any) -> Any:
        t0 = time.monotonic()
        try:
            return call(*args, **kwargs)
        finally:
            meter.record(time.monotonic() - t0)
    return run
