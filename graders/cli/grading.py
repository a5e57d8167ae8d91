"""`labgrade grade` (instructors) and `labgrade check` (students)."""

from __future__ import annotations

import argparse
import dataclasses
import os
from pathlib import Path

from graders.cli.env import Env, ExitStatus
from graders.cli.main import FORMAT_FLAGS
from graders.i18n import Lang, default_lang
from graders.results import LabResult, Status


def grade_command(args: argparse.Namespace, env: Env) -> ExitStatus:
    from graders.backends import get_backend
    from graders.engine import GradeOptions, grade
    from graders.spec import labs_root, load_lab

    lab = load_lab(args.lab, labs_root(args.labs))
    submission = Path(args.submission)
    from graders.intake import check_submission

    check_submission(submission)
    lang: Lang = args.lang or default_lang(env.environ)
    student = args.command == "check"
    options = GradeOptions(keep=args.keep, build_timeout=args.build_timeout,
                           run_timeout=args.run_timeout, include_hidden=not student,
                           live=bool(getattr(args, "live", False)))
    backend = get_backend(args.backend)
    progress = _progress(env) if student else None
    result = grade(lab, submission, backend, options, progress)
    if progress:
        env.err("\r\033[K" if env.color else "")
    write_reports(result, args, lang, student)
    env.out(render("table", result, lang, student_view=student, color=env.color))
    if os.environ.get("GITHUB_OUTPUT") and not args.classroom:
        from graders.reporters.classroom import append_github_output

        append_github_output(Path(os.environ["GITHUB_OUTPUT"]), result)
    if result.errored:
        return ExitStatus.INFRA_ERROR
    if student:
        return ExitStatus.SUCCESS if result.score >= result.possible else ExitStatus.CHECKS_FAILED
    return ExitStatus.SUCCESS


def render(fmt: str, result: LabResult, lang: Lang, **options: object) -> str:
    """Render with a reporter, passing only the options that reporter has."""
    from graders.reporters import get_reporter

    cls = get_reporter(fmt)
    names = {f.name for f in dataclasses.fields(cls)} if dataclasses.is_dataclass(cls) else set()
    reporter = cls(**{k: v for k, v in options.items() if k in names})
    return reporter.render(result, lang)


def write_reports(result: LabResult, args: argparse.Namespace, lang: Lang, student: bool) -> None:
    for fmt in FORMAT_FLAGS:
        target = getattr(args, fmt, None)
        if target:
            write_atomic(Path(target), render(fmt, result, lang, student_view=student))


def write_atomic(path: Path, text: str) -> None:
    """Write through a temporary file and a rename, so a reader never sees half a report."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, path)


def _progress(env: Env):  # type: ignore[no-untyped-def]
    stages = {"build": "building the image", "run": "starting the container",
              "ready": "waiting for the container to be ready"}

    def say(step: str) -> None:
        text = stages.get(step, step.replace("check ", "checking "))
        if env.color:
            env.stderr.write(f"\r\033[K… {text}")
            env.stderr.flush()
        elif step in stages:
            env.err(f"… {text}")

    return say


def status_of(result: LabResult) -> Status:
    return result.status
