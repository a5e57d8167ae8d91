"""Readiness on the real engine: a container that can never be ready fails in a few seconds
(not the lab's 30 s deadline) and says what listens; a correct but slow server still passes."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from web_lab import web_lab

from graders.backends import get_backend
from graders.engine.idle import IDLE_LIMIT
from graders.engine.run import GradeOptions, grade
from graders.results import LabResult, Status
from graders.spec import Lab, load_lab

pytestmark = pytest.mark.docker

DEADLINE = 30.0
FAST = IDLE_LIMIT + 6.0
"""A fail-fast grading: the idle limit plus build, start and removal, well under 30 s."""


@pytest.fixture
def lab(tmp_path: Path) -> Lab:
    return load_lab(web_lab(tmp_path, "ready-lab", after=1, ready_timeout=DEADLINE))


def graded(lab: Lab, folder: Path, cmd: str) -> tuple[LabResult, float]:
    folder.mkdir(parents=True)
    (folder / "index.html").write_text("hi\n")
    (folder / "Dockerfile").write_text(
        f"FROM busybox:1.35\nCOPY index.html /www/index.html\nEXPOSE 8080\nCMD {cmd}\n")
    t0 = time.monotonic()
    result = grade(lab, folder, get_backend("sdk"), GradeOptions())
    return result, time.monotonic() - t0


def serves(result: LabResult) -> object:
    return next(c for c in result.checks if c.check_id == "serves")


def test_a_sleep_as_cmd_fails_fast_and_says_nothing_listens(lab: Lab, tmp_path: Path,
                                                            no_leftovers: None) -> None:
    result, took = graded(lab, tmp_path / "s", '["sleep", "100000"]')
    check = serves(result)
    assert check.status is Status.FAILED  # type: ignore[attr-defined]
    assert took < FAST, f"took {took:.1f} s: waited for the {DEADLINE:g} s deadline"
    assert "nothing listens" in check.message.en  # type: ignore[attr-defined]
    assert "nada escuta" in check.message.pt  # type: ignore[attr-defined]
    assert f"idle for {IDLE_LIMIT:g} s" in check.message.en  # type: ignore[attr-defined]


def test_a_server_on_the_wrong_port_fails_fast_and_says_where_it_listens(
        lab: Lab, tmp_path: Path, no_leftovers: None) -> None:
    result, took = graded(lab, tmp_path / "s", '["httpd", "-f", "-p", "8081", "-h", "/www"]')
    check = serves(result)
    assert check.status is Status.FAILED  # type: ignore[attr-defined]
    assert took < FAST, f"took {took:.1f} s"
    assert ":8081" in check.message.en and "not on port 8080" in check.message.en  # type: ignore[attr-defined]
    assert ":8081" in check.message.pt and "não na porta 8080" in check.message.pt  # type: ignore[attr-defined]


def test_a_server_on_loopback_only_fails_fast_and_says_why(lab: Lab, tmp_path: Path,
                                                           no_leftovers: None) -> None:
    result, took = graded(lab, tmp_path / "s",
                          '["httpd", "-f", "-p", "127.0.0.1:8080", "-h", "/www"]')
    check = serves(result)
    assert check.status is Status.FAILED  # type: ignore[attr-defined]
    assert took < FAST, f"took {took:.1f} s"
    assert "127.0.0.1:8080" in check.message.en and "loopback" in check.message.en  # type: ignore[attr-defined]


def test_a_server_busy_for_longer_than_the_idle_limit_still_passes(
        lab: Lab, tmp_path: Path, no_leftovers: None) -> None:
    """Working (CPU time advancing, as a build of a cache or a JIT warm-up) is not idle."""
    busy = IDLE_LIMIT + 3
    loop = f"timeout {busy:g} sh -c 'while :; do :; done'"
    result, took = graded(lab, tmp_path / "s",
                          f'["sh", "-c", "{loop}; exec httpd -f -p 8080 -h /www"]')
    assert result.score == 20, [c.message.en for c in result.checks]
    assert took > busy


def test_a_server_that_sleeps_a_little_before_listening_still_passes(
        lab: Lab, tmp_path: Path, no_leftovers: None) -> None:
    pause = IDLE_LIMIT - 2
    result, took = graded(lab, tmp_path / "s",
                          f'["sh", "-c", "sleep {pause:g}; exec httpd -f -p 8080 -h /www"]')
    assert result.score == 20, [c.message.en for c in result.checks]
    assert took > pause


def test_a_server_starting_processes_one_after_another_is_not_idle(
        lab: Lab, tmp_path: Path, no_leftovers: None) -> None:
    """A start-up script running short steps (each a new process) is working."""
    steps = int(IDLE_LIMIT) + 3
    script = f"for i in $(seq {steps}); do sleep 1; done; exec httpd -f -p 8080 -h /www"
    result, _took = graded(lab, tmp_path / "s", f'["sh", "-c", "{script}"]')
    assert result.score == 20, [c.message.en for c in result.checks]




def window_lab(tmp_path: Path) -> Lab:
    return load_lab(web_lab(tmp_path, "window-lab", after=3))


def test_runtime_checks_run_while_the_stability_window_is_open(tmp_path: Path,
                                                               no_leftovers: None) -> None:
    """A server that answers, then stops 2 s after it started: the HTTP check ran while it
    served (inside the 3 s window), and "keeps running" still sees it stop; the report keeps
    the lab's order."""
    result, _took = graded(window_lab(tmp_path), tmp_path / "s",
                           '["sh", "-c", "httpd -p 8080 -h /www; sleep 2"]')
    assert [c.check_id for c in result.checks] == ["stays-up", "serves"]
    stays, serving = result.checks
    assert serving.status is Status.PASSED, serving.message.en
    assert stays.status is Status.FAILED


def test_the_window_is_measured_from_the_start_not_after_the_other_checks(
        tmp_path: Path, no_leftovers: None) -> None:
    result, _took = graded(window_lab(tmp_path), tmp_path / "s",
                           '["httpd", "-f", "-p", "8080", "-h", "/www"]')
    assert result.score == 20
    stays, serving = result.checks
    # The window's 3 s are shared with the HTTP check, not added after it.
    assert stays.duration_s + serving.duration_s < 3.5
