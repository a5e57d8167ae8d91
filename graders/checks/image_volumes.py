"""`image_volumes`: volumes declared in the built image's config (`VOLUME`)."""

from __future__ import annotations

import posixpath
from dataclasses import dataclass, field
from typing import ClassVar

from graders.checks.base import Check, CheckContext, Need, Outcome
from graders.i18n import Text


def normalise_path(path: str) -> str:
    """`/var/www/html/` and `/var/www//html` -> `/var/www/html`."""
    return posixpath.normpath(path.strip()).replace("//", "/") if path.strip() else ""


@dataclass(frozen=True)
class ImageVolumesCheck(Check):
    """The image declares these volumes. Trailing slashes do not matter; extra volumes are fine.

    ```yaml
    - id: html-volume
      type: image_volumes
      volumes: [/var/www/html]
    ```
    """

    volumes: list[str] = field(default_factory=list)
    """Absolute paths declared with VOLUME."""

    type_name: ClassVar[str] = "image_volumes"
    need: ClassVar[Need] = Need.IMAGE
    default_title: ClassVar[Text] = Text("Volumes da imagem", "Image volumes")
    default_hint: ClassVar[Text | None] = Text(
        "Declare o volume com VOLUME no Dockerfile.",
        "Declare the volume with VOLUME in the Dockerfile.",
    )

    def validate(self) -> list[str]:
        if not isinstance(self.volumes, list) or not self.volumes:
            return ["volumes: expected a non-empty list of absolute paths"]
        return [
            f"volumes[{i}]: {v!r} is not an absolute path"
            for i, v in enumerate(self.volumes)
            if not isinstance(v, str) or not v.startswith("/")
        ]

    def run(self, ctx: CheckContext) -> Outcome:
        declared = {normalise_path(str(v)) for v in ctx.image_config().get("Volumes") or {}}
        missing = [v for v in map(normalise_path, self.volumes) if v not in declared]
        actual = ", ".join(sorted(declared)) or "—"
        if not missing:
            return Outcome.ok(
                Text(f"Volumes declarados: {actual}.", f"Declared volumes: {actual}."),
                actual=actual,
            )
        paths = ", ".join(missing)
        return Outcome.fail(
            Text(f"Volume não declarado: {paths}.", f"Volume not declared: {paths}."),
            expected=", ".join(map(normalise_path, self.volumes)),
            actual=actual,
        )
