"""What a student reads for the Apache lab's typical mistakes: what, expected, actual, hint."""

from __future__ import annotations

from typing import Any

import pytest

from graders.engine.run import grade
from graders.results import LabResult, Status
from graders.spec import load_lab
from tests.unit.fake_context import en

pytestmark = pytest.mark.docker


def graded(sample: str, backend: Any) -> LabResult:
    lab = load_lab("day2-apache")
    return grade(lab, lab.root / "submissions" / sample, backend)


def by_id(result: LabResult, check_id: str) -> Any:
    return next(c for c in result.checks if c.check_id == check_id)


def test_missing_expose_says_what_and_hints(backend: Any) -> None:
    check = by_id(graded("fails_expose", backend), "exposes-80")
    assert check.status is Status.FAILED
    assert "80/tcp" in en(check.expected)
    assert check.hint and "EXPOSE 80" in check.hint.en and "EXPOSE 80" in check.hint.pt
    assert check.message.pt != check.message.en


def test_background_apache_reports_exit_code_and_skips_http(backend: Any) -> None:
    result = graded("fails_background", backend)
    running = by_id(result, "keeps-running")
    assert running.status is Status.FAILED
    assert "0" in en(running.actual) or "exit" in running.message.en.lower()
    http = by_id(result, "serves-http")
    assert http.status is Status.SKIPPED and http.score == 0
    assert "stopped" in http.message.en


def test_syntax_error_fails_build_and_skips_image_checks(backend: Any) -> None:
    result = graded("fails_syntax_error", backend)
    assert result.build.status is Status.FAILED
    assert result.build.log_tail
    assert result.build.explanation is not None
    skipped = [c for c in result.checks if c.status is Status.SKIPPED]
    assert skipped and all("did not build" in c.message.en for c in skipped)
    assert by_id(result, "base-image").status is Status.PASSED


def test_no_dockerfile_fails_every_check_without_error(backend: Any) -> None:
    result = graded("fails_no_dockerfile", backend)
    assert result.score == 0 and not result.errored
    assert by_id(result, "base-image").status is Status.FAILED
    assert "Dockerfile" in by_id(result, "base-image").message.en


def test_config_error_is_named_not_blamed_on_the_background(backend: Any) -> None:
    """A misspelled directive stops apache2 with exit code 1: the feedback quotes Apache's own
    error (file, line, directive), and the hint does not read as if apachectl start were used."""
    result = graded("fails_apache_config_error", backend)
    running = by_id(result, "keeps-running")
    assert running.status is Status.FAILED
    for text in (running.message.en, running.message.pt):
        assert "Syntax error on line" in text and "/etc/apache2/apache2.conf" in text
        assert "Invalid command 'ServerNmae'" in text
    assert "The main process failed" in running.message.en
    assert running.hint and "configuration error" in running.hint.en
    assert "erro de configuração" in running.hint.pt
    assert by_id(result, "foreground-exec-form").status is Status.PASSED


def test_shell_form_keeps_serving_and_is_told_the_real_cost(backend: Any) -> None:
    """ENTRYPOINT in shell form still serves: only the exec-form check fails, and its hint says
    what shell form costs (signals, CMD ignored) instead of "or the container ends"."""
    result = graded("fails_shell_form_cmd", backend)
    assert by_id(result, "keeps-running").status is Status.PASSED
    assert by_id(result, "serves-http").status is Status.PASSED
    check = by_id(result, "foreground-exec-form")
    assert check.status is Status.FAILED and check.hint
    assert "docker stop" in check.hint.en and "/bin/sh -c" in check.hint.en
    assert "docker stop" in check.hint.pt and "/bin/sh -c" in check.hint.pt
    assert "or the container ends" not in check.hint.en
