"""`process`: a process runs in the container (as seen from the host with `docker top`)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import ClassVar

from graders.checks._common import (
    clip,
    number_problems,
    read_ids,
    regex_problems,
    resolve_id,
    scalar_text,
    type_problems,
)
from graders.checks.base import Check, CheckContext, Need, Outcome
from graders.i18n import Text

CMD_KEYS = ("CMD", "COMMAND", "ARGS")
USER_KEYS = ("UID", "USER", "EUID", "RUSER")


def command_line(process: dict[str, str]) -> str:
    return next((process[k] for k in CMD_KEYS if k in process), "")


def process_user(process: dict[str, str]) -> str:
    return next((process[k] for k in USER_KEYS if k in process), "")


@dataclass(frozen=True)
class ProcessCheck(Check):
    """At least `min_count` processes whose command line matches `name` run (as `user`).

    ```yaml
    - id: apache-runs
      type: process
      name: '(apache2|httpd)'
      user: www-data
      min_count: 1
    ```
    """

    name: str = ""
    """A regex searched in each process's command line."""
    user: str | None = None
    """The user (name or uid; names resolved through the container's /etc/passwd)."""
    min_count: int = 1
    """How many matching processes must run at least."""

    type_name: ClassVar[str] = "process"
    need: ClassVar[Need] = Need.CONTAINER
    default_title: ClassVar[Text] = Text("Processo em execução", "Process running")

    def validate(self) -> list[str]:
        problems = regex_problems("name", self.name, optional=False)
        if not self.name:
            problems.append("name: expected a regex for the command line")
        count = type_problems("min_count", self.min_count, int, "an integer")
        return problems + (count or number_problems("min_count", self.min_count, 1, 10_000))

    def run(self, ctx: CheckContext) -> Outcome:
        processes = ctx.processes()
        named = [p for p in processes if re.search(self.name, command_line(p))]
        matching = named
        accepted: set[str] = set()
        if self.user is not None:
            want = scalar_text(self.user)
            passwd = read_ids(ctx, "/etc/passwd") or {}
            uid = resolve_id(want, passwd)
            # docker top may show a uid or a name (resolved on the host): accept both
            same = (
                {str(uid)} | {n for n, i in passwd.items() if i == uid}
                if uid is not None
                else set()
            )
            accepted = {want} | same
            matching = [p for p in named if process_user(p) in accepted]
        expected = f"{self.min_count}+ process(es) =~ {self.name}"
        expected += f" as {' / '.join(sorted(accepted))}" if accepted else ""
        if len(matching) >= self.min_count:
            return Outcome.ok(
                Text(
                    f"{len(matching)} processo(s) correspondem a {self.name}.",
                    f"{len(matching)} process(es) match {self.name}.",
                ),
                actual=str(len(matching)),
            )
        listing = "; ".join(
            f"{process_user(p)}: {clip(command_line(p), 80)}" for p in processes[:10]
        )
        if self.user is not None and len(named) >= self.min_count:
            users = ", ".join(sorted({process_user(p) for p in named}))
            message = Text(
                f"O processo {self.name} roda com outro usuário ({users}).",
                f"The process {self.name} runs as another user ({users}).",
            )
        else:
            message = Text(
                f"Processos {self.name}: {len(matching)} de {self.min_count} esperados.",
                f"Processes {self.name}: {len(matching)} of {self.min_count} expected.",
            )
        return Outcome.fail(
            message,
            expected=expected,
            actual=f"{len(matching)} matching; running: {listing or '(none)'}",
            details="\n".join(f"{process_user(p)}\t{command_line(p)}" for p in processes[:200]),
        )
