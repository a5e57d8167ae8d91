"""Every lab's reference solution scores full marks and each sample scores what lab.yaml says;
a sample with a `setup: fails:` list fails exactly those checks, so a single fault that costs
points in a second check (or a correct spelling that loses any) is caught; and each sample's
result, rendered with `--lang pt`, holds no English phrase and no raw regex.

This is the contract instructors rely on: graded on the real engine, nothing left behind.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from graders.engine.run import grade
from graders.reporters.junit import JunitReporter
from graders.results import Status
from graders.samples import prepared
from graders.spec import Lab, Sample, lab_ids, labs_root, load_lab
from tests.portuguese import english_in, regexes_in
from tests.unit.reporters.test_junit_schema import xsd_errors


def _samples() -> list[Any]:
    params = []
    for lab_id in lab_ids(labs_root()):
        lab = load_lab(lab_id)
        for sample in lab.samples:
            params.append(pytest.param(lab, sample, id=f"{lab_id}/{sample.path}"))
    return params


@pytest.mark.docker
@pytest.mark.parametrize(("lab", "sample"), _samples())
def test_sample_scores_as_expected(lab: Lab, sample: Sample, backend: Any,
                                   no_leftovers: None, tmp_path: Path) -> None:
    with prepared(lab, sample) as options:
        result = grade(lab, lab.root / sample.path, backend, options)
    report = "\n".join(f"{c.check_id}: {c.status.value} {c.score}/{c.possible} {c.message.en}"
                       for c in result.checks)
    assert not result.errored, report
    assert result.score == pytest.approx(sample.score), report
    allowed = sample.fails
    if allowed is not None:
        failed = {c.check_id for c in result.checks if c.status is not Status.PASSED}
        assert (sorted(failed - allowed), sorted(allowed - failed)) == ([], []), \
            f"(failed but not in fails:, in fails: but passed)\n{report}"
    for view in (False, True):  # Jenkins xunit skips a file its schema rejects
        junit = JunitReporter(student_view=view).render(result, "en")
        assert xsd_errors(junit, tmp_path) == "", junit
    if sample.path == "solution":
        assert result.possible == lab.points
        assert all(c.status is Status.PASSED for c in result.checks), report
    # Issue 14: a Portuguese run reads as Portuguese in every student-facing format, with no
    # raw regex (tests/portuguese.py says what it reads and what it leaves out as evidence).
    feedback = "\n".join(c.feedback("pt") for c in result.checks)
    assert english_in(result) == {}, feedback
    assert regexes_in(result) == {}, feedback
