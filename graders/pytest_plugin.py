"""pytest plugin: `pytest --lab LAB --submission DIR` grades a submission as pytest tests.

Each check of lab.yaml becomes a test item carrying its points; an instructor's own
`labs/<id>/test_*.py` can use the `lab`, `image`, `container`, `host` and `registry` fixtures
and `@pytest.mark.points(n)`. Scores equal `labgrade grade`'s: both run graders.engine, and
`--lab-registry`/`--lab-image` are `labgrade grade`'s `--registry`/`--image`.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from graders.engine.run import GradingRun
    from graders.pytest_registry import PushedImage
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
    config.pluginmanager.register(LabFixtures(), "graders-fixtures")
    if config.args_source is not pytest.Config.ArgsSource.ARGS:
        config.args[:] = [str(lab.root)]  # collect the lab, not the project's own tests


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


def pytest_collect_file(file_path: Path, parent: pytest.Collector) -> pytest.Collector | None:
    state = parent.config.stash.get(STATE, None)
    if state is not None and file_path == state.lab.spec_file:
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
            raise RuntimeError(f"{result.message.en}\n{result.details}")

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
    """Adds up points as reports come in; registered only when --lab is given."""

    def __init__(self, state: PluginState) -> None:
        self.state = state

    def pytest_runtest_setup(self, item: pytest.Item) -> None:
        marker = item.get_closest_marker("points")
        if marker is not None:
            item.user_properties.append(("marker_points", float(marker.args[0])))

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        points = {k: float(str(v)) for k, v in report.user_properties
                  if k in ("points", "max_points", "marker_points")}
        if "max_points" in points:  # a lab check: the engine's own score
            self.state.points[report.nodeid] = (points["points"], points["max_points"])
        elif "marker_points" in points and (report.when == "call" or not report.passed):
            # An instructor's test is all or nothing; a failing teardown takes the points back.
            worth = points["marker_points"]
            earned = worth if report.when == "call" and report.passed else 0.0
            if report.nodeid not in self.state.points or earned == 0.0:
                self.state.points[report.nodeid] = (earned, worth)

    def pytest_terminal_summary(self, terminalreporter: Any) -> None:
        score = sum(s for s, _ in self.state.points.values())
        possible = sum(p for _, p in self.state.points.values())
        terminalreporter.write_sep("=", f"labgrade score: {score:g}/{possible:g}")


# --- fixtures for an instructor's own checks ------------------------------------------------
class LabFixtures:
    """Registered when --lab is given, after every entry-point plugin, so that its `host`
    takes the place of pytest-testinfra's own `host` fixture. The fixtures are static methods
    that read the run from the config: pytest 9 deprecates session-scoped fixtures that are
    instance methods (PytestRemovedIn10Warning)."""

    @pytest.fixture(scope="session")
    @staticmethod
    def lab(request: pytest.FixtureRequest) -> Lab:
        """The Lab given with --lab."""
        return request.config.stash[STATE].lab

    @pytest.fixture(scope="session")
    @staticmethod
    def image(request: pytest.FixtureRequest) -> dict[str, Any]:
        """The built image's inspect document (Config, Size, RootFS ...)."""
        run = request.config.stash[STATE].grading()
        if run.ctx.image_ref is None:
            pytest.skip("the image did not build")
        return run.ctx.image_inspect()

    @pytest.fixture(scope="session")
    @staticmethod
    def container(request: pytest.FixtureRequest) -> Any:
        """The running container as a docker SDK Container."""
        run = request.config.stash[STATE].grading()
        if not run.ctx.started or run.ctx.container_id is None:
            pytest.skip("the container is not running")
        import docker

        return docker.from_env().containers.get(run.ctx.container_id)

    @pytest.fixture(scope="session")
    @staticmethod
    def host(request: pytest.FixtureRequest, container: Any) -> Any:
        """A pytest-testinfra Host over the running container."""
        return request.config.stash[STATE].grading().ctx.testinfra_host()

    @pytest.fixture(scope="session")
    @staticmethod
    def registry(request: pytest.FixtureRequest) -> Iterator[PushedImage]:
        """The image the submission pushed, in the registry the registry checks ask: a
        `graders.pytest_registry.PushedImage` (`reference`, `tag`, `tags()`, `digest()`,
        `manifest()`, `config()`, `client`). Skips when the submission declares no image (the
        registry checks fail it); errors when the registry cannot be asked (not the student's).
        Needs no build: the target is resolved as the checks resolve it, from the options."""
        from graders.pytest_registry import PushedImage, undeclared
        from graders.registry.target import RegistryTarget

        state = request.config.stash[STATE]
        target = RegistryTarget.resolve(state.registry, state.image, state.submission.resolve())
        try:
            reason = undeclared(target)
            if reason is not None:
                pytest.skip(reason)
            pushed = PushedImage(target)
            pushed.ping()
            yield pushed
        finally:
            target.close()
