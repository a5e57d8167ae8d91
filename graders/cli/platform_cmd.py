"""`labgrade classroom init` and `labgrade gradescope build`."""

from __future__ import annotations

import argparse
from pathlib import Path

from graders.cli.env import Env, ExitStatus
from graders.i18n import Text

WARNING = Text("labgrade: aviso: ", "labgrade: warning: ")
TEMPLATE_WRITTEN = Text(
    "Repositório modelo de {lab} escrito em {dest}: envie-o ao GitHub, marque-o como template "
    "e use-o como código inicial da tarefa no GitHub Classroom.",
    "Template repository for {lab} written to {dest}: push it to GitHub, mark it a template, "
    "and use it as the assignment's starter code in GitHub Classroom.",
)
ZIP_WRITTEN = Text(
    "Autograder de {lab} escrito em {out}: envie-o na página Configure Autograder da tarefa. "
    "O Gradescope não tem Docker engine: leia docs/platforms.md.",
    "Autograder for {lab} written to {out}: upload it in the assignment's Configure Autograder "
    "page. Gradescope has no Docker engine: read docs/platforms.md.",
)


def run(args: argparse.Namespace, env: Env) -> ExitStatus:
    from graders.spec import labs_root, load_lab

    lab = load_lab(args.lab, labs_root(args.labs))
    lang = env.lang(args.lang)
    if args.command == "classroom":
        from graders.platforms.classroom_init import ClassroomOptions, init_repo

        opts = ClassroomOptions(install=args.install, lang=lang, python=args.python,
                                labs_git=args.labs_git, labs_ref=args.labs_ref,
                                labs_path=args.labs_path, token_secret=args.token_secret,
                                with_hidden=args.with_hidden, force=args.force)
        dest = Path(args.dir)
        report = init_repo(lab, dest, opts)
        for warning in report.warnings:
            env.err(WARNING(lang) + str(warning))
        for path in report.files:
            env.out(str(path))
        env.err(TEMPLATE_WRITTEN.format(lab=lab.id, dest=str(dest))(lang))
        return ExitStatus.SUCCESS
    from graders.platforms.gradescope_build import GradescopeOptions, build_zip

    out = Path(args.out or f"{lab.id}-gradescope.zip")
    names = build_zip(lab, out, GradescopeOptions(args.install, lang, args.hidden_visibility))
    for name in names:
        env.out(name)
    env.err(ZIP_WRITTEN.format(lab=lab.id, out=str(out))(lang))
    return ExitStatus.SUCCESS
