"""Worker processes: each grades one student at a time through `graders.engine.run.grade`.

Processes, not threads, because a process can be killed: a submission that hangs the grader
past its time-out, or a worker that dies, costs that student an ERROR result and nothing more.
Each worker opens its own Docker connection (to its `--docker-host`, round-robin) and gives
every grading a fresh run id, so image and container names never collide. Workers are forked
and never touch the parent's SQLite connection; they get SIGTERM (and so clean up their Docker
objects, as on Ctrl-C) when the batch process dies, even by kill -9.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import signal
import time
import traceback
import uuid
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field, replace
from multiprocessing.connection import Connection, wait
from pathlib import Path
from typing import Any

from graders.backends import preload
from graders.backends.base import DockerBackend
from graders.batch import serial
from graders.batch.gate import CpuGate, Paced
from graders.batch.network import WorkerNetwork
from graders.batch.throttle import ApiMeter, Throttle, cpu_count
from graders.engine.cleanup import mark_reaped, reap, settle_run
from graders.engine.run import GradeOptions
from graders.results import LabResult
from graders.spec import Lab

GradeFn = Callable[[Lab, Path, DockerBackend, GradeOptions], LabResult]
Connect = Callable[[str | None], DockerBackend]
"""Opens a backend to a Docker host (None: the environment's)."""
STOP_GRACE = 20.0
"""Seconds a stopped worker gets to remove its container and image before it is killed."""


@dataclass(frozen=True)
class Task:
    student: str
    folder: str
    run_id: str
    """The engine's run id for this grading: its images and containers carry it."""


@dataclass(frozen=True)
class Outcome:
    task: Task
    result: dict[str, Any] | None
    error: str | None = None
    seconds: float = 0.0


def make_backend(name: str, url: str | None) -> DockerBackend:
    """A backend connected to `url` (None: the environment's engine)."""
    from graders.backends import get_backend

    return get_backend(name, base_url=url) if url else get_backend(name)


def _worker(conn: Connection, parent: int, lab: Lab, host: str | None, connect: Connect,
            options: GradeOptions, grade_fn: GradeFn, network: WorkerNetwork | None,
            gate: CpuGate | None = None, meter: ApiMeter | None = None) -> None:
    _die_with_parent(parent)
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the batch process decides, then SIGTERMs us
    signal.signal(signal.SIGTERM, _interrupt)
    if host:
        os.environ["DOCKER_HOST"] = host
    backend: DockerBackend | None = None
    try:
        while (task := _next_task(conn, parent)) is not None:
            t0 = time.monotonic()
            try:
                backend = backend or Paced(connect(host), gate, meter)  # type: ignore[assignment]
                net = network.ensure(backend) if network else None
                result = grade_fn(lab, Path(task.folder), backend,
                                  replace(options, run_id=task.run_id, network=net))
                outcome = Outcome(task, serial.to_dict(result), None, time.monotonic() - t0)
            except Exception as e:  # this student's problem only
                text = f"{type(e).__name__}: {e}\n{traceback.format_exc()}"
                outcome = Outcome(task, None, text, time.monotonic() - t0)
            except KeyboardInterrupt:  # stopped mid-grading: the engine cleaned up what it
                sweep(backend, task.run_id)  # knew of; this also gets what it never learnt
                raise  # of (a container created as the signal came)
            conn.send(outcome)
    except (EOFError, OSError, KeyboardInterrupt):
        pass
    finally:
        if network is not None:
            network.close()


def sweep(backend: DockerBackend | None, run_id: str) -> None:
    """Remove whatever carries this stopped grading's run id, including what Docker finishes
    creating after we hung up (graders.engine.cleanup.settle_run). Never raises."""
    with contextlib.suppress(Exception):
        if backend is not None:
            settle_run(backend, run_id)


_stopping = False
"""Set by SIGTERM in a worker, for good: the KeyboardInterrupt the handler raises can land in a
garbage-collection finalizer, where Python prints and drops it (seen: urllib3 closing a pool),
and the worker then went on as if never told to stop."""


def _interrupt(_signum: int, _frame: object) -> None:
    global _stopping
    _stopping = True
    raise KeyboardInterrupt


def _next_task(conn: Connection, parent: int, poll: float = 0.5) -> Task | None:
    """The next task, or None: told to stop, stopped by SIGTERM, or the batch process gone.
    EOF alone does not say the batch process died: a sibling worker, forked later, holds the
    batch's end of this pipe open (seen: a worker waiting for 20 minutes after a kill -9)."""
    while not conn.poll(poll):
        if _stopping or os.getppid() != parent:
            return None
    task: Task | None = None if _stopping else conn.recv()
    return task


def _die_with_parent(parent: int) -> None:
    """Ask Linux for SIGTERM when the batch process dies (prctl PR_SET_PDEATHSIG)."""
    with contextlib.suppress(Exception):
        import ctypes

        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGTERM)
    if os.getppid() != parent:  # it died before the prctl
        raise SystemExit(0)


@dataclass
class _Worker:
    proc: Any
    conn: Connection
    host: str | None
    network: WorkerNetwork | None = None
    task: Task | None = None
    released: bool = False
    """Told there is no more work: it removes its network and exits while others grade."""
    deadline: float = 0.0
    started: float = field(default_factory=time.monotonic)


