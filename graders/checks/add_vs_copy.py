"""`add_vs_copy`: ADD only where it does more than COPY (local tar archives, or as allowed)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import ClassVar

from graders.checks._common import regex_problems
from graders.checks._dockerfile import (
    at,
    join_lines,
    no_dockerfile,
    no_stage,
    stage_instructions,
    stage_problems,
    type_problems,
)
from graders.checks.base import Check, CheckContext, Need, Outcome
from graders.dockerfile.model import Instruction
from graders.dockerfile.words import shell_words
from graders.i18n import Text

ARCHIVE = re.compile(r"\.(tar|tar\.(gz|bz2|xz|zst)|tgz|tbz2?|txz|tzst)$", re.IGNORECASE)
URL = re.compile(r"^(https?|git)://|^git@", re.IGNORECASE)


def sources(instr: Instruction) -> list[str]:
    """The sources of an ADD/COPY: every argument but the destination."""
    args = list(instr.json_args) if instr.json_args is not None else shell_words(instr.value)
    return args[:-1]


@dataclass(frozen=True)
class AddVsCopyCheck(Check):
    """ADD is used only for local tar archives (which it extracts) or sources the lab allows.

    For plain files and folders COPY says what it does; ADD also downloads URLs and unpacks
    archives, which surprises. Set `urls: true` when a lab teaches `ADD https://...`.

    ```yaml
    - id: copy-not-add
      type: add_vs_copy
      points: 5
      archives: true
      urls: false
      allow: ['^vendor/']
    ```
    """

    type_name: ClassVar[str] = "add_vs_copy"
    need: ClassVar[Need] = Need.DOCKERFILE
    default_title: ClassVar[Text] = Text("COPY em vez de ADD", "COPY instead of ADD")
    default_hint: ClassVar[Text | None] = Text(
        "Use COPY para arquivos e pastas; ADD só para extrair um .tar local.",
        "Use COPY for files and folders; ADD only to extract a local .tar.",
    )

    archives: bool = True
    """Accept ADD of a local tar archive (.tar, .tar.gz, .tgz, ...), which ADD extracts."""
    urls: bool = False
    """Accept ADD of http(s) and git URLs."""
    allow: list[str] = field(default_factory=list)
    """Regexes of other sources the lab accepts with ADD."""
    stage: str = "any"
    """any (the whole Dockerfile), final, first, a stage name or index."""

    def validate(self) -> list[str]:
        problems = type_problems("archives", self.archives, bool, "true or false")
        problems += type_problems("urls", self.urls, bool, "true or false")
        allow: object = self.allow  # YAML is untyped: the field may hold anything
        if not isinstance(allow, list):
            problems.append("allow: expected a list of regular expressions")
        else:
            for n, pattern in enumerate(allow):
                problems += regex_problems(f"allow[{n}]", pattern)
        return problems + stage_problems(self.stage)

    def _accepted(self, source: str) -> bool:
        if any(re.search(p, source) for p in self.allow):
            return True
        if URL.search(source):
            return self.urls
        return self.archives and ARCHIVE.search(source) is not None

    def run(self, ctx: CheckContext) -> Outcome:
        df = ctx.dockerfile
        if df is None:
            return no_dockerfile()
        scope = stage_instructions(df, self.stage)
        if scope is None:
            return no_stage(df, self.stage)
        adds = [i for i in scope if i.keyword == "ADD"]
        failures = []
        for instr in adds:
            bad = next((s for s in sources(instr) if not self._accepted(s)), None)
            if bad is None:
                continue
            if URL.search(bad):
                message = Text(
                    "ADD na linha {n} baixa {s} durante o build; baixe com RUN curl/wget "
                    "ou use COPY.",
                    "ADD at line {n} downloads {s} during the build; fetch it with RUN curl/wget "
                    "or use COPY.",
                )
            else:
                message = Text(
                    "ADD na linha {n} copia {s}, que não é um arquivo tar local; use COPY.",
                    "ADD at line {n} copies {s}, which is not a local tar archive; use COPY.",
                )
            failures.append((instr, message.format(n=instr.line, s=bad)))
        if failures:
            return Outcome.fail(
                join_lines([m for _, m in failures]),
                expected="\n".join(f"COPY {i.text}" for i, _ in failures),
                actual="\n".join(at(df, i) for i, _ in failures),
                line=failures[0][0].line,
            )
        return Outcome.ok(
            Text("{n} ADD, todos justificados.", "{n} ADD, all justified.").format(n=len(adds))
            if adds
            else Text("Nenhum ADD: COPY é usado.", "No ADD: COPY is used."),
            actual="\n".join(at(df, i) for i in adds[:5]) or None,
        )
