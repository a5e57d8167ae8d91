"""`instruction_order`: instructions come in a given relative order."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import ClassVar

from graders.checks._dockerfile import (
    at,
    no_dockerfile,
    no_stage,
    stage_instructions,
    stage_problems,
    stage_text,
)
from graders.checks.base import Check, CheckContext, Need, Outcome
from graders.dockerfile.model import Instruction
from graders.dockerfile.parser import KEYWORDS
from graders.i18n import Text


def _split(item: str) -> tuple[str, str | None]:
    keyword, _, pattern = item.strip().partition(" ")
    return keyword.upper(), pattern.strip() or None


@dataclass(frozen=True)
class InstructionOrderCheck(Check):
    """Instructions appear in this relative order (others may come in between).

    Each item is a keyword, optionally followed by a regex over its arguments: the check finds
    the first match of the first item, then the first match of the next item after it, and so on.

    ```yaml
    - id: deps-before-code
      type: instruction_order
      points: 5
      title: {pt: "Dependências antes do código", en: "Dependencies before the code"}
      order: [WORKDIR, "COPY requirements", "RUN pip install", "COPY \\\\.", CMD]
      stage: final
    ```
    """

    type_name: ClassVar[str] = "instruction_order"
    need: ClassVar[Need] = Need.DOCKERFILE
    default_title: ClassVar[Text] = Text("Ordem das instruções", "Order of instructions")
    default_hint: ClassVar[Text | None] = Text(
        "Instruções que mudam pouco vêm antes, para aproveitar o cache de camadas.",
        "Put what changes least first, so the layer cache is reused.",
    )

    order: list[str] = field(default_factory=list)
    """Items `KEYWORD` or `KEYWORD regex`, in the order they must appear."""
    stage: str = "final"
    """final, first, any (the whole file), a stage name or index."""

    def validate(self) -> list[str]:
        if not isinstance(self.order, list) or not all(isinstance(i, str) for i in self.order):
            return ["order: expected a list of strings like RUN or 'COPY requirements'"]
        problems = [] if len(self.order) >= 2 else ["order: list at least two instructions"]
        for n, item in enumerate(self.order):
            keyword, pattern = _split(item)
            if keyword not in KEYWORDS:
                problems.append(f"order[{n}]: {keyword!r} is not a Dockerfile instruction")
            if pattern is not None:
                try:
                    re.compile(pattern)
                except re.error as exc:
                    problems.append(f"order[{n}]: invalid regular expression {pattern!r}: {exc}")
        return problems + stage_problems(self.stage)

    @staticmethod
    def _matches(item: str, instr: Instruction) -> bool:
        keyword, pattern = _split(item)
        if instr.keyword != keyword:
            return False
        return (
            pattern is None
            or re.search(pattern, "\n".join((instr.text, *instr.heredocs))) is not None
        )

    def run(self, ctx: CheckContext) -> Outcome:
        df = ctx.dockerfile
        if df is None:
            return no_dockerfile()
        scope = stage_instructions(df, self.stage)
        if scope is None:
            return no_stage(df, self.stage)
        expected = " → ".join(self.order)
        found: list[Instruction] = []
        for item in self.order:
            start = scope.index(found[-1]) + 1 if found else 0
            match = next((i for i in scope[start:] if self._matches(item, i)), None)
            if match is not None:
                found.append(match)
                continue
            earlier = next((i for i in scope[:start] if self._matches(item, i)), None)
            where = stage_text(self.stage, "em")
            if earlier is not None and found:
                message = (
                    Text(
                        "{a} (linha {n}) deveria vir depois de {b} (linha {m}) ",
                        "{a} (line {n}) should come after {b} (line {m}) ",
                    ).format(a=item, n=earlier.line, b=found[-1].keyword, m=found[-1].line)
                    + where
                )
            else:
                message = (
                    Text("Falta {a} ", "Missing {a} ").format(a=item)
                    + (
                        Text("depois de {b} (linha {m}) ", "after {b} (line {m}) ").format(
                            b=found[-1].keyword, m=found[-1].line
                        )
                        if found
                        else Text.same("")
                    )
                    + where
                )
            shown = [*found, earlier] if earlier else found
            return Outcome.fail(
                message + Text.same("."),
                expected=expected,
                actual="\n".join(at(df, i) for i in sorted(shown, key=lambda i: i.line)) or "—",
                line=(earlier or (found[-1] if found else None) or scope[0]).line
                if scope
                else None,
            )
        return Outcome.ok(
            Text(
                "As instruções estão na ordem esperada.",
                "The instructions are in the expected order.",
            ),
            actual=" → ".join(f"{i.keyword}@{i.line}" for i in found),
        )
