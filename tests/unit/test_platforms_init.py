"""`classroom init` and `gradescope build`: the files they write, read as the platforms do."""

from __future__ import annotations

import io
import json
import os
import shutil
import subprocess
import zipfile
from pathlib import Path

import pytest
import yaml

from graders.cli.env import Env, ExitStatus
from graders.cli.main import main
from graders.errors import UsageError
from graders.platforms.classroom_init import ClassroomOptions, init_repo
from graders.spec import load_lab, parse_lab

APACHE = load_lab("day2-apache")


def run(argv: list[str]) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    status = main(argv, Env(out, err, {}))
    return status, out.getvalue(), err.getvalue()


def hidden_lab(tmp_path: Path) -> Path:
    """day2-apache with `serves-http` hidden and retitled."""
    lab = tmp_path / "labs" / "day2-apache"
    shutil.copytree(APACHE.root, lab)
    data = yaml.safe_load((lab / "lab.yaml").read_text())
    for check in data["checks"]:
        if check["id"] == "serves-http":
            check.update(visibility="hidden", title="ZEBRA_HIDDEN_TITLE")
    (lab / "lab.yaml").write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True))
    return lab


def workflow(repo: Path) -> dict[str, object]:
    data = yaml.safe_load((repo / ".github/workflows/classroom.yml").read_text())
    assert isinstance(data, dict)
    return data


