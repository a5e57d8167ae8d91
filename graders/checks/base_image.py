"""`base_image`: the image a stage is built FROM (repository, tag, pinned version)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import ClassVar

from graders.checks._common import regex_problems
from graders.checks._dockerfile import (
    at,
    no_dockerfile,
    no_stage,
    stage_of,
    stage_problems,
    stage_text,
    type_problems,
)
from graders.checks.base import Check, CheckContext, Need, Outcome
from graders.dockerfile.model import Dockerfile, Stage
from graders.dockerfile.refs import ImageRef, base_image
from graders.i18n import Text


@dataclass(frozen=True)
class BaseImageCheck(Check):
    """The base image of a stage: repository and tag regexes, a pinned version.

    A stage built FROM an earlier stage is followed to the image that one starts from.

    ```yaml
    - id: debian-base
      type: base_image
      points: 10
      image: '^(docker\\.io/)?(library/)?debian$'
      tag: '^12'
      pinned: true
      stage: final
    ```
    """

    type_name: ClassVar[str] = "base_image"
    need: ClassVar[Need] = Need.DOCKERFILE
    default_title: ClassVar[Text] = Text("Imagem base", "Base image")
    default_hint: ClassVar[Text | None] = Text(
        "Indique imagem e versão no FROM, por exemplo FROM debian:12.",
        "Name the image and its version in FROM, for example FROM debian:12.",
    )

    image: str | None = None
    """A regex searched in the repository as written (`debian`, `docker.io/library/debian`)."""
    tag: str | None = None
    """A regex searched in the tag (`latest` when the FROM names none)."""
    pinned: bool = False
    """Require a tag other than latest, or a digest."""
    stage: str = "final"
    """final, first, any (passes if one stage does), all (every stage), a name or index."""

    def validate(self) -> list[str]:
        problems = regex_problems("image", self.image) + regex_problems("tag", self.tag)
        problems += type_problems("pinned", self.pinned, bool, "true or false")
        problems += stage_problems(self.stage, ("final", "first", "any", "all"))
        if self.image is None and self.tag is None and self.pinned is not True:
            problems.append("set at least one of image, tag or pinned: true")
        return problems

    def _problems(self, ref: ImageRef) -> Text | None:
        found: list[Text] = []
        if self.image is not None and not re.search(self.image, ref.repository):
            found.append(
                Text(
                    "o repositório {r} não corresponde a /{x}/",
                    "repository {r} does not match /{x}/",
                ).format(r=ref.repository, x=self.image)
            )
        tag = ref.tag or "latest"
        if self.tag is not None and not re.search(self.tag, tag):
            found.append(
                Text("a tag {t} não corresponde a /{x}/", "tag {t} does not match /{x}/").format(
                    t=tag, x=self.tag
                )
            )
        if self.pinned and not ref.pinned:
            found.append(
                Text(
                    "a versão não está fixada (sem tag ou latest)",
                    "the version is not pinned (no tag, or latest)",
                )
            )
        if not found:
            return None
        return Text.same("; ").join(found)

    def _expected(self) -> str:
        repo = f"/{self.image}/" if self.image else "*"
        tag = f"/{self.tag}/" if self.tag else ("≠latest" if self.pinned else "*")
        return f"FROM {repo}:{tag}"

    def run(self, ctx: CheckContext) -> Outcome:
        df = ctx.dockerfile
        if df is None:
            return no_dockerfile()
        stages = df.select_stages(self.stage)
        if not stages:
            return no_stage(df, self.stage)
        verdicts = [(stage, *self._judge(df, stage)) for stage in stages]
        good = [v for v in verdicts if v[2] is None]
        if good if self.stage == "any" else len(good) == len(verdicts):
            stage, ref, _, root = good[0]
            return Outcome.ok(
                Text("Imagem base ", "Base image ")
                + Text.same(str(ref))
                + Text(" (linha {n}).", " (line {n}).").format(n=root.line),
                actual=at(df, root.from_instruction),
                line=root.line,
            )
        stage, ref, problem, root = next(v for v in verdicts if v[2] is not None)
        assert problem is not None
        where = stage_text(self.stage if len(stages) == 1 else stage_of(stage), "de")
        via = (
            Text(" (via o estágio {s})", " (through stage {s})").format(s=stage_of(root))
            if root is not stage
            else Text.same("")
        )
        return Outcome.fail(
            Text("A imagem base ", "The base image ")
            + where
            + via
            + Text(" é {r}: ", " is {r}: ").format(r=ref)
            + problem
            + Text.same("."),
            expected=self._expected(),
            actual=at(df, root.from_instruction),
            line=root.line,
        )

    def _judge(self, df: Dockerfile, stage: Stage) -> tuple[ImageRef, Text | None, Stage]:
        ref, root = base_image(df, stage)
        return ref, self._problems(ref), root
