"""`image_cmd`: the built image's `Cmd`, or ENTRYPOINT + CMD (what the container runs).

The shell form `CMD apachectl -D FOREGROUND` is stored as `["/bin/sh", "-c", "apachectl -D
FOREGROUND"]`. `equals`/`matches` accept it as the command it wraps when it is one simple
command, so the form only matters when the lab says `exec_form: true`.
"""

from __future__ import annotations

import json
import posixpath
import re
import shlex
from dataclasses import dataclass
from typing import Any, ClassVar

from graders.checks._common import regex_problems, scalar_text, type_problems
from graders.checks._pattern import pattern_text
from graders.checks._words import NONE
from graders.checks.base import Check, CheckContext, Need, Outcome
from graders.i18n import Text

SHELLS = frozenset({"sh", "bash", "ash", "dash", "zsh", "ksh"})
ARGV = Text('["executável", "argumento", ...]', '["executable", "arg", ...]')


def shell_script(argv: list[str]) -> str | None:
    """The script when `argv` is the shell wrapper `[/bin/sh, -c, script, ...]`, else None."""
    if argv and posixpath.basename(argv[0]) in SHELLS and "-c" in argv[1:-1]:
        return argv[argv.index("-c", 1) + 1]
    return None


def simple_command(script: str) -> list[str] | None:
    """`"exec apachectl -D FOREGROUND"` -> its argv; None when it is not one simple command."""
    lexer = shlex.shlex(script, posix=True, punctuation_chars=True)
    lexer.whitespace_split = True
    try:
        words = list(lexer)
    except ValueError:
        return None
    if any(w and all(c in "();<>|&" for c in w) for w in words):
        return None
    if words[:1] == ["exec"]:
        words = words[1:]
    return words or None


def effective_argv(entrypoint: list[str], cmd: list[str]) -> list[str]:
    """What the container runs: ENTRYPOINT + CMD (CMD is only $0.. for a shell-form ENTRYPOINT)."""
    if entrypoint:
        return entrypoint if shell_script(entrypoint) is not None else entrypoint + cmd
    return cmd


def show(argv: list[str]) -> str:
    return json.dumps(argv, ensure_ascii=False) if argv else "(none)"


@dataclass(frozen=True)
class ImageCmdCheck(Check):
    """The image's CMD (or, with `effective: true`, ENTRYPOINT + CMD) is this command.

    `CMD ["apachectl", "-D", "FOREGROUND"]` and `ENTRYPOINT ["apachectl"]` with
    `CMD ["-D", "FOREGROUND"]` both pass the `effective: true` example.

    ```yaml
    - id: apache-foreground
      type: image_cmd
      effective: true
      matches: '^(apachectl|apache2ctl|httpd) -D FOREGROUND$'
    ```
    """

    equals: list[Any] | None = None
    """The exact argv, e.g. `["apachectl", "-D", "FOREGROUND"]`; `[]` means unset."""
    matches: str | None = None
    """A regex searched in the argv joined with single spaces."""
    exec_form: bool = False
    """When true, the config must not be the shell wrapper `["/bin/sh", "-c", ...]`."""
    effective: bool = False
    """When true, look at ENTRYPOINT + CMD together, i.e. at what actually runs."""

    type_name: ClassVar[str] = "image_cmd"
    need: ClassVar[Need] = Need.IMAGE
    default_title: ClassVar[Text] = Text("CMD da imagem", "Image CMD")
    default_hint: ClassVar[Text | None] = Text(
        'Use a forma exec: CMD ["executável", "arg"].',
        'Use the exec form: CMD ["executable", "arg"].',
    )

    def validate(self) -> list[str]:
        problems = regex_problems("matches", self.matches)
        if self.equals is not None:
            problems += type_problems("equals", self.equals, list, "a list (the exec-form argv)")
        if self.equals is None and self.matches is None and not self.exec_form:
            problems.append("expected at least one of equals, matches or exec_form: true")
        return problems

    @property
    def label(self) -> str:
        return "ENTRYPOINT + CMD" if self.effective else "CMD"

    def run(self, ctx: CheckContext) -> Outcome:
        config = ctx.image_config()
        entrypoint = [str(a) for a in config.get("Entrypoint") or []]
        cmd = [str(a) for a in config.get("Cmd") or []]
        argv = effective_argv(entrypoint, cmd) if self.effective else cmd
        label, actual = self.label, show(argv)
        if not argv and self.equals != []:
            return Outcome.fail(
                Text(f"A imagem não define {label}.", f"The image has no {label}."),
                expected=self._expected(),
                actual=NONE,
            )
        script = shell_script(argv)
        unwrapped = simple_command(script) if script is not None else None
        if self.exec_form and script is not None:
            form = ("ENTRYPOINT" if entrypoint else "CMD") if self.effective else label
            example = Text.same(show(unwrapped)) if unwrapped else ARGV
            return Outcome.fail(
                Text(
                    f"{form} está na forma shell (executado por /bin/sh -c), não na forma exec.",
                    f"{form} is in shell form (run through /bin/sh -c), not in exec form.",
                ),
                expected=Text(f"forma exec: {form} ", f"exec form: {form} ") + example,
                actual=actual,
            )
        candidates = [argv]
        if unwrapped:
            candidates.append(unwrapped)
        if self.equals is not None:
            want = [scalar_text(a) for a in self.equals]
            if want not in candidates:
                return self._mismatch(label, actual)
        if self.matches is not None and not any(
            re.search(self.matches, " ".join(c)) for c in candidates
        ):
            return self._mismatch(label, actual)
        return Outcome.ok(Text(f"{label}: {actual}", f"{label}: {actual}"), actual=actual)

    def _expected(self) -> Text:
        if self.equals is not None:
            want = Text.same(show([scalar_text(a) for a in self.equals]))
        elif self.matches is not None:
            want = pattern_text(self.matches)
        else:
            want = ARGV
        return want + (Text(" (forma exec)", " (exec form)") if self.exec_form else Text.same(""))

    def _mismatch(self, label: str, actual: str) -> Outcome:
        return Outcome.fail(
            Text(f"{label} não é o esperado.", f"{label} is not what was expected."),
            expected=self._expected(),
            actual=actual,
        )
