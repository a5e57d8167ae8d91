"""The CPU gate of a batch: at most one image build per core at a time, across worker processes.

Builds are the part of a grading that keeps cores busy (the engine runs the RUN steps); the
rest waits. The gate's slots are files locked with flock: the kernel releases a slot when its
holder dies, even by kill -9, so a worker stopped at its time-out never leaves a slot taken.
`Paced` is the backend a worker grades through: the engine's own, with builds passing the
gate and quick calls timed into the batch's `ApiMeter` (graders/batch/throttle.py).
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from graders.batch.throttle import QUICK_CALLS, ApiMeter, timed

POLL = 0.05
"""Seconds between two looks for a free slot."""
PATIENCE = 60.0
"""Seconds a build waits for a slot before it goes ahead anyway: a class of long builds must
not push a student past the batch's time-out (build + run time-outs + 120 s) only by queueing."""


class CpuGate:
    def __init__(self, folder: Path, slots: int) -> None:
        self.folder, self.slots = folder, max(1, slots)
        folder.mkdir(parents=True, exist_ok=True)
        for i in range(self.slots):
            (folder / f"slot-{i}").touch()

    @contextlib.contextmanager
    def slot(self, patience: float = PATIENCE) -> Iterator[int | None]:
        """Hold a free slot for the block; yields its number, or None when none came free
        within `patience` seconds (the block then runs ungated)."""
        start = os.getpid() % self.slots  # spread first tries over the slots
        give_up = time.monotonic() + patience
        while True:
            for k in range(self.slots):
                i = (start + k) % self.slots
                fd = os.open(self.folder / f"slot-{i}", os.O_RDWR)
                try:
                    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                except OSError:
                    os.close(fd)
                    continue
                try:
                    yield i
                finally:
                    os.close(fd)  # closing the only descriptor releases the lock
                return
            if time.monotonic() >= give_up:
                yield None
                return
            time.sleep(POLL)


class Paced:
    """A worker's backend: `backend`, with builds through `gate` and quick calls timed."""

    def __init__(self, backend: Any, gate: CpuGate | None, meter: ApiMeter | None) -> None:
        self._backend, self._gate, self._meter = backend, gate, meter

    def build(self, *args: Any, **kwargs: Any) -> Any:
        if self._gate is None:
            return self._backend.build(*args, **kwargs)
        with self._gate.slot():
            return self._backend.build(*args, **kwargs)

    def __str__(self) -> str:
        return str(self._backend)

    def __getattr__(self, name: str) -> Any:
        value = getattr(self._backend, name)
        if self._meter is not None and name in QUICK_CALLS:
            return timed(self._meter, value)
        return value
