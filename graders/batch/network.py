"""Each batch worker's own bridge network (G-ISO in docs/security.md).

On Docker's default bridge, the containers of two students graded at the same time can reach
each other: one could flood the other's web server while its readiness and HTTP checks run.
Containers on different bridge networks cannot (Docker isolates bridges from one another).
A network per worker, not per grading: a worker grades one student at a time and removes each
container before the next starts, and creating and removing a network costs ~0.25 s, which a
40-student batch would otherwise pay 40 times.

The network carries the worker's own run id, whose lock the worker holds while it lives, so
other runs' reapers leave it alone and the reaper removes it if the worker is killed outright.
"""

from __future__ import annotations

import contextlib

from graders.backends.base import DockerBackend
from graders.engine.cleanup import RunLock, run_labels, settle_run


class WorkerNetwork:
    """Created on first use (so a worker with nothing to grade creates nothing), removed by
    `close`, which never raises."""

    def __init__(self, run_id: str, lab_id: str) -> None:
        self.run_id, self.lab_id = run_id, lab_id
        self.name = f"labgrade-{run_id}"
        self._backend: DockerBackend | None = None
        self._lock: RunLock | None = None

    def ensure(self, backend: DockerBackend) -> str:
        if self._backend is None:
            self._lock = self._lock or RunLock(self.run_id).acquire()
            backend.create_network(self.name, run_labels(self.run_id, self.lab_id))
            self._backend = backend
        return self.name

    def close(self) -> None:
        with contextlib.suppress(Exception):
            if self._backend is not None:
                settle_run(self._backend, self.run_id, quiet=0.0)
        if self._lock is not None:
            self._lock.release()
        self._backend = self._lock = None
