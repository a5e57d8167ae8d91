"""`user_nonroot`: the final image runs as a user other than root."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from graders.checks._dockerfile import at, no_dockerfile, no_stage, stage_problems
from graders.checks.base import Check, CheckContext, Need, Outcome
from graders.dockerfile.words import process_word
from graders.i18n import Text

ROOT = frozenset({"root", "0"})


@dataclass(frozen=True)
class UserNonrootCheck(Check):
    """The stage's last USER (following FROM <earlier stage>) is not root or 0.

    No USER at all fails too: the container then runs as root (hadolint's DL3002 does not
    flag that case). A USER given by a variable (`USER $APP_USER`) passes: its value is known
    only in the built image, which `image_user` checks.

    ```yaml
    - id: non-root
      type: user_nonroot
      points: 10
    ```
    """

    type_name: ClassVar[str] = "user_nonroot"
    need: ClassVar[Need] = Need.DOCKERFILE
    default_title: ClassVar[Text] = Text("Usuário não-root", "Non-root user")
    default_hint: ClassVar[Text | None] = Text(
        "Crie um usuário (useradd/adduser) e troque para ele com USER antes do CMD.",
        "Create a user (useradd/adduser) and switch to it with USER before CMD.",
    )

    stage: str = "final"
    """final, or a stage name or index."""

    def validate(self) -> list[str]:
        if self.stage in ("any", "first"):
            return ["stage: use final, a stage name or index (a user is per stage)"]
        return stage_problems(self.stage)

    def run(self, ctx: CheckContext) -> Outcome:
        df = ctx.dockerfile
        if df is None:
            return no_dockerfile()
        stages = df.select_stages(self.stage)
        if not stages:
            return no_stage(df, self.stage)
        scope = [i for s in reversed(df.ancestry(stages[0])) for i in s.instructions]
        users = [i for i in scope if i.keyword == "USER"]
        if not users:
            return Outcome.fail(
                Text(
                    "Não há USER: o contêiner roda como root.",
                    "There is no USER: the container runs as root.",
                ),
                expected="USER <non-root>",
                actual="—",
                line=stages[0].line,
            )
        last = users[-1]
        user = process_word(last.value, None, last.escape).partition(":")[0].strip()
        if user in ROOT:
            return Outcome.fail(
                Text(
                    "O último USER (linha {n}) é {u}: o contêiner roda como root.",
                    "The last USER (line {n}) is {u}: the container runs as root.",
                ).format(n=last.line, u=user),
                expected="USER <non-root>",
                actual=at(df, last),
                line=last.line,
            )
        return Outcome.ok(
            Text("Roda como {u} (linha {n}).", "Runs as {u} (line {n}).").format(
                u=user, n=last.line
            ),
            actual=at(df, last),
            line=last.line,
        )
