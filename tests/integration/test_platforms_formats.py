"""Every platform format through the real CLI on a real engine, read the way each platform does."""

from __future__ import annotations

import base64
import io
import json
import os
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
import zipfile
from pathlib import Path
from typing import Any

import pytest

from graders.cli.env import Env, ExitStatus
from graders.cli.main import main
from graders.reporters.base import fmt_points
from graders.spec import load_lab

pytestmark = pytest.mark.docker
APACHE = load_lab("day2-apache").root
LABGRADE = [str(Path(sys.executable).with_name("labgrade"))]
"""The installed console script, from the venv running the tests."""

# The reporter's own logic (autograding-grading-reporter src/main.js, notify-classroom.js and
# console-results.js), kept to what decides what Classroom and the student see.
REPORTER_JS = r"""
const runners = process.argv[1];
const runnerResults = runners.split(",").map((runner) => {
  const encoded = process.env[`${runner.trim().toUpperCase()}_RESULTS`];
  const json = Buffer.from(encoded, "base64").toString("utf-8");
  return { runner: runner.trim(), results: JSON.parse(json) };
});
const { totalPoints, maxPoints } = runnerResults.reduce((acc, { results }) => {
  if (!results.max_score) return acc;
  acc.maxPoints += results.max_score;
  results.tests.forEach(({ score }) => { acc.totalPoints += score; });
  return acc;
}, { totalPoints: 0, maxPoints: 0 });
const lines = [];
runnerResults.forEach(({ results }) => {
  const total = results.tests.length;
  results.tests.forEach((t) => lines.push((t.status === "pass" ? "PASS " : "FAIL ") + t.name
    + (t.status === "pass" ? "" : " :: " + (t.message || `Failed to run test '${t.name}'`))));
});
let failed = "";
if (runnerResults.some((r) => r.results.status === "fail")) failed = "Some tests failed.";
else if (runnerResults.some((r) => r.results.status === "error")) failed = "Some tests errored.";
process.stdout.write(JSON.stringify({
  summary: `Points ${totalPoints}/${maxPoints}`,
  text: JSON.stringify({ totalPoints, maxPoints }), failed, lines }));
"""


def read_like_the_reporter(encoded: str, runner: str = "labgrade") -> dict[str, Any]:
    """What the Classroom reporter makes of a step output: under Node, else mirrored."""
    if shutil.which("node"):
        env = {**os.environ, f"{runner.upper()}_RESULTS": encoded}
        done = subprocess.run(["node", "-e", REPORTER_JS, runner], env=env, capture_output=True,
                              text=True, check=True, timeout=60)
        return dict(json.loads(done.stdout))
    results = json.loads(base64.b64decode(encoded).decode("utf-8"))
    total = sum(t["score"] for t in results["tests"]) if results["max_score"] else 0
    maximum = results["max_score"] or 0
    verdicts = {"fail": "Some tests failed.", "error": "Some tests errored."}
    text = json.dumps({"totalPoints": total, "maxPoints": maximum}, separators=(",", ":"))
    return {"summary": f"Points {total:g}/{maximum:g}", "text": text,
            "failed": verdicts.get(results["status"], ""), "lines": []}


def run(argv: list[str], environ: dict[str, str] | None = None) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    return main(argv, Env(out, err, environ or {})), out.getvalue(), err.getvalue()


