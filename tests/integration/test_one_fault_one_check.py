"""One fault, one check (issue 14): a sample named after one mistake loses exactly the check
that names it, on the real engine.

A fault that stops the service is one cause too: it may fail `keeps-running` and skip the checks
that need a running container (shown as skipped, "the container stopped"), but charge nothing
else. Every `fails_*` sample of the labs listed here must be declared below, so a new one
says what it may cost.
"""

from __future__ import annotations

from typing import Any

import pytest

from graders.checks import Need
from graders.engine.run import grade
from graders.results import Status
from graders.spec import load_lab

pytestmark = pytest.mark.docker

ONE_FAULT = {
    ("day2-instructions", "fails_no_maintainer"): "label-maintainer",
    ("day2-instructions", "fails_root_user"): "image-user",
    ("day2-instructions", "fails_shell_form_entrypoint"): "exec-form",
    ("day2-instructions", "fails_copy_tar"): "archive-files",
    ("day2-instructions", "fails_relative_workdir"): "workdir-absolute",
    ("day2-multistage", "fails_wrong_output"): "prints-hello",
}
"""Sample -> the one check it may fail."""
STOPS_SERVICE = {
    ("day2-instructions", "fails_shell_form_cmd"): "exec-form",
}
"""Sample -> the check that names the fault; the stopped container may add keeps-running and
skipped runtime checks, nothing else."""
LABS = ("day2-instructions",)


def test_every_one_fault_sample_of_these_labs_is_declared() -> None:
    declared = set(ONE_FAULT) | set(STOPS_SERVICE)
    for lab_id in LABS:
        for sample in load_lab(lab_id).samples:
            name = sample.path.rsplit("/", 1)[-1]
            if name.startswith("fails_"):
                assert (lab_id, name) in declared, f"{lab_id}/{name}: which check may it fail?"


def charged(lab_id: str, sample: str, backend: Any) -> tuple[set[str], set[str], float]:
    """The checks the sample failed, those skipped, and the score it lost."""
    lab = load_lab(lab_id)
    result = grade(lab, lab.root / "submissions" / sample, backend)
    assert not result.errored
    failed = {c.check_id for c in result.checks if c.status is Status.FAILED}
    skipped = {c.check_id for c in result.checks if c.status is Status.SKIPPED}
    return failed, skipped, result.possible - result.score


@pytest.mark.parametrize(("lab_id", "sample"), sorted(ONE_FAULT))
def test_one_fault_costs_one_check(lab_id: str, sample: str, backend: Any) -> None:
    failed, skipped, lost = charged(lab_id, sample, backend)
    check = ONE_FAULT[(lab_id, sample)]
    assert (failed, skipped) == ({check}, set())
    points = next(c.points for c in load_lab(lab_id).checks if c.id == check)
    assert lost == pytest.approx(points)


@pytest.mark.parametrize(("lab_id", "sample"), sorted(STOPS_SERVICE))
def test_a_fault_that_stops_the_service_is_one_cause(lab_id: str, sample: str,
                                                     backend: Any) -> None:
    failed, skipped, _ = charged(lab_id, sample, backend)
    assert failed - {"keeps-running"} == {STOPS_SERVICE[(lab_id, sample)]}
    needs_running = {c.id for c in load_lab(lab_id).checks
                     if c.need is Need.CONTAINER and c.id != "keeps-running"}
    assert skipped <= needs_running