def test_classroom_repo_layout_and_reporter_contract(tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    status, out, _ = run(["classroom", "init", "day2-apache", str(repo), "--lang", "pt",
                          "--install", "labgrade==0.1.0"])
    assert status == ExitStatus.SUCCESS
    assert (repo / "Dockerfile").read_bytes() == (APACHE.root / "starter/Dockerfile").read_bytes()
    assert not (repo / "solution").exists() and "solution" not in out
    wf = workflow(repo)
    assert wf["name"] == "Autograding Tests"
    assert set(wf["on"]) == {"push", "workflow_dispatch", "repository_dispatch"}  # type: ignore[call-overload]
    # autograding-grading-reporter@v1 (dist/main.js, src/notify-classroom.js) only calls
    # core.notice: no Checks API, so no `checks: write` (its README: actions and contents read).
    assert wf["permissions"] == {"actions": "read", "contents": "read"}
    text = (repo / ".github/workflows/classroom.yml").read_text()
    assert "check run" not in text and "notice" in text
    job = wf["jobs"]["run-autograding-tests"]  # type: ignore[index]
    steps = {s.get("id") or s["name"]: s for s in job["steps"]}
    grade = steps["labgrade"]
    assert grade["run"] == "labgrade grade day2-apache . --student-view --lang pt"
    assert grade["env"]["LABGRADE_LABS"] == ".labgrade/labs"
    install = steps["Install labgrade"]
    assert install["env"]["LABGRADE_INSTALL"] == "labgrade==0.1.0"
    reporter = job["steps"][-1]
    assert reporter["uses"] == "classroom-resources/autograding-grading-reporter@v1"
    runner = reporter["with"]["runners"]
    # main.js: process.env[`${runner.trim().toUpperCase()}_RESULTS`]
    assert reporter["env"] == {f"{runner.upper()}_RESULTS": "${{steps.labgrade.outputs.result}}"}
    assert runner == "labgrade" and "steps.labgrade.outputs.result" in reporter["if"]
    spec = yaml.safe_load((repo / ".labgrade/labs/day2-apache/lab.yaml").read_text())
    assert "samples" not in spec
    readme = (repo / "README.md").read_text()
    for lang in ("pt", "en"):
        assert APACHE.title(lang) in readme and APACHE.checks[0].title(lang) in readme


def test_hidden_checks_stay_out_with_labs_git(tmp_path: Path) -> None:
    lab = load_lab(hidden_lab(tmp_path))
    repo = tmp_path / "repo"
    report = init_repo(lab, repo, ClassroomOptions(labs_git="https://example.edu/labs.git"))
    assert not report.warnings
    files = "\n".join(p.read_text() for p in repo.rglob("*") if p.is_file())
    hidden = [c for c in lab.checks if c.hidden]
    assert "ZEBRA_HIDDEN_TITLE" not in files
    assert f"{len(hidden)} hidden check(s), worth {sum(c.points for c in hidden):g}" in files
    copy = parse_lab(yaml.safe_load((repo / ".labgrade/labs/day2-apache/lab.yaml").read_text()),
                     lab.root)
    assert {c.id: c.points for c in copy.checks} == \
        {c.id: c.points for c in lab.checks if not c.hidden}
    grade = workflow(repo)["jobs"]["run-autograding-tests"]["steps"][-2]  # type: ignore[index]
    assert grade["env"]["LABGRADE_LABS"] == "${{ runner.temp }}/labgrade-labs/labs"


def test_hidden_checks_stay_out_by_default(tmp_path: Path) -> None:
    """Without --labs-git the student's copy has the visible checks only; Classroom grades
    those, and the README says the hidden ones are graded later."""
    lab = load_lab(hidden_lab(tmp_path))
    report = init_repo(lab, tmp_path / "repo", ClassroomOptions())
    assert any("visible checks only" in w and "labgrade batch" in w and "--labs-git" in w
               for w in report.warnings)
    files = "\n".join(p.read_text() for p in (tmp_path / "repo").rglob("*") if p.is_file())
    hidden = [c for c in lab.checks if c.hidden]
    assert "ZEBRA_HIDDEN_TITLE" not in files
    assert not any(f"id: {c.id}" in files for c in hidden)
    readme = (tmp_path / "repo/README.md").read_text()
    assert "graded later by your instructor" in readme and "o professor corrige depois" in readme
    copy = parse_lab(yaml.safe_load((tmp_path / "repo/.labgrade/labs/day2-apache/lab.yaml")
                                    .read_text()), lab.root)
    assert {c.id for c in copy.checks} == {c.id for c in lab.checks if not c.hidden}


def test_hidden_checks_copied_only_when_asked_with_a_warning(tmp_path: Path) -> None:
    lab = load_lab(hidden_lab(tmp_path))
    report = init_repo(lab, tmp_path / "repo", ClassroomOptions(with_hidden=True))
    assert any("--with-hidden" in w and "can read them" in w for w in report.warnings)
    copy = parse_lab(yaml.safe_load((tmp_path / "repo/.labgrade/labs/day2-apache/lab.yaml")
                                    .read_text()), lab.root)
    assert {c.id for c in copy.checks} == {c.id for c in lab.checks}
    readme = (tmp_path / "repo/README.md").read_text()
    assert "ZEBRA_HIDDEN_TITLE" not in readme and "shown only as points" in readme


@pytest.mark.parametrize("opts", [
    ClassroomOptions(install="x ${{ secrets.A }}"),
    ClassroomOptions(install="a\nb"),
    ClassroomOptions(install=""),
    ClassroomOptions(token_secret="A B", labs_git="u"),
    ClassroomOptions(token_secret="A"),
    ClassroomOptions(with_hidden=True, labs_git="https://example.edu/labs.git"),
])
def test_classroom_rejects_unsafe_options(tmp_path: Path, opts: ClassroomOptions) -> None:
    with pytest.raises(UsageError):
        init_repo(APACHE, tmp_path / "r", opts)


def test_classroom_refuses_a_non_empty_folder(tmp_path: Path) -> None:
    (tmp_path / "keep.txt").write_text("mine")
    status, _, err = run(["classroom", "init", "day2-apache", str(tmp_path)])
    assert status == ExitStatus.USAGE_OR_SPEC_ERROR and "--force" in err
    assert run(["classroom", "init", "day2-apache", str(tmp_path), "--force"])[0] == 0
    assert (tmp_path / "keep.txt").read_text() == "mine"


def test_gradescope_zip(tmp_path: Path) -> None:
    wheel = tmp_path / "labgrade-9.9-py3-none-any.whl"
    wheel.write_bytes(b"not really a wheel")
    out = tmp_path / "ag.zip"
    status, listing, _ = run(["gradescope", "build", "day2-apache", "--out", str(out),
                              "--install", str(wheel), "--hidden-visibility", "after_published"])
    assert status == ExitStatus.SUCCESS
    with zipfile.ZipFile(out) as zf:
        names = zf.namelist()
        assert names[:2] == ["setup.sh", "run_autograder"]  # at the zip's root
        assert set(names) == {"setup.sh", "run_autograder", "labgrade.env",
                              "labs/day2-apache/lab.yaml", "labs/day2-apache/test_apache.py",
                              f"dist/{wheel.name}"}  # the instructor's tests grade there too
        assert zf.read("labs/day2-apache/test_apache.py") == \
            (APACHE.root / "test_apache.py").read_bytes()
        assert listing.split() == names
        for name in ("setup.sh", "run_autograder"):
            assert (zf.getinfo(name).external_attr >> 16) & 0o777 == 0o755
        setup = zf.read("setup.sh").decode()
        run_ag = zf.read("run_autograder").decode()
        spec = yaml.safe_load(zf.read("labs/day2-apache/lab.yaml"))
        zf.extractall(tmp_path / "src")
    assert f"/autograder/source/dist/{wheel.name}" in setup and "docker" not in setup.split(
        "set -euo")[1].lower()
    assert "--gradescope-visibility after_published" in run_ag and "--student-view" in run_ag
    assert "samples" not in spec and len(spec["checks"]) == len(
        [c for c in APACHE.checks if c.type != "pytest"])
    for name in ("setup.sh", "run_autograder"):
        assert subprocess.run(["bash", "-n", str(tmp_path / "src" / name)]).returncode == 0
        if shutil.which("shellcheck"):
            check = subprocess.run(["shellcheck", str(tmp_path / "src" / name)],
                                   capture_output=True, text=True)
            assert check.returncode == 0, check.stdout


def test_run_autograder_writes_a_result_even_without_labgrade(tmp_path: Path) -> None:
    out = tmp_path / "ag.zip"
    assert run(["gradescope", "build", "day2-apache", "--out", str(out)])[0] == 0
    root = tmp_path / "autograder"
    with zipfile.ZipFile(out) as zf:
        zf.extractall(root / "source")
    (root / "submission").mkdir()
    env = {**os.environ, "AUTOGRADER_ROOT": str(root), "LABGRADE": str(tmp_path / "none"),
           "PATH": "/usr/bin:/bin"}
    done = subprocess.run(["bash", str(root / "source/run_autograder")], env=env,
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 0
    data = json.loads((root / "results/results.json").read_text())
    assert data["score"] == 0 and data["tests"][0]["max_score"] == 105
    assert "exit status 127" in data["output"]


@pytest.mark.parametrize("extra", [[], ["--labs-git", "https://example.com/labs.git"]])
def test_readme_promises_the_points_classroom_shows(tmp_path: Path, extra: list[str]) -> None:
    """The reporter sends `maxPoints` = the runner's `max_score`, i.e. the points of the lab the
    workflow grades: the copy in the repository, or the fetched lab with --labs-git."""
    import re

    repo = tmp_path / "repo"
    assert run(["classroom", "init", "day2-apache", str(repo), *extra])[0] == ExitStatus.SUCCESS
    graded = APACHE if extra else load_lab("day2-apache", repo / ".labgrade/labs")
    shown = f"{graded.points:g}"
    readme = (repo / "README.md").read_text()
    for heading in ("O que será verificado", "What is checked"):
        (points,) = re.findall(rf"### {heading} \(([\d.]+) ", readme)
        assert points == shown
    hidden = sum(c.points for c in APACHE.checks if c.hidden)
    assert hidden and f"{APACHE.points:g}" in readme  # the full lab's total is explained too
    if not extra:
        assert f"{float(shown) + hidden:g}" == f"{APACHE.points:g}"
        assert "GitHub Classroom" in readme and f"/{shown}" in readme
