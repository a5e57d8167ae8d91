"""A lab's regex reaches a student as words, never as the raw pattern (issue 14)."""

from __future__ import annotations

import pytest

from graders.checks._pattern import LAB_PATTERN, pattern_text
from graders.i18n import Text


@pytest.mark.parametrize(("pattern", "pt"), [
    ("(?i)apache", 'contendo "apache"'),
    ("^ok$", '"ok"'),
    ("^12", 'começando com "12"'),
    ("Instruções do Dockerfile", 'contendo "Instruções do Dockerfile"'),
    (r"^Hello, World!$", '"Hello, World!"'),
    (r"^debian\.org$", '"debian.org"'),
])
def test_a_plain_text_pattern_reads_as_its_text(pattern: str, pt: str) -> None:
    assert pattern_text(pattern)("pt") == pt


@pytest.mark.parametrize("pattern", [
    r"^(docker\.io/)?(library/)?debian$",
    r"(apache2?ctl|apache2)\b.*-D ?FOREGROUND",
    r"^(/bin/)?httpd\b(?=.* -f\b)",
    r"(^|/)hello( |$)",
    r"\d+",
    "^$",
])
def test_a_real_pattern_points_to_the_lab(pattern: str) -> None:
    assert pattern_text(pattern) == LAB_PATTERN


def test_the_caller_words_the_text() -> None:
    said = pattern_text("^ok$", whole=Text("a resposta {v}", "the answer {v}"))
    assert said == Text("a resposta ok", "the answer ok")
