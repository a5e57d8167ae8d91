"""The sharded-class workflow's own shell steps, run here on the real engine as the runners
would run them (each slice in its own checkout, the artifacts laid out as download-artifact
does), give the gradebook of one unsharded batch; the overhead of sharding is printed."""

from __future__ import annotations

import csv
import io
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest
import yaml
from web_lab import HTTPD, web_lab

from graders.batch.shard_workflow import shard_workflow

pytestmark = pytest.mark.docker

REPO = Path(__file__).resolve().parents[2]
WRONG = 'CMD ["httpd", "-f", "-p", "8081", "-h", "/www"]'


def checkout(root: Path) -> Path:
    """The course repository: the lab, a roster of five students (two wrong), `labgrade`."""
    web_lab(root / "labs", "shard-lab", after=1, run_timeout=30)
    for i in range(5):
        folder = root / "subs" / f"student{i}"
        folder.mkdir(parents=True)
        (folder / "index.html").write_text("hi\n")
        (folder / "Dockerfile").write_text("FROM busybox:1.35\nCOPY index.html /www/\n"
                                           + (WRONG if i % 3 == 0 else HTTPD) + "\n")
    (root / "roster.csv").write_text("student,source\n" + "".join(
        f"student{i},subs/student{i}\n" for i in range(5)))
    return root


def labgrade_on_path(bin_dir: Path) -> dict[str, str]:
    bin_dir.mkdir()
    exe = bin_dir / "labgrade"
    exe.write_text(f'#!/bin/sh\nexec {sys.executable} -c "from graders.cli.main import run; '
                   f'run()" "$@"\n')
    exe.chmod(0o755)
    return {**os.environ, "PATH": f"{bin_dir}:{os.environ['PATH']}", "PYTHONPATH": str(REPO)}


def step(job: dict, name: str) -> dict:  # type: ignore[type-arg]
    return next(s for s in job["steps"] if s.get("name") == name)


def run_step(script: str, cwd: Path, env: dict[str, str]) -> None:
    done = subprocess.run(["bash", "-e", "-c", script], cwd=cwd, env=env, capture_output=True,
                          text=True, timeout=600)
    assert done.returncode == 0, done.stdout + done.stderr


def book(folder: Path) -> list[dict[str, str]]:
    return sorted(csv.DictReader(io.StringIO((folder / "gradebook.csv").read_text())),
                  key=lambda r: r["student"])


def test_the_workflow_steps_shard_and_merge_into_the_unsharded_gradebook(
        tmp_path: Path, no_leftovers: None) -> None:
    shards = 2
    flow = yaml.safe_load(shard_workflow("shard-lab", "roster.csv", shards, labs="labs"))
    env = {**labgrade_on_path(tmp_path / "bin"), **flow["env"]}
    grade, merge = flow["jobs"]["grade"], flow["jobs"]["merge"]
    assert grade["strategy"]["matrix"]["shard"] == list(range(1, shards + 1))

    t0 = time.monotonic()
    for k in grade["strategy"]["matrix"]["shard"]:  # each runner: its own checkout
        repo = checkout(tmp_path / f"runner-{k}")
        run_step(step(grade, "Grade this slice")["run"], repo, {**env, "SHARD": str(k)})
        shutil.copytree(repo / "out", tmp_path / "merger" / "shards" / f"shard-{k}")
    run_step(step(merge, "Merge the gradebooks")["run"], tmp_path / "merger", env)
    sharded = time.monotonic() - t0

    whole = checkout(tmp_path / "whole")
    t0 = time.monotonic()
    run_step('labgrade --labs labs batch "$LAB" roster.csv --out out || [ $? -eq 3 ]', whole,
             env)
    unsharded = time.monotonic() - t0

    merged, single = book(tmp_path / "merger" / "gradebook"), book(whole / "out")
    assert [(r["student"], r["score"]) for r in merged] == \
        [(r["student"], r["score"]) for r in single]
    assert [r["score"] for r in single] == ["10", "20", "20", "10", "20"]
    print(f"{shards} slices one after another + merge: {sharded:.1f} s; one batch: "
          f"{unsharded:.1f} s")
