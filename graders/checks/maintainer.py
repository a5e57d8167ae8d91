"""`maintainer`: the image names its maintainer with LABEL maintainer= (not MAINTAINER)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import ClassVar

from graders.checks._dockerfile import at, no_dockerfile, type_problems
from graders.checks.base import Check, CheckContext, Need, Outcome
from graders.dockerfile.words import key_values
from graders.i18n import Text


@dataclass(frozen=True)
class MaintainerCheck(Check):
    """The final image names a maintainer; MAINTAINER is deprecated in favour of a LABEL.

    The course teaches MAINTAINER: set `allow_deprecated: true` to accept it.

    ```yaml
    - id: maintainer-label
      type: maintainer
      points: 5
      required: true
      allow_deprecated: false
    ```
    """

    type_name: ClassVar[str] = "maintainer"
    need: ClassVar[Need] = Need.DOCKERFILE
    default_title: ClassVar[Text] = Text("Mantenedor da imagem", "Image maintainer")
    default_hint: ClassVar[Text | None] = Text(
        'MAINTAINER está obsoleto: use LABEL maintainer="Nome <email>".',
        'MAINTAINER is deprecated: use LABEL maintainer="Name <email>".',
    )

    required: bool = True
    """Fail when no maintainer is named at all."""
    allow_deprecated: bool = False
    """Accept the MAINTAINER instruction."""

    def validate(self) -> list[str]:
        return type_problems("required", self.required, bool, "true or false") + type_problems(
            "allow_deprecated", self.allow_deprecated, bool, "true or false"
        )

    def run(self, ctx: CheckContext) -> Outcome:
        df = ctx.dockerfile
        if df is None:
            return no_dockerfile()
        final = df.final_stage
        scope = [i for s in reversed(df.ancestry(final)) for i in s.instructions] if final else []
        labels = [
            i
            for i in scope
            if i.keyword == "LABEL" and any(k.lower() == "maintainer" for k, _ in key_values(i))
        ]
        deprecated = [i for i in scope if i.keyword == "MAINTAINER"]
        if deprecated and not self.allow_deprecated:
            instr = deprecated[0]
            return Outcome.fail(
                Text(
                    "MAINTAINER (linha {n}) está obsoleto; use LABEL maintainer= no lugar.",
                    "MAINTAINER (line {n}) is deprecated; use LABEL maintainer= instead.",
                ).format(n=instr.line),
                expected=f"LABEL maintainer={json.dumps(instr.value, ensure_ascii=False)}",
                actual=at(df, instr),
                line=instr.line,
            )
        found = (labels or deprecated)[:1]
        if found:
            return Outcome.ok(
                Text("Mantenedor na linha {n}.", "Maintainer at line {n}.").format(n=found[0].line),
                actual=at(df, found[0]),
                line=found[0].line,
            )
        if not self.required:
            return Outcome.ok(Text("Nenhum mantenedor indicado.", "No maintainer named."))
        return Outcome.fail(
            Text("A imagem não indica um mantenedor.", "The image does not name a maintainer."),
            expected='LABEL maintainer="<name> <email>"',
            actual="—",
            line=final.line if final else None,
        )
