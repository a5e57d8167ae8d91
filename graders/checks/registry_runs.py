"""`registry_runs`: the pushed image, pulled from the registry and run once, prints the output."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, ClassVar

from graders.checks._common import clip, number_problems, regex_problems, tail, type_problems
from graders.checks._pattern import pattern_text
from graders.checks._pushed import Pushed, pushed_tag
from graders.checks._registry import lookup, not_pushed, tag_problems, unavailable
from graders.checks._words import NO_OUTPUT, exit_text
from graders.checks.base import Check, CheckContext, ExecResult, Need, Outcome
from graders.i18n import Text
from graders.registry.errors import RegistryError


@dataclass(frozen=True)
class RegistryRunsCheck(Check):
    """The pushed image runs: pulled by digest from the registry, its ENTRYPOINT/CMD run once
    (sandboxed, no network) exits 0 and prints what is expected: `stdout` (a regex), and, with
    `same_as_build`, the same output as the image built from the submitted Dockerfile. Without
    the lab's tag in the registry, the tag found instead (`1.0` for `v1.0`) is run: the tag
    check alone charges the tag.

    ```yaml
    - id: pushed-runs
      type: registry_runs
      points: 20
      tag: v1.0
      stdout: '^Hello, World!$'
      same_as_build: true
    ```
    """

    stdout: str = ""
    """A regex the pushed image's standard output must match (multi-line); "" for any."""
    same_as_build: bool = True
    """The output must also equal (spaces at the ends aside) the built image's output."""
    tag: str = ""
    """The tag to pull (`v1.0`); "" for the declared reference's own tag."""
    timeout: float = 30.0
    """Seconds each run may take before it is killed."""

    type_name: ClassVar[str] = "registry_runs"
    need: ClassVar[Need] = Need.IMAGE
    default_title: ClassVar[Text] = Text("A imagem enviada executa", "The pushed image runs")
    default_hint: ClassVar[Text | None] = Text(
        "Teste como outra pessoa usaria a sua imagem: docker run --rm aluno/app:v1.0",
        "Try it as someone else would use your image: docker run --rm alice/app:v1.0")

    def validate(self) -> list[str]:
        problems = regex_problems("stdout", self.stdout, optional=False)
        problems += type_problems("same_as_build", self.same_as_build, bool, "true or false")
        return problems + tag_problems(self.tag) + number_problems("timeout", self.timeout, 1, 600)

    def run(self, ctx: CheckContext) -> Outcome:
        found = lookup(ctx, self.tag)
        if isinstance(found, Outcome):
            return found
        target, ref, want = found.target, found.ref, found.tag
        pushed_as = Pushed(want, want) if ref.digest else pushed_tag(found)
        if pushed_as is None:
            return not_pushed(target, want, Text("executar", "run"))
        try:
            digest = ref.digest or target.client().head_manifest(ref.repository, pushed_as.tag)
            if digest is None:
                return not_pushed(target, want, Text("executar", "run"))
            pushed = ctx.run_image(f"{ref.registry}/{ref.repository}@{digest}",
                                   self.timeout, pull=True)
        except RegistryError as e:
            unavailable(target, e)
        name = target.push_name(pushed_as.tag)
        failed = self._failed_run(pushed, name, pushed_as.note)
        if failed is not None:
            return failed
        out = pushed.stdout.strip()
        note = pushed_as.note
        if self.stdout and not re.search(self.stdout, pushed.stdout, re.MULTILINE):
            return Outcome.fail(Text(f"{name} executou, mas não imprimiu o esperado",
                                     f"{name} ran, but did not print what is expected")
                                + note + Text.same("."),
                                expected=pattern_text(self.stdout, whole=Text.same("{v}")),
                                actual=clip(out, 300) or NO_OUTPUT)
        if self.same_as_build:
            built = ctx.run_image(None, self.timeout)
            if built.exit_code == 0 and built.stdout.strip() != out:
                return Outcome.fail(Text(
                    f"{name} imprime outra coisa que a imagem do seu Dockerfile",
                    f"{name} prints something else than your Dockerfile's image") + note + Text(
                    f": envie o build atual (docker push {name}).",
                    f": push the current build (docker push {name})."),
                    expected=clip(built.stdout.strip(), 300) or NO_OUTPUT,
                    actual=clip(out, 300) or NO_OUTPUT)
        return Outcome.ok(Text(f"{name} executa e imprime o esperado",
                               f"{name} runs and prints what is expected")
                          + note + Text.same("."), actual=clip(out, 200))

    def _failed_run(self, result: ExecResult, name: str, note: Text) -> Outcome | None:
        if result.exit_code is None:
            return Outcome.fail(Text(
                f"{name} não terminou em {self.timeout:g} s",
                f"{name} did not finish within {self.timeout:g} s") + note + Text.same("."),
                expected=exit_text(0),
                actual=Text("interrompido no tempo limite", "killed at the time limit"))
        if result.exit_code != 0:
            return Outcome.fail(Text(
                f"{name} terminou com o código {result.exit_code}",
                f"{name} exited with code {result.exit_code}") + note + Text.same("."),
                expected=exit_text(0), actual=exit_text(result.exit_code),
                details=_streams(result))
        return None


def _streams(result: Any) -> str:
    return f"stdout:\n{tail(result.stdout)}\nstderr:\n{tail(result.stderr)}"
