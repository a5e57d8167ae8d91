"""Everything labgrade does for a GitHub Actions runner, and the only place that does it: the
stop-commands guard around what a submission can print, Dockerfile annotations, the step
summary, and the Classroom result in `$GITHUB_OUTPUT`. The CLI calls `GitHubActions`; the
reporters only render the texts (the Markdown summary, the Classroom JSON).

Everything here is student-facing (a Classroom repository's Actions log and summary are the
student's), so hidden checks appear only as their point total. Student text reaches the log
only inside `stop_commands()` or escaped as workflow-command data, never as a command.

Limits (platform-formats.md §5, "GitHub display limits", and actions/toolkit's problem-matchers
doc): a step summary up to 1 MiB; 10 error, 10 warning and 10 notice annotations per step and
50 per job. The Classroom reporter later in the same job adds 2 notices.
"""

from __future__ import annotations

import base64
import uuid
from collections.abc import Iterator, Mapping
from contextlib import AbstractContextManager, contextmanager, nullcontext
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO

from graders.i18n import Lang, Text
from graders.reporters._text import clean, one_line
from graders.reporters.base import fmt_score, label, shown_checks
from graders.reporters.classroom import render_json
from graders.reporters.markdown import SUMMARY_LIMIT, MarkdownReporter
from graders.results import LabResult, Status

ANNOTATIONS_PER_KIND = 10
"""Error annotations GitHub keeps per step; more are silently dropped."""
MESSAGE_CAP = 1500
"""Characters of one annotation message: the annotation box is small."""
MIN_SUMMARY_ROOM = 4096
STEP_OUTPUT = "result"
"""The step output the generated workflow hands the reporter step (graders/platforms/workflow.py:
`steps.labgrade.outputs.result`)."""
MORE = Text(
    "Mais {n} verificação(ões) falharam numa linha do Dockerfile: veja o resumo da execução.",
    "{n} more failed check(s) point to a Dockerfile line: see the run's summary.",
)
NO_ROOM = Text(
    "O resumo desta etapa já está cheio; a nota está no log.",
    "This step's summary is already full; the score is in the log.",
)


def in_actions(environ: Mapping[str, str]) -> bool:
    """True inside a GitHub Actions job (the runner sets GITHUB_ACTIONS=true)."""
    return environ.get("GITHUB_ACTIONS") == "true"


def escape_data(text: str) -> str:
    """Workflow-command data, escaped as actions/toolkit's `escapeData` does."""
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    """A workflow-command property value, escaped as actions/toolkit's `escapeProperty` does."""
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def command(kind: str, message: str, **props: str | int) -> str:
    """One `::kind k=v,...::message` line; every value is escaped, so it stays one command."""
    pairs = ",".join(f"{k}={escape_property(str(v))}" for k, v in props.items() if v != "")
    return f"::{kind}{' ' + pairs if pairs else ''}::{escape_data(message)}"


def annotation_path(submission: Path, dockerfile: str, environ: Mapping[str, str]) -> str:
    """The Dockerfile's path as GitHub wants it: relative to the checked-out repository."""
    path = (submission / dockerfile).resolve()
    workspace = environ.get("GITHUB_WORKSPACE")
    if workspace:
        try:
            return path.relative_to(Path(workspace).resolve()).as_posix()
        except ValueError:
            pass
    return dockerfile


def annotation_lines(
    result: LabResult, lang: Lang, path: str, limit: int = ANNOTATIONS_PER_KIND
) -> list[str]:
    """`::error file=...,line=N::` for each failed visible check (and build) that has a line.

    Past `limit`, the last error slot is kept and one warning says how many were left out.
    """
    lines: list[str] = []
    build = result.build
    if build.status is Status.FAILED and build.line:
        why = build.explanation(lang) if build.explanation else ""
        lines.append(_error(path, build.line, label("build", lang), why))
    for check in shown_checks(result, student_view=True):
        if check.status is Status.FAILED and check.line:
            points = fmt_score(check.score, check.possible)
            title = f"{one_line(clean(check.title(lang), 200, lang))} ({points})"
            lines.append(_error(path, check.line, title, check.feedback(lang)))
    if len(lines) <= limit:
        return lines
    extra = len(lines) - limit
    return [*lines[:limit], command("warning", MORE.format(n=extra)(lang), title="labgrade")]


