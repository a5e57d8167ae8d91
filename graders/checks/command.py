"""`command`: a command run inside the running container exits and prints as expected.

This asks the submission itself (`docker exec`), so prefer `file`, `http` or `process` when
they can observe the same fact from outside.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, ClassVar

from graders.checks._common import clip, number_problems, regex_problems, tail
from graders.checks._pattern import pattern_text
from graders.checks._words import exit_text
from graders.checks.base import Check, CheckContext, ExecResult, Need, Outcome
from graders.i18n import Text


@dataclass(frozen=True)
class CommandCheck(Check):
    """Run a command in the container; check its exit code, stdout and stderr.

    A string runs with `/bin/sh -c`; a list runs as is (no shell needed in the image). The field
    is `exec`, not `run`, because `run(ctx)` is the method every check has.

    ```yaml
    - id: php-version
      type: command
      exec: [php, --version]
      exit_code: 0
      stdout: '^PHP 8\\.'
      timeout: 10
    ```
    """

    exec: list[Any] | str = ""
    """The argv as a list, or a shell string run with /bin/sh -c."""
    exit_code: int | None = 0
    """The expected exit code; null accepts any."""
    stdout: str | None = None
    """A regex searched (multi-line) in the standard output."""
    stderr: str | None = None
    """A regex searched (multi-line) in the standard error."""
    timeout: float = 10.0
    """Seconds before the command is killed (and the check fails)."""

    type_name: ClassVar[str] = "command"
    need: ClassVar[Need] = Need.CONTAINER
    default_title: ClassVar[Text] = Text("Comando no contêiner", "Command in the container")

    @property
    def argv(self) -> list[str]:
        if isinstance(self.exec, str):
            return ["/bin/sh", "-c", self.exec]
        return [str(a) for a in self.exec]

    def validate(self) -> list[str]:
        problems = regex_problems("stdout", self.stdout) + regex_problems("stderr", self.stderr)
        if not self.exec or not isinstance(self.exec, (str, list)):
            problems.append("exec: expected a non-empty list (argv) or string (shell command)")
        elif isinstance(self.exec, list) and any(isinstance(a, (list, dict)) for a in self.exec):
            problems.append("exec: list items must be plain strings")
        if self.exit_code is not None:
            problems += number_problems("exit_code", self.exit_code, 0, 255)
        return problems + number_problems("timeout", self.timeout, 0.1, 300)

    def run(self, ctx: CheckContext) -> Outcome:
        result = ctx.exec(self.argv, timeout=self.timeout)
        shown = self.exec if isinstance(self.exec, str) else " ".join(self.argv)
        details = f"$ {shown}\n--- stdout ---\n{tail(result.stdout, 40, 4000)}\n"
        details += f"--- stderr ---\n{tail(result.stderr, 40, 4000)}"
        if result.exit_code is None:
            return Outcome.fail(
                Text(
                    f"`{clip(shown, 80)}` excedeu o tempo limite de {self.timeout:g} s.",
                    f"`{clip(shown, 80)}` timed out after {self.timeout:g} s.",
                ),
                expected=Text(f"terminar em até {self.timeout:g} s",
                              f"finished within {self.timeout:g} s"),
                actual=Text(f"ainda rodava após {self.timeout:g} s",
                            f"timed out after {self.timeout:g} s"),
                details=details,
            )
        problem = self._problem(result)
        if problem is None:
            return Outcome.ok(
                Text(f"`{clip(shown, 80)}` funcionou.", f"`{clip(shown, 80)}` worked."),
                actual=exit_text(result.exit_code),
            )
        what, expected = problem
        return Outcome.fail(
            Text(f"`{clip(shown, 80)}`: {what.pt}", f"`{clip(shown, 80)}`: {what.en}"),
            expected=expected,
            actual=exit_text(result.exit_code)
            + Text.same(f"; stdout: {clip(result.stdout.strip(), 200)!r}; "
                        f"stderr: {clip(result.stderr.strip(), 200)!r}"),
            details=details,
        )

    def _problem(self, result: ExecResult) -> tuple[Text, Text] | None:
        if self.exit_code is not None and result.exit_code != self.exit_code:
            return (Text("código de saída inesperado.", "unexpected exit code."),
                    exit_text(self.exit_code))
        if self.stdout is not None and not re.search(self.stdout, result.stdout, re.MULTILINE):
            return Text(
                "saída padrão inesperada.", "unexpected output."
            ), Text.same("stdout: ") + pattern_text(self.stdout)
        if self.stderr is not None and not re.search(self.stderr, result.stderr, re.MULTILINE):
            return Text("saída de erro inesperada.", "unexpected error output."), (
                Text.same("stderr: ") + pattern_text(self.stderr)
            )
        return None
