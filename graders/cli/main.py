"""`labgrade`: the command line, a thin front end over graders.engine."""

from __future__ import annotations

import argparse
import contextlib
import logging
import os
import signal
import sys
from collections.abc import Sequence

from graders.cli.env import Env, ExitStatus
from graders.cli.formats import FORMAT_FLAGS, PLATFORM_FLAGS
from graders.cli.interrupt import _on_sigterm, reset
from graders.errors import GraderError

logger = logging.getLogger("graders")

GRADE_EPILOG = (
    "exit status: 0 when grading completed, whatever the score, and also whenever a "
    "--classroom, --gradescope or --prairielearn file was written (even with no Docker "
    "engine: the file itself says what could not be graded; PrairieLearn reads results.json "
    "only after exit 0); 2 usage or lab-spec error; 3 no Docker engine or grader error; "
    "130 interrupted"
)
CHECK_EPILOG = (
    "exit status: 0 full marks; 1 checks failed; 2 usage or lab-spec error; 3 no Docker "
    "engine or grader error; 130 interrupted"
)


MAIN_EPILOG = """examples:
  labgrade check day2-apache                 check the Dockerfile in this folder (students)
  labgrade check day2-apache ./meu-lab --lang pt --watch
  labgrade grade day2-apache sub/ --json r.json --junit r.xml   (instructors, hidden checks too)
  labgrade batch day2-apache submissions/ --out grades/         (a whole class)
  labgrade list                              labs, and where each one comes from
  labgrade list --types                      check types and their fields
  labgrade schema > lab.schema.json          JSON Schema of lab.yaml, for editors

labs are looked up in: --labs DIR, $LABGRADE_LABS, .labgrade/labs here or in a parent
folder, ./labs, then the labs bundled with labgrade.

exit status: 0 success (check: full marks; grade: graded, whatever the score, or a platform
file written); 1 check: checks failed; 2 usage or lab-spec error; 3 no Docker engine or
grader error; 130 interrupted. `labgrade COMMAND --help` says more."""


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("labgrade")
    except PackageNotFoundError:  # run from a source tree that was never installed
        return "unknown"


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="labgrade", description="Grade Docker labs on a real engine.",
                                epilog=MAIN_EPILOG,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--version", action="version", version=f"labgrade {_version()}")
    p.add_argument("--labs", metavar="DIR",
                   help="folder of labs, searched first (see the lookup order below)")
    p.add_argument("--backend", default="sdk", help="Docker backend (default: sdk)")
    p.add_argument("-v", "--verbose", action="store_true", help="show debug logs and tracebacks")
    sub = p.add_subparsers(dest="command", metavar="COMMAND", required=True)

    s = sub.add_parser("list", help="list the labs (and with --types, the check types)")
    s.add_argument("--types", action="store_true", help="list the check types and their fields")
    s.add_argument("--markdown", action="store_true",
                   help="with --types: the reference page (docs/check-types.md)")
    sub.add_parser("schema", help="print the JSON Schema of lab.yaml (for editors)")

    for name, helptext in (("grade", "grade a submission (instructor view, hidden checks too)"),
                           ("check", "check your own work before you push (visible checks)")):
        s = sub.add_parser(name, help=helptext,
                           epilog=GRADE_EPILOG if name == "grade" else CHECK_EPILOG)
        s.add_argument("lab", help="lab id (see `labgrade list`) or a lab folder")
        if name == "grade":
            s.add_argument("submission", help="the submission folder")
        else:
            s.add_argument("submission", nargs="?", default=".", help="your folder (default: .)")
            s.add_argument("--live", action="store_true",
                           help="also check what you ran with Docker (images, containers)")
        _common_grade_args(s)

    s = sub.add_parser("validate", help="the solution scores full marks and each sample its score")
    s.add_argument("lab", nargs="?", help="lab id")
    s.add_argument("--all", action="store_true", help="validate every lab")
    s.add_argument("--lang", choices=("pt", "en"))

    s = sub.add_parser("demo", help="grade every lab's solution and samples; print a score table")
    s.add_argument("--out", default="out", help="folder for JSON and JUnit (default: out)")
    s.add_argument("--lang", choices=("pt", "en"))

    s = sub.add_parser("clean", help="remove containers, volumes and images labgrade left behind")
    from graders.cli.batch import add_parsers

    add_parsers(sub)
    from graders.cli.platform_cmd import add_parsers as add_platform

    add_platform(sub)
    from graders.cli.registry_cmd import add_parsers as add_registry

    add_registry(sub)
    return p


def _common_grade_args(s: argparse.ArgumentParser) -> None:
    for fmt in FORMAT_FLAGS:
        extra = " (grade then exits 0)" if fmt in PLATFORM_FLAGS else ""
        s.add_argument(f"--{fmt}", metavar="FILE", help=f"write the {fmt} report to FILE{extra}")
    s.add_argument("--lang", choices=("pt", "en"), help="language (default: from LANG)")
    s.add_argument("--build-timeout", type=float, metavar="S", help="cancel the build after S s")
    s.add_argument("--run-timeout", type=float, metavar="S", help="time for runtime checks")
    s.add_argument("--keep", action="store_true", help="keep the built image")
    from graders.cli.registry_cmd import registry_address

    s.add_argument("--registry", metavar="HOST[:PORT]", type=registry_address,
                   help="registry the image was pushed to (default: Docker Hub)")
    s.add_argument("--image", metavar="REF",
                   help="the pushed image (default: image: in the submission's labgrade.yaml)")


def main(argv: Sequence[str] | None = None, env: Env | None = None) -> ExitStatus:
    env = env or Env()
    parser = build_parser()
    try:  # --help and --version print to the Env's streams, as every other output does
        with contextlib.redirect_stdout(env.stdout), contextlib.redirect_stderr(env.stderr):
            args = parser.parse_args(argv)
    except SystemExit as e:
        return ExitStatus.SUCCESS if e.code == 0 else ExitStatus.USAGE_OR_SPEC_ERROR
    logging.basicConfig(level=logging.DEBUG if args.verbose else logging.WARNING,
                        format="%(levelname)s %(name)s: %(message)s", stream=env.stderr)
    reset()
    with contextlib.suppress(ValueError):  # not the main thread (tests)
        signal.signal(signal.SIGTERM, _on_sigterm)
        # A closed terminal or a dropped ssh ends labgrade as SIGTERM does, cleaning up (the
        # batch process included); under nohup SIGHUP stays ignored.
        if signal.getsignal(signal.SIGHUP) is not signal.SIG_IGN:
            signal.signal(signal.SIGHUP, _on_sigterm)
    try:
        from graders.cli import commands

        return commands.dispatch(args, env)
    except GraderError as e:
        env.err(f"labgrade: {e}")
        logger.debug("details", exc_info=True)
        return ExitStatus(e.exit_status)
    except KeyboardInterrupt:
        env.err("labgrade: interrupted; everything this run created was removed.")
        return ExitStatus.INTERRUPTED


def run() -> None:
    try:
        status = int(main())
        sys.stdout.flush()
    except BrokenPipeError:  # `labgrade list --types | head -1`: the reader has gone
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        status = 128 + signal.SIGPIPE
    sys.exit(status)
