"""`stage_count`: how many stages (FROM instructions) the Dockerfile has."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from graders.checks._dockerfile import no_dockerfile, type_problems
from graders.checks.base import Check, CheckContext, Need, Outcome
from graders.i18n import Text


@dataclass(frozen=True)
class StageCountCheck(Check):
    """The number of stages is within bounds: a multi-stage lab asks for at least 2.

    ```yaml
    - id: multi-stage
      type: stage_count
      points: 10
      min: 2
    ```
    """

    type_name: ClassVar[str] = "stage_count"
    need: ClassVar[Need] = Need.DOCKERFILE
    default_title: ClassVar[Text] = Text("Número de estágios", "Number of stages")
    default_hint: ClassVar[Text | None] = Text(
        "Cada FROM começa um estágio; compile num estágio e copie o resultado para o último.",
        "Each FROM starts a stage; build in one stage and copy the result into the last one.",
    )

    min: int | None = None
    """At least this many stages."""
    max: int | None = None
    """At most this many stages."""

    def validate(self) -> list[str]:
        problems = type_problems("min", self.min, int, "a whole number")
        problems += type_problems("max", self.max, int, "a whole number")
        if problems:
            return problems
        if self.min is None and self.max is None:
            return ["set min, max or both"]
        if (self.min is not None and self.min < 1) or (self.max is not None and self.max < 1):
            return ["min and max must be at least 1"]
        if self.min is not None and self.max is not None and self.min > self.max:
            return [f"min ({self.min}) is greater than max ({self.max})"]
        return []

    def _expected(self) -> str:
        if self.min is not None and self.max is not None:
            return str(self.min) if self.min == self.max else f"{self.min}..{self.max}"
        return f">= {self.min}" if self.min is not None else f"<= {self.max}"

    def run(self, ctx: CheckContext) -> Outcome:
        df = ctx.dockerfile
        if df is None:
            return no_dockerfile()
        count = len(df.stages)
        message = Text(
            "O Dockerfile tem {n} estágio(s).", "The Dockerfile has {n} stage(s)."
        ).format(n=count)
        too_few = self.min is not None and count < self.min
        too_many = self.max is not None and count > self.max
        if not too_few and not too_many:
            return Outcome.ok(message, actual=str(count))
        line = None
        if too_many and self.max is not None:
            line = df.stages[self.max].line
        elif df.stages:
            line = df.stages[-1].line
        return Outcome.fail(message, expected=self._expected(), actual=str(count), line=line)
