"""`dockerfile_instruction`: an instruction is in the Dockerfile (or is not)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import ClassVar

from graders.checks._common import regex_problems
from graders.checks._dockerfile import (
    NOTHING,
    at,
    no_dockerfile,
    no_stage,
    stage_instructions,
    stage_problems,
    stage_text,
    type_problems,
)
from graders.checks._pattern import pattern_text
from graders.checks.base import Check, CheckContext, Need, Outcome
from graders.dockerfile.model import Instruction
from graders.dockerfile.parser import KEYWORDS
from graders.i18n import Text

FORMS = {
    "exec": Text(" na forma exec (JSON)", " in exec (JSON) form"),
    "shell": Text(" na forma shell", " in shell form"),
}


@dataclass(frozen=True)
class DockerfileInstructionCheck(Check):
    """An instruction is present (or absent), optionally matching a regex and a form.

    ```yaml
    - id: cleans-apt-cache
      type: dockerfile_instruction
      points: 10
      title: {pt: "Limpa o cache do apt", en: "Cleans apt's cache"}
      instruction: RUN
      args: "apt-get clean|rm -rf /var/lib/apt/lists"
      stage: final
    ```
    """

    type_name: ClassVar[str] = "dockerfile_instruction"
    need: ClassVar[Need] = Need.DOCKERFILE
    default_title: ClassVar[Text] = Text("Instrução no Dockerfile", "Dockerfile instruction")
    default_hint: ClassVar[Text | None] = Text(
        "Veja a referência do Dockerfile: https://docs.docker.com/reference/dockerfile/",
        "See the Dockerfile reference: https://docs.docker.com/reference/dockerfile/",
    )

    instruction: str = ""
    """The keyword: RUN, COPY, EXPOSE, ... (any case)."""
    args: str | None = None
    """A regex searched in the arguments as written: flags, value and heredoc bodies."""
    present: bool = True
    """False: the check passes only when no such instruction is there."""
    stage: str = "final"
    """final, first, any (the whole Dockerfile, ARGs before FROM included), a name or index."""
    form: str | None = None
    """exec or shell: only instructions written in that form count."""
    min_count: int = 1
    """How many matching instructions are needed (with present: true)."""

    def validate(self) -> list[str]:
        problems = type_problems("instruction", self.instruction, str, "a keyword")
        if not problems and self.instruction.upper() not in KEYWORDS:
            problems.append(
                f"instruction: {self.instruction!r} is not a Dockerfile instruction "
                f"(one of {', '.join(sorted(KEYWORDS))})"
            )
        problems += regex_problems("args", self.args)
        problems += type_problems("present", self.present, bool, "true or false")
        problems += stage_problems(self.stage)
        if self.form not in (None, "exec", "shell"):
            problems.append(f"form: expected exec or shell, got {self.form!r}")
        problems += type_problems("min_count", self.min_count, int, "a whole number")
        if isinstance(self.min_count, int) and self.min_count < 1:
            problems.append("min_count: must be at least 1")
        return problems

    def _matches(self, instr: Instruction) -> bool:
        if self.form is not None and instr.exec_form != (self.form == "exec"):
            return False
        if self.args is None:
            return True
        haystack = "\n".join((instr.text, *instr.heredocs))
        return re.search(self.args, haystack) is not None

    def run(self, ctx: CheckContext) -> Outcome:
        df = ctx.dockerfile
        if df is None:
            return no_dockerfile()
        scope = stage_instructions(df, self.stage)
        if scope is None:
            return no_stage(df, self.stage)
        keyword = self.instruction.upper()
        candidates = [i for i in scope if i.keyword == keyword]
        matching = [i for i in candidates if self._matches(i)]
        where = stage_text(self.stage, "em")
        what = Text.same(keyword)
        if self.args:
            what += Text.same(" ") + pattern_text(
                self.args, whole=Text.same("{v}"), part=Text('com "{v}"', 'with "{v}"'),
                other=Text("como o enunciado pede", "as the lab's instructions ask"))
        form = FORMS[self.form] if self.form else Text.same("")
        if not self.present:
            if not matching:
                return Outcome.ok(
                    Text("Nenhum ", "No ") + what
                    + form
                    + Text.same(" ")
                    + where
                    + Text.same(".")
                )
            first = matching[0]
            return Outcome.fail(
                Text("{w} (linha {n}) não deveria estar ", "{w} (line {n}) should not be ").format(
                    w=keyword, n=first.line
                )
                + where
                + Text.same("."),
                expected=what + Text.same(": 0"),
                actual=at(df, first),
                line=first.line,
            )
        if len(matching) >= self.min_count:
            first = matching[0]
            return Outcome.ok(
                Text("{w} encontrado ", "{w} found ").format(w=keyword)
                + where
                + Text(" (linha {n}).", " (line {n}).").format(n=first.line),
                actual=at(df, first),
                line=first.line,
            )
        expected = what + Text.same(f": >= {self.min_count}" if self.min_count > 1 else "")
        if matching:
            message = (
                Text("Só {k} {w} ", "Only {k} matching {w} ").format(k=len(matching), w=keyword)
                + where
                + Text("; são necessários {m}.", "; {m} are needed.").format(m=self.min_count)
            )
        elif candidates:
            message = Text("Nenhum {w} ", "No {w} ").format(w=keyword) + where
            if self.args:
                message = Text("Nenhum ", "No ") + what + Text.same(" ") + where
                if self.form:
                    message += Text(" e está", " and is") + FORMS[self.form]
            else:
                message += Text(" está", " is") + FORMS[self.form or "exec"]
            message += Text.same(".")
        else:
            message = (
                Text("Não há {w} ", "There is no {w} ").format(w=keyword) + where + Text.same(".")
            )
        shown = matching or candidates
        return Outcome.fail(
            message,
            expected=expected + (FORMS[self.form] if self.form else Text.same("")),
            actual="\n".join(at(df, i) for i in shown[:5]) if shown else NOTHING,
            line=shown[0].line if shown else None,
        )
