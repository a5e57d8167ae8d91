"""`image_reference`: the image name the student declared follows `namespace/name:version`."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from graders.checks._common import clip
from graders.checks._registry import ANY, declared_problem, tag_problems, target_of
from graders.checks.base import Check, CheckContext, Need, Outcome
from graders.i18n import Lang, Text
from graders.registry.reference import COMPONENT, DOCKER_HUB, TAG, parse_reference


@dataclass(frozen=True)
class ImageReferenceCheck(Check):
    """The declared image reference is `namespace/name:version`, as Docker Hub needs it.

    The reference is `--image`, else `image:` in the submission's labgrade.yaml. It must be
    valid for Docker (lower case, allowed characters), have a namespace (your user name), and an
    explicit version tag that is not `latest`. Every violation gets its own message. Optional
    fields pin the name, the namespace or the exact tag the lab asks for; a declared `1.0` for
    the lab's `v1.0` is charged here only (the registry checks grade the declared tag).

    ```yaml
    - id: image-name
      type: image_reference
      points: 20
      name: app
      tag: v1.0
    - id: image-name-any
      type: image_reference
    ```
    """

    namespace: str = ANY
    """The user or organisation (`alice`), `any` for any one, or "" when none is needed."""
    name: str = ""
    """The repository name after the namespace (`app`); "" for any."""
    tag: str = ""
    """The exact tag (`v1.0`); "" for any explicit version other than `latest`."""

    type_name: ClassVar[str] = "image_reference"
    need: ClassVar[Need] = Need.DOCKERFILE
    default_title: ClassVar[Text] = Text("Nome da imagem: usuario/nome:versão",
                                         "Image name: user/name:version")
    default_hint: ClassVar[Text | None] = Text(
        "Use seuusuario/nomedaimagem:versão, tudo em minúsculas, por exemplo aluno/app:v1.0, "
        "em docker build -t e em labgrade.yaml (image: ...).",
        "Use youruser/imagename:version, all lower case, for example alice/app:v1.0, in "
        "docker build -t and in labgrade.yaml (image: ...).")

    def validate(self) -> list[str]:
        problems = []
        if not isinstance(self.namespace, str) or (
                self.namespace not in (ANY, "") and not COMPONENT.match(self.namespace)):
            problems.append(f"namespace: expected a user name, 'any' or '', got {self.namespace!r}")
        if not isinstance(self.name, str) or (self.name and not COMPONENT.match(self.name)):
            problems.append(f"name: expected a lower-case name such as app, got {self.name!r}")
        if tag_problems(self.tag):
            problems += tag_problems(self.tag)
        elif self.tag == "latest":
            problems.append("tag: 'latest' is not a version; use one such as v1.0")
        return problems

    def run(self, ctx: CheckContext) -> Outcome:
        target = target_of(ctx)
        problem = declared_problem(target)
        if problem is not None:
            return problem
        text = target.image or ""
        ref = parse_reference(text)
        messages = [v.message for v in ref.violations
                    if not (v.code == "no_namespace" and self.namespace == "")]
        messages += self._lab_rules(ref.registry, ref.repository, ref.tag)
        shown = clip(text, 120)
        if not messages:
            return Outcome.ok(Text(f"A referência {shown} segue usuario/nome:versão.",
                                   f"The reference {shown} follows user/name:version."),
                              actual=shown)
        count = len(messages)
        head = Text(
            f"A referência {shown!r} ({target.declared.source}) tem {count} problema(s):",
            f"The reference {shown!r} ({target.declared.source}) has {count} problem(s):")
        for i, m in enumerate(messages, 1):
            head = head + Text(f" ({i}) ", f" ({i}) ") + m
        return Outcome.fail(head, expected=self._expected(), actual=shown,
                            details="\n".join(m.en for m in messages))

    def _lab_rules(self, registry: str, repository: str, tag: str | None) -> list[Text]:
        """What this lab asks beyond the general rules: the name, namespace and tag."""
        out: list[Text] = []
        parts = repository.split("/")
        if registry == DOCKER_HUB and parts[0] == "library":
            parts = parts[1:]
        if self.name and parts[-1].lower() != self.name:
            out.append(Text(f"O nome da imagem deve ser {self.name}, não {parts[-1]}.",
                            f"The image name must be {self.name}, not {parts[-1]}."))
        if self.namespace not in (ANY, "") and len(parts) > 1 and parts[0] != self.namespace:
            out.append(Text(f"O namespace deve ser {self.namespace}, não {parts[0]}.",
                            f"The namespace must be {self.namespace}, not {parts[0]}."))
        if self.tag and tag and tag != "latest" and TAG.match(tag) and tag != self.tag:
            out.append(self._other_version(tag))
        return out

    def _other_version(self, tag: str) -> Text:
        """`1.0` for `v1.0` names the same version (the lesson's "1.0 - Versão" line): only the
        spelling the lab asks for is missing. Charged here alone: the registry checks grade the
        declared tag when it was pushed."""
        if tag.lower().lstrip("v") == self.tag.lower().lstrip("v"):
            return Text(
                f"Escreva a versão {self.tag}, como este laboratório pede, não {tag}: é a mesma "
                "versão, com a grafia do docker build -t da aula.",
                f"Write the version {self.tag}, as this lab asks, not {tag}: the same version, "
                "spelled as in the lesson's docker build -t.")
        return Text(f"A versão deve ser {self.tag}, não {tag}.",
                    f"The version must be {self.tag}, not {tag}.")

    def _expected(self) -> Text:
        def spelled(lang: Lang) -> str:
            pt = lang == "pt"
            ns = {ANY: "seu_usuario" if pt else "your_user", "": ""}.get(self.namespace,
                                                                         self.namespace)
            name = self.name or ("nome" if pt else "name")
            tag = self.tag or ("versão" if pt else "version")
            return "/".join(p for p in (ns, name) if p) + f":{tag}"

        return Text(spelled("pt"), spelled("en"))
