"""The pytest plugin is a front end over the same engine: same checks, same points."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from graders.engine.run import grade
from graders.spec import load_lab

APACHE = load_lab("day2-apache")


def test_without_lab_the_plugin_stays_out_of_the_way(pytester: pytest.Pytester) -> None:
    pytester.makepyfile("def test_ok():\n    assert True\n")
    result = pytester.runpytest()
    result.assert_outcomes(passed=1)
    assert "labgrade score" not in result.stdout.str()


def test_refuses_to_start_inside_the_submission(pytester: pytest.Pytester) -> None:
    pytester.makeconftest("import pathlib; pathlib.Path('ran').write_text('x')")
    result = pytester.runpytest("--lab", "day2-apache", "--submission", ".")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    assert "inside the submission" in result.stderr.str()
    assert not (pytester.path / "ran").exists()  # the student's conftest.py never ran


def test_lab_without_submission_is_a_usage_error(pytester: pytest.Pytester) -> None:
    result = pytester.runpytest("--lab", "day2-apache")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    assert "--submission" in result.stderr.str()


def test_unknown_lab_is_a_usage_error(pytester: pytest.Pytester) -> None:
    sub = pytester.mkdir("submission")
    result = pytester.runpytest("--lab", "no-such-lab", "--submission", str(sub))
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    assert "labgrade list" in result.stderr.str()


@pytest.mark.docker
def test_plugin_scores_exactly_as_grade(pytester: pytest.Pytester, backend: Any) -> None:
    sample = APACHE.root / "submissions" / "fails_expose"
    expected = grade(APACHE, sample, backend)
    result = pytester.runpytest(
        "--lab", "day2-apache", "--submission", str(sample), "-p", "no:cacheprovider"
    )
    failed = [c for c in expected.checks if c.status.value == "failed"]
    result.assert_outcomes(passed=len(expected.checks) - len(failed), failed=len(failed))
    match = re.search(r"labgrade score: ([\d.]+)/([\d.]+)", result.stdout.str())
    assert match, result.stdout.str()
    assert float(match.group(1)) == expected.score == 95
    assert float(match.group(2)) == expected.possible
    assert "Expected" in result.stdout.str()  # the failure shows the feedback, not a traceback


@pytest.mark.docker
def test_instructor_test_with_points_and_fixtures(
    pytester: pytest.Pytester, tmp_path: Path
) -> None:
    """An instructor's own test in the lab folder uses `host` and earns its marker's points."""
    lab = tmp_path / "labs" / "day2-apache"
    lab.parent.mkdir()
    import shutil

    shutil.copytree(APACHE.root, lab)
    spec = lab / "lab.yaml"  # the lab's total grows by the new tests' 8 points
    spec.write_text(spec.read_text().replace("\npoints: 105\n", "\npoints: 113\n"))
    (lab / "test_extra.py").write_text(
        "import pytest\n\n"
        "@pytest.mark.points(5)\n"
        "def test_index_page_exists(host):\n"
        "    assert host.file('/var/www/html/index.html').exists\n\n"
        "@pytest.mark.points(3)\n"
        "def test_image_label(image):\n"
        "    assert image['Config']['Labels']['description'] == 'nope'\n"
    )
    result = pytester.runpytest("--lab", str(lab), "--submission", str(lab / "solution"))
    graded = [c for c in APACHE.checks if not c.live]
    result.assert_outcomes(passed=len(graded) + 1, failed=1)
    assert "labgrade score: 110/113" in result.stdout.str()
    assert "test_extra.py::" not in result.stdout.str()  # shown as the engine's, run once
