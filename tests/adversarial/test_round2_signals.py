"""Issue 16, item 6: SIGHUP (the terminal closed, the ssh session dropped) ends a grading the way
SIGTERM does: the container, its published port, the image and the run's lock are removed
before the process exits. Before the fix SIGHUP's default action killed the process on the
spot and everything stayed until a later run's reaper.
"""

from __future__ import annotations

import os
import signal
import sys
import time
from pathlib import Path

import pytest
from advkit import labelled, slow_submission, start_labgrade

from graders.backends.base import LABEL_RUN
from graders.engine import cleanup

BIN = Path(sys.executable).parent


@pytest.mark.docker
def test_sighup_mid_run_cleans_up_like_sigterm(tmp_path: Path) -> None:
    run_dir = Path(os.environ["LABGRADE_RUN_DIR"])
    sub = slow_submission(tmp_path / "s")
    proc, run_id = start_labgrade(["grade", "adv-busybox", str(sub)], run_dir)
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
    slow_submission(roster / "ana")
    proc, run_id = start_labgrade(["batch", "adv-busybox", str(roster), "--out",
                                   str(tmp_path / "out"), "--jobs", "1"], run_dir, wait=60)
    proc.send_signal(signal.SIGHUP)
    _out, err = proc.communicate(timeout=60)
    time.sleep(1)  # the worker, told by the kernel, finishes its own clean-up
    left = labelled(run_id)
    if any(left.values()):
        from graders.backends import get_backend

        cleanup.reap(get_backend("sdk"), grace=0, label=f"{LABEL_RUN}={run_id}")
    assert proc.returncode == 130, f"exit {proc.returncode}: {err}"
    assert not any(left.values()), f"left behind after SIGHUP: {left}"
