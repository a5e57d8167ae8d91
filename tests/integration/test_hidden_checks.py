"""A hidden check's text reaches no student-facing output, and every instructor one.

A temporary copy of day2-apache turns `apache-env` hidden, with a distinctive title, hint and
an extra expected variable that no submission sets (so it fails, and its message, expected
and hint values are all produced). The solution and a failing sample are graded through the
CLI with every output a student can see; then `grade --json` must hold all of it.
"""

from __future__ import annotations

import base64
import io
import json
import shutil
from pathlib import Path

import pytest
import yaml

from graders.cli.env import Env, ExitStatus
from graders.cli.main import main

pytestmark = pytest.mark.docker
APACHE = Path(__file__).resolve().parents[2] / "labs" / "day2-apache"
TITLE, HINT = "ZEBRA-TITLE-7", "ZEBRA-HINT-7"
VAR, VALUE = "ZEBRA_VAR_7", "zebra-expected-7"
SECRETS = (TITLE, HINT, VAR, VALUE)
SAMPLES = ("solution", "submissions/fails_expose")


@pytest.fixture(scope="module")
def labs(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("labs")
    lab = root / "day2-apache"
    shutil.copytree(APACHE, lab)
    data = yaml.safe_load((lab / "lab.yaml").read_text(encoding="utf-8"))
    (check,) = [c for c in data["checks"] if c["id"] == "apache-env"]
    check.update(visibility="hidden", title=TITLE, hint=HINT)
    check["env"][VAR] = VALUE
    (lab / "lab.yaml").write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return root


def cli(argv: list[str], environ: dict[str, str] | None = None) -> tuple[int, str]:
    out, err = io.StringIO(), io.StringIO()
    status = main(argv, Env(out, err, environ or {}))
    return status, out.getvalue() + err.getvalue()


def gradescope_student_view(text: str) -> str:
    """What a student sees of results.json before grades are published."""
    data = json.loads(text)
    shown = [t for t in data["tests"] if t.get("visibility", "visible") == "visible"]
    return json.dumps({"output": data["output"], "tests": shown}, ensure_ascii=False)


def student_outputs(labs: Path, sample: str, tmp: Path) -> dict[str, str]:
    """Every student-facing output for one submission, by name."""
    sub = str(labs / "day2-apache" / sample)
    tmp.mkdir(parents=True)
    outputs: dict[str, str] = {}
    files = {f: tmp / f"check.{f}" for f in ("json", "junit", "markdown", "classroom",
                                             "gradescope", "prairielearn")}
    flags = [x for f, p in files.items() for x in (f"--{f}", str(p))]
    _, outputs["check (terminal)"] = cli(["--labs", str(labs), "check", "day2-apache", sub,
                                          "--lang", "en", *flags])
    for fmt, path in files.items():
        outputs[f"check --{fmt}"] = path.read_text(encoding="utf-8")
    # The Classroom workflow's step, and Gradescope's run_autograder, run `grade --student-view`.
    files = {f: tmp / f"grade.{f}" for f in ("classroom", "gradescope", "prairielearn",
                                             "markdown", "json", "junit")}
    flags = [x for f, p in files.items() for x in (f"--{f}", str(p))]
    environ = {"GITHUB_ACTIONS": "true", "GITHUB_STEP_SUMMARY": str(tmp / "summary.md"),
               "GITHUB_OUTPUT": str(tmp / "output"), "GITHUB_WORKSPACE": str(labs)}
    status, outputs["Actions log"] = cli(["--labs", str(labs), "grade", "day2-apache", sub,
                                          "--student-view", "--lang", "pt", *flags], environ)
    assert status == ExitStatus.SUCCESS
    outputs["step summary"] = (tmp / "summary.md").read_text(encoding="utf-8")
    step_output = (tmp / "output").read_text(encoding="utf-8").strip().removeprefix("result=")
    outputs["step output result"] = base64.b64decode(step_output).decode("utf-8")
    outputs["--classroom"] = files["classroom"].read_text()  # the runner result JSON
    outputs["--gradescope (before release)"] = gradescope_student_view(
        files["gradescope"].read_text(encoding="utf-8"))
    for fmt in ("prairielearn", "markdown", "json", "junit"):
        outputs[f"grade --student-view --{fmt}"] = files[fmt].read_text(encoding="utf-8")
    return outputs


@pytest.mark.parametrize("sample", SAMPLES)
def test_no_student_output_shows_hidden_text(
    labs: Path, sample: str, tmp_path: Path, no_leftovers: None
) -> None:
    outputs = student_outputs(labs, sample, tmp_path / "out")
    leaks = {name: [s for s in SECRETS if s in text] for name, text in outputs.items()}
    assert not any(leaks.values()), {k: v for k, v in leaks.items() if v}
    # The hidden points still count where the grade is computed, anonymously.
    classroom = json.loads(outputs["--classroom"])
    assert classroom["max_score"] == 105
    assert any(t["name"] in ("Verificações ocultas", "Hidden checks")
               for t in classroom["tests"])
    assert "Verificações ocultas" in outputs["step summary"]


def test_instructor_json_shows_everything(labs: Path, tmp_path: Path, no_leftovers: None) -> None:
    report = tmp_path / "grade.json"
    status, _ = cli(["--labs", str(labs), "grade", "day2-apache",
                     str(labs / "day2-apache" / "solution"), "--json", str(report)])
    assert status == ExitStatus.SUCCESS
    text = report.read_text(encoding="utf-8")
    for secret in SECRETS:
        assert secret in text, secret
    (hidden,) = [c for c in json.loads(text)["checks"] if c["id"] == "apache-env"]
    assert hidden["visibility"] == "hidden"
    assert hidden["status"] == "failed" and hidden["max_points"] == 10
