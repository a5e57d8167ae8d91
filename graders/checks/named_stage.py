"""`named_stage`: a stage has a name (FROM ... AS name)."""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass
from typing import ClassVar

from graders.checks._dockerfile import NOTHING, at, no_dockerfile, stage_of, type_problems
from graders.checks.base import Check, CheckContext, Need, Outcome
from graders.i18n import Text


@dataclass(frozen=True)
class NamedStageCheck(Check):
    """A stage called `name` exists; without `name`, every stage but the last is named.

    Names compare case-insensitively: Docker lower-cases them.

    ```yaml
    - id: build-stage
      type: named_stage
      points: 5
      name: build
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
    """The stage name required; omit to require a name on every stage but the last."""

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
        names = [s.name for s in df.stages if s.name]
        if self.name is not None:
            stage = df.stage_named(self.name)
            if stage is not None:
                return Outcome.ok(
                    Text("Estágio {s} na linha {n}.", "Stage {s} at line {n}.").format(
                        s=stage.name, n=stage.line
                    ),
                    actual=at(df, stage.from_instruction),
                    line=stage.line,
                )
            close = difflib.get_close_matches(self.name.lower(), names, n=1, cutoff=0.5)
            message = Text("Não há estágio chamado {s}", "There is no stage named {s}").format(
                s=self.name.lower()
            )
            if close:
                message += Text(" (há {c}: erro de digitação?)", " (there is {c}: a typo?)").format(
                    c=close[0]
                )
            first = df.stages[0] if df.stages else None
            return Outcome.fail(
                message + Text.same("."),
                expected=f"FROM ... AS {self.name.lower()}",
                actual=", ".join(stage_of(s) for s in df.stages) or NOTHING,
                line=first.line if first else None,
            )
        unnamed = [s for s in df.stages[:-1] if not s.name]
        if not unnamed:
            return Outcome.ok(
                Text("Os estágios têm nome: {n}.", "The stages are named: {n}.").format(
                    n=", ".join(names) or NOTHING
                )
            )
        stage = unnamed[0]
        return Outcome.fail(
            Text(
                "O estágio {i} (linha {n}) não tem nome.", "Stage {i} (line {n}) has no name."
            ).format(i=stage.index, n=stage.line),
            expected=f"FROM {stage.base} AS <name>",
            actual=at(df, stage.from_instruction),
            line=stage.line,
        )
