"""`registry_tag`: the declared repository holds the tag in the registry (`docker push` done)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

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
from graders.registry.errors import RegistryError, RegistryNotFound


@dataclass(frozen=True)
class RegistryTagCheck(Check):
    """The tag is in the registry, in the repository the submission declares.

    The repository comes from the declared image (labgrade.yaml `image:` or `--image`), the
    registry from `--registry` (Docker Hub by default). When the tag is missing, the tags that
    are there are listed with a "did you mean" (`1.0` pushed while the lab and the local build
    use `v1.0`); a repository that does not exist was never pushed. An unreachable registry is
    an ERROR, not the student's fault.

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
    """The tag that must be there (`v1.0`); "" for the declared reference's own tag."""

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
        try:
            tags = sorted(target.client().tags(ref.repository))
        except RegistryNotFound:
            return never_pushed(target, want)
        except RegistryError as e:
            unavailable(target, e)
        where = target.repository_name()
        if want in tags:
            # The digest graded is kept in the report: a tag pushed again later (threat G2)
            # shows up as a different digest on a regrade.
            try:
                digest = target.client().head_manifest(ref.repository, want)
            except RegistryError as e:
                unavailable(target, e)
            pinned = f"{ref.repository}:{want}@{digest}" if digest else f"{ref.repository}:{want}"
            found_it = Text(f"A tag {want} está em {where}.", f"Tag {want} is in {where}.")
            return Outcome(True, found_it, actual=pinned,
                           details=f"graded digest: {digest or 'unknown'}")
        if not tags:
            return never_pushed(target, want)
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
