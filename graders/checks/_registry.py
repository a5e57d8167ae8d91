"""Shared by the registry checks: the declared reference, its problems, an unreachable registry.

A registry that cannot be asked (unreachable, refusing our login, answering 5xx) is not the
student's fault: `unavailable()` raises `RegistryUnavailable`, which the engine turns into an
ERROR result whose message is the error's bilingual `feedback`. A repository or tag that is not
there (`RegistryNotFound`) is the student's: the checks turn it into a FAILED outcome.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from typing import TYPE_CHECKING, NoReturn

from graders.checks.base import CheckContext, Outcome
from graders.errors import GraderError
from graders.i18n import Text
from graders.registry.errors import RegistryError
from graders.registry.reference import TAG

if TYPE_CHECKING:
    from graders.registry.reference import ImageReference
    from graders.registry.target import RegistryTarget

ANY = "any"


def tag_problems(tag: object, *, optional: bool = True) -> list[str]:
    """One problem when a lab's `tag:` is not a tag Docker accepts (empty is fine if optional)."""
    if isinstance(tag, str) and ((optional and not tag) or TAG.match(tag)):
        return []
    return [f"tag: expected a tag such as v1.0, got {tag!r}"]


class RegistryUnavailable(GraderError):
    """The registry could not be asked: an ERROR (ours or the infrastructure's), never FAILED."""

    exit_status = 3

    def __init__(self, where: str, error: RegistryError) -> None:
        self.error = error
        self.feedback = Text(
            f"Não foi possível consultar o registry {where}; isto não é um erro da sua entrega. "
            f"Tente de novo ou avise o professor. Detalhe: {error}",
            f"Could not ask the registry {where}; this is not a mistake in your submission. "
            f"Try again or tell your instructor. Detail: {error}")
        super().__init__(self.feedback.en)


def target_of(ctx: CheckContext) -> RegistryTarget:
    target: RegistryTarget = ctx.registry_target()
    return target


def unavailable(target: RegistryTarget, error: RegistryError) -> NoReturn:
    raise RegistryUnavailable(target.where(), error) from error


def declared_problem(target: RegistryTarget) -> Outcome | None:
    """FAILED when the submission declares no usable reference; None when it does."""
    declared = target.declared
    example = "image: seu_usuario/app:v1.0"
    if declared.problem is not None:
        return Outcome.fail(declared.problem, expected=example, actual=Text(
            "labgrade.yaml ilegível", "labgrade.yaml unreadable"))
    if not declared.text:
        return Outcome.fail(Text(
            "A entrega não diz qual imagem foi enviada: crie labgrade.yaml na raiz com "
            f"'{example}' (ou use --image).",
            "The submission does not say which image was pushed: add labgrade.yaml at its root "
            "with 'image: your_user/app:v1.0' (or use --image)."),
            expected=Text(example, "image: your_user/app:v1.0"),
            actual=Text("nenhuma imagem declarada", "no image declared"))
    return None


@dataclass(frozen=True)
class Lookup:
    """What a registry check looks up: where, which image, and which tag."""

    target: RegistryTarget
    ref: ImageReference
    tag: str


def lookup(ctx: CheckContext, tag: str) -> Lookup | Outcome:
    """The registry, reference and tag to look up (`tag`, else the reference's, else latest);
    a FAILED outcome when the submission declares no usable image reference."""
    target = target_of(ctx)
    problem = declared_problem(target)
    if problem is not None:
        return problem
    ref = target.reference
    assert ref is not None
    if not ref.valid or not ref.repository:
        return Outcome.fail(Text(
            f"Não dá para procurar {target.image!r} no registry: a referência é inválida "
            "(veja a verificação do nome da imagem).",
            f"Cannot look {target.image!r} up in the registry: the reference is invalid "
            "(see the image name check)."), actual=target.image)
    return Lookup(target, ref, tag or ref.tag or "latest")


def never_pushed(target: RegistryTarget, tag: str) -> Outcome:
    ref = target.reference
    repo = ref.repository if ref else "?"
    push = target.push_name(tag)
    return Outcome.fail(Text(
        f"O repositório {repo} nunca recebeu um push em {target.where()}. Envie a imagem com: "
        f"docker push {push}",
        f"The repository {repo} was never pushed to {target.where()}. Push the image with: "
        f"docker push {push}"), expected=push,
        actual=Text("repositório não encontrado", "repository not found"))


def not_pushed(target: RegistryTarget, tag: str, doing: Text) -> Outcome:
    """FAILED for a check that needs the pushed image: nothing is there under that tag."""
    push = target.push_name(tag)
    return Outcome.fail(Text(
        f"Nada foi enviado como {push}, então não há imagem para {doing.pt} "
        "(veja a verificação da tag).",
        f"Nothing was pushed as {push}, so there is no image to {doing.en} "
        "(see the tag check)."), expected=push,
        actual=Text("nada enviado com essa tag", "not pushed"))


def _norm(tag: str) -> str:
    return tag.lower().lstrip("v")


def closest(want: str, tags: list[str]) -> str | None:
    """The tag a student most likely meant for `want`: `1.0` for `v1.0`, `v1.O` for `v1.0`."""
    same = [t for t in tags if _norm(t) == _norm(want)]
    if same:
        return same[0]
    near = difflib.get_close_matches(want, tags, n=1, cutoff=0.6)
    return near[0] if near else None


def listing(items: list[str], limit: int = 10) -> str:
    shown = ", ".join(items[:limit])
    return shown + (f" (+{len(items) - limit})" if len(items) > limit else "")