class Pool:
    """`run(tasks)` yields one `Outcome` per task, in the order they finish.

    `jobs` workers at most; `cpus` builds at a time (the CPU gate); how many grade at once
    between `cpus` and `jobs` follows Docker's response times (graders/batch/throttle.py)."""

    def __init__(self, lab: Lab, jobs: int, hosts: list[str] | None = None,
                 connect: Connect | None = None, options: GradeOptions | None = None,
                 timeout: float = 3600.0, grade_fn: GradeFn | None = None,
                 cpus: int | None = None) -> None:
        from functools import partial

        from graders.engine.run import grade

        self.lab, self.jobs, self.timeout = lab, max(1, jobs), timeout
        self.cpus = max(1, cpus or cpu_count())
        self.throttle = Throttle(self.jobs, self.cpus)
        self.connect: Connect = connect or partial(make_backend, "sdk")
        self.hosts: list[str | None] = list(hosts) if hosts else [None]
        self.options = options or GradeOptions()
        self.grade_fn = grade_fn or grade
        self.workers: list[_Worker] = []
        self._ctx = multiprocessing.get_context("fork")
        self._spawned = 0
        self.meter = ApiMeter(self._ctx)
        self._scratch: Path | None = None
        self.gate: CpuGate | None = None
        if self.jobs > self.cpus:  # more workers than cores: builds take turns
            import tempfile

            self._scratch = Path(tempfile.mkdtemp(prefix="labgrade-gate-"))
            self.gate = CpuGate(self._scratch, self.cpus)
        self.peak = 0
        """The most gradings that were in flight at once."""
        preload()  # once here, shared by every forked worker

    def _spawn(self) -> _Worker:
        host = self.hosts[self._spawned % len(self.hosts)]
        self._spawned += 1
        mine, theirs = self._ctx.Pipe()
        # With one worker, no two students run at once: Docker's default bridge will do.
        network = WorkerNetwork(uuid.uuid4().hex[:12], self.lab.id) if self.jobs > 1 else None
        proc = self._ctx.Process(target=_worker, daemon=True, name=f"labgrade-worker-{host}",
                                 args=(theirs, os.getpid(), self.lab, host, self.connect,
                                       self.options, self.grade_fn, network, self.gate,
                                       self.meter))
        proc.start()
        theirs.close()
        return _Worker(proc, mine, host, network)

    def _reap_first(self) -> None:
        """Crashed runs' leftovers, once per Docker host before the workers fork: each worker's
        first grading would otherwise list the whole engine, all at the same moment."""
        for host in dict.fromkeys(self.hosts):
            with contextlib.suppress(Exception):
                reap(self.connect(host))
        mark_reaped()

    def run(self, tasks: Iterable[Task]) -> Iterator[Outcome]:
        pending = deque(tasks)
        if pending:
            self._reap_first()
        self.workers = [self._spawn() for _ in range(min(self.jobs, len(pending)))]
        while pending or any(w.task for w in self.workers):
            allowed = self.throttle.observe(self.meter.read(), time.monotonic())
            for w in self.workers:
                in_flight = sum(x.task is not None for x in self.workers)
                if w.task is None and pending and in_flight < allowed:
                    w.task, w.deadline = pending.popleft(), time.monotonic() + self.timeout
                    w.conn.send(w.task)
            if not pending:  # the last wave: idle workers go now, not at close()
                self._release_idle()
            busy = [w for w in self.workers if w.task is not None]
            self.peak = max(self.peak, len(busy))
            wait([w.conn for w in busy] + [w.proc.sentinel for w in busy], timeout=1.0)
            for w in busy:
                outcome = self._poll(w)
                if outcome is not None:
                    yield outcome

    def _poll(self, w: _Worker) -> Outcome | None:
        assert w.task is not None
        task, why = w.task, None
        try:
            if w.conn.poll():
                outcome: Outcome = w.conn.recv()
                w.task = None
                return outcome
        except (EOFError, OSError):
            w.proc.join(2)
            why = f"the grading process died (exit code {w.proc.exitcode})"
        if why is None and not w.proc.is_alive():
            why = f"the grading process died (exit code {w.proc.exitcode})"
        if why is None and time.monotonic() > w.deadline:
            why = f"grading took longer than {self.timeout:g} s and was stopped"
        if why is None:
            return None
        self._replace(w)
        return Outcome(task, None, why, time.monotonic() - (w.deadline - self.timeout))

    def _replace(self, w: _Worker) -> None:
        """Stop a worker (letting it clean up), sweep its run's leftovers, start another."""
        task = w.task
        _stop(w)
        for run_id in (task.run_id if task else None, w.network.run_id if w.network else None):
            if run_id is not None:  # what a worker killed outright could not remove
                with contextlib.suppress(Exception):
                    sweep(self.connect(w.host), run_id)
        self.workers[self.workers.index(w)] = self._spawn()

    def _release_idle(self) -> None:
        """Tell idle workers to exit. Docker removes networks one at a time (~0.2 s each under
        load): removed as each worker runs out of work, they no longer queue up at the end."""
        for w in self.workers:
            if w.task is None and not w.released:
                with contextlib.suppress(OSError):
                    w.conn.send(None)
                w.released = True

    def close(self) -> None:
        """Let idle workers exit; stop busy ones (they remove what they created)."""
        self._release_idle()
        for w in self.workers:
            _stop(w, graceful=w.task is None)
        self.workers = []
        if self._scratch is not None:
            import shutil

            shutil.rmtree(self._scratch, ignore_errors=True)
            self._scratch = None


def _stop(w: _Worker, graceful: bool = False) -> None:
    if graceful:
        w.proc.join(5)
    if w.proc.is_alive():
        w.proc.terminate()
        w.proc.join(STOP_GRACE)
    if w.proc.is_alive():
        w.proc.kill()
        w.proc.join(5)
    w.conn.close()
