"""The sharded-class workflow (graders/batch/shard_workflow.py): valid for GitHub (actionlint,
shellcheck), one matrix job per slice and a merge after them, and an instructor's values never
reach the shell as code."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from graders.batch.shard_workflow import shard_workflow
from graders.errors import UsageError
from tests.unit.test_platforms_actionlint import actionlint, shellcheck_runs


def test_one_job_per_slice_then_a_merge() -> None:
    flow = yaml.safe_load(shard_workflow("day2-apache", "roster.csv", 4))
    grade, merge = flow["jobs"]["grade"], flow["jobs"]["merge"]
    assert grade["strategy"]["matrix"]["shard"] == [1, 2, 3, 4]
    assert grade["strategy"]["fail-fast"] is False
    assert merge["needs"] == "grade"
    batch = next(s["run"] for s in grade["steps"] if s.get("name") == "Grade this slice")
    assert '--shard "$SHARD/4"' in batch
    assert any(s.get("run", "").startswith("labgrade merge shards/shard-*")
               for s in merge["steps"])
    assert flow["env"]["LAB"] == "day2-apache" and flow["env"]["ROSTER"] == "roster.csv"


def test_values_are_data_not_code() -> None:
    flow = yaml.safe_load(shard_workflow("it's; rm -rf ~", "$(whoami).csv", 2,
                                         deadline="2024-05-01T23:59:00-03:00"))
    assert flow["env"]["LAB"] == "it's; rm -rf ~" and flow["env"]["ROSTER"] == "$(whoami).csv"
    for bad in ("a\nb", "${{ secrets.X }}"):
        with pytest.raises(UsageError):
            shard_workflow(bad, "roster.csv", 2)
    for shards in (1, 257):
        with pytest.raises(UsageError):
            shard_workflow("day2-apache", "roster.csv", shards)


def test_the_workflow_passes_actionlint_and_shellcheck(tmp_path: Path) -> None:
    lint = actionlint()
    path = tmp_path / "grade-class.yml"
    path.write_text(shard_workflow("day2-apache", "roster.csv", 3, labs="labs",
                                   deadline="2024-05-01T23:59:00-03:00"))
    assert lint(path) == [], path.read_text()
    assert shellcheck_runs(path) == []


def _labgrade(argv: list[str]) -> tuple[int, str, str]:
    import io

    from graders.cli.env import Env
    from graders.cli.main import main

    out, err = io.StringIO(), io.StringIO()
    return main(argv, Env(out, err, {})), out.getvalue(), err.getvalue()


def test_the_command_writes_the_workflow_or_says_why_not(tmp_path: Path) -> None:
    status, out, _ = _labgrade(["shard-workflow", "day2-apache", "roster.csv", "--shards", "3",
                                "--labs", "labs"])
    assert status == 0
    flow = yaml.safe_load(out)
    assert flow["jobs"]["grade"]["strategy"]["matrix"]["shard"] == [1, 2, 3]
    assert flow["env"]["LABGRADE_LABS"] == "labs"
    target = tmp_path / ".github" / "workflows" / "grade.yml"
    assert _labgrade(["shard-workflow", "day2-apache", "roster.csv", "--shards", "3", "--labs",
                      "labs", "--out", str(target)])[0] == 0
    assert target.read_text().rstrip("\n") == out.rstrip("\n")
    status, _, err = _labgrade(["shard-workflow", "day2-apache", "roster.csv", "--shards", "1"])
    assert status == 2 and "give 2 to 256" in err
