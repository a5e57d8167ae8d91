"""An instructor's labs/<id>/test_*.py graded by the engine, on the real engine: points,
titles, hidden tests, failures as what/expected/actual, errors, skips, one pytest session per
stage, the student's conftest.py never loaded, and every report format carrying them."""

from __future__ import annotations

import io
import json
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import pytest

from graders.cli.env import Env, ExitStatus
from graders.cli.main import main
from graders.engine.run import GradeOptions, grade
from graders.i18n import Text
from graders.results import LabResult, Status
from graders.spec import Lab, load_lab

pytestmark = pytest.mark.docker

LAB_YAML = """\
id: pylab
title: {pt: "Lab com testes do professor", en: "A lab with instructor tests"}
points: 20
build: {dockerfile: Dockerfile}
run: {}
checks:
  - {id: running, type: container_running, points: 5, after: 0}
"""

TESTS = '''\
import pytest


@pytest.mark.points(4)
def test_motd(host):
    """/etc/motd says hello"""
    assert host.file("/etc/motd").content_string.strip() == "hello"


@pytest.mark.points(3)
def test_label(image):
    """The image carries the course label"""
    labels = image["Config"]["Labels"] or {}
    assert labels.get("course") == "docker", "the course label is missing"


@pytest.mark.points(2)
@pytest.mark.hidden
def test_hidden_one(lab):
    """A hidden test"""
    assert lab.id == "pylab"


@pytest.mark.points(1)
def test_container_sdk(container):
    """The SDK container runs"""
    assert container.status == "running"


@pytest.mark.points(3)
def test_errors(host):
    """A test with a bug of the instructor's"""
    raise RuntimeError("boom in the test")


@pytest.mark.points(2)
def test_skips():
    """Not graded today"""
    pytest.skip("not today")
'''

CONFTEST = """\
import os
import pytest


@pytest.fixture(scope="session", autouse=True)
def count_sessions():
    with open(os.environ["PYLAB_SESSIONS"], "a") as f:
        f.write("session\\n")
"""

GOOD = 'FROM busybox:1.35\nRUN echo hello > /etc/motd\nLABEL course=docker\nCMD ["sleep", "600"]\n'
BAD = 'FROM busybox:1.35\nRUN echo bye > /etc/motd\nCMD ["sleep", "600"]\n'


def make_lab(root: Path, tests: str = TESTS, points: int = 20) -> Lab:
    folder = root / "labs" / "pylab"
    folder.mkdir(parents=True)
    (folder / "lab.yaml").write_text(LAB_YAML.replace("points: 20", f"points: {points}"))
    (folder / "test_pylab.py").write_text(tests)
    (folder / "conftest.py").write_text(CONFTEST)
    return load_lab(folder)


def submission(root: Path, name: str, dockerfile: str, student_pytest: bool = True) -> Path:
    folder = root / name
    folder.mkdir()
    (folder / "Dockerfile").write_text(dockerfile)
    if not student_pytest:  # `pytest --lab` refuses a submission with a pytest.ini (its guard)
        return folder
    # A student's pytest files: they must never be loaded by the grader's pytest session.
    (folder / "conftest.py").write_text(
        f"open({str(root / 'student-conftest-ran')!r}, 'w').write('x')\n")
    (folder / "pytest.ini").write_text("[pytest]\naddopts = --definitely-not-an-option\n")
    return folder


