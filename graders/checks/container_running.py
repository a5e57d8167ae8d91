"""`container_running`: the container is still running some seconds after it started."""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, ClassVar

from graders.backends.base import parse_docker_time
from graders.checks._common import clip, number_problems, tail
from graders.checks._words import state_text
from graders.checks.base import Check, CheckContext, Need, Outcome
from graders.i18n import Text

MAX_AFTER = 300.0
clock: Callable[[], float] = time.time
"""Wall clock compared with Docker's StartedAt; tests replace it."""
sleep: Callable[[float], None] = time.sleep

ERROR_LINE = re.compile(r"(?i)error|fatal|panic|\[emerg\]")
"""A line in which a failing service reports why (Apache's AH00526, a Python traceback's last)."""

EXIT_REASONS: dict[int, Text] = {
    0: Text(
        " O processo principal terminou: um contêiner vive enquanto o processo principal roda; "
        "rode o serviço em primeiro plano.",
        " The main process finished: a container lives only as long as its main process; "
        "run the service in the foreground.",
    ),
    126: Text(
        " O comando não pôde ser executado (permissão?).",
        " The command could not run (permission?).",
    ),
    127: Text(" O comando não foi encontrado.", " The command was not found."),
    137: Text(" O processo foi morto (SIGKILL).", " The process was killed (SIGKILL)."),
    139: Text(
        " O processo falhou (segmentation fault).", " The process crashed (segmentation fault)."
    ),
}


@dataclass(frozen=True)
class ContainerRunningCheck(Check):
    """The container is still running `after` seconds after it started.

    ```yaml
    - id: stays-up
      type: container_running
      after: 3
    ```
    """

    after: float = 3
    """Seconds since the container started; the check waits until then (at most 300)."""

    type_name: ClassVar[str] = "container_running"
    need: ClassVar[Need] = Need.CONTAINER
    judges_stopped_container: ClassVar[bool] = True
    default_title: ClassVar[Text] = Text(
        "O contêiner continua rodando", "The container keeps running"
    )
    default_hint: ClassVar[Text | None] = Text(
        "O CMD deve manter um processo em primeiro plano (ex.: apachectl -D FOREGROUND).",
        "CMD must keep a process in the foreground (e.g. apachectl -D FOREGROUND).",
    )

    def validate(self) -> list[str]:
        return number_problems("after", self.after, 0, MAX_AFTER)

    def run(self, ctx: CheckContext) -> Outcome:
        state = ctx.container_state()
        started = parse_docker_time(state.get("StartedAt"))
        if started is None and not state.get("Running"):
            return Outcome.fail(
                Text("O contêiner não iniciou.", "The container never started."),
                expected=self._expected(),
                actual=state_text(str(state.get("Status") or "created")),
                details=str(state.get("Error") or ""),
            )
        if _running(state):
            remaining = self.after - (clock() - started) if started is not None else self.after
            if remaining > 0:
                sleep(min(remaining, self.after))
                state = ctx.container_state()
        if _running(state):
            return Outcome.ok(
                Text(
                    f"O contêiner continua rodando após {self.after:g} s.",
                    f"The container is still running after {self.after:g} s.",
                )
            )
        # The engine runs the other runtime checks inside the window and this one last, so it
        # may look after the window closed: what counts is whether it ran `after` seconds.
        finished = parse_docker_time(state.get("FinishedAt"))
        if started is not None and finished is not None and finished - started >= self.after:
            lasted = finished - started
            return Outcome.ok(
                Text(
                    f"O contêiner rodou por {lasted:.1f} s (pedia-se {self.after:g} s) e depois "
                    f"parou (código de saída {state.get('ExitCode')}).",
                    f"The container ran for {lasted:.1f} s ({self.after:g} s asked), then "
                    f"stopped (exit code {state.get('ExitCode')}).",
                )
            )
        return self._stopped(ctx, state, started)

    def _expected(self) -> Text:
        return Text(f"rodando após {self.after:g} s", f"running after {self.after:g} s")

    def _stopped(self, ctx: CheckContext, state: dict[str, Any], started: float | None) -> Outcome:
        code = state.get("ExitCode")
        oom = bool(state.get("OOMKilled"))
        finished = parse_docker_time(state.get("FinishedAt"))
        # Docker's two timestamps can disagree by a hair for a process that exits at once.
        took = f" {max(finished - started, 0.0):.2g} s" if finished and started else ""
        after = Text(f" após{took}", f" after{took}") if took else Text.same("")
        message = Text(
            f"O contêiner parou (código de saída {code}).",
            f"The container stopped (exit code {code}).",
        )
        if oom:
            message = message + Text(
                " Falta de memória (OOMKilled).", " Out of memory (OOMKilled)."
            )
        elif isinstance(code, int) and code in EXIT_REASONS:
            message = message + EXIT_REASONS[code]
        # Each stream read alone: a crash's reason is usually its last stderr line, and in the
        # merged log it can sit before the stdout still being copied.
        errors, output = ctx.container_logs(4000, "stderr"), ctx.container_logs(4000, "stdout")
        said = _error_said(errors) if code not in (0, None) and not oom else ""
        if said:  # the service's own reason, rather than advice that fits only exit code 0
            message = message + Text(
                " O processo principal falhou; seu erro: {s}",
                " The main process failed; its error: {s}",
            ).format(s=said)
        last = tail(errors or output, lines=5, limit=300)
        actual = Text(f"encerrou com código {code}", f"exited with code {code}") + after \
            + Text.same(f"; OOMKilled: {str(oom).lower()}")
        if state.get("Error"):
            actual += Text(f"; erro: {state['Error']}", f"; error: {state['Error']}")
        details = (f"ExitCode: {code}\nOOMKilled: {oom}\nError: {state.get('Error') or ''}\n"
                   f"--- last stderr ---\n{tail(errors, lines=40, limit=2000)}\n"
                   f"--- last stdout ---\n{tail(output, lines=40, limit=2000)}")
        heading = Text("; última saída de erro: ", "; last stderr: ") if errors \
            else Text("; última saída: ", "; last output: ")
        return Outcome.fail(
            message,
            expected=self._expected(),
            actual=actual + (heading + Text.same(last) if last
                             else Text("; sem saída", "; no output")),
            details=details,
        )


def _error_said(errors: str) -> str:
    """The last stderr line reporting an error, joined with the line it introduces when it ends
    with ":" (Apache: "Syntax error on line N of FILE:" then the directive); empty if none."""
    lines = [line.strip() for line in errors.splitlines()[-20:] if line.strip()]
    for i in range(len(lines) - 1, -1, -1):
        if ERROR_LINE.search(lines[i]):
            said = lines[i]
            if said.endswith(":") and i + 1 < len(lines):
                said += " " + lines[i + 1]
            return clip(said, 300)
    return ""


def _running(state: dict[str, Any]) -> bool:
    return bool(state.get("Running")) and not state.get("Restarting")
