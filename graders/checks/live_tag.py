"""`live_tag`: a local image carries the name the lab asks to push (`<user>/app:v1.0`)."""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import ClassVar

from graders.backends.live import live_view
from graders.checks._live import fix, listing
from graders.checks._registry import ANY, tag_problems
from graders.checks.base import Check, CheckContext, Need, Outcome
from graders.i18n import Text
from graders.registry.reference import COMPONENT, DOCKER_HUB, HUB_NAMES, parse_reference


@dataclass(frozen=True)
class LiveTagCheck(Check):
    """A local image is tagged `[registry/]namespace/repository:tag`, ready for `docker push`.

    With `namespace: any` every user name is accepted (each student pushes to their own
    account). Near misses are named: the right repository under another tag (`app:1.0` for
    `app:v1.0`), or the image without a namespace, with the `docker tag` that fixes it. Runs
    only with `labgrade check --live`.

    ```yaml
    - id: tagged-for-push
      type: live_tag
      points: 5
      repository: app
      tag: v1.0
      namespace: any
    - id: tagged-for-local-registry
      type: live_tag
      registry: localhost:5000
      namespace: ""
      repository: hello
      tag: v1.0
    ```
    """

    repository: str = ""
    """The image name inside the namespace (`app`)."""
    tag: str = "latest"
    """The tag to push (`v1.0`)."""
    namespace: str = ANY
    """The user or organisation (`alice`), `any` for any one, or "" for none (a local registry)."""
    registry: str = ""
    """`host:port` (`localhost:5000`) that prefixes the name, or "" (the default) for the registry
    grading asks: `--registry` when given, else Docker Hub (no prefix)."""

    type_name: ClassVar[str] = "live_tag"
    need: ClassVar[Need] = Need.LIVE
    default_title: ClassVar[Text] = Text("Imagem com a tag do push", "Image tagged for the push")
    default_hint: ClassVar[Text | None] = Text(
        "O nome precisa seguir seuusuario/nomedaimagem:versão; crie-o com docker tag.",
        "The name must follow youruser/imagename:version; make it with docker tag.",
    )

    def validate(self) -> list[str]:
        problems = []
        if not isinstance(self.repository, str) or not COMPONENT.match(self.repository):
            problems.append(
                f"repository: expected a lower-case name such as app, got {self.repository!r}"
            )
        problems += tag_problems(self.tag, optional=False)
        if not isinstance(self.namespace, str) or (
            self.namespace not in (ANY, "") and not COMPONENT.match(self.namespace)
        ):
            problems.append(f"namespace: expected a user name, 'any' or '', got {self.namespace!r}")
        if not isinstance(self.registry, str) or "/" in self.registry:
            problems.append(f"registry: expected '' or host:port, got {self.registry!r}")
        return problems

    def _name(self, namespace: str) -> str:
        parts = [p for p in (self.registry, namespace, self.repository) if p]
        return "/".join(parts)

    def run(self, ctx: CheckContext) -> Outcome:
        told = ctx.registry_address()
        if not self.registry and told and told not in HUB_NAMES:
            return replace(self, registry=told).run(ctx)
        tags = sorted({t for image in live_view(ctx).images() for t in image.tags})
        named = [(t, self._namespace_of(t)) for t in tags]
        right = [t for t, ns in named if ns is not None and parse_reference(t).tag == self.tag]
        user = self.namespace if self.namespace != ANY else "SEU_USUARIO"
        want_pt = f"{self._name(user)}:{self.tag}"
        want_en = want_pt.replace("SEU_USUARIO", "YOUR_USER")
        if right:
            return Outcome.ok(
                Text(
                    f"A imagem {right[0]} está pronta para o docker push.",
                    f"The image {right[0]} is ready for docker push.",
                ),
                actual=listing(right),
            )
        other_tag = [t for t, ns in named if ns is not None]
        bare = [t for t in tags if self._bare(t)]
        if other_tag:
            guess = other_tag[0]
            target = f"{guess.rsplit(':', 1)[0]}:{self.tag}"
            message = Text(
                f"Não há {want_pt}. Você quis dizer {guess}? A tag deve ser {self.tag}.",
                f"There is no {want_en}. Did you mean {guess}? The tag must be {self.tag}.",
            ) + fix(f"docker tag {guess} {target}")
            actual = Text(f"outras tags: {listing(other_tag)}", f"other tags: {listing(other_tag)}")
        elif bare:
            guess = bare[0]
            message = Text(
                f"{guess} existe, mas sem o namespace: o push precisa de {want_pt}.",
                f"{guess} exists, but without the namespace: the push needs {want_en}.",
            ) + Text(
                f" Corrija com: docker tag {guess} {want_pt}",
                f" Fix it with: docker tag {guess} {want_en}",
            )
            actual = Text(f"sem namespace: {listing(bare)}", f"without namespace: {listing(bare)}")
        else:
            message = Text(
                f"Nenhuma imagem local se chama {want_pt}.", f"No local image is named {want_en}."
            ) + Text(
                f" Corrija com: docker tag IMAGEM {want_pt}",
                f" Fix it with: docker tag IMAGE {want_en}",
            )
            actual = Text(f"nenhuma imagem local chamada {self._name('*')}:*",
                          f"no local image named {self._name('*')}:*")
        return Outcome.fail(message, expected=Text(want_pt, want_en), actual=actual)

    def _namespace_of(self, ref: str) -> str | None:
        """The namespace when `ref` is `[registry/]NS/repository` as asked, else None."""
        parsed = parse_reference(ref)
        if parsed.registry != (self.registry or DOCKER_HUB):
            return None
        parts = parsed.repository.split("/")
        if parts[-1] != self.repository:
            return None
        if self.namespace == "":
            return "" if len(parts) == 1 or (parts[0] == "library" and len(parts) == 2) else None
        if len(parts) != 2 or parts[0] == "library":
            return None
        return parts[0] if self.namespace in (ANY, parts[0]) else None

    def _bare(self, ref: str) -> bool:
        """`ref` names the repository with no namespace (`app:v1.0` for `alice/app:v1.0`)."""
        if self.namespace == "":
            return False
        parsed = parse_reference(ref)
        return parsed.repository.split("/")[-1] == self.repository and (
            parsed.repository == f"library/{self.repository}"
            or parsed.repository == self.repository
        )
