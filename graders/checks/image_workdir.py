"""`image_workdir`: the built image's working directory (`WORKDIR`)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from graders.checks.base import Check, CheckContext, Need, Outcome
from graders.checks.image_volumes import normalise_path
from graders.i18n import Text


@dataclass(frozen=True)
class ImageWorkdirCheck(Check):
    """The image's WORKDIR is this absolute path (a trailing slash does not matter).

    ```yaml
    - id: workdir-app
      type: image_workdir
      workdir: /app
    ```
    """

    workdir: str = ""
    """The expected absolute path."""

    type_name: ClassVar[str] = "image_workdir"
    need: ClassVar[Need] = Need.IMAGE
    default_title: ClassVar[Text] = Text("Diretório de trabalho", "Working directory")
    default_hint: ClassVar[Text | None] = Text(
        "Defina o diretório com WORKDIR no Dockerfile.",
        "Set the directory with WORKDIR in the Dockerfile.",
    )

    def validate(self) -> list[str]:
        if not isinstance(self.workdir, str) or not self.workdir.startswith("/"):
            return [f"workdir: expected an absolute path, got {self.workdir!r}"]
        return []

    def run(self, ctx: CheckContext) -> Outcome:
        actual = str(ctx.image_config().get("WorkingDir") or "")
        shown = Text.same(actual) if actual else Text("(não definido: /)", "(unset: /)")
        if normalise_path(actual or "/") == normalise_path(self.workdir):
            return Outcome.ok(Text.same("WORKDIR: ") + shown + Text.same("."), actual=actual)
        return Outcome.fail(
            Text("WORKDIR diferente do esperado.", "WORKDIR is not the expected directory."),
            expected=normalise_path(self.workdir),
            actual=shown,
        )
