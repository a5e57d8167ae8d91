"""What an installed labgrade promises on its own, with no repository beside it: its version,
help that shows examples and exit codes, labs found wherever the user stands, and a pipe that
closes early without a traceback."""

from __future__ import annotations

import io
import os
import shutil
import subprocess
import sys
from importlib.metadata import version
from pathlib import Path

import pytest

from graders.cli.env import Env, ExitStatus
from graders.cli.main import main

REPO = Path(__file__).resolve().parents[2]


def run(argv: list[str], cwd: Path | None = None,
        environ: dict[str, str] | None = None) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    here = Path.cwd()
    if cwd is not None:
        os.chdir(cwd)
    try:
        status = main(argv, Env(out, err, environ or {}))
    finally:
        os.chdir(here)
    return status, out.getvalue(), err.getvalue()


def test_version_prints_the_installed_version() -> None:
    status, out, _ = run(["--version"])
    assert status == ExitStatus.SUCCESS
    assert out.strip() == f"labgrade {version('labgrade')}"


def test_help_has_examples_and_exit_codes() -> None:
    status, out, _ = run(["--help"])
    assert status == ExitStatus.SUCCESS
    assert "labgrade check day2-apache" in out
    assert "exit status" in out and "130" in out


def test_list_says_where_each_lab_comes_from(tmp_path: Path) -> None:
    own = tmp_path / ".labgrade" / "labs" / "day2-apache"
    shutil.copytree(REPO / "labs" / "day2-apache", own)
    status, out, _ = run(["list"], cwd=tmp_path)
    assert status == ExitStatus.SUCCESS
    rows = {line.split()[0]: line for line in out.splitlines() if line.strip()}
    assert ".labgrade/labs" in rows["day2-apache"]
    assert "bundled" in rows["day2-multistage"]


def test_list_keeps_going_past_a_broken_lab(tmp_path: Path) -> None:
    broken = tmp_path / "labs" / "broken-lab"
    broken.mkdir(parents=True)
    (broken / "lab.yaml").write_text("id: broken-lab\nchecks: [\n", encoding="utf-8")
    status, out, _ = run(["--labs", str(tmp_path / "labs"), "list"])
    assert "broken-lab" in out and "broken" in out.split("broken-lab", 1)[1]
    assert "not valid YAML" in out
    assert "day2-apache" in out  # the bundled labs are still listed
    assert status == ExitStatus.SUCCESS


def test_list_types_shows_each_types_fields() -> None:
    status, out, _ = run(["list", "--types"])
    assert status == ExitStatus.SUCCESS
    section = out.split("image_exposed_ports", 1)[1]
    assert "ports" in section.split("\n\n", 1)[0]


def test_schema_prints_the_lab_json_schema() -> None:
    import json

    status, out, _ = run(["schema"])
    assert status == ExitStatus.SUCCESS
    schema = json.loads(out)
    assert schema["title"] == "labgrade lab.yaml"


def test_a_closed_pipe_is_not_a_traceback() -> None:
    code = "from graders.cli.main import run; run()"
    shell = f"{sys.executable} -c '{code}' list --types | head -1"
    done = subprocess.run(["bash", "-o", "pipefail", "-c", shell], capture_output=True,
                          text=True, timeout=60)
    assert "Traceback" not in done.stderr and "BrokenPipeError" not in done.stderr
    assert done.stdout.count("\n") == 1


@pytest.mark.parametrize("where", ["labs/day2-apache", "labs/day2-multistage"])
def test_validate_dot_inside_a_lab_folder_finds_the_lab(where: str) -> None:
    from graders.spec import load_lab

    here = Path.cwd()
    os.chdir(REPO / where)
    try:
        lab = load_lab(".")
    finally:
        os.chdir(here)
    assert lab.id == Path(where).name


@pytest.mark.parametrize(("lang", "words"), [("pt", "o Docker não está rodando"),
                                              ("en", "Docker is not running")])
def test_no_engine_on_a_students_machine_is_one_line(tmp_path: Path, lang: str, words: str,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DOCKER_HOST", "unix:///nonexistent/docker.sock")
    (tmp_path / "Dockerfile").write_text("FROM debian:12\n", encoding="utf-8")
    status, out, err = run(["check", "day2-apache", str(tmp_path), "--lang", lang])
    assert status == ExitStatus.INFRA_ERROR
    assert err.count("\n") == 1 and words in err
    assert "systemctl start docker" in err and "Docker Desktop" in err
    assert "make demo" not in err and "culpa sua" not in err + out


def test_no_engine_on_a_platform_keeps_the_infrastructure_wording(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DOCKER_HOST", "unix:///nonexistent/docker.sock")
    (tmp_path / "Dockerfile").write_text("FROM debian:12\n", encoding="utf-8")
    report = tmp_path / "results.json"
    status, _, _ = run(["grade", "day2-apache", str(tmp_path), "--gradescope", str(report),
                        "--lang", "pt"])
    assert status == ExitStatus.SUCCESS
    assert "avise o professor" in report.read_text(encoding="utf-8")
