"""Issue 14: a stage's name is the student's choice. `named_stage` grades what the lesson
teaches (the stage COPY --from reads has a name), `copy_from` still catches the lesson's own
`buildando` typo and names the real stage, and no actual shown to a student is a bare list."""

from __future__ import annotations

import pytest

from graders.checks.copy_from import CopyFromCheck
from graders.checks.named_stage import NamedStageCheck
from tests.unit.dockerfiles import SEED_MULTISTAGE, run
from tests.unit.fake_context import en

TWO_STAGES = """\
FROM golang:1.19 {as} {name}
WORKDIR /app
COPY . ./
RUN go mod init hello && go build -o /app/hello

FROM busybox:1.35
COPY --from={ref} /app/hello /app/hello
CMD ["/app/hello"]
"""


def dockerfile(name: str, ref: str | None = None, keyword: str = "AS") -> str:
    head = f"FROM golang:1.19 {keyword} {name}" if name else "FROM golang:1.19"
    return TWO_STAGES.replace("FROM golang:1.19 {as} {name}", head).replace(
        "{ref}", ref if ref is not None else name)


@pytest.mark.parametrize(("name", "ref", "keyword"), [
    ("build", "build", "AS"),
    ("builder", "builder", "AS"),      # Docker's own documentation
    ("compile", "compile", "AS"),
    ("build", "build", "as"),          # the lesson's lower-case `as`
    ("BUILD", "BUILD", "AS"),          # Docker lower-cases stage names
    ("Build", "build", "as"),
])
def test_any_name_read_by_copy_from_is_full_marks(name: str, ref: str, keyword: str) -> None:
    text = dockerfile(name, ref, keyword)
    named = run(NamedStageCheck(), text)
    assert named.passed, named.message.en
    assert name.lower() in named.message.en and named.line == 1
    copied = run(CopyFromCheck(required=True), text)
    assert copied.passed, copied.message.en


def test_an_unnamed_stage_read_by_index_loses_only_the_name() -> None:
    text = dockerfile("", "0")
    named = run(NamedStageCheck(), text)
    assert not named.passed and named.line == 1
    assert "COPY --from=0" in named.message.en and "COPY --from=0" in named.message.pt
    assert en(named.expected) == "FROM golang:1.19 AS <name>"
    assert named.actual == "Dockerfile:1: FROM golang:1.19"
    assert run(CopyFromCheck(required=True), text).passed


def test_a_named_stage_read_by_index_is_named() -> None:
    assert run(NamedStageCheck(), dockerfile("build", "0")).passed


def test_the_buildando_typo_is_copy_froms_alone() -> None:
    assert run(NamedStageCheck(), SEED_MULTISTAGE).passed  # the stage is named build
    outcome = run(CopyFromCheck(required=True), SEED_MULTISTAGE)
    assert not outcome.passed and "did you mean build?" in outcome.message.en


@pytest.mark.parametrize(("name", "typo"), [("builder", "build"), ("compile", "buildando")])
def test_a_typo_is_told_the_stage_that_is_there(name: str, typo: str) -> None:
    outcome = run(CopyFromCheck(required=True), dockerfile(name, typo))
    assert not outcome.passed
    assert f"did you mean {name}?" in outcome.message.en
    assert f"você quis dizer {name}?" in outcome.message.pt
    assert en(outcome.expected) == f"COPY --from={name} /app/hello /app/hello"


def test_required_means_a_stage_is_copied_from() -> None:
    only_image = "FROM golang:1.19 AS build\nFROM busybox:1.35\nCOPY --from=nginx:1.25 /a /b\n"
    outcome = run(CopyFromCheck(required=True), only_image)
    assert not outcome.passed and outcome.line == 3
    assert "nginx:1.25" in outcome.message.en and "nginx:1.25" in outcome.message.pt
    assert run(CopyFromCheck(), only_image).passed
    both = only_image + "COPY --from=build /app/hello /hello\n"
    assert run(CopyFromCheck(required=True), both).passed


def test_a_single_stage_has_no_compile_stage_to_name() -> None:
    outcome = run(NamedStageCheck(), "FROM golang:1.19\nRUN go build\nCMD [\"/app/hello\"]\n")
    assert not outcome.passed and outcome.line == 1
    assert "one stage" in outcome.message.en and "um estágio" in outcome.message.pt


def test_without_copy_from_a_named_earlier_stage_is_enough() -> None:
    text = "FROM golang:1.19 AS build\nRUN go build\nFROM golang:1.19\nRUN true\nFROM busybox\n"
    assert run(NamedStageCheck(), text).passed
    unnamed = run(NamedStageCheck(), "FROM golang:1.19\nRUN go build\nFROM busybox\n")
    assert not unnamed.passed and en(unnamed.expected) == "FROM golang:1.19 AS <name>"


def test_a_required_name_that_is_missing_reads_plainly() -> None:
    outcome = run(NamedStageCheck(name="build"), dockerfile("builder"))
    assert not outcome.passed
    assert "typo" not in outcome.message.en and "digitação" not in outcome.message.pt
    assert "builder" in outcome.message.en and "build" in outcome.message.pt
    assert en(outcome.actual) == ("Dockerfile:1: FROM golang:1.19 AS builder\n"
                              "Dockerfile:6: FROM busybox:1.35")
