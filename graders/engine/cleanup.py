"""Leaving nothing behind: run-id labels, per-run liveness locks, the reaper and signal help.

Every container, network and volume labgrade creates carries `org.labgrade.run=<run id>`,
`org.labgrade.lab` and `org.labgrade.created=<epoch seconds>`. A graded image is tagged
`labgrade/<lab>:<run id>` instead: a build label costs one more build step (a container and a
commit, ~45 ms a grading), and a Dockerfile can forge labels but not our tag. For the reaper, a
tag's time is when it was set (Docker's LastTagTime), as a cached build's image may be old. A
grading run removes what it created in `finally`, and then sweeps anything still carrying its
own run id, by label or tag (a container created by the daemon just as Ctrl-C arrived, say).

What a crashed run left (a `kill -9`, a power cut) is removed by the reaper, which every
grading process runs once at its start (in a thread the run joins before it ends), and by
`labgrade clean`. The reaper must never touch the resources of a run that is still going (a
concurrent batch, another terminal), so:

* each run holds an exclusive `flock` on `<runs dir>/<run id>.lock` while it lives. The kernel
  drops the lock when the process dies, however it dies, and a normal end deletes the file.
* a labelled resource whose run's lock file exists and is locked belongs to a live run: kept.
* lock file present but not locked: that run crashed; its resources are removed at once.
* no lock file (a run on another machine sharing the daemon, or one from before a reboot):
  removed only once older than the grace period (`LABGRADE_REAP_GRACE`, default 3600 s),
  longer than any one submission's grading (build, run and checks each have deadlines).
* a build's step containers get no label from Docker, so a run writes each one's id into its
  lock file as the build log names it ("---> Running in <id>"). Docker removes them itself when
  a build ends or its client hangs up, but not always (a RUN step full of processes outlived a
  killed build); the reaper removes the ones a dead run wrote down.
* images of a run graded with --keep are left by the reaper; `labgrade clean` removes them too.
  The mark is a `<run id>.keep` file in the runs dir, not a label: a student's image could
  carry any label it likes.

The runs dir is `$LABGRADE_RUN_DIR`, or `<tmp>/labgrade-runs-<uid>`.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import signal
import tempfile
import threading
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from types import FrameType
from typing import Any

from graders.backends.base import (
    LABEL_CREATED,
    LABEL_LAB,
    LABEL_RUN,
    RUN_REPOSITORY,
)

GRACE_S = 3600.0
ORDER = {"container": 0, "network": 1, "volume": 2, "image": 3}

_reaped_in_process = False
_reap_lock = threading.Lock()


def run_labels(run_id: str, lab_id: str, *, created: float | None = None) -> dict[str, str]:
    """The labels of this run's containers (networks, volumes); its image gets a tag instead
    (`graders.backends.base.run_image_tag`)."""
    return {LABEL_RUN: run_id, LABEL_LAB: lab_id,
            LABEL_CREATED: str(int(created if created is not None else time.time()))}


def mark_kept(run_id: str) -> None:
    """Remember that this run's image is kept on purpose (--keep)."""
    with contextlib.suppress(OSError):
        runs_dir().mkdir(mode=0o700, parents=True, exist_ok=True)
        (runs_dir() / f"{_safe(run_id)}.keep").write_text(f"{time.time():.0f}\n")


def is_kept(run_id: str) -> bool:
    return (runs_dir() / f"{_safe(run_id)}.keep").exists()


def runs_dir() -> Path:
    explicit = os.environ.get("LABGRADE_RUN_DIR")
    if explicit:
        return Path(explicit)
    return Path(tempfile.gettempdir()) / f"labgrade-runs-{os.getuid()}"


def grace_seconds() -> float:
    try:
        return max(0.0, float(os.environ.get("LABGRADE_REAP_GRACE", GRACE_S)))
    except ValueError:
        return GRACE_S


