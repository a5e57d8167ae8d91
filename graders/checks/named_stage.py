"""`named_stage`: the stage COPY --from reads has a name (FROM ... AS name)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import ClassVar

from graders.checks._dockerfile import NOTHING, at, no_dockerfile, type_problems
from graders.checks.base import Check, CheckContext, Need, Outcome
from graders.dockerfile.model import Dockerfile, Instruction, Stage
from graders.dockerfile.refs import copy_from_target
from graders.i18n import Text


@dataclass(frozen=True)
class NamedStageCheck(Check):
    """The compile stage has a name of the student's choosing: every stage a `COPY --from` reads
    is named (`FROM golang:1.19 AS build`, `AS builder`, `as compile`: any name). With no
    `COPY --from` that reads a stage (none, or only a typo, which `copy_from` charges), one
    stage before the last must be named. A single stage has no compile stage to name.

    An unnamed stage is not named: `FROM golang:1.19` read as `COPY --from=0` fails this check
    (and only this one: Docker and `copy_from` accept the index). The lesson teaches naming the
    stage with AS and copying from it by that name, which keeps COPY --from right when a stage
    is added or moved. A named stage read by its index is named.

    `name` asks for one exact name instead, for a lab whose tooling needs it
    (`docker build --target build`). Names compare case-insensitively: Docker lower-cases them.

    ```yaml
    - id: build-stage-named
      type: named_stage
      points: 10
    - id: target-stage
      type: named_stage
      name: test
    ```
    """

    type_name: ClassVar[str] = "named_stage"
    need: ClassVar[Need] = Need.DOCKERFILE
    default_title: ClassVar[Text] = Text("Estágio com nome", "Named stage")
    default_hint: ClassVar[Text | None] = Text(
        "Dê nome ao estágio com FROM <imagem> AS <nome> e use COPY --from=<nome>.",
        "Name the stage with FROM <image> AS <name> and use COPY --from=<name>.",
    )

    name: str | None = None
    """One exact stage name required; omit to accept any name on the stage COPY --from reads."""

    def validate(self) -> list[str]:
        problems = type_problems("name", self.name, str, "a stage name")
        if (
            not problems
            and self.name is not None
            and not re.match(r"^[a-z][a-z0-9-_.]*$", self.name.lower())
        ):
            problems.append(f"name: {self.name!r} is not a valid stage name")
        return problems

    def run(self, ctx: CheckContext) -> Outcome:
        df = ctx.dockerfile
        if df is None:
            return no_dockerfile()
        if self.name is not None:
            return self._exact(df, self.name.lower())
        read = _read_by_copy_from(df)
        if read:
            unnamed = [(s, i) for s, i in read if not s.name]
            if unnamed:
                return _read_by_index(df, *unnamed[0])
            return _named(df, read[0][0])
        earlier = df.stages[:-1]
        named = next((s for s in earlier if s.name), None)
        if named is not None:
            return _named(df, named)
        if earlier:
            stage = earlier[0]
            return Outcome.fail(
                Text("Nenhum estágio antes do último tem nome.",
                     "No stage before the last has a name."),
                expected=Text(f"FROM {stage.base} AS <nome>", f"FROM {stage.base} AS <name>"),
                actual=at(df, stage.from_instruction),
                line=stage.line,
            )
        return _single_stage(df)

    def _exact(self, df: Dockerfile, name: str) -> Outcome:
        stage = df.stage_named(name)
        if stage is not None:
            return _named(df, stage)
        message = Text(
            "Nenhum estágio se chama {s}, o nome que este laboratório pede.",
            "No stage is named {s}, the name this lab asks for.",
        ).format(s=name)
        names = ", ".join(s.name for s in df.stages if s.name)
        if names:
            message += Text(" Os estágios com nome: {n}.", " The named stages: {n}.").format(
                n=names
            )
        first = df.stages[0] if df.stages else None
        return Outcome.fail(
            message,
            expected=f"FROM ... AS {name}",
            actual="\n".join(at(df, s.from_instruction) for s in df.stages) or NOTHING,
            line=first.line if first else None,
        )


def _read_by_copy_from(df: Dockerfile) -> list[tuple[Stage, Instruction]]:
    """Each stage some COPY --from reads, with the first COPY that reads it, in stage order."""
    first: dict[int, Instruction] = {}
    for instr in df.instructions:
        target = copy_from_target(instr, df) if instr.keyword == "COPY" else None
        if target is not None and target.stage is not None:
            first.setdefault(target.stage, instr)
    return [(df.stages[i], first[i]) for i in sorted(first)]


def _named(df: Dockerfile, stage: Stage) -> Outcome:
    return Outcome.ok(
        Text("O estágio {s} (linha {n}) tem nome.", "Stage {s} (line {n}) has a name.").format(
            s=stage.name, n=stage.line
        ),
        actual=at(df, stage.from_instruction),
        line=stage.line,
    )


def _read_by_index(df: Dockerfile, stage: Stage, copy: Instruction) -> Outcome:
    return Outcome.fail(
        Text(
            "O estágio {i} (linha {n}) não tem nome: COPY --from={i} (linha {c}) o lê pelo "
            "índice, que muda quando um estágio é acrescentado.",
            "Stage {i} (line {n}) has no name: COPY --from={i} (line {c}) reads it by its "
            "index, which changes when a stage is added.",
        ).format(i=stage.index, n=stage.line, c=copy.line),
        expected=Text(f"FROM {stage.base} AS <nome>", f"FROM {stage.base} AS <name>"),
        actual=at(df, stage.from_instruction),
        line=stage.line,
    )


def _single_stage(df: Dockerfile) -> Outcome:
    stage = df.stages[0] if df.stages else None
    return Outcome.fail(
        Text(
            "O Dockerfile tem um estágio só: não há estágio de compilação para nomear.",
            "The Dockerfile has only one stage: there is no compile stage to name.",
        ),
        expected=Text("FROM ... AS <nome>", "FROM ... AS <name>"),
        actual=at(df, stage.from_instruction) if stage else NOTHING,
        line=stage.line if stage else None,
    )
