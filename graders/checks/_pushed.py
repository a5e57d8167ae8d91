"""Which pushed tag the registry checks grade, so that one naming fault is charged once.

The tag check alone says that `1.0` was pushed where `v1.0` was built. The checks that compare
or run the pushed image take what is there: the lab's tag, else the declared one, else the tag
the student most likely meant (`1.0` for `v1.0`), else the repository's only tag.
"""

from __future__ import annotations

from dataclasses import dataclass

from graders.checks._registry import Lookup, closest, unavailable
from graders.i18n import Text
from graders.registry.errors import RegistryError, RegistryNotFound


@dataclass(frozen=True)
class Pushed:
    """A tag found in the registry, and the one the lab (or the declaration) asked for."""

    tag: str
    wanted: str
    declared: str | None = None

    @property
    def note(self) -> Text:
        """For a message about the image: "" when it is the tag asked for; else which check
        counts the difference."""
        if self.tag == self.wanted:
            return Text.same("")
        if self.tag == self.declared:
            return Text(
                f" (a tag declarada; o laboratório pede {self.wanted}, o que a verificação do "
                "nome da imagem conta)",
                f" (the declared tag; the lab asks for {self.wanted}, which the image name "
                "check counts)")
        return Text(
            f" (não há {self.wanted}: esta é a tag {self.tag} encontrada, "
            "a verificação da tag conta essa diferença)",
            f" ({self.wanted} is not there: this is the {self.tag} tag found instead, "
            "the tag check counts that difference)")


def repository_tags(found: Lookup) -> list[str] | None:
    """The repository's tags, sorted; None when it was never pushed. Raises when unreachable."""
    try:
        return sorted(found.target.client().tags(found.ref.repository))
    except RegistryNotFound:
        return None
    except RegistryError as e:
        unavailable(found.target, e)


def present(found: Lookup, tags: list[str]) -> str | None:
    """The lab's tag if pushed, else the declared tag if pushed: what the tag check accepts
    (a declared tag other than the lab's is the name check's to charge)."""
    declared = found.ref.tag
    if found.tag in tags:
        return found.tag
    return declared if declared and declared in tags else None


def pushed_tag(found: Lookup) -> Pushed | None:
    """The tag to compare or run; None when nothing there can be taken for it."""
    tags = repository_tags(found) or []
    declared = found.ref.tag
    tag = (present(found, tags) or closest(found.tag, tags)
           or (closest(declared, tags) if declared else None)
           or (tags[0] if len(tags) == 1 else None))
    return Pushed(tag, found.tag, declared) if tag is not None else None
