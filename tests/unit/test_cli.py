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
    from graders.checks import CHECKS

    status, out, _ = run(["list", "--types"])
    assert status == ExitStatus.SUCCESS
    for name in CHECKS:
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
