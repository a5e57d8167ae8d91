"""`labgrade classroom init` and `labgrade gradescope build`."""

from __future__ import annotations

import argparse
from pathlib import Path

from graders.cli.env import Env, ExitStatus


def run(args: argparse.Namespace, env: Env) -> ExitStatus:
    from graders.i18n import default_lang
    from graders.spec import labs_root, load_lab

    lab = load_lab(args.lab, labs_root(args.labs))
    lang = args.lang or default_lang(env.environ)
    if args.command == "classroom":
        from graders.platforms.classroom_init import ClassroomOptions, init_repo

        opts = ClassroomOptions(install=args.install, lang=lang, python=args.python,
                                labs_git=args.labs_git, labs_ref=args.labs_ref,
                                labs_path=args.labs_path, token_secret=args.token_secret,
                                with_hidden=args.with_hidden, force=args.force)
        dest = Path(args.dir)
        report = init_repo(lab, dest, opts)
        for warning in report.warnings:
            env.err(f"labgrade: warning: {warning}")
        for path in report.files:
            env.out(str(path))
        env.err(f"Template repository for {lab.id} written to {dest}: push it to GitHub, mark it "
                "a template, and use it as the assignment's starter code in GitHub Classroom.")
        return ExitStatus.SUCCESS
    from graders.platforms.gradescope_build import GradescopeOptions, build_zip

    out = Path(args.out or f"{lab.id}-gradescope.zip")
    names = build_zip(lab, out, GradescopeOptions(args.install, lang, args.hidden_visibility))
    for name in names:
        env.out(name)
    env.err(f"Autograder for {lab.id} written to {out}: upload it in the assignment's "
            "Configure Autograder page. Gradescope has no Docker engine: read docs/platforms.md.")
    return ExitStatus.SUCCESS
