"""`exec_form`: CMD and ENTRYPOINT are written in exec (JSON) form."""

from __future__ import annotations

import json
import shlex
from dataclasses import dataclass, field
from typing import ClassVar

from graders.checks._dockerfile import (
    at,
    join_lines,
    no_dockerfile,
    no_stage,
    stage_problems,
    stage_text,
)
from graders.checks.base import Check, CheckContext, Need, Outcome
from graders.dockerfile.model import Instruction
from graders.i18n import Text

FORMABLE = ("CMD", "ENTRYPOINT", "RUN", "SHELL", "HEALTHCHECK")


def suggestion(instr: Instruction) -> str:
    """The exec form of a shell-form instruction, when its words split cleanly."""
    value = instr.value
    prefix = ""
    if instr.keyword == "HEALTHCHECK":
        _, _, value = value.partition(" ")
        prefix = " ".join((*instr.flag_words, "CMD")) + " "
    if single_quoted_json(value) is not None:
        return f"{instr.keyword} {prefix}{single_quoted_json(value)}"
    try:
        words = shlex.split(value)
    except ValueError:
        words = []
    if not words or any(ch in value for ch in "|&;<>$`*?"):
        words = ["/bin/sh", "-c", value]
    return f"{instr.keyword} {prefix}{json.dumps(words, ensure_ascii=False)}"


def single_quoted_json(value: str) -> str | None:
    """`['a', 'b']` (not JSON, so shell form) rewritten with double quotes, if that parses."""
    if not value.lstrip().startswith("[") or "'" not in value:
        return None
    try:
        words = json.loads(value.replace("'", '"'))
    except ValueError:
        return None
    if not isinstance(words, list) or not all(isinstance(w, str) for w in words):
        return None
    return json.dumps(words, ensure_ascii=False)


@dataclass(frozen=True)
class ExecFormCheck(Check):
    """The listed instructions use exec form, `CMD ["app", "--flag"]`, not shell form.

    In shell form the process runs under `/bin/sh -c` and does not get the signals `docker stop`
    sends. Instructions that are absent pass. An earlier stage the final one is built FROM counts.

    ```yaml
    - id: exec-form
      type: exec_form
      points: 5
      instructions: [CMD, ENTRYPOINT]
    ```
    """

    type_name: ClassVar[str] = "exec_form"
    need: ClassVar[Need] = Need.DOCKERFILE
    default_title: ClassVar[Text] = Text(
        "CMD/ENTRYPOINT na forma exec", "CMD/ENTRYPOINT in exec form"
    )
    default_hint: ClassVar[Text | None] = Text(
        'Escreva como lista JSON: CMD ["executável", "arg1"].',
        'Write a JSON list: CMD ["executable", "arg1"].',
    )

    instructions: list[str] = field(default_factory=lambda: ["CMD", "ENTRYPOINT"])
    """Which instructions must be in exec form: CMD, ENTRYPOINT, RUN, SHELL, HEALTHCHECK."""
    stage: str = "final"
    """final, first, any, a stage name or index."""

    def validate(self) -> list[str]:
        if not isinstance(self.instructions, list) or not self.instructions:
            return ["instructions: expected a list such as [CMD, ENTRYPOINT]"]
        problems = [
            f"instructions: {k!r} has no exec form (one of {', '.join(FORMABLE)})"
            for k in self.instructions
            if not isinstance(k, str) or k.upper() not in FORMABLE
        ]
        return problems + stage_problems(self.stage)

    def run(self, ctx: CheckContext) -> Outcome:
        df = ctx.dockerfile
        if df is None:
            return no_dockerfile()
        if self.stage == "any":
            scope = list(df.instructions)
        else:
            stages = df.select_stages(self.stage)
            if not stages:
                return no_stage(df, self.stage)
            scope = [i for s in reversed(df.ancestry(stages[0])) for i in s.instructions]
        wanted = {k.upper() for k in self.instructions}
        checked = [i for i in scope if i.keyword in wanted]
        if "HEALTHCHECK" in wanted:
            checked = [
                i for i in checked if i.keyword != "HEALTHCHECK" or i.value.upper() != "NONE"
            ]
        shell = [i for i in checked if not i.exec_form]
        if not shell:
            return Outcome.ok(
                Text(
                    "{n} instrução(ões) na forma exec ", "{n} instruction(s) in exec form "
                ).format(n=len(checked))
                + stage_text(self.stage, "em")
                + Text.same("."),
                actual="\n".join(at(df, i) for i in checked[:5]) or None,
            )
        return Outcome.fail(
            join_lines([self._message(i) for i in shell]),
            expected="\n".join(suggestion(i) for i in shell),
            actual="\n".join(at(df, i) for i in shell),
            line=shell[0].line,
        )

    @staticmethod
    def _message(instr: Instruction) -> Text:
        value = instr.value.partition(" ")[2] if instr.keyword == "HEALTHCHECK" else instr.value
        quotes = (
            Text(" JSON só aceita aspas duplas.", " JSON takes double quotes only.")
            if single_quoted_json(value)
            else Text.same("")
        )
        return (
            Text(
                "{k} na linha {n} está na forma shell; use a forma exec (lista JSON).",
                "{k} at line {n} is in shell form; use exec form (a JSON list).",
            ).format(k=instr.keyword, n=instr.line)
            + quotes
        )
