"""`image_user`: the user the built image runs as (`USER`), pointed at in the Dockerfile."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from graders.checks._common import read_ids, resolve_id, scalar_text
from graders.checks._dockerfile import at
from graders.checks.base import Check, CheckContext, Need, Outcome
from graders.i18n import Shown, Text


def user_line(ctx: CheckContext) -> tuple[int | None, Text]:
    """Where the Dockerfile decides the user: the final stage's last USER (following `FROM
    <earlier stage>`), else its FROM line; and that in words. Nothing when it is unreadable."""
    df = ctx.dockerfile
    final = df.final_stage if df is not None else None
    if df is None or final is None:
        return None, Text.same("")
    users = [i for s in reversed(df.ancestry(final)) for i in s.instructions
             if i.keyword == "USER"]
    if not users:
        return final.line, Text(" O estágio final não tem USER.", " The final stage has no USER.")
    return users[-1].line, Text(" Veja {a}.", " See {a}.").format(a=at(df, users[-1]))


@dataclass(frozen=True)
class ImageUserCheck(Check):
    """The image's USER is this user, or is not root.

    Read from the built image, so `USER $APP_USER` and a USER inherited from an earlier stage
    count as Docker resolves them; a failure points at the final stage's last USER line (or its
    FROM when there is none). `user: app` also accepts `USER app:app`, and `USER 1000` when
    /etc/passwd in the image gives app the uid 1000. Root is an empty USER, `root`, `0`, or any
    name whose uid is 0.

    ```yaml
    - id: non-root
      type: image_user
      not_root: true
    ```
    """

    user: str | None = None
    """The expected USER: a name or uid, optionally with `:group`."""
    not_root: bool = False
    """When true, any user but root passes."""

    type_name: ClassVar[str] = "image_user"
    need: ClassVar[Need] = Need.IMAGE
    default_title: ClassVar[Text] = Text("Usuário da imagem", "Image user")
    default_hint: ClassVar[Text | None] = Text(
        "Crie um usuário e use USER nome no Dockerfile.",
        "Create a user and switch to it with USER name in the Dockerfile.",
    )

    def validate(self) -> list[str]:
        if (self.user is None) == (not self.not_root):
            return ["expected exactly one of user or not_root: true"]
        if self.user is not None and not scalar_text(self.user).strip():
            return ["user: expected a name or uid (use not_root: true to reject root)"]
        return []

    def run(self, ctx: CheckContext) -> Outcome:
        actual = str(ctx.image_config().get("User") or "")
        shown: Shown = actual or Text("(vazio: root)", "(empty: root)")
        passwd = read_ids(ctx, "/etc/passwd")
        actual_user, _, actual_group = actual.partition(":")
        if self.not_root:
            uid = resolve_id(actual_user, passwd) if actual_user else 0
            if actual_user in ("", "root") or uid == 0:
                line, where = user_line(ctx)
                return Outcome.fail(
                    Text("A imagem roda como root.", "The image runs as root.") + where,
                    expected=Text("um USER que não seja root", "a non-root USER"),
                    actual=shown,
                    line=line,
                )
            return Outcome.ok(Text(f"Usuário: {actual}.", f"User: {actual}."), actual=actual)
        want = scalar_text(self.user)
        want_user, _, want_group = want.partition(":")
        if actual == want or (
            self._same(want_user, actual_user, passwd)
            and (
                not want_group or self._same(want_group, actual_group, read_ids(ctx, "/etc/group"))
            )
        ):
            return Outcome.ok(Text(f"Usuário: {actual}.", f"User: {actual}."), actual=actual)
        line, where = user_line(ctx)
        return Outcome.fail(
            Text("A imagem roda com outro usuário.", "The image runs as a different user.")
            + where,
            expected=want,
            actual=shown,
            line=line,
        )

    @staticmethod
    def _same(want: str, actual: str, ids: dict[str, int] | None) -> bool:
        want, actual = _ROOT.get(want, want), _ROOT.get(actual, actual)
        if want == actual:
            return True
        want_id = resolve_id(want, ids)
        return want_id is not None and want_id == resolve_id(actual, ids)


_ROOT = {"": "0", "root": "0"}
