"""`image_size`: the built image is no larger (or smaller) than a limit, from `docker inspect`."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from graders.checks._common import number_problems
from graders.checks.base import Check, CheckContext, Need, Outcome
from graders.i18n import Text

MB = 1_000_000
"""Docker's own unit: `docker image ls` shows sizes in decimal megabytes."""


def megabytes(size: int) -> str:
    """`3803533` -> `"3.8 MB"`, as `docker image ls` would round it."""
    value = size / MB
    return f"{value:.3g} MB" if value < 100 else f"{value:.0f} MB"


@dataclass(frozen=True)
class ImageSizeCheck(Check):
    """The image's size (base layers included, as `docker image ls` shows it) is within limits.

    Sizes are decimal megabytes (1 MB = 1,000,000 bytes), the unit of `docker image ls`. A
    multi-stage build that ships only the binary keeps a Go program's image under 20 MB; an
    image that still holds the toolchain is several hundred.

    ```yaml
    - id: small-image
      type: image_size
      points: 10
      max_mb: 20
    - id: not-empty
      type: image_size
      min_mb: 0.5
      max_mb: 200
    ```
    """

    max_mb: float | None = None
    """The largest size accepted, in MB."""
    min_mb: float | None = None
    """The smallest size accepted, in MB (an image that lost its content)."""

    type_name: ClassVar[str] = "image_size"
    need: ClassVar[Need] = Need.IMAGE
    default_title: ClassVar[Text] = Text("Tamanho da imagem", "Image size")
    default_hint: ClassVar[Text | None] = Text(
        "Use um build multi-stage: compile num estágio e copie só o resultado para uma base "
        "pequena (busybox, alpine, distroless ou scratch). Veja o tamanho com docker image ls.",
        "Use a multi-stage build: compile in one stage and copy only the result onto a small "
        "base (busybox, alpine, distroless or scratch). See the size with docker image ls.",
    )

    def validate(self) -> list[str]:
        problems: list[str] = []
        for name in ("max_mb", "min_mb"):
            value = getattr(self, name)
            if value is not None:
                problems += number_problems(name, value, 0, 1_000_000)
        if self.max_mb is None and self.min_mb is None:
            problems.append("set max_mb, min_mb or both")
        elif not problems and self.max_mb is not None and self.min_mb is not None \
                and self.min_mb > self.max_mb:
            problems.append(f"min_mb: {self.min_mb} is larger than max_mb {self.max_mb}")
        return problems

    def _expected(self) -> Text:
        if self.min_mb is not None and self.max_mb is not None:
            return Text(f"{self.min_mb:g} MB ≤ tamanho ≤ {self.max_mb:g} MB",
                        f"{self.min_mb:g} MB ≤ size ≤ {self.max_mb:g} MB")
        if self.max_mb is not None:
            return Text.same(f"≤ {self.max_mb:g} MB")
        return Text.same(f"≥ {self.min_mb:g} MB")

    def run(self, ctx: CheckContext) -> Outcome:
        size = int(ctx.image_inspect().get("Size") or 0)
        shown = megabytes(size)
        actual = f"{shown} ({size} bytes)"
        if self.max_mb is not None and size > self.max_mb * MB:
            return Outcome.fail(
                Text(
                    "A imagem tem {s}, acima do limite de {m:g} MB: ainda leva o que só o build "
                    "precisava?",
                    "The image is {s}, over the {m:g} MB limit: does it still carry what only "
                    "the build needed?",
                ).format(s=shown, m=self.max_mb),
                expected=self._expected(),
                actual=actual,
            )
        if self.min_mb is not None and size < self.min_mb * MB:
            return Outcome.fail(
                Text(
                    "A imagem tem só {s}, abaixo do mínimo de {m:g} MB: falta conteúdo.",
                    "The image is only {s}, under the {m:g} MB minimum: content is missing.",
                ).format(s=shown, m=self.min_mb),
                expected=self._expected(),
                actual=actual,
            )
        return Outcome.ok(
            Text("A imagem tem {s} (", "The image is {s} (").format(s=shown)
            + self._expected() + Text.same(")."),
            actual=actual,
        )