class RunLock:
    """Held while a run lives; the kernel releases it when the process dies."""

    def __init__(self, run_id: str) -> None:
        self.run_id = run_id
        self.path = runs_dir() / f"{_safe(run_id)}.lock"
        self.fd: int | None = None

    def acquire(self) -> RunLock:
        try:
            self.path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
            fd = os.open(self.path, os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW, 0o600)
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            os.write(fd, f"{os.getpid()} {time.time():.0f}\n".encode())
            self.fd = fd
        except OSError:  # no lock, no harm: the run falls back to the grace period
            self.fd = None
        return self

    def note_step(self, container_id: str) -> None:
        """Write down a build step's container, for the reaper should this process die."""
        if self.fd is not None:
            with contextlib.suppress(OSError):
                os.write(self.fd, f"step {container_id}\n".encode())

    def release(self) -> None:
        if self.fd is None:
            return
        with contextlib.suppress(OSError):
            self.path.unlink()
        with contextlib.suppress(OSError):
            os.close(self.fd)
        self.fd = None


def _safe(run_id: str) -> str:
    return "".join(c for c in run_id if c.isalnum() or c in "-_.")[:128] or "run"


def run_state(run_id: str) -> str:
    """`alive` (lock held), `dead` (lock file left, not held) or `unknown` (no lock file)."""
    path = runs_dir() / f"{_safe(run_id)}.lock"
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW)
    except OSError:
        return "unknown"
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return "alive"
    except OSError:
        return "unknown"
    finally:
        os.close(fd)
    return "dead"


@dataclass(frozen=True)
class Leftover:
    kind: str
    id: str
    run: str
    created: float
    keep: bool = False

    def __str__(self) -> str:
        return f"{self.kind} {short_id(self.id)} (run {self.run or '?'})"


def short_id(ident: str) -> str:
    """An id as `docker ps` shows it (12 hex digits); a name or an image tag in full."""
    hex_id = ident.removeprefix("sha256:")
    if len(hex_id) == 64 and all(c in "0123456789abcdef" for c in hex_id):
        return hex_id[:12]
    return ident


def list_leftovers(backend: Any, label: str = LABEL_RUN, images: bool = True) -> list[Leftover]:
    items = [Leftover(x["kind"], x["id"], x["run"], float(x["created"]), bool(x["keep"]))
             for x in backend.list_labelled(label, images)]
    return sorted(items, key=lambda x: ORDER.get(x.kind, 9))


def _remove(backend: Any, item: Leftover) -> bool:
    try:
        backend.remove_leftover(item.kind, item.id)
        return True
    except Exception:  # in use by a live container, already gone: the next sweep retries
        return False


@dataclass
class Reaped:
    removed: list[Leftover]
    kept: list[Leftover]
    """Labelled resources left alone: live runs, recent runs of unknown state, kept images."""


def reap(backend: Any, *, current: str | None = None, grace: float | None = None,
         now: float | None = None, include_kept: bool = False, label: str = LABEL_RUN) -> Reaped:
    """Remove leftovers of runs that are over; see the module docstring for the rules.

    `label` narrows what is looked at (say `org.labgrade.lab=<id>`); it is always
    combined with the run label's rules."""
    grace = grace_seconds() if grace is None else grace
    now = time.time() if now is None else now
    states: dict[str, str] = {}
    removed, kept = [], []
    if label.partition("=")[0] == LABEL_RUN:  # not for one lab: step containers have no lab
        for run, steps in _dead_runs_steps(label.partition("=")[2] or None):
            states[run] = "dead"
            for step in steps:
                try:  # most are gone already: Docker removes a build's step containers itself
                    if backend.remove_leftover(step.kind, step.id) is not False:
                        removed.append(step)
                except Exception:  # kept, and so is the lock file: the next reaper retries
                    kept.append(step)
    for item in list_leftovers(backend, label):
        if not item.run or item.run == current:
            continue
        state = states.setdefault(item.run, run_state(item.run))
        over = state == "dead" or (state == "unknown" and item.created < now - grace)
        kept_image = item.kind == "image" and is_kept(item.run)
        if state == "alive" or not over or (kept_image and not include_kept):
            kept.append(item)
        elif _remove(backend, item):
            removed.append(item)
    for run, state in states.items():
        if not any(k.run == run for k in kept):
            for suffix in (".lock", ".keep") if state != "alive" else ():
                with contextlib.suppress(OSError):
                    (runs_dir() / f"{_safe(run)}{suffix}").unlink()
    return Reaped(removed, kept)


