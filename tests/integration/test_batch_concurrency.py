"""The default batch on the real engine grades more students at once than there are cores:
most of a grading waits (readiness, the "keeps running" window), and waiting holds no core."""

from __future__ import annotations

import io
import time
from pathlib import Path

import pytest
from web_lab import HTTPD, web_lab

from graders.batch.runner import BatchConfig, run_batch
from graders.batch.throttle import cpu_count
from graders.spec import load_lab

pytestmark = pytest.mark.docker

DOCKERFILE = f"FROM busybox:1.35\nCOPY index.html /www/index.html\n{HTTPD}\n"


def test_the_default_batch_has_more_gradings_in_flight_than_cores(
        tmp_path: Path, no_leftovers: None) -> None:
    lab = web_lab(tmp_path, "wait-lab", after=3, run_timeout=30)
    students = cpu_count() + 2
    for i in range(students):
        folder = tmp_path / "roster" / f"student{i}"
        folder.mkdir(parents=True)
        (folder / "index.html").write_text(f"hi {i}\n")
        (folder / "Dockerfile").write_text(DOCKERFILE)
    cfg = BatchConfig(lab=load_lab(lab), roster=tmp_path / "roster",
                      out=tmp_path / "out")  # no --jobs: the default
    t0 = time.monotonic()
    report = run_batch(cfg, io.StringIO())
    took = time.monotonic() - t0
    assert [r.result.score for r in report.records] == [20] * students
    assert report.peak > cpu_count()
    print(f"{students} students, {report.peak} at once, {took:.1f} s")
