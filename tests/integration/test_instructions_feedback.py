"""What a student reads for the instructions lab's typical mistakes, on the real engine."""

from __future__ import annotations

from typing import Any

import pytest

from graders.engine.run import grade
from graders.results import LabResult, Status
from graders.spec import load_lab
from tests.unit.fake_context import en

pytestmark = pytest.mark.docker


def graded(sample: str, backend: Any) -> LabResult:
    lab = load_lab("day2-instructions")
    return grade(lab, lab.root / "submissions" / sample, backend)


def by_id(result: LabResult, check_id: str) -> Any:
    return next(c for c in result.checks if c.check_id == check_id)


def failed_only(result: LabResult) -> set[str]:
    return {c.check_id for c in result.checks if c.status is not Status.PASSED}


def test_maintainer_in_either_spelling_of_the_lesson_passes_and_none_says_both(
        backend: Any) -> None:
    deprecated = by_id(graded("passes_maintainer_instruction", backend), "label-maintainer")
    assert deprecated.status is Status.PASSED
    assert "MAINTAINER Ana Souza" in en(deprecated.actual)
    result = graded("fails_no_maintainer", backend)
    assert failed_only(result) == {"label-maintainer"}
    missing = by_id(result, "label-maintainer")
    expected = en(missing.expected)
    assert "LABEL maintainer" in expected and "MAINTAINER" in expected
    assert missing.hint and "MAINTAINER" in missing.hint.pt


def test_copied_tar_costs_the_archive_check_alone(backend: Any) -> None:
    result = graded("fails_copy_tar", backend)
    assert failed_only(result) == {"archive-files"}
    archive = by_id(result, "archive-files")
    assert en(archive.actual) == "(absent)" and "/srv/app/index.html" in archive.message.en
    assert archive.hint and "ADD site.tar.gz" in archive.hint.en and "COPY" in archive.hint.pt


def test_shell_form_cmd_is_charged_to_the_form_and_the_stop_is_shown_as_its_effect(
        backend: Any) -> None:
    result = graded("fails_shell_form_cmd", backend)
    form = by_id(result, "exec-form")
    assert form.status is Status.FAILED and form.line == 27
    assert by_id(result, "entrypoint-runs-httpd").status is Status.PASSED  # not charged twice
    assert by_id(result, "keeps-running").status is Status.FAILED
    skipped = {c.check_id for c in result.checks if c.status is Status.SKIPPED}
    assert skipped == {"archive-files", "serves-site", "test_data_folder_belongs_to_its_user"}


def test_shell_form_entrypoint_costs_the_form_check_alone(backend: Any) -> None:
    result = graded("fails_shell_form_entrypoint", backend)
    assert failed_only(result) == {"exec-form"}
    assert by_id(result, "exec-form").line == 26


def test_no_user_costs_one_check_pointing_at_the_final_stage(backend: Any) -> None:
    result = graded("fails_root_user", backend)
    assert failed_only(result) == {"image-user"}
    user = by_id(result, "image-user")
    assert user.line == 2 and "no USER" in user.message.en and "USER" in user.message.pt
