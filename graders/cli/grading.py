"""`labgrade grade` (instructors, CI, platforms) and `labgrade check` (students).

`grade` runs every check, hidden ones included; `--student-view` keeps their text out of what
it prints and writes (the Classroom workflow and Gradescope's run_autograder use it). `check`
never runs hidden checks at all. Inside GitHub Actions both add the step summary and Dockerfile
annotations, with everything a submission could print fenced by `stop_commands()`, and `grade`
appends the Classroom result to `$GITHUB_OUTPUT`: graders/platforms/github.py does all three.
"""

from __future__ import annotations

import argparse
import contextlib
import time
from pathlib import Path
from typing import TYPE_CHECKING

from graders.atomic import write_atomic
from graders.cli.env import Env, ExitStatus
from graders.cli.formats import FORMAT_FLAGS, PLATFORM_FLAGS
from graders.engine.offline import NoEngine
from graders.errors import DockerUnavailable, GraderError, UsageError
from graders.i18n import Lang, Text
from graders.reporters import render
from graders.results import LabResult
from graders.spec import Lab

if TYPE_CHECKING:
    from graders.backends.base import DockerBackend

WATCHING = Text(
    "Observando {dir}: salve um arquivo para corrigir de novo (Ctrl-C para sair).",
    "Watching {dir}: save a file to grade again (Ctrl-C to stop).",
)
CHANGED = Text("Mudou: {paths}. Corrigindo de novo…", "Changed: {paths}. Grading again…")
CLEAR_SCREEN = "\x1b[2J\x1b[H"
BAD_POLL = Text("--poll deve ser um número positivo de segundos, não {poll}.",
                "--poll must be a positive number of seconds, not {poll}.")
NO_ENGINE_HERE = Text(
    "labgrade: o Docker não está rodando ({reason}). Inicie o Docker Desktop (Windows, macOS) "
    "ou rode `sudo systemctl start docker` (Linux), ou aponte DOCKER_HOST para um Docker que "
    "responda; confira com `docker info` e rode de novo.",
    "labgrade: Docker is not running ({reason}). Start Docker Desktop (Windows, macOS) or run "
    "`sudo systemctl start docker` (Linux), or point DOCKER_HOST at a Docker that answers; "
    "check with `docker info` and run again.",
)


def grade_command(args: argparse.Namespace, env: Env) -> ExitStatus:
    from graders.engine.intake import check_submission
    from graders.spec import labs_root, load_lab

    lab = load_lab(args.lab, labs_root(args.labs))
    submission = Path(args.submission)
    check_submission(submission)
    lang = env.lang(args.lang)
    if args.watch:
        return watch_command(lab, submission, args, env, lang)
    return grade_once(lab, submission, args, env, lang)


def grade_once(
    lab: Lab, submission: Path, args: argparse.Namespace, env: Env, lang: Lang
) -> ExitStatus:
    """One grading run with every output the command line asked for."""
    from graders.engine.run import GradeOptions, grade
    from graders.platforms.github import GitHubActions
    from graders.platforms.progress import ProgressLine, is_tty

    student = args.command == "check"
    options = GradeOptions(keep=args.keep, build_timeout=args.build_timeout,
                           run_timeout=args.run_timeout, include_hidden=not student,
                           live=args.live, registry=args.registry, image=args.image)
    backend = _backend(args.backend)
    unavailable = backend.reason if isinstance(backend, NoEngine) else None
    actions = GitHubActions(env.environ, env.stdout)
    if unavailable is not None and student and not actions.in_job:
        # A student's own machine: one line on what to start, not a table of grader errors.
        env.err(NO_ENGINE_HERE.format(reason=unavailable.reason or unavailable.host)(lang))
        return ExitStatus.INFRA_ERROR
    tty = is_tty(env.stderr, env.environ)
    titles = {check.id: check.title for check in lab.checks}
    progress = ProgressLine(env.stderr, lang, tty, titles=titles) if student or tty else None
    # In Actions, nothing printed until the guard closes can be read as a workflow command.
    with actions.guard():
        with progress or contextlib.nullcontext():
            result = grade(lab, submission, backend, options, progress)
        write_reports(result, args, lang)
        env.out(render("table", result, lang, student_view=args.student_view, color=env.color))
    dockerfile = lab.build.dockerfile if lab.build else "Dockerfile"
    actions.publish(result, lang, submission, dockerfile, step_output=not student)
    if unavailable is not None:
        env.err(f"labgrade: {unavailable.message(lang)}")
    if not student and any(fmt in PLATFORM_FLAGS for fmt in reports_asked(args)):
        # PrairieLearn's grader-host reads results.json only when the container exits 0; a
        # platform file says what went wrong itself (gradable: false, an error entry).
        return ExitStatus.SUCCESS
    if unavailable is not None or result.errored:
        return ExitStatus.INFRA_ERROR
    if student:
        return ExitStatus.SUCCESS if result.score >= result.possible else ExitStatus.CHECKS_FAILED
    return ExitStatus.SUCCESS


def _backend(name: str) -> DockerBackend | NoEngine:
    """The named backend, or `NoEngine` when no engine answers: static checks are still
    graded then, and every report is still written (Gradescope and Classroom must get a result
    that says what went wrong, not nothing)."""
    from graders.backends import get_backend

    try:
        return get_backend(name)
    except DockerUnavailable as e:
        return NoEngine(e)


def watch_command(
    lab: Lab, submission: Path, args: argparse.Namespace, env: Env, lang: Lang
) -> ExitStatus:
    """Grade, then grade again on every change, until Ctrl-C (exit status 130)."""
    from graders.cli.interrupt import terminated
    from graders.platforms.progress import is_tty
    from graders.platforms.watch import watch

    interval = args.poll
    if interval <= 0:
        raise UsageError(BAD_POLL.format(poll=f"{interval:g}"))
    tty = is_tty(env.stdout, env.environ)

    def once() -> None:
        if tty:
            env.stdout.write(CLEAR_SCREEN)
        try:
            grade_once(lab, submission, args, env, lang)
        except GraderError as e:  # say it and keep watching: the next save may fix it
            env.err(f"labgrade: {e.message(lang)}")
        env.stdout.flush()

    def idle() -> None:
        env.err(WATCHING.format(dir=str(submission))(lang))

    def changed(paths: list[str]) -> None:
        shown = ", ".join(paths[:5]) + (" …" if len(paths) > 5 else "")
        env.err(CHANGED.format(paths=shown)(lang))

    def sleep(seconds: float) -> None:
        time.sleep(seconds)
        if terminated():  # a SIGTERM whose KeyboardInterrupt was lost (graders.cli.interrupt)
            raise KeyboardInterrupt

    watch(submission, once, interval=interval, on_idle=idle, on_change=changed, sleep=sleep)
    raise AssertionError("watch() returns only when interrupted")  # pragma: no cover


def reports_asked(args: argparse.Namespace) -> dict[str, str]:
    """{format: file} from the `--FORMAT FILE` flags (`--json ''` asks for nothing)."""
    return {fmt: target for fmt, target in (args.reports or {}).items() if target}


def write_reports(result: LabResult, args: argparse.Namespace, lang: Lang) -> None:
    """Each `--FORMAT FILE` asked for, in the reporter table's order."""
    extra: dict[str, object] = {}
    if args.gradescope_visibility:
        extra["hidden_visibility"] = args.gradescope_visibility
    reports = reports_asked(args)
    for fmt in FORMAT_FLAGS:
        if fmt in reports:
            write_atomic(Path(reports[fmt]), render(fmt, result, lang,
                                                    student_view=args.student_view, **extra))

