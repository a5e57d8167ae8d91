"""GitHub Actions output, the progress line, the watch loop, grading with no engine (no Docker)."""

from __future__ import annotations

import base64
import io
import json
import os
import re
from pathlib import Path

import pytest
from reporters.samples import assert_no_secrets, make_hostile, make_rich

from graders.i18n import Text
from graders.platforms import github
from graders.platforms.progress import CLEAR, ProgressLine
from graders.platforms.watch import changes, snapshot, watch
from graders.reporters.classroom import ClassroomReporter
from graders.results import CheckResult, LabResult, Status

COMMAND_RE = re.compile(r"^::([a-z-]+)(?: ([^:]*))?::(.*)$")


def parse_command(line: str) -> tuple[str, dict[str, str], str]:
    """Read one workflow command as the runner does (props split on `,`, then `=`)."""
    m = COMMAND_RE.match(line)
    assert m, line
    props = dict(p.split("=", 1) for p in m[2].split(",")) if m[2] else {}
    return m[1], props, m[3]


def test_escaping_keeps_each_command_one_line() -> None:
    line = github.command("error", "a\nb%\r::set-output x::1", file="a,b:c", line=3, title="t")
    assert "\n" not in line and "\r" not in line
    kind, props, data = parse_command(line)
    assert kind == "error" and props == {"file": "a%2Cb%3Ac", "line": "3", "title": "t"}
    assert data == "a%0Ab%25%0D::set-output x::1"


def test_annotations_point_to_dockerfile_lines_of_visible_failures() -> None:
    lines = github.annotation_lines(make_rich(), "en", "sub/Dockerfile")
    assert len(lines) == 1  # user-nonroot (line 5); `labels` has no line; hidden ones never
    kind, props, data = parse_command(lines[0])
    assert kind == "error" and props["file"] == "sub/Dockerfile" and props["line"] == "5"
    assert "Title user-nonroot (0/10)" in props["title"]
    assert "Expected: a non-root USER" in data and "Hint: Use USER." in data
    assert_no_secrets("\n".join(lines))


def test_annotations_are_capped_per_step() -> None:
    checks = tuple(
        CheckResult(f"c{i}", Text.same(f"c{i}"), "t", Status.FAILED, 0, 1, False,
                    Text.same("bad"), line=i + 1) for i in range(14))
    result = LabResult("lab", Text.same("Lab"), "s", checks)
    lines = github.annotation_lines(result, "en", "Dockerfile")
    kinds = [parse_command(x)[0] for x in lines]
    assert kinds == ["error"] * github.ANNOTATIONS_PER_KIND + ["warning"]
    assert "4 more" in lines[-1]


def test_hostile_text_cannot_forge_a_command() -> None:
    lines = github.annotation_lines(make_hostile(), "en", "Dockerfile")
    assert lines
    for line in lines:
        assert "\n" not in line and "\r" not in line and "\x1b" not in line
        parse_command(line)


def test_annotation_path_is_relative_to_the_workspace(tmp_path: Path) -> None:
    sub = tmp_path / "repo" / "lab1"
    sub.mkdir(parents=True)
    env = {"GITHUB_WORKSPACE": str(tmp_path / "repo")}
    assert github.annotation_path(sub, "Dockerfile", env) == "lab1/Dockerfile"
    assert github.annotation_path(tmp_path, "Dockerfile", env) == "Dockerfile"


def test_step_summary_is_student_view_and_fits(tmp_path: Path) -> None:
    summary = tmp_path / "summary.md"
    summary.write_text("earlier step\n")
    github.append_step_summary(summary, make_rich(), "pt")
    text = summary.read_text()
    assert text.startswith("earlier step\n") and "Verificações ocultas" in text
    assert_no_secrets(text)
    summary.write_text("x" * (github.SUMMARY_LIMIT - 1000))
    github.append_step_summary(summary, make_hostile(), "en")
    assert summary.stat().st_size <= 1024 * 1024
    summary.write_text("x" * (github.SUMMARY_LIMIT - 5000))
    github.append_step_summary(summary, make_hostile(), "en")
    assert summary.stat().st_size <= github.SUMMARY_LIMIT


def test_publish_writes_summary_annotations_and_step_output(tmp_path: Path) -> None:
    out = io.StringIO()
    env = {"GITHUB_ACTIONS": "true", "GITHUB_STEP_SUMMARY": str(tmp_path / "s.md"),
           "GITHUB_WORKSPACE": str(tmp_path), "GITHUB_OUTPUT": str(tmp_path / "output")}
    actions = github.GitHubActions(env, out)
    assert actions.in_job and not github.GitHubActions({}, out).in_job
    actions.publish(make_rich(), "en", tmp_path, "Dockerfile", step_output=True)
    assert out.getvalue().startswith("::error file=Dockerfile,line=5,")
    assert (tmp_path / "s.md").read_text().startswith("## ")
    assert (tmp_path / "output").read_text() == github.github_output_line(make_rich(), "en") + "\n"


def test_step_output_only_when_asked_and_wherever_the_runner_set_it(tmp_path: Path) -> None:
    """`check` never sets the step output; `grade` does whenever $GITHUB_OUTPUT is set, even
    without GITHUB_ACTIONS=true (where nothing is printed: no guard, no annotation)."""
    out, output = io.StringIO(), tmp_path / "output"
    actions = github.GitHubActions({"GITHUB_OUTPUT": str(output)}, out)
    actions.publish(make_rich(), "en", tmp_path, "Dockerfile", step_output=False)
    assert not output.exists()
    with actions.guard():
        out.write("::error::student text\n")
    actions.publish(make_rich(), "en", tmp_path, "Dockerfile", step_output=True)
    assert out.getvalue() == "::error::student text\n"
    assert output.read_text().startswith("result=")


