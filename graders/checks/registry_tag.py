"""`registry_tag`: the declared repository holds the tag in the registry (`docker push` done)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from graders.checks._pushed import present, repository_tags
from graders.checks._registry import (
    closest,
    listing,
    lookup,
    never_pushed,
    tag_problems,
    unavailable,
)
from graders.checks.base import Check, CheckContext, Need, Outcome
from graders.i18n import Text
from graders.registry.errors import RegistryError


@dataclass(frozen=True)
class RegistryTagCheck(Check):
    """The tag is in the registry, in the repository the submission declares.

    The repository comes from the declared image (labgrade.yaml `image:` or `--image`), the
    registry from `--registry` (Docker Hub by default). The lab's `tag` passes, and so does the
    declared tag: a declaration that spells the version otherwise (`1.0`, pushed as `1.0`) is
    charged once, by `image_reference`. When neither is there, the tags that are there are
    listed with a "did you mean" (`1.0` pushed while the lab and the local build use `v1.0`);
    a repository that does not exist was never pushed. An unreachable registry is an ERROR,
    not the student's fault.

    ```yaml
    - id: tag-pushed
      type: registry_tag
      points: 25
      tag: v1.0
    - id: declared-tag-pushed
      type: registry_tag
    ```
    """

    tag: str = ""
    """The tag that must be there (`v1.0`), or the declared one; "" for the declared one only."""

    type_name: ClassVar[str] = "registry_tag"
    need: ClassVar[Need] = Need.DOCKERFILE
    default_title: ClassVar[Text] = Text("Tag enviada ao registry", "Tag pushed to the registry")
    default_hint: ClassVar[Text | None] = Text(
        "Faça docker login, depois docker push com exatamente o nome e a tag do build "
        "(docker build -t aluno/app:v1.0 . e docker push aluno/app:v1.0).",
        "Run docker login, then docker push with exactly the name and tag of the build "
        "(docker build -t alice/app:v1.0 . and docker push alice/app:v1.0).")

    def validate(self) -> list[str]:
        return tag_problems(self.tag)

    def run(self, ctx: CheckContext) -> Outcome:
        found = lookup(ctx, self.tag)
        if isinstance(found, Outcome):
            return found
        target, ref, want = found.target, found.ref, found.tag
        tags = repository_tags(found)
        if not tags:
            return never_pushed(target, want)
        where = target.repository_name()
        tag = present(found, tags)
        if tag is not None:
            # The digest graded is kept in the report: a tag pushed again later (threat G2)
            # shows up as a different digest on a regrade.
            try:
                digest = target.client().head_manifest(ref.repository, tag)
            except RegistryError as e:
                unavailable(target, e)
            pinned = f"{ref.repository}:{tag}@{digest}" if digest else f"{ref.repository}:{tag}"
            found_it = Text(f"A tag {tag} está em {where}.", f"Tag {tag} is in {where}.")
            if tag != want:
                found_it = found_it + Text(
                    f" É a tag que você declarou; o laboratório pede {want}, o que a "
                    "verificação do nome da imagem conta.",
                    f" It is the tag you declared; the lab asks for {want}, which the image "
                    "name check counts.")
            return Outcome(True, found_it, actual=pinned,
                           details=f"graded digest: {digest or 'unknown'}")
        return self._missing(target.push_name(want), want, ref.tag, tags, where,
                             target.declared.source)

    def _missing(self, push: str, want: str, declared: str | None, tags: list[str],
                 where: str, source: str) -> Outcome:
        have = listing(tags)
        message = Text(f"A tag {want} não está em {where}; lá há: {have}.",
                       f"Tag {want} is not in {where}; it has: {have}.")
        guess = closest(want, tags)
        if guess is not None:
            who_pt = "o laboratório e o seu build usam" if declared == want else "o laboratório usa"
            who_en = "the lab and your build use" if declared == want else "the lab uses"
            message = message + Text(
                f" Você quis dizer {want} quando enviou {guess}? Atenção: {who_pt} {want}.",
                f" Did you mean {want} when you pushed {guess}? Mind: {who_en} {want}.")
        if declared and declared != want:
            message = message + Text(
                f" A imagem declarada ({source}) tem a tag {declared}.",
                f" The declared image ({source}) has the tag {declared}.")
        message = message + Text(f" Envie com: docker push {push}",
                                 f" Push it with: docker push {push}")
        return Outcome.fail(message, expected=want, actual=f"tags: {have}")
