"""Issue 14, one fault, one check, for day2-multistage and day2-registry on the real engine and
the real embedded registry: what the checks say once the first one has charged the fault.
(Which checks each sample may fail is its `fails:` list in lab.yaml, held by
tests/integration/test_lab_samples.py.)"""

from __future__ import annotations

from typing import Any

import pytest

from graders.engine.run import grade
from graders.results import CheckResult, LabResult, Status
from graders.samples import prepared
from graders.spec import Lab, load_lab
from tests.unit.fake_context import en

pytestmark = pytest.mark.docker

def graded(lab: Lab, path: str, backend: Any) -> LabResult:
    sample = next(s for s in lab.samples if s.path == path)
    with prepared(lab, sample) as options:
        return grade(lab, lab.root / path, backend, options)


def report(result: LabResult) -> str:
    return "\n".join(f"{c.check_id}: {c.status.value} {c.score}/{c.possible} {c.message.en}"
                     for c in result.checks)


def by_id(result: LabResult, check_id: str) -> CheckResult:
    return next(c for c in result.checks if c.check_id == check_id)


def test_the_registry_checks_after_the_tag_name_what_they_found(backend: Any) -> None:
    """Pushed as 1.0, built and declared as v1.0: the tag check names v1.0, the others grade
    the 1.0 they found and say so, in both languages."""
    lab = load_lab("day2-registry")
    result = graded(lab, "submissions/wrong_tag", backend)
    tag = by_id(result, "tag-pushed")
    assert tag.status is Status.FAILED and en(tag.expected) == "v1.0"
    assert "Did you mean v1.0 when you pushed 1.0?" in tag.message.en
    for check_id in ("pushed-matches", "pushed-runs"):
        check = by_id(result, check_id)
        assert check.status is Status.PASSED, check.message.en
        assert "/student/app:1.0 " in check.message.en and "/student/app:1.0 " in check.message.pt
        assert "v1.0 is not there" in check.message.en and "não há v1.0" in check.message.pt


def test_declared_1_0_is_told_the_labs_spelling_once(backend: Any) -> None:
    lab = load_lab("day2-registry")
    result = graded(lab, "submissions/declared_1_0", backend)
    name = by_id(result, "image-name")
    assert "Write the version v1.0, as this lab asks, not 1.0" in name.message.en
    assert "Escreva a versão v1.0" in name.message.pt
    tag = by_id(result, "tag-pushed")
    assert tag.status is Status.PASSED and "the lab asks for v1.0" in tag.message.en
    for check_id in ("pushed-matches", "pushed-runs"):
        check = by_id(result, check_id)
        assert "/student/app:1.0 " in check.message.en
        assert "(the declared tag; the lab asks for v1.0" in check.message.en
        assert "(a tag declarada; o laboratório pede v1.0" in check.message.pt


def test_the_unnamed_index_stage_reads_plainly(backend: Any) -> None:
    lab = load_lab("day2-multistage")
    result = graded(lab, "submissions/fails_unnamed_stage_index", backend)
    named = by_id(result, "build-stage-named")
    assert named.line == 2 and en(named.actual) == "Dockerfile:2: FROM golang:1.19"
    assert en(named.expected) == "FROM golang:1.19 AS <name>"
    assert "COPY --from=0 (line 9)" in named.message.en
    assert "COPY --from=0 (linha 9)" in named.message.pt
