"""pytest plugin: `pytest --lab LAB --submission DIR` grades a submission as pytest tests.

Each check of the lab becomes a test item carrying its points and the engine's result. An
instructor's own `labs/<id>/test_*.py` tests are checks of the lab like those of lab.yaml: the
engine runs them in its grading run (graders/pytest_session.py), and they show here as the
engine's results, never collected and run a second time. Scores equal `labgrade grade`'s: both
run graders.engine, and `--lab-registry`/`--lab-image` are `labgrade grade`'s
`--registry`/`--image`.
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from graders.engine.run import GradingRun
    from graders.results import CheckResult
    from graders.spec import Lab

LAB_HELP = "grade this lab: an id under labs/ (or $LABGRADE_LABS) or a lab folder"
SUBMISSION_HELP = "the submission folder to grade with --lab"
BACKEND_HELP = "Docker backend for --lab (default: sdk)"
STUDENT_HELP = "leave the lab's hidden checks out, as a student's self-check does"
REGISTRY_HELP = ("registry HOST[:PORT] the image was pushed to, as `labgrade grade --registry` "
                 "(default: the declared image's own domain, else Docker Hub)")
IMAGE_HELP = ("the pushed image, as `labgrade grade --image` (default: image: in the "
              "submission's labgrade.yaml)")


@dataclass
class PluginState:
    lab: Lab
    submission: Path
    backend_name: str
    student: bool
    registry: str | None = None
    """`--lab-registry` (or the `lab_registry` ini value), as `labgrade grade --registry`."""
    image: str | None = None
    """`--lab-image`, as `labgrade grade --image`."""
    stack: contextlib.ExitStack = field(default_factory=contextlib.ExitStack)
    run: GradingRun | None = None
    points: dict[str, tuple[float, float]] = field(default_factory=dict)
    """nodeid -> (score, possible), filled as reports come in."""

    def grading(self) -> GradingRun:
        """Grade once, on first use, and keep the container until the session ends."""
        if self.run is None:
            from graders.backends import get_backend
            from graders.engine.run import GradeOptions, grading_session

            backend = get_backend(self.backend_name)
            options = GradeOptions(include_hidden=not self.student, registry=self.registry,
                                   image=self.image)
            self.run = self.stack.enter_context(
                grading_session(self.lab, self.submission, backend, options))
        return self.run


STATE = pytest.StashKey[PluginState]()


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("graders", "labgrade: grade Docker labs")
    group.addoption("--lab", default=None, help=LAB_HELP)
    group.addoption("--submission", default=None, help=SUBMISSION_HELP)
    group.addoption("--lab-backend", default="sdk", help=BACKEND_HELP)
    group.addoption("--lab-student", action="store_true", help=STUDENT_HELP)
    group.addoption("--lab-registry", default=None, metavar="HOST[:PORT]", help=REGISTRY_HELP)
    group.addoption("--lab-image", default=None, metavar="REF", help=IMAGE_HELP)
    parser.addini("lab", LAB_HELP)
    parser.addini("lab_registry", REGISTRY_HELP)


@pytest.hookimpl(tryfirst=True)
def pytest_load_initial_conftests(early_config: pytest.Config, args: list[str]) -> None:
    """Refuse to start inside the submission, before pytest loads its conftest.py: a
    student's conftest.py or pytest.ini must never run in the grader's own process."""
    submission = early_config.known_args_namespace.submission
    if not submission:
        return
    inside = Path(submission).resolve()
    for start in (early_config.rootpath, Path.cwd(), early_config.inipath):
        if start is not None and (start.resolve() == inside or inside in start.resolve().parents):
            raise pytest.UsageError(
                f"pytest started inside the submission ({start}): its conftest.py and pytest.ini "
                "would run in the grader. Run pytest from another folder, for example "
                f"`cd /tmp && pytest --lab LAB --submission {inside}`.")


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "points(n): points this test is worth in the lab's score")
    config.addinivalue_line("markers", "hidden: a hidden check of the lab (left out by "
                            "--lab-student and students' self-checks)")
    name = config.getoption("lab") or config.getini("lab")
    if not name:
        return
    submission = config.getoption("submission")
    if not submission:
        raise pytest.UsageError("--lab needs the folder to grade; try --submission .")
    from graders.errors import GraderError
    from graders.spec import load_lab

    try:
        lab = load_lab(name)
    except GraderError as e:
        raise pytest.UsageError(str(e)) from None
    if not Path(submission).is_dir():
        raise pytest.UsageError(f"--submission {submission} is not a folder; give the student's "
                                "folder that holds the Dockerfile")
    config.stash[STATE] = PluginState(lab, Path(submission), config.getoption("lab_backend"),
                                      config.getoption("lab_student"), _registry_option(config),
                                      config.getoption("lab_image") or None)
    config.pluginmanager.register(LabScoring(config.stash[STATE]), "graders-scoring")
    if config.args_source is not pytest.Config.ArgsSource.ARGS:
        config.args[:] = [str(lab.spec_file)]  # collect the lab, not the project's own tests


def _registry_option(config: pytest.Config) -> str | None:
    """`--lab-registry`, else the `lab_registry` ini value, checked as `grade --registry`."""
    value = config.getoption("lab_registry") or config.getini("lab_registry")
    if not value:
        return None
    import argparse

    from graders.cli.registry_cmd import registry_address

    try:
        return registry_address(str(value))
    except argparse.ArgumentTypeError as e:
        raise pytest.UsageError(f"--lab-registry: {e}") from None


def pytest_unconfigure(config: pytest.Config) -> None:
    state = config.stash.get(STATE, None)
    if state is not None:
        state.stack.close()  # removes the container and image, Ctrl-C included


def pytest_report_header(config: pytest.Config) -> str | None:
    state = config.stash.get(STATE, None)
    if state is None:
        return None
    return (f"labgrade: lab {state.lab.id}, submission {state.submission}, "
            f"backend {state.backend_name}"
            + (f", registry {state.registry}" if state.registry else "")
            + (f", image {state.image}" if state.image else ""))


def pytest_ignore_collect(collection_path: Path, config: pytest.Config) -> bool | None:
    """The lab's instructor test files are checks of the lab (LabFile shows their results):
    collected as tests too, they would run twice."""
    state = config.stash.get(STATE, None)
    if state is not None and collection_path.resolve() in _instructor_files(state.lab):
        return True
    return None


def _instructor_files(lab: Lab) -> set[Path]:
    from graders.checks.instructor_test import InstructorTest

    return {Path(c.check.file) for c in lab.checks if isinstance(c.check, InstructorTest)}


def pytest_collect_file(file_path: Path, parent: pytest.Collector) -> pytest.Collector | None:
    state = parent.config.stash.get(STATE, None)
    if state is not None and file_path.resolve() == state.lab.spec_file.resolve():
        return LabFile.from_parent(parent, path=file_path)
    return None


class LabFile(pytest.File):
    def collect(self) -> Any:
        state = self.config.stash[STATE]
        for spec in state.lab.checks:
            if (state.student and spec.hidden) or spec.live:
                continue  # live checks read the student's own engine: `labgrade check --live`
            yield CheckItem.from_parent(self, name=spec.id)


class CheckFailed(Exception):
    """A check the submission did not pass; shown as the check's feedback, not a traceback."""


