"""`base_image`: the image a stage is built FROM (repository, tag, pinned version, bases it may
not be)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
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
from graders.checks._pattern import pattern_text
from graders.checks.base import Check, CheckContext, Need, Outcome
from graders.dockerfile.model import Dockerfile, Stage
from graders.dockerfile.refs import ImageRef, base_image
from graders.i18n import Text

HUB_PREFIX = r"(docker\.io/)?(library/)?"
"""What a lab writes before an official image's name so that `docker.io/library/debian` matches
too: left out when the pattern is put in words."""


def repository_text(pattern: str) -> Text:
    r"""A repository pattern in words: `^(docker\.io/)?(library/)?debian$` -> debian."""
    return pattern_text(pattern.replace(HUB_PREFIX, ""), part=Text('com "{v}"', 'with "{v}"'),
                        whole=Text.same("{v}"))


def short_name(repository: str) -> str:
    """`docker.io/library/golang` -> `golang`: what `none_of` is searched in."""
    for prefix in ("docker.io/", "index.docker.io/", "registry-1.docker.io/"):
        repository = repository.removeprefix(prefix)
    return repository.removeprefix("library/")


@dataclass(frozen=True)
class BaseImageCheck(Check):
    """The base image of a stage: repository and tag regexes, a pinned version, and bases it may
    not be (`none_of`: the build image must not be what a multi-stage build ships).

    A stage built FROM an earlier stage is followed to the image that one starts from.

    ```yaml
    - id: debian-base
      type: base_image
      points: 10
      image: '^(docker\\.io/)?(library/)?debian$'
      tag: '^12'
      pinned: true
      stage: final
    - id: final-base-not-golang
      type: base_image
      points: 10
      none_of: ['^golang$', '^(gcc|maven|node)$']
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
    none_of: list[str] = field(default_factory=list)
    """Regexes searched in the repository without Docker Hub's `docker.io/library/` (`golang`
    stands for `golang:1.19` and `docker.io/library/golang`): the base must match none."""
    stage: str = "final"
    """final, first, any (passes if one stage does), all (every stage), a name or index."""

    def validate(self) -> list[str]:
        problems = regex_problems("image", self.image) + regex_problems("tag", self.tag)
        problems += type_problems("pinned", self.pinned, bool, "true or false")
        problems += stage_problems(self.stage, ("final", "first", "any", "all"))
        none_of: object = self.none_of  # YAML may give anything
        if not isinstance(none_of, list):
            problems.append("none_of: expected a list of regexes")
        else:
            for i, item in enumerate(none_of):
                problems += regex_problems(f"none_of[{i}]", item, optional=False)
        if (self.image is None and self.tag is None and self.pinned is not True
                and not self.none_of):
            problems.append("set at least one of image, tag, pinned: true or none_of")
        return problems

    def _problems(self, ref: ImageRef) -> Text | None:
        found: list[Text] = []
        if self.image is not None and not re.search(self.image, ref.repository):
            found.append(
                Text("o repositório {r} não é ", "repository {r} is not ").format(
                    r=ref.repository) + repository_text(self.image)
            )
        tag = ref.tag or "latest"
        if self.tag is not None and not re.search(self.tag, tag):
            found.append(
                Text("a tag {t} não é ", "tag {t} is not ").format(t=tag) + self._tag_text()
            )
        banned = next((x for x in self.none_of if re.search(x, short_name(ref.repository))), None)
        if banned is not None:
            found.append(
                Text(
                    "é uma base que este laboratório não aceita aqui (",
                    "it is a base this lab does not accept here (",
                ) + repository_text(banned) + Text.same(")")
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

    def _tag_text(self) -> Text:
        return pattern_text(self.tag or "", whole=Text("a tag {v}", "the tag {v}"),
                            part=Text('uma tag com "{v}"', 'a tag with "{v}"'),
                            start=Text('uma tag começando com "{v}"', 'a tag starting with "{v}"'))

    def _expected(self) -> Text:
        """The default `expected:` in words, from the fields: "debian, with a fixed tag (not
        latest)"; a lab words a pattern this cannot read with the check's `expected:` field."""
        parts = [repository_text(self.image) if self.image
                 else Text("uma imagem base", "a base image")]
        if self.tag:
            parts.append(self._tag_text())
        elif self.pinned:
            parts.append(Text("com uma tag fixa (não latest)", "with a fixed tag (not latest)"))
        if self.none_of:
            parts.append(Text("que não seja ", "not ")
                         + Text(" nem ", " nor ").join(repository_text(x) for x in self.none_of))
        return Text.same(", ").join(parts)

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
