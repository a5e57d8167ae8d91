"""The engine's stage logic without Docker: which checks run, which are skipped and why, the
run's time budget, a crashing check or stage, and cleanup (tests/unit/fake_backend.py)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import ClassVar

import pytest

from graders.checks.base import Check, CheckContext, Need, Outcome
from graders.engine.offline import NoEngine
from graders.engine.run import GradeOptions, grade
from graders.errors import DockerUnavailable
from graders.i18n import Text
from graders.results import LabResult, Status
from graders.spec import BuildSpec, CheckSpec, Lab, RunSpec
from tests.unit.fake_backend import FakeBackend


@dataclass(frozen=True)
class Probe(Check):
    """Passes, fails or raises as told, and says which stage it ran at."""

    type_name: ClassVar[str] = "probe"
    need: ClassVar[Need] = Need.DOCKERFILE
    default_title: ClassVar[Text] = Text.same("probe")
    behaviour: str = "pass"

    def run(self, ctx: CheckContext) -> Outcome:
        if self.behaviour == "raise":
            raise RuntimeError("the check itself broke")
        return Outcome(self.behaviour == "pass", Text.same(self.behaviour))


@dataclass(frozen=True)
class ImageProbe(Probe):
    need: ClassVar[Need] = Need.IMAGE


@dataclass(frozen=True)
class ContainerProbe(Probe):
    need: ClassVar[Need] = Need.CONTAINER


@dataclass(frozen=True)
class StateProbe(Probe):
    """Like container_running: judges the container even when it stopped."""

    need: ClassVar[Need] = Need.CONTAINER
    judges_stopped_container: ClassVar[bool] = True


def spec(check_id: str, check: Check, points: float = 10) -> CheckSpec:
    return CheckSpec(check_id, check.type_name, points, False, Text.same(check_id), None, check)


def lab(tmp_path: Path, *checks: CheckSpec, run_timeout: float = 120.0) -> Lab:
    root = tmp_path / "lab"
    root.mkdir(exist_ok=True)
    return Lab("fake-lab", Text.same("Fake"), Text.same(""), root, checks, BuildSpec(),
               RunSpec(timeout=run_timeout), points=sum(c.points for c in checks))


@pytest.fixture
def submission(tmp_path: Path) -> Path:
    folder = tmp_path / "submission"
    folder.mkdir()
    (folder / "Dockerfile").write_text("FROM scratch\nCMD [\"/app\"]\n")
    return folder


def by_id(result: LabResult) -> dict[str, tuple[Status, str]]:
    return {r.check_id: (r.status, r.message.en) for r in result.checks}


ALL_STAGES = (spec("dockerfile", Probe()), spec("image", ImageProbe()),
              spec("container", ContainerProbe()), spec("state", StateProbe()))


def test_every_stage_runs_in_order_and_everything_is_removed(tmp_path: Path,
                                                             submission: Path) -> None:
    backend = FakeBackend()
    result = grade(lab(tmp_path, *ALL_STAGES), submission, backend)
    assert [r.check_id for r in result.checks] == ["dockerfile", "image", "container", "state"]
    assert {s for s, _ in by_id(result).values()} == {Status.PASSED}
    assert result.score == 40
    methods = [m for m, _ in backend.calls]
    assert methods.index("build") < methods.index("create_container") < methods.index(
        "start_container")
    assert backend.containers == set() and backend.images == set()


def test_a_failed_build_skips_the_image_and_container_checks_only(tmp_path: Path,
                                                                  submission: Path) -> None:
    backend = FakeBackend(build_ok=False)
    result = grade(lab(tmp_path, *ALL_STAGES), submission, backend)
    found = by_id(result)
    assert found["dockerfile"][0] is Status.PASSED
    for check_id in ("image", "container", "state"):
        assert found[check_id][0] is Status.SKIPPED
        assert "did not build" in found[check_id][1]
    assert result.build.status is Status.FAILED
    assert "create_container" not in [m for m, _ in backend.calls]


def test_no_dockerfile_fails_the_dockerfile_checks_and_skips_the_rest(tmp_path: Path) -> None:
    empty = tmp_path / "empty"
    empty.mkdir()
    result = grade(lab(tmp_path, *ALL_STAGES), empty, FakeBackend())
    found = by_id(result)
    assert found["dockerfile"] == (Status.FAILED, "There is no Dockerfile in the submission.")
    assert {found[c][0] for c in ("image", "container", "state")} == {Status.SKIPPED}


def test_a_stopped_container_skips_the_runtime_checks_but_not_the_one_that_judges_it(
        tmp_path: Path, submission: Path) -> None:
    result = grade(lab(tmp_path, *ALL_STAGES), submission, FakeBackend(running=False,
                                                                       exit_code=3))
    found = by_id(result)
    assert found["image"][0] is Status.PASSED
    assert found["container"][0] is Status.SKIPPED
    assert "exited with code 3" in found["container"][1]
    assert found["state"][0] is Status.PASSED  # it ran: it reads the state itself


def test_a_crashing_check_is_an_error_and_the_others_still_run(tmp_path: Path,
                                                               submission: Path) -> None:
    checks = (spec("broken", Probe("raise")), spec("wrong", ImageProbe("fail")),
              spec("fine", ContainerProbe()))
    found = by_id(grade(lab(tmp_path, *checks), submission, FakeBackend()))
    assert found["broken"][0] is Status.ERROR
    assert found["wrong"][0] is Status.FAILED  # the student's, never mixed with ours
    assert found["fine"][0] is Status.PASSED


def test_a_stage_that_crashes_fills_every_check_left_with_an_error(tmp_path: Path,
                                                                    submission: Path) -> None:
    backend = FakeBackend(start_error=RuntimeError("the engine fell over"))
    result = grade(lab(tmp_path, *ALL_STAGES), submission, backend)
    found = by_id(result)
    assert found["dockerfile"][0] is Status.PASSED and found["image"][0] is Status.PASSED
    assert found["container"][0] is Status.ERROR and found["state"][0] is Status.ERROR
    assert backend.containers == set()  # removed although the run crashed


def test_runtime_checks_past_the_run_time_budget_are_skipped_with_the_reason(
        tmp_path: Path, submission: Path) -> None:
    result = grade(lab(tmp_path, *ALL_STAGES), submission, FakeBackend(),
                   GradeOptions(run_timeout=1e-9))
    found = by_id(result)
    assert found["image"][0] is Status.PASSED  # the budget is the container's, not the image's
    assert found["container"][0] is Status.SKIPPED
    assert "run time limit" in found["container"][1]


def test_hidden_checks_are_not_even_run_for_a_student(tmp_path: Path, submission: Path) -> None:
    hidden = CheckSpec("secret", "probe", 5, True, Text.same("secret"), None, Probe("raise"))
    result = grade(lab(tmp_path, spec("dockerfile", Probe()), hidden), submission, FakeBackend(),
                   GradeOptions(include_hidden=False))
    assert [r.check_id for r in result.checks] == ["dockerfile"]


def test_a_lab_with_only_dockerfile_checks_builds_nothing(tmp_path: Path,
                                                          submission: Path) -> None:
    backend = FakeBackend()
    result = grade(lab(tmp_path, spec("dockerfile", Probe())), submission, backend)
    assert by_id(result)["dockerfile"][0] is Status.PASSED
    assert "build" not in [m for m, _ in backend.calls]


def test_with_no_engine_the_dockerfile_is_graded_and_the_rest_is_ours(tmp_path: Path,
                                                                      submission: Path) -> None:
    engine = NoEngine(DockerUnavailable("unix:///nowhere.sock", "connection refused"))
    result = grade(lab(tmp_path, *ALL_STAGES), submission, engine)
    found = by_id(result)
    assert found["dockerfile"][0] is Status.PASSED and result.score == 10
    for check_id in ("image", "container", "state"):
        status, message = found[check_id]
        assert status is Status.ERROR  # not the student's fault
        assert "no Docker engine in this grading environment (connection refused)" in message
    assert result.build.status is Status.ERROR and result.build.explanation is not None
    assert "Traceback" not in "".join(c.details for c in result.checks)


def test_with_no_engine_a_dockerfile_only_lab_is_graded_whole(tmp_path: Path,
                                                               submission: Path) -> None:
    engine = NoEngine(DockerUnavailable("unix:///nowhere.sock"))
    result = grade(lab(tmp_path, spec("dockerfile", Probe())), submission, engine)
    assert not result.errored and result.score == 10
    assert result.build.status is Status.SKIPPED
