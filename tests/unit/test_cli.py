"""The CLI's promises that need no Docker: exit statuses and one clear line per mistake."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from graders.cli.env import Env, ExitStatus
from graders.cli.main import main


def run(argv: list[str], environ: dict[str, str] | None = None) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    status = main(argv, Env(out, err, environ or {}))
    return status, out.getvalue(), err.getvalue()


def test_list_shows_the_apache_lab() -> None:
    status, out, _ = run(["list"])
    assert status == ExitStatus.SUCCESS
    assert "day2-apache" in out


def test_list_types_shows_every_check_type() -> None:
    from graders.checks import CHECK_TYPES

    status, out, _ = run(["list", "--types"])
    assert status == ExitStatus.SUCCESS
    for name in CHECK_TYPES:
        assert name in out


def test_missing_submission_folder_is_a_usage_error(tmp_path: Path) -> None:
    status, out, err = run(["grade", "day2-apache", str(tmp_path / "nope")])
    assert status == ExitStatus.USAGE_OR_SPEC_ERROR
    assert err.count("\n") == 1 and "does not exist" in err
    assert "Traceback" not in err + out


def test_unknown_lab_is_a_usage_error(tmp_path: Path) -> None:
    status, _, err = run(["grade", "no-such-lab", str(tmp_path)])
    assert status == ExitStatus.USAGE_OR_SPEC_ERROR
    assert "labgrade list" in err


def test_bad_lab_yaml_gives_one_line_and_exit_2(tmp_path: Path) -> None:
    lab = tmp_path / "broken"
    lab.mkdir()
    (lab / "lab.yaml").write_text("id: broken\ntitle: x\nchecks:\n  - {id: a, type: nope}\n")
    status, _, err = run(["grade", str(lab), str(tmp_path)])
    assert status == ExitStatus.USAGE_OR_SPEC_ERROR
    assert err.count("\n") == 1
    assert "lab.yaml: checks[0].type" in err and "Valid types" in err


def test_no_engine_exits_3_with_the_next_step(tmp_path: Path,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DOCKER_HOST", f"unix://{tmp_path}/no.sock")
    (tmp_path / "sub").mkdir()
    status, _, err = run(["grade", "day2-apache", str(tmp_path / "sub")])
    assert status == ExitStatus.INFRA_ERROR
    assert "Cannot reach the Docker daemon" in err and "docker info" in err


def test_bad_flag_is_a_usage_error() -> None:
    status, _, _ = run(["grade", "--no-such-flag"])
    assert status == ExitStatus.USAGE_OR_SPEC_ERROR


def test_validate_needs_a_lab_or_all() -> None:
    status, _, err = run(["validate"])
    assert status == ExitStatus.USAGE_OR_SPEC_ERROR
    assert "--all" in err


STATIC_LAB = """\
id: static
title: {pt: "Estático", en: "Static"}
points: 10
build: {dockerfile: Dockerfile, context: .}
checks:
  - id: base-image
    type: base_image
    points: 10
    title: {pt: "Debian", en: "Debian"}
    image: '^(docker\\\\.io/)?(library/)?debian$'
    pinned: true
    stage: final
"""


def static_lab(tmp_path: Path) -> tuple[Path, Path]:
    """An all-static lab (one Dockerfile check) and a submission with full marks."""
    lab, sub = tmp_path / "static", tmp_path / "sub"
    lab.mkdir()
    sub.mkdir()
    (lab / "lab.yaml").write_text(STATIC_LAB)
    (sub / "Dockerfile").write_text("FROM debian:12\n")
    return lab, sub


def test_prairielearn_gets_its_results_with_no_engine(tmp_path: Path,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    """grader-host (apps/grader-host/src/index.ts) reads results/results.json only when
    `data.State.ExitCode === 0`; externalGrader.ts then takes `results.gradable ?? true` and a
    finite `score` in 0..1."""
    import json

    monkeypatch.setenv("DOCKER_HOST", "unix:///nonexistent")
    lab, sub = static_lab(tmp_path)
    out = tmp_path / "results" / "results.json"
    out.parent.mkdir()
    status, _, err = run(["grade", str(lab), str(sub), "--prairielearn", str(out)])
    assert status == ExitStatus.SUCCESS
    assert "Cannot reach the Docker daemon" in err  # still said, on stderr
    data = json.loads(out.read_text())
    assert data["gradable"] is True and data["score"] == 1.0
    assert len(out.read_bytes()) <= 1024 * 1024


@pytest.mark.parametrize("fmt", ["gradescope", "classroom", "prairielearn"])
def test_a_written_platform_file_means_exit_0(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                              fmt: str) -> None:
    import json

    monkeypatch.setenv("DOCKER_HOST", "unix:///nonexistent")
    (tmp_path / "sub").mkdir()
    target = tmp_path / "out.json"
    status, _, _ = run(["grade", "day2-apache", str(tmp_path / "sub"), f"--{fmt}", str(target)])
    assert status == ExitStatus.SUCCESS  # Docker checks are errors *inside* the file
    json.loads(target.read_text())
    status, _, _ = run(["grade", "day2-apache", str(tmp_path / "sub"), "--json", str(target)])
    assert status == ExitStatus.INFRA_ERROR  # not a platform: nobody reads the file unless 0


def test_classroom_file_is_the_runner_result_json(tmp_path: Path,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    import json

    monkeypatch.setenv("DOCKER_HOST", "unix:///nonexistent")
    lab, sub = static_lab(tmp_path)
    target, output = tmp_path / "c.json", tmp_path / "github_output"
    run(["grade", str(lab), str(sub), "--classroom", str(target)],
        {"GITHUB_OUTPUT": str(output)})
    data = json.loads(target.read_text())
    assert data["version"] == 1 and data["max_score"] == 10 and data["tests"]
    line = output.read_text().strip()
    assert line.startswith("result=") and "{" not in line  # base64 only in $GITHUB_OUTPUT


def test_grade_help_states_the_platform_exit_status() -> None:
    _, out, _ = run(["grade", "--help"])
    text = " ".join(out.split())
    assert "--prairielearn file was written" in text and "exit status: 0" in text
