"""`image_env`: environment variables in the built image's config (`ENV`)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, ClassVar

from graders.checks._common import clip, mapping_problems, scalar_text
from graders.checks._pattern import pattern_text
from graders.checks.base import Check, CheckContext, Need, Outcome
from graders.i18n import Shown, Text, join_shown

MATCH_MODES = ("exact", "regex")


def env_dict(config: dict[str, Any]) -> dict[str, str]:
    """The image's `Env` list (`["A=1", ...]`) as a dict; later entries win, as in Docker."""
    env: dict[str, str] = {}
    for item in config.get("Env") or []:
        name, _, value = str(item).partition("=")
        env[name] = value
    return env


@dataclass(frozen=True)
class ImageEnvCheck(Check):
    """The image defines these environment variables with these values.

    One `ENV` line or five give the same config; extra variables are fine. Every missing or
    wrong variable is reported at once.

    ```yaml
    - id: env-app
      type: image_env
      env: {APP_ENV: production, APP_PORT: 8080}
    ```
    """

    env: dict[str, Any] = field(default_factory=dict)
    """Variable name -> expected value (YAML scalars are compared as Docker stores them)."""
    match: str = "exact"
    """`exact` compares values as strings; `regex` searches each value with the given regex."""

    type_name: ClassVar[str] = "image_env"
    need: ClassVar[Need] = Need.IMAGE
    default_title: ClassVar[Text] = Text("Variáveis de ambiente da imagem", "Image environment")
    default_hint: ClassVar[Text | None] = Text(
        "Defina as variáveis com ENV NOME=valor no Dockerfile.",
        "Set the variables with ENV NAME=value in the Dockerfile.",
    )

    def validate(self) -> list[str]:
        problems = mapping_problems("env", self.env, regex_values=self.match == "regex")
        if self.match not in MATCH_MODES:
            problems.append(f"match: expected one of {', '.join(MATCH_MODES)}, got {self.match!r}")
        return problems

    def run(self, ctx: CheckContext) -> Outcome:
        have = env_dict(ctx.image_config())
        missing: list[str] = []
        wrong: list[str] = []
        for name, value in self.env.items():
            want = scalar_text(value)
            got = have.get(name)
            if got is None:
                missing.append(name)
            elif not (re.search(want, got) if self.match == "regex" else got == want):
                wrong.append(name)
        if not missing and not wrong:
            return Outcome.ok(
                Text(
                    "As variáveis de ambiente estão definidas.",
                    "The environment variables are set.",
                )
            )
        parts: list[Text] = []
        if missing:
            names = ", ".join(missing)
            parts.append(Text(f"Faltam as variáveis: {names}.", f"Missing variables: {names}."))
        if wrong:
            names = ", ".join(wrong)
            parts.append(Text(f"Valores errados em: {names}.", f"Wrong values for: {names}."))
        message = Text.same(" ").join(
            [Text("Ambiente da imagem incorreto.", "Image environment is wrong."), *parts])
        shown = missing + wrong
        return Outcome.fail(
            message,
            expected=join_shown(", ", (self._wanted(n) for n in shown)),
            actual=join_shown(", ", (
                f"{n}={clip(have[n], 80)}" if n in have
                else Text(f"{n} (não definida)", f"{n} (unset)") for n in shown
            )),
        )

    def _wanted(self, name: str) -> Shown:
        want = scalar_text(self.env[name])
        if self.match != "regex":
            return f"{name}={want}"
        return Text.same(f"{name}: ") + pattern_text(want)
