"""`run_output`: what the image prints, and its exit code, when it is run once.

Like `docker run --rm IMAGE [args]` for programs that print and exit (a hello world, a CLI):
the image runs in a fresh sandboxed container of its own, without network, with its own
ENTRYPOINT and CMD (`ctx.run_once`). Nothing is exec'd into the graded container, so scratch
and distroless images are graded the same way.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any, ClassVar

from graders.checks._common import clip, number_problems, regex_problems, tail, type_problems
from graders.checks._pattern import pattern_text
from graders.checks._words import exit_text
from graders.checks.base import Check, CheckContext, ExecResult, Need, Outcome
from graders.checks.image_cmd import effective_argv
from graders.i18n import Text

QUOTED = Text.same('"{v}"')


def normalised(text: str) -> str:
    """Output as compared with `equals`: CRLF as LF, trailing newlines dropped."""
    return text.replace("\r\n", "\n").rstrip("\n")


@dataclass(frozen=True)
class RunOutputCheck(Check):
    """Running the image once prints this and exits with this code.

    `equals` compares the whole standard output (trailing newlines and CRLF do not matter);
    `stdout` and `stderr` are regexes searched with `re.MULTILINE`. With `args`, they replace
    the image's CMD, as `docker run IMAGE args...` does; the ENTRYPOINT stays.

    ```yaml
    - id: prints-hello
      type: run_output
      points: 20
      equals: "Hello, World!"
      exit_code: 0
      timeout: 10
    - id: shows-version
      type: run_output
      args: [--version]
      stdout: '^hello \\d+\\.\\d+'
    - id: fails-without-input
      type: run_output
      args: [--missing-file]
      exit_code: 2
      stderr: '(?i)no such file'
    ```
    """

    equals: str | None = None
    """The exact standard output (trailing newlines ignored)."""
    stdout: str | None = None
    """A regex searched (multi-line) in the standard output."""
    stderr: str | None = None
    """A regex searched (multi-line) in the standard error."""
    exit_code: int | None = 0
    """The expected exit code; null accepts any (the program must still end in time)."""
    args: list[Any] | None = None
    """Arguments that replace the image's CMD; omit to run the image as it is."""
    timeout: float = 10.0
    """Seconds the program may run before it is killed (and the check fails)."""

    type_name: ClassVar[str] = "run_output"
    need: ClassVar[Need] = Need.IMAGE
    default_title: ClassVar[Text] = Text(
        "Saída ao executar a imagem", "Output of running the image"
    )
    default_hint: ClassVar[Text | None] = Text(
        "Teste com docker run --rm <imagem>: o CMD/ENTRYPOINT deve rodar o programa e ele "
        "deve imprimir exatamente o esperado.",
        "Try docker run --rm <image>: CMD/ENTRYPOINT must run the program, and it must print "
        "exactly what is expected.",
    )

    def validate(self) -> list[str]:
        problems = regex_problems("stdout", self.stdout) + regex_problems("stderr", self.stderr)
        if self.equals is not None:
            problems += type_problems("equals", self.equals, str, "a string")
        if self.exit_code is not None:
            problems += type_problems("exit_code", self.exit_code, int, "a whole number")
        problems += number_problems("timeout", self.timeout, 0.5, 300)
        if self.args is not None and (
            not isinstance(self.args, list) or any(isinstance(a, (list, dict)) for a in self.args)
        ):
            problems.append("args: expected a list of words")
        return problems

    def _argv(self) -> list[str] | None:
        return None if self.args is None else [str(a) for a in self.args]

    def _ran(self, ctx: CheckContext) -> str:
        config = ctx.image_config()
        argv = self._argv()
        cmd = argv if argv is not None else list(config.get("Cmd") or [])
        return json.dumps(effective_argv(list(config.get("Entrypoint") or []), cmd),
                          ensure_ascii=False)

    def run(self, ctx: CheckContext) -> Outcome:
        ran = self._ran(ctx)
        result = ctx.run_once(self._argv(), self.timeout)
        details = f"ran: {ran}\nstderr:\n{tail(result.stderr)}" if result.stderr.strip() \
            else f"ran: {ran}"
        if result.exit_code is None:
            return Outcome.fail(
                Text(
                    "O programa ainda rodava depois de {t:g} s e foi interrompido: ele espera "
                    "entrada ou fica em laço?",
                    "The program was still running after {t:g} s and was stopped: does it wait "
                    "for input or loop forever?",
                ).format(t=self.timeout),
                expected=self._expected(),
                actual=Text(f"(interrompido após {self.timeout:g} s)\n",
                            f"(killed after {self.timeout:g} s)\n") + self._shown(result),
                details=details,
            )
        problems = self._problems(result)
        if not problems:
            return Outcome.ok(
                Text("{r} imprimiu o esperado (saída {c}).",
                     "{r} printed what was expected (exit {c}).").format(r=ran, c=result.exit_code),
                actual=self._shown(result),
            )
        message = Text("Ao executar {r}: ", "Running {r}: ").format(r=ran)
        for i, problem in enumerate(problems):
            message += (Text.same("; ") if i else Text.same("")) + problem
        return Outcome.fail(message + Text.same("."), expected=self._expected(),
                            actual=self._shown(result), details=details)

    def _problems(self, result: ExecResult) -> list[Text]:
        found: list[Text] = []
        if self.exit_code is not None and result.exit_code != self.exit_code:
            if result.exit_code in (126, 127) and not result.stdout:  # not found, not runnable
                said = result.stderr.strip().splitlines()[-1] if result.stderr.strip() else ""
                found.append(Text(
                    "o comando não pôde ser executado (código {c})",
                    "the command could not be run (exit {c})",
                ).format(c=result.exit_code) + Text.same(f": {clip(said, 200)}" if said else ""))
            else:
                found.append(Text("terminou com código {c}, esperado {x}",
                                  "it exited with code {c}, expected {x}").format(
                    c=result.exit_code, x=self.exit_code))
        if self.equals is not None and normalised(result.stdout) != normalised(self.equals):
            found.append(Text("a saída não é exatamente a esperada",
                              "the output is not exactly what was expected"))
        if self.stdout is not None and not re.search(self.stdout, result.stdout, re.MULTILINE):
            found.append(Text("a saída padrão não tem ", "standard output does not have ")
                         + pattern_text(self.stdout, part=QUOTED))
        if self.stderr is not None and not re.search(self.stderr, result.stderr, re.MULTILINE):
            found.append(Text("a saída de erro não tem ", "standard error does not have ")
                         + pattern_text(self.stderr, part=QUOTED))
        return found

    def _expected(self) -> Text:
        parts: list[Text] = []
        if self.equals is not None:
            equals = json.dumps(normalised(self.equals), ensure_ascii=False)
            parts.append(Text.same(f"stdout = {equals}"))
        if self.stdout is not None:
            parts.append(Text.same("stdout: ") + pattern_text(self.stdout, part=QUOTED))
        if self.stderr is not None:
            parts.append(Text.same("stderr: ") + pattern_text(self.stderr, part=QUOTED))
        if self.exit_code is not None:
            parts.append(exit_text(self.exit_code))
        if not parts:
            return Text("termina no tempo limite", "ends in time")
        return Text.same("\n").join(parts)

    @staticmethod
    def _shown(result: ExecResult) -> Text:
        out = json.dumps(clip(normalised(result.stdout), 300), ensure_ascii=False)
        code = Text("interrompido", "killed") if result.exit_code is None \
            else exit_text(result.exit_code)
        return Text.same(f"stdout = {out}\n") + code
