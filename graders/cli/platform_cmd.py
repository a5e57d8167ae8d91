"""`labgrade classroom init` and `labgrade gradescope build`, plus the platform flags of
`grade` and `check` (`--student-view`, `--gradescope-visibility`, `--watch`, `--poll`).

The flags are added here, to the parsers main.py already built, so that the platform work
lives in one module and main.py keeps a single registration line for it.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from graders.cli.env import Env, ExitStatus


def add_parsers(sub: Any) -> None:
    """Register the platform commands on main.py's subparsers, and extend grade/check."""
    _extend_grading(sub.choices)
    s = sub.add_parser("classroom", help="GitHub Classroom: make a template repository")
    csub = s.add_subparsers(dest="action", metavar="ACTION", required=True)
    c = csub.add_parser("init", help="write a student template repository for a lab")
    c.add_argument("lab", help="lab id (see `labgrade list`) or a lab folder")
    c.add_argument("dir", help="the folder to create (must be empty unless --force)")
    _install_arg(c)
    c.add_argument("--lang", choices=("pt", "en"), help="language of the grade log and summary")
    c.add_argument("--python", default="3.12", help="Python for the runner (default: 3.12)")
    c.add_argument("--labs-git", metavar="URL",
                   help="fetch the lab from this git repository at grading time, so hidden "
                        "checks stay out of the student's repository")
    c.add_argument("--labs-ref", default="", metavar="REF", help="branch or tag of --labs-git")
    c.add_argument("--labs-path", default="labs", metavar="DIR",
                   help="folder of labs inside --labs-git (default: labs)")
    c.add_argument("--token-secret", default="", metavar="NAME",
                   help="Actions secret with a token that can read a private --labs-git")
    c.add_argument("--with-hidden", action="store_true",
                   help="copy hidden checks into the repository too, where students can read "
                        "them (default: left out, for `labgrade batch` or --labs-git)")
    c.add_argument("--force", action="store_true", help="write into a folder that is not empty")

    s = sub.add_parser("gradescope", help="Gradescope: build the autograder zip")
    gsub = s.add_subparsers(dest="action", metavar="ACTION", required=True)
    g = gsub.add_parser("build", help="write the autograder zip for a lab")
    g.add_argument("lab", help="lab id (see `labgrade list`) or a lab folder")
    g.add_argument("--out", metavar="FILE", help="the zip to write (default: LAB-gradescope.zip)")
    _install_arg(g, local=True)
    g.add_argument("--lang", choices=("pt", "en"), help="language of the feedback")
    g.add_argument("--hidden-visibility", default="hidden",
                   choices=("hidden", "after_due_date", "after_published"),
                   help="when students see hidden checks (default: never)")


def _install_arg(p: argparse.ArgumentParser, local: bool = False) -> None:
    # classroom_init.DEFAULT_INSTALL, spelt out: importing it here made every command, --help
    # included, import graders.platforms (+45 ms). tests/unit/test_benchmarks_smoke.py checks
    # that the two agree.
    from graders import __version__

    extra = "; a local .whl or .tar.gz is bundled into the zip" if local else ""
    p.add_argument("--install", default=f"labgrade=={__version__}", metavar="SPEC",
                   help="what pip installs: a pinned requirement, a wheel's URL or a git URL "
                        f"(default: %(default)s, this labgrade){extra}")


def _extend_grading(parsers: dict[str, argparse.ArgumentParser]) -> None:
    grade, check = parsers.get("grade"), parsers.get("check")
    if grade is not None:
        grade.add_argument("--student-view", action="store_true",
                           help="grade hidden checks too, but print and write only what a "
                                "student may see (Classroom, Gradescope)")
        grade.add_argument("--gradescope-visibility", metavar="VIS",
                           choices=("hidden", "after_due_date", "after_published"),
                           help="Gradescope visibility of hidden checks (default: hidden)")
    if check is not None:
        check.add_argument("--watch", action="store_true",
                           help="grade again whenever a file in the folder changes (Ctrl-C ends)")
        check.add_argument("--poll", type=float, default=1.0, metavar="S",
                           help="with --watch, seconds between looks for changes (default: 1)")


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
