"""`image_labels`: labels in the built image's config (`LABEL`), and its maintainer in either
spelling the course teaches (`LABEL maintainer=...` or `MAINTAINER ...`)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, ClassVar

from graders.checks._common import clip, mapping_problems, regex_problems, scalar_text
from graders.checks._pattern import pattern_text
from graders.checks.base import Check, CheckContext, Need, Outcome
from graders.i18n import Text, join_shown

MAINTAINER_SPELLINGS = Text('LABEL maintainer="<nome> <email>" | MAINTAINER <nome> <email>',
                            'LABEL maintainer="<name> <email>" | MAINTAINER <name> <email>')


@dataclass(frozen=True)
class ImageLabelsCheck(Check):
    """The image carries these labels, each value matching a regex. Extra labels are fine.

    `maintainer` asks for a maintainer however it is written: `LABEL maintainer="Ana"` (a label)
    or `MAINTAINER Ana` (deprecated, and kept by Docker as the image's Author, not as a label).
    A lab that wants the label itself asks for it in `labels`.

    ```yaml
    - id: labels
      type: image_labels
      labels:
        version: '^\\d+\\.\\d+'
        description: ""
    - id: maintainer
      type: image_labels
      maintainer: "@"
    ```
    """

    labels: dict[str, Any] = field(default_factory=dict)
    """Label key -> regex searched in its value; an empty regex accepts any non-empty value."""
    maintainer: str | None = None
    """A regex searched in the maintainer, from `LABEL maintainer=` or else `MAINTAINER`; an
    empty regex accepts any non-empty one. Unset: no maintainer is asked for."""

    type_name: ClassVar[str] = "image_labels"
    need: ClassVar[Need] = Need.IMAGE
    default_title: ClassVar[Text] = Text("Labels da imagem", "Image labels")
    default_hint: ClassVar[Text | None] = Text(
        'Adicione metadados com LABEL chave="valor" no Dockerfile.',
        'Add metadata with LABEL key="value" in the Dockerfile.',
    )

    def validate(self) -> list[str]:
        if self.maintainer is not None:
            problems = regex_problems("maintainer", scalar_text(self.maintainer))
            return problems + (mapping_problems("labels", self.labels, regex_values=True)
                               if self.labels else [])
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
        if self.maintainer is not None:
            named = self._maintainer(ctx, have)
            if not named.passed or not self.labels:
                return named
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
            expected=join_shown(", ", (
                Text.same(f"{k}: ") + pattern_text(scalar_text(self.labels[k]))
                if scalar_text(self.labels[k]) else k
                for k in shown
            )),
            actual=join_shown(", ", (
                f"{k}={clip(have[k], 80)}" if have.get(k) else _absent(k, have)
                for k in shown
            )),
        )

    def _maintainer(self, ctx: CheckContext, have: dict[str, str]) -> Outcome:
        """The image's maintainer, from the label or else from MAINTAINER (the Author)."""
        label = have.get("maintainer", "")
        author = str(ctx.image_inspect().get("Author") or "")
        value, spelling = (label, "LABEL maintainer") if label else (author, "MAINTAINER")
        regex = scalar_text(self.maintainer)
        if not value:
            return Outcome.fail(
                Text("A imagem não indica um mantenedor.", "The image names no maintainer."),
                expected=MAINTAINER_SPELLINGS,
                actual="—",
            )
        if regex and not re.search(regex, value):
            return Outcome.fail(
                Text("O mantenedor ({s}) não é o que o laboratório pede.",
                     "The maintainer ({s}) is not what the lab asks for.").format(s=spelling),
                expected=Text("mantenedor: ", "maintainer: ") + pattern_text(regex),
                actual=f"{spelling} {clip(value, 80)}",
            )
        return Outcome.ok(Text("Mantenedor: {v}.", "Maintainer: {v}.").format(v=clip(value, 80)),
                          actual=f"{spelling} {clip(value, 80)}")


def _absent(key: str, have: dict[str, str]) -> Text:
    if key in have:
        return Text(f"{key} (vazia)", f"{key} (empty)")
    return Text(f"{key} (não definida)", f"{key} (unset)")
