"""The multi-stage lab on the real engine: the course's buildando typo and a scratch image.

The scratch sample proves the issue's promise that an image without a shell is graded without
any exec into it: Docker's own event stream over the grading window is read back, and no
`exec_create` may concern a container of the run.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest

from graders.engine.run import GradeOptions, grade
from graders.results import LabResult, Status
from graders.spec import load_lab
from tests.unit.fake_context import en

pytestmark = pytest.mark.docker

LABEL_RUN = "org.labgrade.run"


def by_id(result: LabResult, check_id: str) -> Any:
    return next(c for c in result.checks if c.check_id == check_id)


@contextmanager
def container_events(client: Any, run_id: str) -> Iterator[dict[str, list[str]]]:
    """Container events of the run (by its label) during the block: action -> container ids.
    Exec events are matched by the ids the run's own `create` events name."""
    since = time.time() - 1
    seen: dict[str, list[str]] = {}
    yield seen
    time.sleep(1.1)  # the daemon's clock resolution is one second
    events = client.events(since=since, until=time.time(), decode=True,
                           filters={"type": "container"})
    mine: set[str] = set()
    for event in events:
        actor = event.get("Actor") or {}
        cid, labels = actor.get("ID", ""), actor.get("Attributes") or {}
        action = str(event.get("Action") or event.get("status") or "").split(":")[0]
        if labels.get(LABEL_RUN) == run_id:
            mine.add(cid)
        if cid in mine:
            seen.setdefault(action, []).append(cid)


def test_event_counter_sees_an_exec(docker_client: Any) -> None:
    """The control: an exec into a labelled container does show up as exec_create."""
    run_id = "evt-" + uuid.uuid4().hex[:8]
    with container_events(docker_client, run_id) as seen:
        c = docker_client.containers.run("busybox:1.35", ["sleep", "30"], detach=True,
                                         labels={LABEL_RUN: run_id}, network_disabled=True)
        try:
            c.exec_run(["true"])
        finally:
            c.remove(force=True)
    assert len(seen.get("exec_create", [])) == 1, seen


def test_scratch_image_is_graded_without_any_exec(backend: Any, docker_client: Any) -> None:
    """Leftovers are checked by the run's own events (every container it created is destroyed),
    not engine-wide, so that other work on the same engine does not disturb the test."""
    lab = load_lab("day2-multistage")
    run_id = "scratch-" + uuid.uuid4().hex[:8]
    with container_events(docker_client, run_id) as seen:
        result = grade(lab, lab.root / "submissions" / "passes_scratch", backend,
                       GradeOptions(run_id=run_id))
    report = "\n".join(f"{c.check_id}: {c.status.value} {c.message.en}" for c in result.checks)
    assert result.score == 100 and not result.errored, report
    assert by_id(result, "prints-hello").status is Status.PASSED
    counts = {action: len(ids) for action, ids in seen.items()}
    assert "exec_create" not in seen, counts
    # Created: the builder's LABEL step (the run label), the engine's container (never
    # started) and run_output's one-shot container, the only one that ever starts.
    assert len(set(seen.get("create", []))) >= 2, counts
    assert len(seen.get("start", [])) == 1, counts
    assert set(seen.get("destroy", [])) == set(seen["create"]), counts


def test_buildando_typo_names_the_stage_it_meant_and_its_line(backend: Any) -> None:
    lab = load_lab("day2-multistage")
    result = grade(lab, lab.root / "submissions" / "fails_copy_from_typo", backend)
    check = by_id(result, "copy-from-stage")
    assert check.status is Status.FAILED and check.line == 8
    for text in (check.message.en, check.message.pt):
        assert "buildando" in text and "build?" in text and "8" in text
    assert "did you mean build?" in check.message.en
    assert "você quis dizer build?" in check.message.pt
    assert en(check.expected) == "COPY --from=build /app/hello /app/hello"
    assert en(check.actual) == "Dockerfile:8: COPY --from=buildando /app/hello /app/hello"
    assert result.build.status is Status.FAILED and result.build.line == 8
    assert result.build.explanation is not None and "build" in result.build.explanation.en
    skipped = by_id(result, "prints-hello")
    assert skipped.status is Status.SKIPPED and skipped.score == 0


def test_compile_error_points_at_the_go_source(backend: Any) -> None:
    lab = load_lab("day2-multistage")
    result = grade(lab, lab.root / "submissions" / "fails_compile_error", backend)
    assert result.build.status is Status.FAILED and result.build.explanation is not None
    assert "hello.go" in result.build.log_tail
    assert by_id(result, "copy-from-stage").status is Status.PASSED


def test_golang_final_stage_feedback(backend: Any) -> None:
    lab = load_lab("day2-multistage")
    result = grade(lab, lab.root / "submissions" / "fails_golang_final_stage", backend)
    assert "final-base-not-golang" not in {c.check_id for c in result.checks}  # one fault
    toolchain = by_id(result, "no-go-toolchain")
    assert toolchain.status is Status.FAILED and "/usr/bin/go" in en(toolchain.actual)
    size = by_id(result, "under-20mb")
    assert size.status is Status.FAILED and "MB" in size.message.pt
    assert by_id(result, "prints-hello").status is Status.PASSED
