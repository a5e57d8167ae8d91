"""`labgrade`: the command line, a thin front end over graders.engine.

`main` parses (graders/cli/parser.py), installs the signal handlers and turns a GraderError into
one line and its exit status; graders/cli/commands.py hands each command to its module."""

from __future__ import annotations

import contextlib
import logging
import os
import signal
import sys
from collections.abc import Sequence

from graders.cli import commands
from graders.cli.env import Env, ExitStatus
from graders.cli.interrupt import _on_sigterm, reset
from graders.cli.parser import build_parser
from graders.cli.parser_lang import argv_lang
from graders.errors import GraderError
from graders.i18n import Text

logger = logging.getLogger("graders")

INTERRUPTED = Text(
    "labgrade: interrompido; tudo o que esta execução criou foi removido. Rode o mesmo comando "
    "para recomeçar (um batch continua de onde parou).",
    "labgrade: interrupted; everything this run created was removed. Run the same command to "
    "start again (a batch resumes where it stopped).",
)


def main(argv: Sequence[str] | None = None, env: Env | None = None) -> ExitStatus:
    env = env or Env()
    argv = sys.argv[1:] if argv is None else list(argv)
    parser = build_parser(env.lang(argv_lang(argv)))
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
    lang = env.lang(getattr(args, "lang", None))
    try:
        return commands.dispatch(args, env)
    except GraderError as e:
        env.err(f"labgrade: {e.message(lang)}")
        logger.debug("details", exc_info=True)
        return ExitStatus(e.exit_status)
    except KeyboardInterrupt:
        env.err(INTERRUPTED(lang))
        return ExitStatus.INTERRUPTED


def run() -> None:
    try:
        status = int(main())
        sys.stdout.flush()
    except BrokenPipeError:  # `labgrade list --types | head -1`: the reader has gone
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        status = 128 + signal.SIGPIPE
    sys.exit(status)
