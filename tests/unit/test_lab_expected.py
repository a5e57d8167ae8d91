"""A check's `expected:` field: the lab puts a pattern in words, and the student sees those
words (in the run's language) as the Expected line instead of the pattern (issue 14)."""

from __future__ import annotations

from pathlib import Path

import pytest

from graders.engine.run import grade
from graders.errors import SpecError
from graders.i18n import Text
from graders.results import Status
from graders.spec import parse_lab
from tests.unit.fake_backend import FakeBackend

WORDS = {"pt": "o binário hello", "en": "the hello binary"}


def lab_data(**extra: object) -> dict[str, object]:
    check = {"id": "runs-hello", "type": "stage_count", "points": 10, "min": 2, **extra}
    return {"id": "lab", "title": "Lab", "points": 10, "checks": [check],
            "build": {"dockerfile": "Dockerfile"}}


def test_the_lab_words_replace_the_checks_own_expected(tmp_path: Path) -> None:
    lab = parse_lab(lab_data(expected=WORDS), tmp_path / "lab")
    assert lab.checks[0].expected == Text(WORDS["pt"], WORDS["en"])
    submission = tmp_path / "submission"
    submission.mkdir()
    (submission / "Dockerfile").write_text("FROM scratch\nCMD [\"/hello\"]\n")
    result = grade(lab, submission, FakeBackend())
    check = result.checks[0]
    assert check.status is Status.FAILED
    assert "Esperado: o binário hello" in check.feedback("pt")
    assert "Expected: the hello binary" in check.feedback("en")


def test_without_the_field_the_check_words_it(tmp_path: Path) -> None:
    assert parse_lab(lab_data(), tmp_path / "lab").checks[0].expected is None


def test_a_bad_expected_is_a_spec_error(tmp_path: Path) -> None:
    with pytest.raises(SpecError, match="expected"):
        parse_lab(lab_data(expected={"fr": "x"}), tmp_path / "lab")
