"""Issue 16, item 6: SIGHUP (the terminal closed, the ssh session dropped) ends a grading the way
SIGTERM does: the container, its published port, the image and the run's lock are removed
before the process exits. Before the fix SIGHUP's default action killed the process on the
spot and everything stayed until a later run's reaper.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from advkit import GOOD, INDEX, LABS, labelled, write_submission

from graders import cleanup
from graders.backends.base import LABEL_RUN

BIN = Path(sys.executable).parent


def _slow_submission(folder: Path) -> Path:
    """Never ready: grading waits for the readiness deadline, time enough to hang up on it."""
    return write_submission(folder, {
        "index.html": INDEX,
        "Dockerfile": GOOD.replace('CMD ["httpd", "-f", "-p", "8080", "-h", "/www"]',
                                   'CMD ["sleep", "100000"]')})


def _running(run_id: str) -> bool:
    import docker

    client = docker.from_env()
    try:
        return bool(client.api.containers(filters={"label": f"{LABEL_RUN}={run_id}",
                                                   "status": "running"}))
    finally:
        client.close()


def _start_grading(sub: Path, run_dir: Path, prefix: list[str] | None = None
                   ) -> tuple[subprocess.Popen[str], str]:
    before = set(run_dir.glob("*.lock")) if run_dir.exists() else set()
    env = dict(os.environ, LABGRADE_RUN_DIR=str(run_dir), LABGRADE_NO_REAP="1")
    proc = subprocess.Popen([*(prefix or []), str(BIN / "labgrade"), "--labs", str(LABS),
                             "grade", "adv-busybox", str(sub)], env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        new = set(run_dir.glob("*.lock")) - before if run_dir.exists() else set()
        if new:
            run_id = next(iter(new)).stem
            if _running(run_id):
                return proc, run_id
        if proc.poll() is not None:
            break
        time.sleep(0.1)
    proc.kill()
    out, err = proc.communicate()
    raise AssertionError(f"the grading never ran its container:\n{out}\n{err}")


@pytest.mark.docker
def test_sighup_mid_run_cleans_up_like_sigterm(tmp_path: Path) -> None:
    run_dir = Path(os.environ["LABGRADE_RUN_DIR"])
    proc, run_id = _start_grading(_slow_submission(tmp_path / "s"), run_dir)
    t0 = time.monotonic()
    proc.send_signal(signal.SIGHUP)
    _out, err = proc.communicate(timeout=30)
    print(f"SIGHUP: the grading process ended in {time.monotonic() - t0:.2f} s")
    left = labelled(run_id)
    if any(left.values()):  # today's code: killed outright; clean up for the next test
        from graders.backends import get_backend

        cleanup.reap(get_backend("sdk"), grace=0, label=f"{LABEL_RUN}={run_id}")
    assert proc.returncode == 130, f"exit {proc.returncode}: {err}"
    assert "interrupted" in err
    assert not any(left.values()), f"left behind after SIGHUP: {left}"
    assert not (run_dir / f"{run_id}.lock").exists()


def test_an_ignored_sighup_stays_ignored() -> None:
    """`nohup labgrade grade ...` must keep running when the terminal goes: SIG_IGN is kept."""
    previous = signal.signal(signal.SIGHUP, signal.SIG_IGN)
    try:
        with cleanup.hangup_as_terminate():
            assert signal.getsignal(signal.SIGHUP) is signal.SIG_IGN
    finally:
        signal.signal(signal.SIGHUP, previous)


def test_sighup_uses_the_processes_own_sigterm_handler() -> None:
    """The CLI's and a batch worker's SIGTERM handlers note that the run was terminated; SIGHUP
    goes through the same handler, and the default comes back after the run."""
    seen: list[int] = []

    def on_term(signum: int, _frame: object) -> None:
        seen.append(signum)

    old_term = signal.signal(signal.SIGTERM, on_term)
    old_hup = signal.signal(signal.SIGHUP, signal.SIG_DFL)
    try:
        with cleanup.hangup_as_terminate():
            os.kill(os.getpid(), signal.SIGHUP)
            time.sleep(0.05)
        assert seen == [signal.SIGHUP]
        assert signal.getsignal(signal.SIGHUP) is signal.SIG_DFL
    finally:
        signal.signal(signal.SIGTERM, old_term)
        signal.signal(signal.SIGHUP, old_hup)


@pytest.mark.docker
def test_sighup_to_a_batch_cleans_up_like_sigterm(tmp_path: Path) -> None:
    """The batch process itself, not only its workers: a closed terminal ends the batch with
    exit 130 and no student's container left running."""
    run_dir = Path(os.environ["LABGRADE_RUN_DIR"])
    roster = tmp_path / "class"
    _slow_submission(roster / "ana")
    before = set(run_dir.glob("*.lock")) if run_dir.exists() else set()
    env = dict(os.environ, LABGRADE_RUN_DIR=str(run_dir), LABGRADE_NO_REAP="1")
    proc = subprocess.Popen([str(BIN / "labgrade"), "--labs", str(LABS), "batch", "adv-busybox",
                             str(roster), "--out", str(tmp_path / "out"), "--jobs", "1"],
                            env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    run_id = None
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and run_id is None and proc.poll() is None:
        new = set(run_dir.glob("*.lock")) - before if run_dir.exists() else set()
        run_id = next((p.stem for p in new if _running(p.stem)), None)
        time.sleep(0.1)
    assert run_id is not None, "the batch never ran its student's container"
    proc.send_signal(signal.SIGHUP)
    _out, err = proc.communicate(timeout=60)
    time.sleep(1)  # the worker, told by the kernel, finishes its own clean-up
    left = labelled(run_id)
    if any(left.values()):
        from graders.backends import get_backend

        cleanup.reap(get_backend("sdk"), grace=0, label=f"{LABEL_RUN}={run_id}")
    assert proc.returncode == 130, f"exit {proc.returncode}: {err}"
    assert not any(left.values()), f"left behind after SIGHUP: {left}"
