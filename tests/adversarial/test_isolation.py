"""G-ISO in a batch: students graded at the same time sit on different bridge networks, never
on Docker's default bridge together; the networks go when the workers do, stopped ones included.

The containers are observed from the host (inspect), never probed across networks: traffic
goes only to 127.0.0.1."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

import pytest
from advkit import GOOD, INDEX, write_submission

from graders.backends.base import LABEL_RUN, DockerBackend
from graders.batch import serial
from graders.batch.pool import Pool, Task
from graders.engine.run import GradeOptions, grading_session
from graders.results import LabResult
from graders.spec import Lab

pytestmark = pytest.mark.docker


def networks_seen(folder: Path) -> Any:
    """A grade function for the pool's workers: grades as usual and writes down which
    networks the student's running container was attached to."""
    def grade(lab: Lab, submission: Path, backend: DockerBackend,
              options: GradeOptions) -> LabResult:
        with grading_session(lab, submission, backend, options) as run:
            if run.ctx.container_id is None:  # say why, rather than fail on an empty inspect
                result = run.result()
                (folder / f"{submission.name}.json").write_text(json.dumps(
                    {"no_container": {
                        "build": [result.build.status.value, result.build.log_tail[-800:]],
                        "checks": [(c.id, c.status.value, str(c.actual))
                                   for c in result.checks if c.status.value != "passed"]}}))
                return result
            state = backend.inspect_container(run.ctx.container_id)
            nets = sorted(state["NetworkSettings"]["Networks"])
            ports = state["NetworkSettings"]["Ports"]["8080/tcp"]
            (folder / f"{submission.name}.json").write_text(json.dumps(
                {"networks": nets, "option": options.network,
                 "host_ips": [p["HostIp"] for p in ports]}))
            return run.result()
    return grade


def labgrade_networks(client: Any) -> set[str]:
    return {n["Name"] for n in client.api.networks(filters={"label": LABEL_RUN})}


def test_workers_grade_on_networks_of_their_own(adv_lab: Lab, tmp_path: Path,
                                                docker_client: Any, no_leftovers: None) -> None:
    seen = tmp_path / "seen"
    seen.mkdir()
    students = [write_submission(tmp_path / f"s{i}", {"index.html": INDEX, "Dockerfile": GOOD})
                for i in range(4)]
    before = labgrade_networks(docker_client)
    pool = Pool(adv_lab, jobs=2, grade_fn=networks_seen(seen))
    try:
        outcomes = list(pool.run(Task(s.name, str(s), f"iso{i}{time.time_ns()}")
                                 for i, s in enumerate(students)))
        during = labgrade_networks(docker_client) - before
    finally:
        pool.close()
    assert [o.error for o in outcomes] == [None] * 4
    records = [json.loads((seen / f"{s.name}.json").read_text()) for s in students]
    assert [r.get("no_container") for r in records] == [None] * 4
    assert all(serial.from_dict(o.result or {}).score == 100 for o in outcomes)
    for r in records:
        assert r["networks"] == [r["option"]] and r["option"].startswith("labgrade-")
        assert r["host_ips"] == ["127.0.0.1"]
    assert len({r["option"] for r in records}) == 2  # one network per worker, not per student
    # Nothing else was created; a worker that ran out of work may have removed its own already.
    assert during <= {r["option"] for r in records}
    assert labgrade_networks(docker_client) == before  # gone with the workers


def test_one_worker_needs_no_network_of_its_own(adv_lab: Lab, tmp_path: Path,
                                                docker_client: Any) -> None:
    seen = tmp_path / "seen"
    seen.mkdir()
    student = write_submission(tmp_path / "s", {"index.html": INDEX, "Dockerfile": GOOD})
    pool = Pool(adv_lab, jobs=1, grade_fn=networks_seen(seen))
    try:
        [outcome] = list(pool.run([Task("s", str(student), f"iso1{time.time_ns()}")]))
    finally:
        pool.close()
    assert outcome.error is None, outcome.error
    assert json.loads((seen / "s.json").read_text())["networks"] == ["bridge"]


def test_a_stopped_worker_takes_its_network_with_it(
        adv_lab: Lab, tmp_path: Path, docker_client: Any) -> None:
    """A grading that hangs past the batch's time-out: its worker is stopped and replaced, and
    the network goes with it (the worker removes it; the pool sweeps after it in case not)."""
    hang = write_submission(tmp_path / "hang", {
        "index.html": INDEX,
        "Dockerfile": GOOD.replace('CMD ["httpd", "-f", "-p", "8080", "-h", "/www"]',
                                   'CMD ["sleep", "100000"]')})
    before = labgrade_networks(docker_client)

    def slow(lab: Lab, submission: Path, backend: DockerBackend,
             options: GradeOptions) -> LabResult:
        with grading_session(lab, submission, backend, options) as run:
            time.sleep(60)  # past the pool's time-out
            return run.result()

    pool = Pool(adv_lab, jobs=2, grade_fn=slow, timeout=8)
    try:
        [outcome] = list(pool.run([Task("hang", str(hang), f"iso2{time.time_ns()}")]))
    finally:
        pool.close()
    assert outcome.error and "longer than 8 s" in outcome.error
    assert labgrade_networks(docker_client) == before
