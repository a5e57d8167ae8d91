"""`registry_matches`: the pushed image is the one the submitted Dockerfile builds."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any, ClassVar

from graders.checks._common import clip, type_problems
from graders.checks._pushed import Pushed, pushed_tag
from graders.checks._registry import lookup, not_pushed, tag_problems, unavailable
from graders.checks.base import Check, CheckContext, Need, Outcome
from graders.i18n import Shown, Text, join_shown
from graders.registry.errors import PlatformNotFound, RegistryError, RegistryNotFound

FIELDS = ("Entrypoint", "Cmd", "Env", "ExposedPorts", "Labels", "WorkingDir", "User")
OURS = "org.labgrade."
"""Labels labgrade adds to its own build (run id, lab): never compared."""


def normalized(name: str, value: Any) -> Any:
    """A config field as Docker means it: no Env order, `80` is `80/tcp`, None is empty."""
    if name in ("Entrypoint", "Cmd"):
        return list(value) if isinstance(value, list) else ([value] if value else [])
    if name == "Env":
        return dict(str(e).partition("=")[::2] for e in value or [])
    if name == "ExposedPorts":
        return sorted(p if "/" in p else f"{p}/tcp" for p in value or {})
    if name == "Labels":
        return {k: v for k, v in sorted((value or {}).items()) if not k.startswith(OURS)}
    if name == "WorkingDir":
        text = str(value or "")
        return text.rstrip("/") or text
    return str(value or "")


def layer_count(diff_ids: Any) -> int:
    return len(diff_ids) if isinstance(diff_ids, list) else 0


@dataclass(frozen=True)
class RegistryMatchesCheck(Check):
    """The image pushed under the declared reference is the one the submission's Dockerfile
    builds: same Entrypoint, Cmd, Env, ExposedPorts, Labels, WorkingDir and User, and as many
    layers. Catches an older build pushed under the right tag, or a push of another image.

    labgrade builds the submission itself and compares that image's config with the config
    blob in the registry; every differing field is reported. Layer contents are not compared
    (two builds of the same Dockerfile differ in timestamps), their number is. Without the lab's
    tag in the registry, the tag found instead (`1.0` for `v1.0`) is compared: the tag check
    alone charges the tag.

    ```yaml
    - id: pushed-matches
      type: registry_matches
      points: 25
      tag: v1.0
    - id: pushed-matches-cmd
      type: registry_matches
      fields: [Entrypoint, Cmd]
      layers: false
    ```
    """

    fields: list[str] = field(default_factory=lambda: list(FIELDS))
    """Which config fields to compare (any of Entrypoint, Cmd, Env, ExposedPorts, Labels,
    WorkingDir, User)."""
    layers: bool = True
    """Also compare the number of layers."""
    tag: str = ""
    """The tag to compare (`v1.0`); "" for the declared reference's own tag."""

    type_name: ClassVar[str] = "registry_matches"
    need: ClassVar[Need] = Need.IMAGE
    default_title: ClassVar[Text] = Text("A imagem enviada é a do Dockerfile",
                                         "The pushed image is the Dockerfile's")
    default_hint: ClassVar[Text | None] = Text(
        "Depois de mudar o Dockerfile, construa e envie de novo com o mesmo nome: "
        "docker build -t aluno/app:v1.0 . && docker push aluno/app:v1.0",
        "After changing the Dockerfile, build and push again under the same name: "
        "docker build -t alice/app:v1.0 . && docker push alice/app:v1.0")

    def validate(self) -> list[str]:
        problems = []
        if not isinstance(self.fields, list) or not self.fields:
            problems.append(f"fields: expected a non-empty list of {', '.join(FIELDS)}")
        else:
            problems += [f"fields: unknown field {f!r} (allowed: {', '.join(FIELDS)})"
                         for f in self.fields if f not in FIELDS]
        problems += type_problems("layers", self.layers, bool, "true or false")
        return problems + tag_problems(self.tag)

    def run(self, ctx: CheckContext) -> Outcome:
        found = lookup(ctx, self.tag)
        if isinstance(found, Outcome):
            return found
        target, ref, want = found.target, found.ref, found.tag
        pushed_as = Pushed(want, want) if ref.digest else pushed_tag(found)
        if pushed_as is None:
            return not_pushed(target, want, Text("comparar", "compare"))
        inspect = ctx.image_inspect()
        platform = "/".join(p for p in (inspect.get("Os") or "linux",
                                        inspect.get("Architecture") or "amd64",
                                        inspect.get("Variant")) if p)
        client = target.client()
        try:
            manifest = client.image_manifest(ref.repository, ref.digest or pushed_as.tag,
                                             platform)
            if manifest.config is None:
                raise RegistryNotFound(target.registry, f"{ref.repository}:{pushed_as.tag} config")
            pushed = json.loads(client.blob(ref.repository, manifest.config.digest, 4 << 20))
        except PlatformNotFound as e:
            return Outcome.fail(Text(
                f"A imagem enviada não tem versão para {platform} (tem: {', '.join(e.available)}).",
                f"The pushed image has no {platform} variant (it has: {', '.join(e.available)})."),
                expected=platform, actual=", ".join(e.available))
        except RegistryNotFound:
            return not_pushed(target, want, Text("comparar", "compare"))
        except RegistryError as e:
            unavailable(target, e)
        return self._compare(ctx.image_config(), inspect, pushed, pushed_as,
                             target.push_name(pushed_as.tag), manifest.digest)

    def _compare(self, built: dict[str, Any], inspect: dict[str, Any], pushed_doc: Any,
                 pushed_as: Pushed, name: str, digest: str) -> Outcome:
        pushed = (pushed_doc.get("config") if isinstance(pushed_doc, dict) else None) or {}
        differ = [f for f in self.fields
                  if normalized(f, built.get(f)) != normalized(f, pushed.get(f))]
        expected: list[Shown] = [f"{f}={_show(normalized(f, built.get(f)))}" for f in differ]
        actual: list[Shown] = [f"{f}={_show(normalized(f, pushed.get(f)))}" for f in differ]
        if self.layers:
            n_built = layer_count((inspect.get("RootFS") or {}).get("Layers"))
            n_pushed = layer_count(((pushed_doc or {}).get("rootfs") or {}).get("diff_ids"))
            if n_built != n_pushed:
                differ.append("layers")
                expected.append(Text(f"camadas={n_built}", f"layers={n_built}"))
                actual.append(Text(f"camadas={n_pushed}", f"layers={n_pushed}"))
        if not differ:
            return Outcome.ok(Text(f"{name} é a imagem que o seu Dockerfile constrói",
                                   f"{name} is the image your Dockerfile builds")
                              + pushed_as.note + Text.same("."), actual=digest)
        names = ", ".join(differ)
        names_pt = names.replace("layers", "camadas")
        return Outcome.fail(Text(
            f"{name} no registry difere da imagem construída do seu Dockerfile em: {names_pt}",
            f"{name} in the registry differs from the image built from your Dockerfile in: "
            f"{names}") + pushed_as.note + Text(
            f". Construa e envie de novo: docker build -t {name} . && docker push {name}",
            f". Build and push again: docker build -t {name} . && docker push {name}"),
            expected=_clipped(join_shown("; ", expected)),
            actual=_clipped(join_shown("; ", actual)),
            details=f"pushed manifest {digest}")


def _clipped(value: Shown) -> Shown:
    if isinstance(value, Text):
        return Text(clip(value.pt, 600), clip(value.en, 600))
    return clip(value, 600)


def _show(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, sort_keys=True)
