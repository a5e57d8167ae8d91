"""The checks that read only the Dockerfile, on real Dockerfile texts (the course's included)."""

from __future__ import annotations

import inspect
import re
from typing import Any

import pytest
import yaml

from graders.checks import check_type_class
from graders.checks.add_vs_copy import AddVsCopyCheck
from graders.checks.base import Check
from graders.checks.base_image import BaseImageCheck
from graders.checks.copy_from import CopyFromCheck
from graders.checks.dockerfile_instruction import DockerfileInstructionCheck
from graders.checks.exec_form import ExecFormCheck
from graders.checks.named_stage import NamedStageCheck
from graders.checks.stage_count import StageCountCheck
from graders.checks.workdir_absolute import WorkdirAbsoluteCheck
from tests.unit.dockerfiles import SEED_APACHE, SEED_MULTISTAGE, run
from tests.unit.fake_context import en

MY_TYPES = [
    "dockerfile_instruction", "base_image", "stage_count", "named_stage", "copy_from",
    "exec_form", "workdir_absolute", "add_vs_copy",
]  # fmt: skip


# dockerfile_instruction


def test_instruction_args_regex_on_the_seed() -> None:
    check = DockerfileInstructionCheck(instruction="RUN", args="apt-get clean|rm -rf /var/lib/apt")
    outcome = run(check, SEED_APACHE)
    assert outcome.passed and outcome.line == 2
    missing = run(check, SEED_APACHE.replace(" && apt-get clean", ""))
    assert not missing.passed and missing.line == 2
    assert "como o enunciado pede" in missing.message.pt
    assert "as the lab's instructions ask" in missing.message.en and "|" not in missing.message.en
    assert missing.actual and missing.actual.startswith("Dockerfile:2: RUN apt-get update")


def test_instruction_absent_form_stage_and_count() -> None:
    assert run(
        DockerfileInstructionCheck(instruction="maintainer", present=False), SEED_APACHE
    ).passed
    bad = run(DockerfileInstructionCheck(instruction="EXPOSE", present=False), SEED_APACHE)
    assert not bad.passed and bad.line == 10
    assert run(DockerfileInstructionCheck(instruction="CMD", form="exec"), SEED_APACHE).passed
    assert not run(DockerfileInstructionCheck(instruction="CMD", form="shell"), SEED_APACHE).passed
    assert run(DockerfileInstructionCheck(instruction="ENV", min_count=5), SEED_APACHE).passed
    few = run(DockerfileInstructionCheck(instruction="ENV", min_count=6), SEED_APACHE)
    assert not few.passed and en(few.expected) == "ENV: >= 6"
    assert not run(DockerfileInstructionCheck(instruction="RUN"), SEED_MULTISTAGE).passed
    assert run(DockerfileInstructionCheck(instruction="RUN", stage="build"), SEED_MULTISTAGE).passed
    assert run(DockerfileInstructionCheck(instruction="RUN", stage="any"), SEED_MULTISTAGE).passed
    nope = run(DockerfileInstructionCheck(instruction="RUN", stage="compile"), SEED_MULTISTAGE)
    assert not nope.passed and nope.actual == "build, 1"


def test_instruction_regex_sees_flags_and_heredocs() -> None:
    text = "FROM debian:12\nRUN <<EOF\napt-get update\nrm -rf /var/lib/apt/lists/*\nEOF\n"
    check = DockerfileInstructionCheck(instruction="RUN", args="rm -rf /var/lib/apt/lists")
    assert run(check, text).passed
    from_build = DockerfileInstructionCheck(instruction="COPY", args=r"--from=build\b")
    assert not run(from_build, SEED_MULTISTAGE).passed


def test_no_dockerfile_fails_every_check() -> None:
    for key in MY_TYPES:
        cls: Any = check_type_class(key)
        example = docstring_examples(cls)[0]
        outcome = run(cls(**example), None)
        assert not outcome.passed and en(outcome.expected) == "Dockerfile", key


# base_image