def test_every_format_through_the_cli(tmp_path: Path, no_leftovers: None) -> None:
    files = {f: tmp_path / f"r.{f}" for f in ("json", "junit", "markdown", "classroom",
                                              "gradescope", "prairielearn")}
    flags = [x for f, p in files.items() for x in (f"--{f}", str(p))]
    sample = APACHE / "submissions" / "fails_expose"
    status, _, _ = run(["grade", "day2-apache", str(sample), "--lang", "en", *flags])
    assert status == ExitStatus.SUCCESS
    data = json.loads(files["json"].read_text())
    assert (data["score"], data["max_score"]) == (95, 105)

    classroom = json.loads(files["classroom"].read_text())  # the JSON; base64 is for the output
    assert set(classroom) >= {"version", "status", "max_score", "tests"}
    assert (classroom["version"], classroom["status"], classroom["max_score"]) == (1, "fail", 105)
    for test in classroom["tests"]:
        assert {"name", "status", "score", "message", "test_code", "filename", "line_no",
                "duration"} <= set(test)
        assert test["status"] in ("pass", "fail", "error") and isinstance(test["line_no"], int)
    read = read_like_the_reporter(base64.b64encode(files["classroom"].read_bytes()).decode())
    assert read["summary"] == "Points 95/105"
    assert json.loads(read["text"]) == {"totalPoints": 95, "maxPoints": 105}
    assert read["failed"] == "Some tests failed."

    gradescope = json.loads(files["gradescope"].read_text())
    assert {"score", "execution_time", "stdout_visibility", "tests"} <= set(gradescope)
    assert gradescope["score"] == 95 == sum(t["score"] for t in gradescope["tests"])
    for test in gradescope["tests"]:
        assert {"score", "max_score", "status", "name", "number", "output", "visibility",
                "tags"} <= set(test)
        assert test["status"] in ("passed", "failed") and isinstance(test["tags"], list)

    prairie = json.loads(files["prairielearn"].read_text())
    assert prairie["gradable"] is True and prairie["score"] == pytest.approx(95 / 105)
    assert (prairie["points"], prairie["max_points"]) == (95, 105)
    assert all({"name", "points", "max_points"} <= set(t) for t in prairie["tests"])
    assert files["prairielearn"].stat().st_size < 1_000_000

    assert "95/105" in files["markdown"].read_text()
    suite = ET.parse(files["junit"]).getroot().find("testsuite")
    assert suite is not None and len(suite.findall("testcase")) == len(data["checks"])


def test_the_generated_workflow_grades_its_repo(tmp_path: Path, no_leftovers: None) -> None:
    repo = tmp_path / "repo"
    assert run(["classroom", "init", "day2-apache", str(repo), "--lang", "pt"])[0] == 0
    shutil.copy(APACHE / "solution" / "Dockerfile", repo / "Dockerfile")
    output, summary = tmp_path / "output", tmp_path / "summary.md"
    env = {**os.environ, "LABGRADE_LABS": ".labgrade/labs", "GITHUB_ACTIONS": "true",
           "GITHUB_OUTPUT": str(output), "GITHUB_STEP_SUMMARY": str(summary),
           "GITHUB_WORKSPACE": str(repo)}
    env.pop("LABGRADE_LANG", None)
    # The grade step's command, exactly as the workflow runs it, from the checkout.
    done = subprocess.run([*LABGRADE, "grade", "day2-apache", ".", "--student-view", "--lang",
                           "pt"], cwd=repo, env=env, capture_output=True, text=True, timeout=900)
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("::stop-commands::")
    encoded = output.read_text().strip().removeprefix("result=")
    read = read_like_the_reporter(encoded)
    # The repository holds the visible checks only: the hidden ones are for labgrade batch.
    lab = load_lab("day2-apache")
    visible = fmt_points(sum(c.points for c in lab.checks if not c.hidden and not c.live))
    assert any(c.hidden for c in lab.checks) and visible != fmt_points(lab.points)
    assert read["summary"] == f"Points {visible}/{visible}" and read["failed"] == ""
    assert f"Nota: {visible}/{visible}" in summary.read_text()


def test_gradescope_autograder_with_an_engine(tmp_path: Path, no_leftovers: None) -> None:
    zip_path = tmp_path / "ag.zip"
    assert run(["gradescope", "build", "day2-apache", "--out", str(zip_path),
                "--lang", "en"])[0] == 0
    root = tmp_path / "autograder"
    with zipfile.ZipFile(zip_path) as zf:
        zf.extractall(root / "source")
    shutil.copytree(APACHE / "submissions" / "fails_expose", root / "submission")
    env = {**os.environ, "AUTOGRADER_ROOT": str(root), "LABGRADE": LABGRADE[0]}
    done = subprocess.run(["bash", str(root / "source" / "run_autograder")], env=env,
                          capture_output=True, text=True, timeout=900)
    assert done.returncode == 0, done.stderr
    results = json.loads((root / "results" / "results.json").read_text())
    assert results["score"] == 95 and results["stdout_visibility"] == "hidden"
    failed = [t["name"] for t in results["tests"] if t["status"] == "failed"]
    assert failed == ["Exposes port 80"]
