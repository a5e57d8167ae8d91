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

        return validate_command(args, env) if args.command == "validate" else demo_command(args, env)
    if args.command == "clean":
        return clean(args, env)
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
    from graders.backends import get_backend
    from graders.backends.base import LABEL_RUN

    removed = get_backend(args.backend).remove_labelled(LABEL_RUN)
    for item in removed:
        env.out(f"removed {item}")
    env.out(f"{len(removed)} leftover(s) removed.")
    return ExitStatus.SUCCESS