def test_base_image_repository_tag_and_pinning() -> None:
    debian = r"^(docker\.io/)?(library/)?debian$"
    assert run(BaseImageCheck(image=debian, tag="^10$"), SEED_APACHE).passed
    old = run(BaseImageCheck(image=debian, tag="^12"), SEED_APACHE)
    assert not old.passed and old.line == 1
    assert (
        'a tag 10 não é uma tag começando com "12"' in old.message.pt
        and 'tag 10 is not a tag starting with "12"' in old.message.en
    )
    assert not run(BaseImageCheck(pinned=True), "FROM debian\n").passed
    assert not run(BaseImageCheck(pinned=True), "FROM debian:latest\n").passed
    assert run(BaseImageCheck(pinned=True), "FROM debian@sha256:abc\n").passed
    assert run(BaseImageCheck(image=debian), "FROM docker.io/library/debian:12\n").passed


def test_base_image_stages_and_args() -> None:
    assert run(BaseImageCheck(image="^alpine$"), SEED_MULTISTAGE).passed
    assert run(BaseImageCheck(image="^golang$", stage="first"), SEED_MULTISTAGE).passed
    assert run(BaseImageCheck(image="^golang$", stage="any"), SEED_MULTISTAGE).passed
    assert not run(BaseImageCheck(image="^golang$", stage="all"), SEED_MULTISTAGE).passed
    chained = "FROM debian:12 AS base\nRUN true\nFROM base\nCMD x\n"
    outcome = run(BaseImageCheck(image="^alpine$"), chained)
    assert not outcome.passed and outcome.line == 1
    assert "via o estágio base" in outcome.message.pt
    assert run(BaseImageCheck(tag="^12$"), "ARG V=12\nFROM debian:${V}\n").passed


# stage_count, named_stage


def test_stage_count_and_named_stage() -> None:
    assert run(StageCountCheck(min=2), SEED_MULTISTAGE).passed
    single = run(StageCountCheck(min=2), SEED_APACHE)
    assert not single.passed and (single.expected, single.actual) == (">= 2", "1")
    assert not run(StageCountCheck(max=1), SEED_MULTISTAGE).passed
    assert run(NamedStageCheck(name="BUILD"), SEED_MULTISTAGE).passed
    typo = run(NamedStageCheck(name="builder"), SEED_MULTISTAGE)
    assert not typo.passed and "The named stages: build." in typo.message.en
    assert run(NamedStageCheck(), SEED_MULTISTAGE).passed
    unnamed = run(NamedStageCheck(), "FROM golang:1.19\nRUN go build\nFROM alpine:3\n")
    assert not unnamed.passed and en(unnamed.expected) == "FROM golang:1.19 AS <name>"


# copy_from


def test_copy_from_the_seed_typo() -> None:
    outcome = run(CopyFromCheck(), SEED_MULTISTAGE)
    assert not outcome.passed and outcome.line == 8
    assert outcome.message.en == (
        "COPY --from=buildando (line 8): there is no stage named buildando; "
        "Docker will try to pull an image named buildando; did you mean build?"
    )
    assert "você quis dizer build?" in outcome.message.pt
    assert en(outcome.expected) == "COPY --from=build /app/hello /app/hello"
    fixed = SEED_MULTISTAGE.replace("buildando", "build")
    assert run(CopyFromCheck(), fixed).passed
    assert run(CopyFromCheck(), fixed.replace("--from=build", "--from=0")).passed


def test_copy_from_every_problem_at_once() -> None:
    text = (
        "FROM golang:1.19 AS build\nFROM alpine:3 AS app\nCOPY --from=1 /a /b\n"
        "COPY --from=later /a /b\nCOPY --from=nginx:1.25 /a /b\nFROM alpine:3 AS later\n"
    )
    outcome = run(CopyFromCheck(), text)
    lines = outcome.message.en.splitlines()
    assert len(lines) == 2
    assert "is this line's own stage" in lines[0]
    assert "only defined after this line" in lines[1]
    strict = run(CopyFromCheck(images=False), text)
    assert "nginx:1.25 is an image" in strict.message.en
    assert run(CopyFromCheck(), SEED_APACHE).passed
    assert not run(CopyFromCheck(required=True), SEED_APACHE).passed


# exec_form, workdir_absolute, add_vs_copy


