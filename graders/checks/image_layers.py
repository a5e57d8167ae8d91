"""`image_layers`: how many filesystem layers the built image has (`RootFS.Layers`)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from graders.checks._common import type_problems
from graders.checks.base import Check, CheckContext, Need, Outcome
from graders.i18n import Text


@dataclass(frozen=True)
class ImageLayersCheck(Check):
    """The image's layer count (its base image's layers included) is within bounds.

    Every RUN, COPY and ADD adds a layer; ENV, LABEL, CMD and the other metadata instructions
    do not. Joining RUN steps with `&&` keeps the count (and the cache clean-up) together.
    A multi-stage image has only the final stage's layers.

    ```yaml
    - id: few-layers
      type: image_layers
      points: 5
      max: 8
    - id: has-own-layers
      type: image_layers
      min: 2
      max: 12
    ```
    """

    max: int | None = None
    """At most this many layers."""
    min: int | None = None
    """At least this many layers."""

    type_name: ClassVar[str] = "image_layers"
    need: ClassVar[Need] = Need.IMAGE
    default_title: ClassVar[Text] = Text("Camadas da imagem", "Image layers")
    default_hint: ClassVar[Text | None] = Text(
        "Cada RUN, COPY e ADD cria uma camada: junte comandos com && num só RUN e veja as "
        "camadas com docker history.",
        "Each RUN, COPY and ADD makes a layer: join commands with && in one RUN and see the "
        "layers with docker history.",
    )

    def validate(self) -> list[str]:
        problems: list[str] = []
        for name in ("max", "min"):
            value = getattr(self, name)
            if value is None:
                continue
            wrong = type_problems(name, value, int, "a whole number")
            if not wrong and value < 1:
                wrong.append(f"{name}: expected at least 1, got {value}")
            problems += wrong
        if self.max is None and self.min is None:
            problems.append("set max, min or both")
        elif not problems and self.max is not None and self.min is not None \
                and self.min > self.max:
            problems.append(f"min: {self.min} is larger than max {self.max}")
        return problems

    def _expected(self) -> str:
        if self.min is not None and self.max is not None:
            return f"{self.min}..{self.max} layers"
        return f"≤ {self.max} layers" if self.max is not None else f"≥ {self.min} layers"

    def run(self, ctx: CheckContext) -> Outcome:
        layers = len((ctx.image_inspect().get("RootFS") or {}).get("Layers") or [])
        actual = f"{layers} layers"
        if self.max is not None and layers > self.max:
            return Outcome.fail(
                Text(
                    "A imagem tem {n} camadas, mais que {m}: junte RUNs e cópias.",
                    "The image has {n} layers, more than {m}: join RUNs and copies.",
                ).format(n=layers, m=self.max),
                expected=self._expected(),
                actual=actual,
            )
        if self.min is not None and layers < self.min:
            return Outcome.fail(
                Text(
                    "A imagem tem {n} camadas, menos que {m}: faltam passos do Dockerfile?",
                    "The image has {n} layers, fewer than {m}: are Dockerfile steps missing?",
                ).format(n=layers, m=self.min),
                expected=self._expected(),
                actual=actual,
            )
        return Outcome.ok(
            Text("A imagem tem {n} camadas.", "The image has {n} layers.").format(n=layers),
            actual=actual,
        )
