"""container_running judges whether the container ran `after` seconds from its start, even
when it looks later (the engine runs it last, after the checks run inside its window)."""

from __future__ import annotations

import pytest

from graders.checks.container_running import ContainerRunningCheck
from tests.unit.fake_context import FakeContext, failed, passed
from tests.unit.test_runtime_checks import STARTED, Clock, clock  # noqa: F401  (a fixture)


def stopped_at(finished: str, code: int = 2) -> FakeContext:
    return FakeContext(state={"Running": False, "StartedAt": STARTED, "FinishedAt": finished,
                              "ExitCode": code, "OOMKilled": False})


def test_stopped_after_the_window_closed_still_passes(clock: Clock) -> None:  # noqa: F811
    out = passed(ContainerRunningCheck(after=3).run(stopped_at("2024-05-01T12:00:08.2Z")))
    assert "ran for 8.1 s (3 s asked)" in out.message.en and "exit code 2" in out.message.en
    assert "rodou por 8.1 s" in out.message.pt
    assert clock.sleeps == []


def test_stopped_inside_the_window_fails(clock: Clock) -> None:  # noqa: F811
    out = failed(ContainerRunningCheck(after=3).run(stopped_at("2024-05-01T12:00:02.9Z")))
    assert "exit code 2" in out.message.en


@pytest.mark.parametrize("finished", ["", "0001-01-01T00:00:00Z"])
def test_no_finish_time_is_no_proof_it_ran(clock: Clock, finished: str) -> None:  # noqa: F811
    failed(ContainerRunningCheck(after=3).run(stopped_at(finished)))
