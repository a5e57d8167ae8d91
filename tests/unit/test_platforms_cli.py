"""`grade`/`check` platform behaviour through the CLI, with no Docker engine on purpose.

DOCKER_HOST points at a socket that does not exist: the Dockerfile's static checks are still
graded and every report is written, which is what Gradescope's container and a laptop with
Docker stopped get.
"""

from __future__ import annotations

import base64
import io
import json
import re
from pathlib import Path

import pytest

from graders.cli.env import Env, ExitStatus
from graders.cli.main import main

SOLUTION = Path(__file__).resolve().parents[2] / "labs" / "day2-apache" / "solution"


@pytest.fixture(autouse=True)
def _no_engine(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("DOCKER_HOST", f"unix://{tmp_path}/no-docker.sock")


def run(argv: list[str], environ: dict[str, str] | None = None) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    status = main(argv, Env(out, err, environ or {}))
    return status, out.getvalue(), err.getvalue()


def latest_submission(tmp_path: Path) -> Path:
    """The solution, but `FROM debian:latest` (line 1): a static check fails on a line."""
    sub = tmp_path / "repo" / "sub"
    sub.mkdir(parents=True)
    text = (SOLUTION / "Dockerfile").read_text()
    text = re.sub(r"^FROM .*$", "FROM debian:latest", text, count=1, flags=re.M)
    (sub / "Dockerfile").write_text(text)
    return sub


def test_no_engine_still_writes_every_report(tmp_path: Path) -> None:
    files = {fmt: tmp_path / f"r.{fmt}" for fmt in ("classroom", "gradescope", "prairielearn")}
    flags = [x for fmt, path in files.items() for x in (f"--{fmt}", str(path))]
    status, out, err = run(["grade", "day2-apache", str(SOLUTION), "--lang", "en", *flags])
    assert status == ExitStatus.SUCCESS  # the platforms read the files only after exit 0
    assert "Cannot reach the Docker daemon" in err
    classroom = json.loads(files["classroom"].read_text())
    assert classroom["status"] == "error" and classroom["max_score"] == 105
    by_name = {t["name"]: t for t in classroom["tests"]}
    assert by_name["Starts from Debian with a pinned tag (10/10)"]["status"] == "pass"
    assert any("no Docker engine" in t["message"] for t in classroom["tests"])
    gradescope = json.loads(files["gradescope"].read_text())
    assert 0 < gradescope["score"] < 105 and "no Docker engine" in gradescope["output"]
    prairie = json.loads(files["prairielearn"].read_text())
    assert prairie["gradable"] is False
    assert "no Docker engine" in out


def test_github_actions_guard_summary_annotations_and_output(tmp_path: Path) -> None:
    sub = latest_submission(tmp_path)
    environ = {"GITHUB_ACTIONS": "true", "GITHUB_WORKSPACE": str(tmp_path / "repo"),
               "GITHUB_STEP_SUMMARY": str(tmp_path / "summary.md"),
               "GITHUB_OUTPUT": str(tmp_path / "output")}
    status, out, _ = run(["grade", "day2-apache", str(sub), "--student-view", "--lang", "en"],
                         environ)
    assert status == ExitStatus.INFRA_ERROR
    lines = out.splitlines()
    token = lines[0].removeprefix("::stop-commands::")
    assert lines[0] != token and len(token) >= 32
    end = lines.index(f"::{token}::")
    assert any("Score:" in x for x in lines[1:end])  # the table is inside the guard
    after = lines[end + 1:]
    assert after and all(x.startswith("::error file=sub/Dockerfile,line=1,") for x in after)
    assert "Starts from Debian" in (tmp_path / "summary.md").read_text()
    output = (tmp_path / "output").read_text().splitlines()
    assert len(output) == 1 and output[0].startswith("result=")
    decoded = json.loads(base64.b64decode(output[0].removeprefix("result=")))
    assert decoded["tests"] and decoded["max_score"] == 105


def test_check_does_not_set_the_step_output(tmp_path: Path) -> None:
    environ = {"GITHUB_ACTIONS": "true", "GITHUB_OUTPUT": str(tmp_path / "output")}
    run(["check", "day2-apache", str(SOLUTION)], environ)
    assert not (tmp_path / "output").exists()


def test_outside_actions_nothing_github_is_printed(tmp_path: Path) -> None:
    _, out, _ = run(["grade", "day2-apache", str(latest_submission(tmp_path))])
    assert "::" not in out


def test_watch_usage_errors() -> None:
    status, _, err = run(["check", "day2-apache", str(SOLUTION), "--watch", "--poll", "0"])
    assert status == ExitStatus.USAGE_OR_SPEC_ERROR and "--poll" in err


@pytest.mark.parametrize(("environ", "word"),
                         [({"LANG": "pt_BR.UTF-8"}, "o Docker não está rodando"),
                          ({"LANG": "en_US.UTF-8"}, "Docker is not running")])
def test_check_language_defaults_to_lang(environ: dict[str, str], word: str) -> None:
    """With no engine a student's `check` says so in one line, in LANG's language."""
    _, _, err = run(["check", "day2-apache", str(SOLUTION)], environ)
    assert word in err