def _dead_runs_steps(only: str | None = None) -> list[tuple[str, list[Leftover]]]:
    """The build-step containers that runs which died wrote into their lock files."""
    found = []
    for path in sorted(runs_dir().glob(f"{_safe(only)}.lock" if only else "*.lock")):
        run = path.name.removesuffix(".lock")
        if run_state(run) != "dead":
            continue
        try:
            lines = path.read_text(errors="replace").splitlines()
        except OSError:
            continue
        ids = [ln.split()[1] for ln in lines if ln.startswith("step ") and len(ln.split()) == 2]
        found.append((run, [Leftover("container", i, run, 0.0) for i in ids if i.isalnum()]))
    return found


def reap_once(backend: Any, current: str | None = None) -> Reaped | None:
    """The reaper at the start of the first grading run of this process; never raises."""
    global _reaped_in_process
    with _reap_lock:
        if _reaped_in_process or os.environ.get("LABGRADE_NO_REAP"):
            return None
        _reaped_in_process = True
    try:
        return reap(backend, current=current)
    except Exception:
        return None


def mark_reaped() -> None:
    """This process has reaped already (a batch, before it forks its workers): its gradings,
    and its forked workers', skip the reaper."""
    global _reaped_in_process
    with _reap_lock:
        _reaped_in_process = True


def reap_in_background(backend: Any, current: str | None = None) -> threading.Thread:
    """`reap_once` in a thread, so that its listings (20-30 ms) overlap the run's own start;
    the caller joins it before it ends, so that nothing of it outlives the run."""
    thread = threading.Thread(target=reap_once, args=(backend, current), name="labgrade-reaper",
                              daemon=True)
    thread.start()
    return thread


def sweep_run(backend: Any, run_id: str, *, keep_images: bool = False) -> list[Leftover]:
    """Remove whatever still carries this run's label or image tag (after the run's own
    cleanup); `keep_images` leaves images alone and does not list them."""
    return [item for item in _of_run(backend, run_id, keep_images) if not _remove(backend, item)]


def settle_run(backend: Any, run_id: str, *, keep_images: bool = False, quiet: float = 1.0,
               limit: float = 20.0, poll: float = 0.2) -> list[Leftover]:
    """Sweep an interrupted run until nothing of it has shown up for `quiet` seconds.

    When we hang up mid-build, Docker finishes the step it was on: under load the run's
    image was committed after the first sweep and outlived the run (seen in CI, a batch
    killed half way). A removal still in progress can also keep an image in use for a
    moment. Returns what is still there after `limit` s."""
    start = last_seen = time.monotonic()
    while True:
        found = _of_run(backend, run_id, keep_images)
        left = [item for item in found if not _remove(backend, item)]
        now = time.monotonic()
        if found:
            last_seen = now
        elif now - last_seen >= quiet:
            return []
        if now - start >= limit:
            return left
        time.sleep(poll)


def _of_run(backend: Any, run_id: str, keep_images: bool) -> list[Leftover]:
    try:
        items = list_leftovers(backend, f"{LABEL_RUN}={run_id}", images=not keep_images)
    except Exception:  # the engine went away: nothing more we can do from here
        return []
    return [item for item in items if not (keep_images and item.kind == "image")]


@contextlib.contextmanager
def signals_as_interrupt(signals: tuple[int, ...] = (signal.SIGTERM, signal.SIGHUP)
                         ) -> Iterator[None]:
    """Turn SIGTERM and SIGHUP into KeyboardInterrupt while the block runs, so every
    `finally` (container, image and lock removal) runs as on Ctrl-C. Main thread only; a
    no-op elsewhere. The CLI does this for SIGTERM already (graders/cli/main.py)."""

    def interrupt(_signum: int, _frame: FrameType | None) -> None:
        raise KeyboardInterrupt

    previous = {}
    try:
        for sig in signals:
            previous[sig] = signal.signal(sig, interrupt)
    except ValueError:  # not the main thread
        pass
    try:
        yield
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)