def test_in_a_job_the_guard_fences_what_the_submission_prints() -> None:
    out = io.StringIO()
    with github.GitHubActions({"GITHUB_ACTIONS": "true"}, out).guard():
        out.write("::error::student text\n")
    token = out.getvalue().split("\n")[0].removeprefix("::stop-commands::")
    assert len(token) == 32
    assert out.getvalue() == f"::stop-commands::{token}\n::error::student text\n::{token}::\n"


# --- the Classroom step output (graders/reporters/classroom.py renders it) ----------------------


def test_the_output_line_is_the_classroom_file_in_base64() -> None:
    """Byte for byte what autograding-grading-reporter decodes: the `--classroom` JSON."""
    text = ClassroomReporter().render(make_rich(), "en")
    encoded = base64.b64encode(text.removesuffix("\n").encode("utf-8")).decode("ascii")
    assert github.github_output_line(make_rich(), "en") == f"result={encoded}"


def test_github_output_line_and_file(tmp_path: Path) -> None:
    line = github.github_output_line(make_rich(), "en")
    assert line.startswith("result=") and "\n" not in line
    path = tmp_path / "github_output"
    path.write_text("other=1\n")
    github.append_github_output(path, make_rich(), "en")
    lines = path.read_text().splitlines()
    assert lines[0] == "other=1"
    decoded = json.loads(base64.b64decode(lines[1].removeprefix("result="), validate=True))
    assert decoded["max_score"] == 50


def test_stop_commands_guard() -> None:
    assert github.guard_token() != github.guard_token()
    out = io.StringIO()
    with pytest.raises(RuntimeError), github.stop_commands(out, "tok123") as token:
        out.write("::error::student text\n")
        raise RuntimeError
    assert token == "tok123"
    assert out.getvalue() == "::stop-commands::tok123\n::error::student text\n::tok123::\n"


class FakeTTY(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_progress_plain_lines_off_a_terminal() -> None:
    err = io.StringIO()
    with ProgressLine(err, "en", tty=False) as progress:
        for step in ("build", "run", "ready", "check serves-http"):
            progress(step)
    assert err.getvalue().splitlines() == [
        "… building the image", "… starting the container",
        "… waiting for the container to be ready"]


def test_progress_one_updating_line_on_a_terminal() -> None:
    err = FakeTTY()
    titles = {"serves-http": Text("Responde HTTP 200 na porta 80", "Answers HTTP 200 on port 80")}
    with ProgressLine(err, "pt", tty=True, tick=0.01, titles=titles) as progress:
        progress("build")
        progress("check serves-http")
    text = err.getvalue()
    assert "\n" not in text and text.count(CLEAR) >= 3 and text.endswith(CLEAR)
    assert "construindo a imagem" in text
    assert "verificando: Responde HTTP 200 na porta 80" in text and "serves-http" not in text


def test_progress_names_a_check_without_a_known_title_by_its_id() -> None:
    err = FakeTTY()
    with ProgressLine(err, "en", tty=True, tick=0.01) as progress:
        progress("check serves-http")
    assert "checking: serves-http" in err.getvalue()


def test_snapshot_sees_edits_additions_and_removals(tmp_path: Path) -> None:
    (tmp_path / "Dockerfile").write_text("FROM debian:12\n")
    (tmp_path / ".git").mkdir()
    (tmp_path / ".git" / "index").write_text("x")
    before = snapshot(tmp_path)
    assert list(before) == ["Dockerfile"]
    (tmp_path / "Dockerfile").write_text("FROM debian:12\nEXPOSE 80\n")
    (tmp_path / "index.html").write_text("hi")
    (tmp_path / "Dockerfile.swp").write_text("editor")
    assert changes(before, snapshot(tmp_path)) == ["Dockerfile", "index.html"]


def test_watch_runs_again_after_a_settled_change(tmp_path: Path) -> None:
    target = tmp_path / "Dockerfile"
    target.write_text("FROM a\n")
    runs: list[str] = []
    seen: list[list[str]] = []
    ticks = iter(range(1000))

    def sleep(_seconds: float) -> None:  # the "editor": two quick saves, then quiet
        n = next(ticks)
        if n in (2, 3):
            target.write_text(f"FROM b{n}\n")
            os.utime(target, ns=(n * 10**9, n * 10**9))

    count = watch(tmp_path, lambda: runs.append(target.read_text()), interval=1, sleep=sleep,
                  on_change=seen.append, max_runs=2)
    assert count == 2 and runs == ["FROM a\n", "FROM b3\n"]  # one re-run for both saves
    assert seen == [["Dockerfile"]]


def test_snapshot_walks_a_thousand_nested_folders(tmp_path: Path) -> None:
    """os.walk recurses on Python 3.11; a student's 1,000-deep folder must not end --watch."""
    deep = tmp_path
    try:
        for _ in range(1000):  # os.makedirs recurses too
            deep = deep / "d"
            deep.mkdir()
        (deep / "x.txt").write_text("x")
        assert any(p.endswith("x.txt") for p in snapshot(tmp_path))
    finally:  # pytest's own clean-up recurses too: remove the chain here, bottom up
        while deep != tmp_path:
            for child in deep.iterdir():
                child.unlink()
            deep.rmdir()
            deep = deep.parent
    assert not (tmp_path / "d").exists()
