"""The command line users learnt: every command's flags, defaults, choices and help, as pinned in
fixtures/cli_parser.json (taken before the parser moved into graders/cli/parser.py).

A flag that is renamed, dropped or given another default breaks scripts, workflows and the
docs; change the snapshot only on purpose: `python tests/unit/test_cli_parser.py`.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

SNAPSHOT = Path(__file__).parent / "fixtures" / "cli_parser.json"


def parsers(p: argparse.ArgumentParser, path: str = "") -> Iterator[tuple[str, Any]]:
    yield path, p
    for action in p._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, sub in action.choices.items():
                yield from parsers(sub, f"{path} {name}".strip())


def argparse_kind(a: argparse.Action) -> str:
    """The argparse action it behaves as: `_ReportFile(_StoreAction)` stores a value as
    `store` does (where it puts it is the code's business)."""
    return next(c.__name__ for c in type(a).__mro__ if c.__module__ == "argparse").lstrip("_")


def describe_action(a: argparse.Action) -> dict[str, Any]:
    """What a user sees of one argument: its spelling, value, default and help (not its dest,
    which is the code's business), version-independent unlike `format_help()`."""
    if isinstance(a, argparse._SubParsersAction):
        return {"commands": {c.dest: c.help for c in a._choices_actions},
                "metavar": a.metavar, "required": a.required}
    return {
        "options": a.option_strings or None,
        "name": None if a.option_strings else (a.metavar or a.dest),
        "kind": argparse_kind(a),
        "nargs": a.nargs,
        "metavar": a.metavar,
        "default": a.default if a.default is None else repr(a.default),
        "type": getattr(a.type, "__name__", None),
        "choices": list(a.choices) if a.choices else None,
        "required": a.required,
        "help": a.help,
    }


def describe(p: argparse.ArgumentParser) -> dict[str, Any]:
    """Every command's arguments; labgrade's own version (the `--install` default) as {version}."""
    from graders import __version__

    found = {path or "labgrade": {"prog": sub.prog, "description": sub.description,
                                  "epilog": sub.epilog,
                                  "arguments": [describe_action(a) for a in sub._actions]}
             for path, sub in parsers(p)}
    text = json.dumps(found).replace(f"labgrade=={__version__}", "labgrade=={version}")
    result: dict[str, Any] = json.loads(text)
    return result


def test_every_command_keeps_its_flags_defaults_and_help() -> None:
    from graders.cli.main import build_parser

    expected = json.loads(SNAPSHOT.read_text())
    now = describe(build_parser())
    assert sorted(now) == sorted(expected)  # the same commands
    for command in expected:
        assert now[command] == expected[command], command


def test_each_file_format_of_the_reporter_table_is_a_flag_of_grade_and_check() -> None:
    """A reporter added to graders.reporters.REPORTERS is `--NAME FILE` on both commands, its
    file lands in `args.reports`, and a platform's is named in grade's exit-status help."""
    from graders.cli.main import build_parser
    from graders.reporters import REPORTERS

    files = [name for name, fmt in REPORTERS.items() if fmt.file]
    commands = dict(parsers(build_parser()))
    for command in ("grade", "check"):
        flags = {o for a in commands[command]._actions for o in a.option_strings}
        assert {f"--{name}" for name in files} <= flags
        assert not {f"--{name}" for name in REPORTERS if name not in files} & flags
    argv = [x for name in files for x in (f"--{name}", f"{name}.out")]
    args = build_parser().parse_args(["grade", "lab", "sub", *argv])
    assert args.reports == {name: f"{name}.out" for name in files}
    assert build_parser().parse_args(["check", "lab"]).reports is None
    epilog = " ".join(commands["grade"].epilog.split())
    assert all(f"--{name}" in epilog for name, fmt in REPORTERS.items() if fmt.platform)


if __name__ == "__main__":  # rewrite the snapshot from the parser as it is now
    sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
    from graders.cli.main import build_parser

    SNAPSHOT.write_text(json.dumps(describe(build_parser()), indent=1, ensure_ascii=False) + "\n")
