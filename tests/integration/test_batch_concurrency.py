"""The default batch on the real engine grades more students at once than there are cores:
most of a grading waits (readiness, the "keeps running" window), and waiting holds no core."""

from __future__ import annotations

import io
import time
from pathlib import Path

import pytest

from graders.batch.runner import BatchConfig, run_batch
from graders.batch.throttle import cpu_count
from graders.spec import load_lab

pytestmark = pytest.mark.docker

LAB = """id: wait-lab
title: {pt: "Espera", en: "Waiting"}
points: 20
build: {dockerfile: Dockerfile, context: ., timeout: 60}
run:
  ports: [8080]
  ready: {http: {port: 8080, path: /}, timeout: 20}
  timeout: 30
checks:
  - {id: stays-up, type: container_running, points: 10, after: 3}
  - {id: serves, type: http, points: 10, port: 8080, path: /, status: 200, body: hi}
"""
DOCKERFILE = """FROM busybox:1.35
COPY index.html /www/index.html
CMD ["httpd", "-f", "-p", "8080", "-h", "/www"]
"""


def test_the_default_batch_has_more_gradings_in_flight_than_cores(
        tmp_path: Path, no_leftovers: None) -> None:
    (tmp_path / "wait-lab").mkdir()
    (tmp_path / "wait-lab" / "lab.yaml").write_text(LAB)
    students = cpu_count() + 2
    for i in range(students):
        folder = tmp_path / "roster" / f"student{i}"
        folder.mkdir(parents=True)
        (folder / "index.html").write_text(f"hi {i}\n")
        (folder / "Dockerfile").write_text(DOCKERFILE)
    cfg = BatchConfig(lab=load_lab(tmp_path / "wait-lab"), roster=tmp_path / "roster",
                      out=tmp_path / "out")  # no --jobs: the default
    t0 = time.monotonic()
    report = run_batch(cfg, io.StringIO())
    took = time.monotonic() - t0
    assert [r.result.score for r in report.records] == [20] * students
    assert report.peak > cpu_count()
    print(f"{students} students, {report.peak} at once, {took:.1f} s")
