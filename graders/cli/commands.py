"""Dispatch of the CLI's commands to their modules."""

from __future__ import annotations

import argparse

from graders.cli.env import Env, ExitStatus


def dispatch(args: argparse.Namespace, env: Env) -> ExitStatus:
    if args.command == "list":
        return list_labs(args, env)
    if args.command in ("grade", "check"):
        from graders.cli.grading import grade_command

        return grade_command(args, env)
    if args.command in ("validate", "demo"):
        from graders.cli.validate import demo_command, validate_command

        command = validate_command if args.command == "validate" else demo_command
        return command(args, env)
    if args.command == "clean":
        return clean(args, env)
    if args.command in ("batch", "merge"):
        from graders.cli.batch import run as batch_run

        return batch_run(args, env)
    if args.command in ("classroom", "gradescope"):
        from graders.cli.platform_cmd import run as platform_run

        return platform_run(args, env)
    if args.command == "registry":
        from graders.cli.registry_cmd import run as registry_run

        return registry_run(args, env)
    raise AssertionError(args.command)  # argparse allows only the commands above


def list_labs(args: argparse.Namespace, env: Env) -> ExitStatus:
    from graders.i18n import default_lang

    lang = default_lang(env.environ)
    if args.types:
        from graders.checks import CHECKS, get_check_class

        for name in sorted(CHECKS):
            cls = get_check_class(name)
            env.out(f"{name:24} {cls.need.name.lower():10} {cls.default_title(lang)}")
        return ExitStatus.SUCCESS
    from graders.spec import lab_ids, labs_root, load_lab

    root = labs_root(args.labs)
    for lab_id in lab_ids(root):
        lab = load_lab(lab_id, root)
        env.out(f"{lab.id:22} {len(lab.checks):3} checks {lab.points:5g} points  {lab.title(lang)}")
    return ExitStatus.SUCCESS


def clean(args: argparse.Namespace, env: Env) -> ExitStatus:
    """Remove what crashed runs left; never what a running grading (here or in another
    terminal) still uses, nor, when no lock tells, anything younger than the grace period
    (LABGRADE_REAP_GRACE seconds, default 3600; 0 removes every leftover).

    See graders/cleanup.py for the rules."""
    from graders.backends import get_backend
    from graders.cleanup import reap

    outcome = reap(get_backend(args.backend), include_kept=True)
    for item in outcome.removed:
        env.out(f"removed {item}")
    env.out(f"{len(outcome.removed)} leftover(s) removed.")
    if outcome.kept:
        env.out(f"{len(outcome.kept)} kept: they belong to a running or recent grading run "
                "(LABGRADE_REAP_GRACE=0 labgrade clean removes the recent ones too).")
    return ExitStatus.SUCCESS
