"""`image_labels`: labels in the built image's config (`LABEL`)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, ClassVar

from graders.checks._common import clip, mapping_problems, scalar_text
from graders.checks.base import Check, CheckContext, Need, Outcome
from graders.i18n import Text


@dataclass(frozen=True)
class ImageLabelsCheck(Check):
    """The image carries these labels, each value matching a regex. Extra labels are fine.

    ```yaml
    - id: labels
      type: image_labels
      labels:
        maintainer: "@"
        version: '^\\d+\\.\\d+'
        description: ""
    ```
    """

    labels: dict[str, Any] = field(default_factory=dict)
    """Label key -> regex searched in its value; an empty regex accepts any non-empty value."""

    type_name: ClassVar[str] = "image_labels"
    need: ClassVar[Need] = Need.IMAGE
    default_title: ClassVar[Text] = Text("Labels da imagem", "Image labels")
    default_hint: ClassVar[Text | None] = Text(
        'Adicione metadados com LABEL chave="valor" no Dockerfile.',
        'Add metadata with LABEL key="value" in the Dockerfile.',
    )

    def validate(self) -> list[str]:
        return mapping_problems("labels", self.labels, regex_values=True)

    def run(self, ctx: CheckContext) -> Outcome:
        have: dict[str, str] = {
            str(k): str(v) for k, v in (ctx.image_config().get("Labels") or {}).items()
        }
        missing: list[str] = []
        wrong: list[str] = []
        for key, pattern in self.labels.items():
            value = have.get(key)
            regex = scalar_text(pattern)
            if not value:
                missing.append(key)
            elif regex and not re.search(regex, value):
                wrong.append(key)
        if not missing and not wrong:
            return Outcome.ok(Text("As labels estão definidas.", "The labels are set."))
        message = Text("Labels da imagem incorretas. ", "Image labels are wrong. ")
        if missing:
            keys = ", ".join(missing)
            message = message + Text(f"Faltam: {keys}. ", f"Missing: {keys}. ")
        if wrong:
            keys = ", ".join(wrong)
            message = message + Text(
                f"Valor não corresponde em: {keys}.", f"Value does not match for: {keys}."
            )
        shown = missing + wrong
        return Outcome.fail(
            Text(message.pt.strip(), message.en.strip()),
            expected=", ".join(
                f"{k} =~ {scalar_text(self.labels[k])}" if scalar_text(self.labels[k]) else k
                for k in shown
            ),
            actual=", ".join(
                f"{k}={clip(have[k], 80)}" if have.get(k) else f"{k} ({_absent(k, have)})"
                for k in shown
            ),
        )


def _absent(key: str, have: dict[str, str]) -> str:
    return "empty" if key in have else "unset"
