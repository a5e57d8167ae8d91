"""`labgrade check --watch` as a student runs it: a real process, a real edit, then Ctrl-C."""

from __future__ import annotations

import os
import queue
import shutil
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from graders.spec import load_lab

pytestmark = pytest.mark.docker
APACHE = load_lab("day2-apache").root
LABGRADE = str(Path(sys.executable).with_name("labgrade"))


def _pump(stream: object, lines: queue.Queue[str]) -> None:
    for line in iter(stream.readline, ""):  # type: ignore[attr-defined]
        lines.put(line)


def wait_for(lines: queue.Queue[str], text: str, seen: list[str], timeout: float) -> str:
    """The next line holding `text`, collecting every line read into `seen`."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            line = lines.get(timeout=0.5)
        except queue.Empty:
            continue
        seen.append(line)
        if text in line:
            return line
    raise AssertionError(f"no line with {text!r} in {timeout} s; got:\n{''.join(seen)}")


def test_watch_regrades_on_change_and_exits_130(tmp_path: Path, no_leftovers: None) -> None:
    sub = tmp_path / "sub"
    shutil.copytree(APACHE / "submissions" / "fails_expose", sub)
    env = {**os.environ, "PYTHONUNBUFFERED": "1", "NO_COLOR": "1", "LANG": "C.UTF-8"}
    env.pop("LABGRADE_LANG", None)
    proc = subprocess.Popen(
        [LABGRADE, "check", "day2-apache", str(sub), "--watch", "--poll", "0.2", "--lang", "en"],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env,
        start_new_session=True)
    lines: queue.Queue[str] = queue.Queue()
    threading.Thread(target=_pump, args=(proc.stdout, lines), daemon=True).start()
    seen: list[str] = []
    from graders.spec import load_lab

    lab = load_lab("day2-apache")  # `check` shows the visible checks only
    visible = sum(c.points for c in lab.checks if not c.hidden and not c.live)
    exposes = next(c.points for c in lab.checks if c.id == "exposes-80")
    try:
        assert f"{visible - exposes:g}/{visible:g}" in wait_for(lines, "Score:", seen, 600)
        wait_for(lines, "Watching", seen, 30)
        with open(sub / "Dockerfile", "a", encoding="utf-8") as f:
            f.write("\nEXPOSE 80\n")
        wait_for(lines, "Changed: Dockerfile", seen, 30)
        assert f"{visible:g}/{visible:g}" in wait_for(lines, "Score:", seen, 600)
        wait_for(lines, "Watching", seen, 30)
        proc.send_signal(signal.SIGINT)
        assert proc.wait(timeout=60) == 130
        wait_for(lines, "interrupted", seen, 10)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
    assert sum("Score:" in line for line in seen) == 2
    assert "building the image" in "".join(seen)  # the progress line, plain off a terminal


def test_ctrl_c_during_a_run_cleans_up(tmp_path: Path, no_leftovers: None) -> None:
    sub = tmp_path / "sub"
    shutil.copytree(APACHE / "solution", sub)
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    proc = subprocess.Popen(
        [LABGRADE, "check", "day2-apache", str(sub), "--watch", "--lang", "en"],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env,
        start_new_session=True)
    lines: queue.Queue[str] = queue.Queue()
    threading.Thread(target=_pump, args=(proc.stdout, lines), daemon=True).start()
    seen: list[str] = []
    try:
        wait_for(lines, "waiting for the container", seen, 600)  # the container exists now
        proc.send_signal(signal.SIGINT)
        assert proc.wait(timeout=60) == 130
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
