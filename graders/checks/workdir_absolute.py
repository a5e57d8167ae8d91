"""`workdir_absolute`: every WORKDIR is an absolute path."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import ClassVar

from graders.checks._dockerfile import (
    at,
    join_lines,
    no_dockerfile,
    no_stage,
    stage_instructions,
    stage_problems,
    stage_text,
    type_problems,
)
from graders.checks.base import Check, CheckContext, Need, Outcome
from graders.dockerfile.words import process_word
from graders.i18n import Text

_WINDOWS = re.compile(r"^[A-Za-z]:[\\/]")


def is_absolute(path: str) -> bool:
    """`/app`, `C:\\app`, or a `$VAR` whose value is unknown here (as hadolint's DL3000)."""
    return path.startswith(("/", "$")) or _WINDOWS.match(path) is not None


@dataclass(frozen=True)
class WorkdirAbsoluteCheck(Check):
    """Every WORKDIR is absolute: a relative one depends on the WORKDIR before it.

    ```yaml
    - id: workdir-absolute
      type: workdir_absolute
      points: 5
      required: true
      stage: final
    ```
    """

    type_name: ClassVar[str] = "workdir_absolute"
    need: ClassVar[Need] = Need.DOCKERFILE
    default_title: ClassVar[Text] = Text("WORKDIR absoluto", "Absolute WORKDIR")
    default_hint: ClassVar[Text | None] = Text(
        "Use um caminho que comece com /, por exemplo WORKDIR /app.",
        "Use a path starting with /, for example WORKDIR /app.",
    )

    required: bool = False
    """Also fail when the stage has no WORKDIR."""
    stage: str = "any"
    """any (the whole Dockerfile), final, first, a stage name or index."""

    def validate(self) -> list[str]:
        return type_problems("required", self.required, bool, "true or false") + stage_problems(
            self.stage
        )

    def run(self, ctx: CheckContext) -> Outcome:
        df = ctx.dockerfile
        if df is None:
            return no_dockerfile()
        scope = stage_instructions(df, self.stage)
        if scope is None:
            return no_stage(df, self.stage)
        workdirs = [i for i in scope if i.keyword == "WORKDIR"]
        relative = [
            (i, path)
            for i in workdirs
            if not is_absolute(path := process_word(i.value, None, i.escape))
        ]
        if relative:
            return Outcome.fail(
                join_lines(
                    [
                        Text(
                            "WORKDIR {p} (linha {n}) é relativo.",
                            "WORKDIR {p} (line {n}) is relative.",
                        ).format(p=path, n=i.line)
                        for i, path in relative
                    ]
                ),
                expected="\n".join("WORKDIR /" + path.lstrip("./") for _, path in relative),
                actual="\n".join(at(df, i) for i, _ in relative),
                line=relative[0][0].line,
            )
        if not workdirs and self.required:
            return Outcome.fail(
                Text("Não há WORKDIR ", "There is no WORKDIR ")
                + stage_text(self.stage, "em")
                + Text.same("."),
                expected="WORKDIR /app",
                actual="—",
            )
        return Outcome.ok(
            Text("{n} WORKDIR, todos absolutos.", "{n} WORKDIR, all absolute.").format(
                n=len(workdirs)
            ),
            actual="\n".join(at(df, i) for i in workdirs[:5]) or None,
        )