@contextlib.contextmanager
def hangup_as_terminate() -> Iterator[None]:
    """SIGHUP (the terminal closed, the ssh session dropped) is handled as SIGTERM while the
    block runs: the process's own SIGTERM handler when it has one (the CLI's, a batch
    worker's: they also note that the run was terminated), else a KeyboardInterrupt, so every
    `finally` removes the container, its volumes and the image. Left alone when SIGHUP is
    ignored (`nohup`) or already has a handler of its own. Main thread only; a no-op
    elsewhere."""

    def interrupt(_signum: int, _frame: FrameType | None) -> None:
        raise KeyboardInterrupt

    try:
        current = signal.getsignal(signal.SIGHUP)
        if current is not signal.SIG_DFL:  # ignored (nohup), or someone else's handler
            yield
            return
        term = signal.getsignal(signal.SIGTERM)
        previous = signal.signal(signal.SIGHUP, term if callable(term) else interrupt)
    except (ValueError, AttributeError):  # not the main thread, or no SIGHUP (Windows)
        yield
        return
    try:
        yield
    finally:
        signal.signal(signal.SIGHUP, previous)


CLOCK_SLACK_S = 5.0


@dataclass(frozen=True)
class BuildLayers:
    """The layers one build committed itself (not its FROM images, not cache hits)."""

    ids: tuple[str, ...]
    """Full image ids, children before parents (the order they can be removed in)."""
    size: int
    """Bytes those layers add on the engine's disk."""
    budget: int

    @property
    def over(self) -> bool:
        return self.size > self.budget


def build_layers(backend: Any, steps: Sequence[str], image_id: str | None, started: float,
                 budget: int) -> BuildLayers | None:
    """What this build added to the engine's layer cache, passed or failed.

    The step images the build named (`BuildOutcome.steps`) and the final image are walked up
    their parents while an image is untagged (or carries only a run tag), has a parent, and
    was created after the build started: a cache hit, a base image and anything older is
    never counted, so a student who prints a fake "---> <id>" cannot make us remove another
    run's layer. Each image is looked up on its own (`image_layer`): a listing of every image
    on the engine cost Docker ~0.1 s of CPU per grading in a batch. None when the engine
    cannot answer."""
    found: dict[str, dict[str, Any] | None] = {}

    def look(ref: str) -> dict[str, Any] | None:
        if ref not in found:
            found[ref] = backend.image_layer(ref)
        return found[ref]

    own: dict[str, int] = {}
    parents: dict[str, str] = {}
    try:
        for ref in [*steps, *([image_id] if image_id else [])]:
            image = look(ref)
            while image is not None and image["Id"] not in own and _private(image, started):
                parent = str(image.get("ParentId") or "")
                below = look(parent) if parent else None
                size = int(image.get("Size") or 0)
                own[image["Id"]] = max(0, size - int((below or {}).get("Size") or 0))
                parents[image["Id"]] = parent
                image = below
    except Exception:
        return None

    def depth(ident: str) -> int:  # how many of this build's layers are below it
        n, parent = 0, parents[ident]
        while parent in own and n <= len(own):
            n, parent = n + 1, parents[parent]
        return n

    order = sorted(own, key=depth, reverse=True)  # a child before its parent
    return BuildLayers(tuple(order), sum(own.values()), budget)


def _private(image: dict[str, Any], started: float) -> bool:
    tags = [t for t in image.get("RepoTags") or [] if t != "<none>:<none>"]
    run_only = all(t.startswith(RUN_REPOSITORY + "/") for t in tags)
    created = float(image.get("Created") or 0)
    return bool(image.get("ParentId")) and run_only and created >= started - CLOCK_SLACK_S


def trim_build(backend: Any, layers: BuildLayers) -> int:
    """Remove a build's own layers, children first, never forced: one another build now
    uses (a child image, a container) stays. Returns how many went; never raises."""
    removed, left = 0, list(layers.ids)
    for _ in range(3):  # a child another step still held a moment ago: one more pass
        failed = []
        for ident in left:
            try:
                gone = backend.remove_layer(ident)
            except Exception:
                gone = False
            if gone:
                removed += 1
            else:
                failed.append(ident)
        if not failed or len(failed) == len(left):
            break
        left = failed
    return removed


def cache_note(layers: BuildLayers, kept: bool) -> str:
    """The build log's last line when a build's own layers were over the cache budget."""
    from graders.engine.sandbox import human_size

    what = ("kept, as the image is kept (--keep)" if kept
            else "they are removed when grading ends, so the next build of it starts cold")
    return (f"[labgrade] this build's own layers take {human_size(layers.size)} of disk, over "
            f"the cache budget of {human_size(layers.budget)} (run.limits.build_cache, or "
            f"LABGRADE_CACHE_BUDGET): {what}.")
