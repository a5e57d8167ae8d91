"""What a student reads for the instructions lab's typical mistakes, on the real engine."""

from __future__ import annotations

from typing import Any

import pytest

from graders.engine.run import grade
from graders.results import LabResult, Status
from graders.spec import load_lab

pytestmark = pytest.mark.docker


def graded(sample: str, backend: Any) -> LabResult:
    lab = load_lab("day2-instructions")
    return grade(lab, lab.root / "submissions" / sample, backend)


def by_id(result: LabResult, check_id: str) -> Any:
    return next(c for c in result.checks if c.check_id == check_id)


def failed_only(result: LabResult) -> set[str]:
    return {c.check_id for c in result.checks if c.status is not Status.PASSED}


def test_maintainer_instruction_asks_for_the_label(backend: Any) -> None:
    result = graded("fails_maintainer_instruction", backend)
    assert failed_only(result) == {"maintainer-label", "label-maintainer"}
    check = by_id(result, "maintainer-label")
    assert check.line == 4 and "LABEL maintainer" in (check.expected or "") + check.message.en
    label = by_id(result, "label-maintainer")
    assert "maintainer" in label.message.en and label.hint and "MAINTAINER" in label.hint.pt


def test_copied_tar_is_found_unextracted_and_the_site_is_missing(backend: Any) -> None:
    result = graded("fails_copy_tar", backend)
    assert failed_only(result) == {"archive-extracted", "archive-files", "serves-site"}
    archive = by_id(result, "archive-extracted")
    assert archive.actual == "/srv/app/site.tar.gz (file)"
    assert archive.hint and "ADD site.tar.gz" in archive.hint.en
    assert by_id(result, "serves-copied-file").status is Status.PASSED  # the server is up


def test_shell_form_cmd_shows_what_the_container_really_runs(backend: Any) -> None:
    result = graded("fails_shell_form_cmd", backend)
    form = by_id(result, "exec-form")
    assert form.status is Status.FAILED and form.line == 27
    cmd = by_id(result, "entrypoint-runs-httpd")
    assert cmd.status is Status.FAILED and "/bin/sh" in (cmd.actual or "")


def test_root_user_fails_in_the_dockerfile_the_image_and_the_process(backend: Any) -> None:
    result = graded("fails_root_user", backend)
    assert failed_only(result) == {"user-nonroot", "image-user", "httpd-as-app"}
    assert by_id(result, "serves-site").status is Status.PASSED
