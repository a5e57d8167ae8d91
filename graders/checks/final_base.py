"""`final_base`: the image the final stage starts from, against a policy (allowed, forbidden)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import ClassVar

from graders.checks._common import regex_problems
from graders.checks._dockerfile import at, no_dockerfile, stage_of
from graders.checks.base import Check, CheckContext, Need, Outcome
from graders.dockerfile.refs import base_image
from graders.i18n import Text


def short_name(repository: str) -> str:
    """`docker.io/library/golang` -> `golang`: what the policy's regexes are searched in."""
    for prefix in ("docker.io/", "index.docker.io/", "registry-1.docker.io/"):
        repository = repository.removeprefix(prefix)
    return repository.removeprefix("library/")


@dataclass(frozen=True)
class FinalBaseCheck(Check):
    """The final stage's base image (following `FROM <earlier stage>`) obeys a policy.

    Each entry is a regex searched in the repository, Docker Hub's `docker.io/library/`
    removed: `golang` stands for `golang:1.19` and `docker.io/library/golang`, `distroless`
    for `gcr.io/distroless/static-debian12`. `one_of` passes when any entry matches; `none_of`
    fails when any does. Both may be given.

    ```yaml
    - id: not-the-build-image
      type: final_base
      points: 10
      none_of: ['^golang$', '^(gcc|maven|node)$']
    - id: small-final-base
      type: final_base
      one_of: ['^busybox$', '^alpine$', '^scratch$', 'distroless']
    ```
    """

    one_of: list[str] = field(default_factory=list)
    """Regexes; the final base must match one of them."""
    none_of: list[str] = field(default_factory=list)
    """Regexes; the final base must match none of them (the build image, say)."""

    type_name: ClassVar[str] = "final_base"
    need: ClassVar[Need] = Need.DOCKERFILE
    default_title: ClassVar[Text] = Text("Base do estágio final", "Final stage's base")
    default_hint: ClassVar[Text | None] = Text(
        "O último FROM decide a imagem entregue: compile num estágio com as ferramentas e "
        "comece o final de uma base pequena (busybox, alpine, distroless ou scratch).",
        "The last FROM decides the image you ship: build in a stage with the tools, and start "
        "the final one from a small base (busybox, alpine, distroless or scratch).",
    )

    def validate(self) -> list[str]:
        problems: list[str] = []
        for name in ("one_of", "none_of"):
            value = getattr(self, name)
            if not isinstance(value, list):
                problems.append(f"{name}: expected a list of regexes")
                continue
            for i, item in enumerate(value):
                problems += regex_problems(f"{name}[{i}]", item, optional=False)
        if not problems and not self.one_of and not self.none_of:
            problems.append("set one_of, none_of or both")
        return problems

    def _expected(self) -> str:
        parts = []
        if self.one_of:
            parts.append("one of: " + ", ".join(f"/{x}/" for x in self.one_of))
        if self.none_of:
            parts.append("none of: " + ", ".join(f"/{x}/" for x in self.none_of))
        return "FROM " + "; ".join(parts)

    def run(self, ctx: CheckContext) -> Outcome:
        df = ctx.dockerfile
        if df is None:
            return no_dockerfile()
        final = df.final_stage
        if final is None:
            return Outcome.fail(Text("O Dockerfile não tem FROM.", "The Dockerfile has no FROM."),
                                expected=self._expected(), actual="—")
        ref, root = base_image(df, final)
        name = short_name(ref.repository)
        via = Text(" (via o estágio {s})", " (through stage {s})").format(s=stage_of(root)) \
            if root is not final else Text.same("")
        actual = at(df, root.from_instruction)
        banned = next((x for x in self.none_of if re.search(x, name)), None)
        if banned is not None:
            return Outcome.fail(self._banned(str(ref), via, banned), expected=self._expected(),
                                actual=actual, line=root.line)
        if self.one_of and not any(re.search(x, name) for x in self.one_of):
            return Outcome.fail(
                Text("O estágio final parte de {r}", "The final stage starts from {r}").format(
                    r=ref) + via + Text(
                    ", que não está entre as bases aceitas.",
                    ", which is not among the accepted bases."),
                expected=self._expected(), actual=actual, line=root.line)
        return Outcome.ok(
            Text("O estágio final parte de {r}", "The final stage starts from {r}").format(r=ref)
            + via + Text.same("."),
            actual=actual, line=root.line)

    @staticmethod
    def _banned(ref: str, via: Text, pattern: str) -> Text:
        start = Text("O estágio final parte de {r}", "The final stage starts from {r}")
        return (start.format(r=ref) + via + Text(
                    ", uma base que este laboratório não aceita na imagem entregue (/{x}/): uma "
                    "imagem de build leva as ferramentas junto.",
                    ", a base this lab does not accept in the shipped image (/{x}/): a build "
                    "image carries its tools along.").format(x=pattern))