class CheckItem(pytest.Item):
    def _result(self) -> CheckResult:
        run = self.config.stash[STATE].grading()
        return next(r for r in run.results if r.check_id == self.name)

    def setup(self) -> None:
        result = self._result()
        self.user_properties += [("points", result.score), ("max_points", result.possible)]
        if result.status.value == "error":  # ours, not the student's: pytest shows an error
            # (failing in setup is an error; pytrace=False shows the engine's text alone)
            pytest.fail(f"{result.message.en}\n{result.details}".rstrip(), pytrace=False)

    def runtest(self) -> None:
        result = self._result()
        if result.status.value == "skipped":
            pytest.skip(result.message.en)
        if result.status.value == "failed":
            raise CheckFailed(result.feedback("en"))

    def repr_failure(self, excinfo: pytest.ExceptionInfo[BaseException], style: Any = None) -> Any:
        if isinstance(excinfo.value, CheckFailed):
            return str(excinfo.value)
        return super().repr_failure(excinfo)

    def reportinfo(self) -> tuple[Path, int | None, str]:
        return self.path, None, f"{self.config.stash[STATE].lab.id}::{self.name}"


class LabScoring:
    """Adds up the engine's points as reports come in; registered only when --lab is given."""

    def __init__(self, state: PluginState) -> None:
        self.state = state

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        points = {k: float(str(v)) for k, v in report.user_properties
                  if k in ("points", "max_points")}
        if "max_points" in points:  # a lab check: the engine's own score
            self.state.points[report.nodeid] = (points["points"], points["max_points"])

    def pytest_terminal_summary(self, terminalreporter: Any) -> None:
        score = sum(s for s, _ in self.state.points.values())
        possible = sum(p for _, p in self.state.points.values())
        terminalreporter.write_sep("=", f"labgrade score: {score:g}/{possible:g}")
