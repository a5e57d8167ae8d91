"""What a Dockerfile check says when the stage it reads is not there: in words a student can
act on, for a file not started yet as much as for a missing stage."""

from __future__ import annotations

from graders.checks.base_image import BaseImageCheck
from graders.checks.named_stage import NamedStageCheck
from graders.dockerfile.parser import parse_dockerfile
from tests.unit.fake_context import FakeContext

COMMENTS_ONLY = "# Escreva aqui o seu Dockerfile\n# FROM debian:12\n\n"


def test_a_dockerfile_of_comments_only_has_no_instructions_yet() -> None:
    ctx = FakeContext(dockerfile=parse_dockerfile(COMMENTS_ONLY))
    outcome = BaseImageCheck(image="debian").run(ctx)
    assert not outcome.passed
    assert "no instructions yet" in outcome.message.en
    assert "ainda não tem instruções" in outcome.message.pt


def test_a_missing_final_stage_reads_as_english() -> None:
    ctx = FakeContext(dockerfile=parse_dockerfile("ARG V=1\n"))
    outcome = BaseImageCheck(image="debian").run(ctx)
    assert outcome.message.en == "The Dockerfile has no FROM."
    assert "has no the" not in outcome.message.en


def test_a_missing_named_stage_still_names_it() -> None:
    ctx = FakeContext(dockerfile=parse_dockerfile("FROM debian:12 AS base\nRUN true\n"))
    outcome = NamedStageCheck(name="build").run(ctx)
    assert not outcome.passed and "build" in outcome.message.en