def test_exec_form() -> None:
    assert run(ExecFormCheck(), SEED_APACHE).passed
    text = "FROM node:20\nENTRYPOINT ['node']\nCMD node app.js --port 80\n"
    outcome = run(ExecFormCheck(), text)
    assert not outcome.passed and outcome.line == 2
    assert en(outcome.expected) == 'ENTRYPOINT ["node"]\nCMD ["node", "app.js", "--port", "80"]'
    assert "JSON takes double quotes only" in outcome.message.en
    piped = run(ExecFormCheck(instructions=["CMD"]), "FROM a:1\nCMD app | tee log\n")
    assert piped.expected == 'CMD ["/bin/sh", "-c", "app | tee log"]'


def test_workdir_absolute() -> None:
    text = 'FROM a:1\nWORKDIR /srv\nWORKDIR app\nWORKDIR "./web"\nWORKDIR $HOME\n'
    outcome = run(WorkdirAbsoluteCheck(), text)
    assert not outcome.passed and outcome.line == 3
    assert en(outcome.expected) == "WORKDIR /app\nWORKDIR /web"
    assert run(WorkdirAbsoluteCheck(), "FROM a:1\nWORKDIR /app\n").passed
    assert not run(WorkdirAbsoluteCheck(required=True), SEED_APACHE).passed


def test_add_vs_copy() -> None:
    text = (
        "FROM a:1\nADD rootfs.tar.gz /\nADD app.py /app/\n"
        'ADD ["https://example.com/x.tgz", "/x"]\nADD vendor/lib.so /lib/\n'
    )
    outcome = run(AddVsCopyCheck(), text)
    assert not outcome.passed and outcome.line == 3
    lines = outcome.message.en.splitlines()
    assert len(lines) == 3 and "downloads https://example.com/x.tgz" in lines[1]
    assert en(outcome.expected) and en(outcome.expected).splitlines()[0] == "COPY app.py /app/"
    lenient = AddVsCopyCheck(urls=True, allow=[r"^app\.py$", "^vendor/"])
    assert run(lenient, text).passed
    assert not run(AddVsCopyCheck(archives=False), "FROM a:1\nADD x.tar /\n").passed
    assert run(AddVsCopyCheck(), SEED_APACHE).passed


@pytest.mark.parametrize(
    ("check", "problem"),
    [
        (DockerfileInstructionCheck(instruction="RUNN"), "instruction"),
        (DockerfileInstructionCheck(instruction="RUN", args="("), "args"),
        (DockerfileInstructionCheck(instruction="RUN", form="json"), "form"),
        (DockerfileInstructionCheck(instruction="RUN", min_count=0), "min_count"),
        (DockerfileInstructionCheck(instruction="RUN", stage="fin al"), "stage"),
        (BaseImageCheck(), "set at least one"),
        (BaseImageCheck(tag="[", pinned=True), "tag"),
        (StageCountCheck(), "set min"),
        (StageCountCheck(min=3, max=2), "min (3) is greater"),
        (NamedStageCheck(name="1x"), "name"),
        (CopyFromCheck(required="yes"), "required"),  # type: ignore[arg-type]
        (ExecFormCheck(instructions=["EXPOSE"]), "instructions"),
        (AddVsCopyCheck(allow=["("]), "allow[0]"),
    ],
)
def test_validate_rejects_bad_fields(check: Check, problem: str) -> None:
    problems = check.validate()
    assert problems and any(p.startswith(problem) for p in problems), problems


# the docstring examples


def docstring_examples(cls: type) -> list[dict[str, Any]]:
    """Each ```yaml entry of the class docstring, without the keys every check has."""
    blocks = re.findall(r"^```yaml\n(.*?)^```$", inspect.cleandoc(cls.__doc__ or ""), re.M | re.S)
    common = {"id", "type", "points", "title", "hint", "visibility", "hidden", "live"}
    entries = [e for b in blocks for e in (yaml.safe_load(b) or [])]
    return [{k: v for k, v in e.items() if k not in common} for e in entries]


@pytest.mark.parametrize("key", MY_TYPES)
def test_docstring_example_builds_and_validates(key: str) -> None:
    cls: Any = check_type_class(key)
    examples = docstring_examples(cls)
    assert examples
    for example in examples:
        assert cls(**example).validate() == []
