"""`labgrade check --watch` ends on SIGTERM even when the KeyboardInterrupt its handler raised
was lost (raised inside a garbage-collection finalizer, where Python drops it)."""

from __future__ import annotations

import argparse
import io
import os
import signal
from pathlib import Path
from typing import Any

import pytest

from graders.cli import grading, interrupt
from graders.cli.env import Env
from graders.spec import load_lab


class SignalInFinalizer:
    def __del__(self) -> None:
        os.kill(os.getpid(), signal.SIGTERM)


@pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")  # the lost one
def test_a_lost_sigterm_still_ends_the_watch(tmp_path: Path, monkeypatch: pytest.MonkeyPatch
                                              ) -> None:
    runs: list[int] = []

    def grade_once(*_args: Any) -> None:
        runs.append(1)
        SignalInFinalizer()  # the handler's KeyboardInterrupt is raised in __del__ and dropped

    monkeypatch.setattr(grading, "grade_once", grade_once)
    previous = signal.signal(signal.SIGTERM, interrupt._on_sigterm)
    monkeypatch.setattr(interrupt, "_terminated", False)
    args = argparse.Namespace(command="check", poll=0.05)
    env = Env(io.StringIO(), io.StringIO(), {})
    try:
        with pytest.raises(KeyboardInterrupt):
            grading.watch_command(load_lab("day2-apache"), tmp_path, args, env, "en")
    finally:
        signal.signal(signal.SIGTERM, previous)
    assert runs == [1] and interrupt.terminated()