@pytest.fixture
def lab(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Lab:
    monkeypatch.setenv("PYLAB_SESSIONS", str(tmp_path / "sessions"))
    return make_lab(tmp_path)


def by_id(result: LabResult) -> dict[str, Any]:
    return {c.check_id: c for c in result.checks}


def test_grade_scores_instructor_tests_as_checks(lab: Lab, tmp_path: Path, backend: Any,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    good = submission(tmp_path, "good", GOOD)
    monkeypatch.chdir(good)  # graded from inside the submission: still not its conftest.py
    result = grade(lab, good, backend)
    checks = by_id(result)
    assert {k: (c.status, c.score, c.possible) for k, c in checks.items()} == {
        "running": (Status.PASSED, 5, 5),
        "test_motd": (Status.PASSED, 4, 4),
        "test_label": (Status.PASSED, 3, 3),
        "test_hidden_one": (Status.PASSED, 2, 2),
        "test_container_sdk": (Status.PASSED, 1, 1),
        "test_errors": (Status.ERROR, 0, 3),
        "test_skips": (Status.SKIPPED, 0, 2),
    }
    assert (result.score, result.possible) == (15, 20)
    assert checks["test_motd"].title.en == "/etc/motd says hello"
    assert checks["test_motd"].type == "pytest"
    errors = checks["test_errors"]
    assert "RuntimeError while running: boom in the test" in errors.message.en
    assert "not the submission's" in errors.message.en and "não da entrega" in errors.message.pt
    assert "boom in the test" in errors.details and "graders/engine" not in errors.details
    assert "not today" in checks["test_skips"].message.en
    # One pytest session per stage that has instructor tests (Dockerfile, image, container).
    assert (tmp_path / "sessions").read_text().splitlines() == ["session"] * 3
    assert not (tmp_path / "student-conftest-ran").exists()


def test_a_failing_test_says_what_expected_actual(lab: Lab, tmp_path: Path,
                                                  backend: Any) -> None:
    result = grade(lab, submission(tmp_path, "bad", BAD), backend)
    checks = by_id(result)
    motd, label = checks["test_motd"], checks["test_label"]
    assert (motd.status, label.status) == (Status.FAILED, Status.FAILED)
    assert motd.message.en == "The instructor's test did not pass."
    assert motd.expected == Text.same("/etc/motd says hello")  # the title, in both languages
    assert motd.actual is not None and "'bye' == 'hello'" in motd.actual
    assert "Traceback" not in motd.actual and "def test_motd" not in motd.actual
    assert label.message.en == "The instructor's test did not pass: the course label is missing"
    assert label.message.pt.startswith("O teste do professor não passou: ")
    assert result.score == 5 + 2 + 1


def test_hidden_tests_are_left_out_of_a_students_run(lab: Lab, tmp_path: Path,
                                                     backend: Any) -> None:
    result = grade(lab, submission(tmp_path, "good", GOOD), backend,
                   GradeOptions(include_hidden=False))
    assert "test_hidden_one" not in by_id(result)
    assert (result.score, result.possible) == (13, 18)


STOPPING = '''\
import pytest


@pytest.mark.points(5)
def test_asks_host_after_the_container_stopped(container, request):
    """The host fixture over a stopped container"""
    container.kill()
    container.wait()
    host = request.getfixturevalue("host")
    assert host.file("/etc/motd").exists
'''


def test_host_skips_when_the_container_is_not_running(tmp_path: Path, backend: Any,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PYLAB_SESSIONS", str(tmp_path / "sessions"))
    lab = make_lab(tmp_path, STOPPING, points=10)
    result = grade(lab, submission(tmp_path, "good", GOOD), backend)
    stopped = by_id(result)["test_asks_host_after_the_container_stopped"]
    assert stopped.status is Status.SKIPPED
    assert (stopped.message.en, stopped.message.pt) == ("The container is not running.",
                                                        "O contêiner não está rodando.")


def test_reports_carry_instructor_tests(lab: Lab, tmp_path: Path) -> None:
    files = {fmt: tmp_path / f"r.{fmt}" for fmt in ("json", "junit", "classroom")}
    flags = [x for fmt, path in files.items() for x in (f"--{fmt}", str(path))]
    out, err = io.StringIO(), io.StringIO()
    status = main(["grade", str(lab.root), str(submission(tmp_path, "bad", BAD)), "--lang", "en",
                   *flags], Env(out, err, {}))
    assert status == ExitStatus.SUCCESS, err.getvalue()
    data = json.loads(files["json"].read_text())
    motd = next(c for c in data["checks"] if c["id"] == "test_motd")
    assert (motd["status"], motd["points"], motd["max_points"]) == ("failed", 0, 4)
    assert (data["score"], data["max_score"]) == (8, 20)
    cases = {c.get("name"): c for c in ET.parse(files["junit"]).getroot().iter("testcase")}
    motd_case = next(c for name, c in cases.items() if name and "/etc/motd says hello" in name)
    assert motd_case.find("failure") is not None
    classroom = json.loads(files["classroom"].read_text())
    assert classroom["max_score"] == 20
    assert any(t["name"].startswith("/etc/motd says hello") and t["status"] == "fail"
               for t in classroom["tests"])


def test_pytest_lab_equals_grade(lab: Lab, tmp_path: Path, backend: Any,
                                 pytester: pytest.Pytester) -> None:
    """`pytest --lab` shows each instructor test once, as the engine's result, and scores as
    `labgrade grade` does (this runs the engine's pytest session inside two pytests)."""
    bad = submission(tmp_path, "bad", BAD, student_pytest=False)
    expected = grade(lab, bad, backend)
    (tmp_path / "sessions").unlink()
    result = pytester.runpytest("--lab", str(lab.root), "--submission", str(bad), "-rA")
    out = result.stdout.str()
    assert f"labgrade score: {expected.score:g}/{expected.possible:g}" in out, out
    result.assert_outcomes(passed=3, failed=2, errors=1, skipped=1)
    assert out.count("test_motd") >= 1 and "test_pylab.py::" not in out  # never run twice
    assert (tmp_path / "sessions").read_text().splitlines() == ["session"] * 3
    assert "Expected: /etc/motd says hello" in out or "/etc/motd says hello" in out


NO_BUILD_LAB = """\
id: pylab
title: {pt: "Sem build", en: "No build"}
checks:
  - {id: has-from, type: dockerfile_instruction, instruction: FROM}
"""


def test_ctrl_c_in_an_instructor_test_stops_the_grading(tmp_path: Path, backend: Any) -> None:
    """pytest turns Ctrl-C (and the CLI's SIGTERM) into an exit status: the engine must still
    see it, to clean up and stop, not grade on as if an instructor's test had erred."""
    folder = tmp_path / "labs" / "pylab"
    folder.mkdir(parents=True)
    (folder / "lab.yaml").write_text(NO_BUILD_LAB)
    (folder / "test_stop.py").write_text("def test_stop(lab):\n    raise KeyboardInterrupt\n")
    with pytest.raises(KeyboardInterrupt):
        grade(load_lab(folder), submission(tmp_path, "good", GOOD), backend)