def _error(path: str, line: int, title: str, message: str) -> str:
    return command("error", clean(message, MESSAGE_CAP), file=path, line=line, title=title)


def append_step_summary(summary: Path, result: LabResult, lang: Lang) -> None:
    """Append the student-view Markdown report, keeping the step's file under 1 MiB."""
    try:
        used = summary.stat().st_size
    except OSError:
        used = 0
    room = SUMMARY_LIMIT - used
    if room < MIN_SUMMARY_ROOM:
        text = "" if room < 256 else f"\n> {NO_ROOM(lang)}\n"
    else:
        text = MarkdownReporter(student_view=True, limit=room).render(result, lang)
    if text:
        with open(summary, "a", encoding="utf-8") as out:
            out.write(text)


def encode(result: LabResult, lang: Lang) -> str:
    """The base64 the step output `result` carries: the Classroom reporter step gets it as
    `<RUNNER>_RESULTS` and decodes it (graders/reporters/classroom.py says how it reads it)."""
    return base64.b64encode(render_json(result, lang).encode("utf-8")).decode("ascii")


def github_output_line(result: LabResult, lang: Lang) -> str:
    """`result=<base64>`: one line for `$GITHUB_OUTPUT` (base64 has no newline to escape)."""
    return f"{STEP_OUTPUT}={encode(result, lang)}"


def append_github_output(path: str | Path, result: LabResult, lang: Lang) -> None:
    """Append the step output line to the `$GITHUB_OUTPUT` file at `path`."""
    with open(path, "a", encoding="utf-8") as out:
        out.write(github_output_line(result, lang) + "\n")


def guard_token() -> str:
    """A fresh unguessable token for `::stop-commands::`; student output cannot predict it."""
    return uuid.uuid4().hex


@contextmanager
def stop_commands(stream: TextIO, token: str | None = None) -> Iterator[str]:
    """Suspend workflow commands while student output is printed (§1.1, "Log-injection guard").

    Prints `::stop-commands::TOKEN` on entry and `::TOKEN::` on exit, even on an exception.
    """
    token = token or guard_token()
    stream.write(f"::stop-commands::{token}\n")
    stream.flush()
    try:
        yield token
    finally:
        stream.write(f"::{token}::\n")
        stream.flush()


@dataclass(frozen=True)
class GitHubActions:
    """One grading run's side of an Actions job: the runner's variables, and the log (stdout)."""

    environ: Mapping[str, str]
    log: TextIO

    @property
    def in_job(self) -> bool:
        return in_actions(self.environ)

    def guard(self) -> AbstractContextManager[object]:
        """In a job, `stop_commands()`: wrap everything a submission can make labgrade print
        (the table, reports, progress). Elsewhere, nothing."""
        return stop_commands(self.log) if self.in_job else nullcontext()

    def publish(
        self, result: LabResult, lang: Lang, submission: Path, dockerfile: str, *,
        step_output: bool,
    ) -> None:
        """Once the guard has closed: in a job, the step summary, then annotations in the log;
        with `step_output` (`grade`: the Classroom workflow reads it), the result line in
        `$GITHUB_OUTPUT` wherever the runner set that variable."""
        if self.in_job:
            summary = self.environ.get("GITHUB_STEP_SUMMARY")
            if summary:
                append_step_summary(Path(summary), result, lang)
            path = annotation_path(submission, dockerfile, self.environ)
            for line in annotation_lines(result, lang, path):
                self.log.write(line + "\n")
            self.log.flush()
        output = self.environ.get("GITHUB_OUTPUT")
        if output and step_output:
            append_github_output(Path(output), result, lang)
