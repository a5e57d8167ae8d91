"""The whole `labgrade` command line: every command with its flags, defaults and help.

Each command's code is in its own module (commands, grading, validate, batch, platform_cmd,
registry_cmd), imported only once it runs: building this parser imports none of
graders.platforms, graders.engine, docker or yaml, so `labgrade --help` stays fast.

`grade` and `check` get one `--NAME FILE` flag per file format of the reporter table
(graders/cli/formats.py); the files asked for arrive as `args.reports`, {format: file}. Both
commands carry the same attributes: a flag only one of them has is a default on the other.
"""

from __future__ import annotations

import argparse
from typing import Any

from graders import __version__
from graders.cli.formats import FORMAT_FLAGS, PLATFORM_FLAGS, either
from graders.cli.parser_lang import LocalParser
from graders.cli.registry_cmd import ENV_PASSWORD, registry_address
from graders.i18n import Lang

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
GRADE_EPILOG = (
    "exit status: 0 when grading completed, whatever the score, and also whenever a "
    f"{either(PLATFORM_FLAGS)} file was written (even with no Docker "
    "engine: the file itself says what could not be graded; PrairieLearn reads results.json "
    "only after exit 0); 2 usage or lab-spec error; 3 no Docker engine or grader error; "
    "130 interrupted"
)
CHECK_EPILOG = (
    "exit status: 0 full marks; 1 checks failed; 2 usage or lab-spec error; 3 no Docker "
    "engine or grader error; 130 interrupted"
)
LANGS = ("pt", "en")
VISIBILITIES = ("hidden", "after_due_date", "after_published")
"""Gradescope's `visibility` values for hidden checks."""


def build_parser(lang: Lang = "en") -> argparse.ArgumentParser:
    """The parser; `lang` is the language of its errors (the help stays English)."""
    p = LocalParser(prog="labgrade", description="Grade Docker labs on a real engine.",
                    epilog=MAIN_EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter,
                    lang=lang)
    p.add_argument("--version", action="version", version=f"labgrade {__version__}")
    p.add_argument("--labs", metavar="DIR",
                   help="folder of labs, searched first (see the lookup order below)")
    p.add_argument("--backend", default="sdk", help="Docker backend (default: sdk)")
    p.add_argument("-v", "--verbose", action="store_true", help="show debug logs and tracebacks")
    sub = p.add_subparsers(dest="command", metavar="COMMAND", required=True)

    s = sub.add_parser("list", help="list the labs (and with --types, the check types)")
    s.add_argument("--types", action="store_true", help="list the check types and their fields")
    s.add_argument("--markdown", action="store_true",
                   help="with --types: the reference page (docs/check-types.md)")
    s.add_argument("--lang", choices=LANGS, help="language (default: from LANG)")
    sub.add_parser("schema", help="print the JSON Schema of lab.yaml (for editors)")
    _grade(sub)
    _check(sub)
    _validate_and_demo(sub)
    sub.add_parser("clean", help="remove containers, volumes and images labgrade left behind")
    _batch_and_merge(sub)
    _classroom(sub)
    _gradescope(sub)
    _registry(sub)
    return p


class _ReportFile(argparse._StoreAction):
    """`--FORMAT FILE`: adds {format: FILE} to `args.reports` (None when no report is asked)."""

    def __init__(self, *args: Any, report: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.report = report

    def __call__(self, parser: argparse.ArgumentParser, namespace: argparse.Namespace,
                 values: Any, option_string: str | None = None) -> None:
        setattr(namespace, self.dest, {**(getattr(namespace, self.dest) or {}),
                                       self.report: values})


def _grade(sub: Any) -> None:
    s = sub.add_parser("grade", help="grade a submission (instructor view, hidden checks too)",
                       epilog=GRADE_EPILOG)
    s.add_argument("lab", help="lab id (see `labgrade list`) or a lab folder")
    s.add_argument("submission", help="the submission folder")
    _grading_args(s)
    s.add_argument("--student-view", action="store_true",
                   help="grade hidden checks too, but print and write only what a "
                        "student may see (Classroom, Gradescope)")
    s.add_argument("--gradescope-visibility", metavar="VIS", choices=VISIBILITIES,
                   help="Gradescope visibility of hidden checks (default: hidden)")
    s.set_defaults(live=False, watch=False)


def _check(sub: Any) -> None:
    s = sub.add_parser("check", help="check your own work before you push (visible checks)",
                       epilog=CHECK_EPILOG)
    s.add_argument("lab", help="lab id (see `labgrade list`) or a lab folder")
    s.add_argument("submission", nargs="?", default=".", help="your folder (default: .)")
    s.add_argument("--live", action="store_true",
                   help="also check what you ran with Docker (images, containers)")
    _grading_args(s)
    s.add_argument("--watch", action="store_true",
                   help="grade again whenever a file in the folder changes (Ctrl-C ends)")
    s.add_argument("--poll", type=float, default=1.0, metavar="S",
                   help="with --watch, seconds between looks for changes (default: 1)")
    s.set_defaults(student_view=True, gradescope_visibility=None)


def _grading_args(s: argparse.ArgumentParser) -> None:
    """What `grade` and `check` share: the report files, the language, time-outs, the image."""
    for fmt in FORMAT_FLAGS:
        extra = " (grade then exits 0)" if fmt in PLATFORM_FLAGS else ""
        s.add_argument(f"--{fmt}", action=_ReportFile, report=fmt, dest="reports",
                       metavar="FILE", help=f"write the {fmt} report to FILE{extra}")
    s.add_argument("--lang", choices=LANGS, help="language (default: from LANG)")
    s.add_argument("--build-timeout", type=float, metavar="S", help="cancel the build after S s")
    s.add_argument("--run-timeout", type=float, metavar="S", help="time for runtime checks")
    s.add_argument("--keep", action="store_true", help="keep the built image")
    s.add_argument("--registry", metavar="HOST[:PORT]", type=registry_address,
                   help="registry the image was pushed to (default: Docker Hub)")
    s.add_argument("--image", metavar="REF",
                   help="the pushed image (default: image: in the submission's labgrade.yaml)")


def _validate_and_demo(sub: Any) -> None:
    s = sub.add_parser("validate", help="the solution scores full marks and each sample its score")
    s.add_argument("lab", nargs="?", help="lab id")
    s.add_argument("--all", action="store_true", help="validate every lab")
    s.add_argument("--lang", choices=LANGS)

    s = sub.add_parser("demo", help="grade every lab's solution and samples; print a score table")
    s.add_argument("--out", default="out", help="folder for JSON and JUnit (default: out)")
    s.add_argument("--lang", choices=LANGS)
    s.set_defaults(lab=None, all=True)  # demo grades every lab


def _batch_and_merge(sub: Any) -> None:
    s = sub.add_parser("batch", help="grade a whole class: parallel, resumable, a gradebook")
    s.add_argument("lab", help="lab id (see `labgrade list`) or a lab folder")
    s.add_argument("roster", help="a folder of submission folders (one per student) or a CSV "
                                  "of student,path-or-git-URL[,ref]")
    s.add_argument("--out", required=True, metavar="DIR", help="out folder (results, gradebook, "
                   "summaries, labgrade.sqlite); rerun with the same DIR to resume")
    s.add_argument("--jobs", "-j", type=int, metavar="N", help="gradings at once, at most "
                   "(default: 4.5 per CPU, fewer while Docker answers slowly; builds take turns, "
                   "one per CPU)")
    s.add_argument("--force", action="store_true", help="regrade everyone, even if unchanged")
    s.add_argument("--only-failed", action="store_true",
                   help="regrade those below full marks or errored, even if unchanged")
    s.add_argument("--deadline", metavar="ISO", help="grade git submissions at their last "
                   "commit before this time (e.g. 2024-05-01T23:59:00-03:00)")
    s.add_argument("--shard", metavar="K/N", help="grade only slice K of N (stable; for a CI "
                   "matrix), then `labgrade merge`")
    s.add_argument("--docker-host", action="append", default=[], metavar="URL",
                   help="a Docker engine to use (repeatable: workers are spread round-robin)")
    s.add_argument("--timeout", type=float, metavar="S", help="hard limit per student "
                   "(default: the lab's build + run time-outs + 120 s)")
    s.add_argument("--lang", choices=LANGS, help="language of reports and summaries")
    s.add_argument("--registry", metavar="HOST[:PORT]", type=registry_address,
                   help="registry the images were pushed to (default: Docker Hub)")

    s = sub.add_parser("shard-workflow", help="a GitHub Actions workflow grading a class over N "
                       "runners (batch --shard), then merging the gradebook")
    s.add_argument("lab", help="lab id")
    s.add_argument("roster", help="the roster's path in the repository that holds the workflow")
    s.add_argument("--shards", type=int, required=True, metavar="N", help="runners (2-256)")
    s.add_argument("--labs", metavar="DIR", help="the labs folder's path in that repository "
                   "(default: the labs bundled with labgrade)")
    s.add_argument("--deadline", metavar="ISO", help="grade git submissions as of this time")
    s.add_argument("--install", metavar="SPEC", help="pip requirement the runners install "
                   "(default: this labgrade's version)")
    s.add_argument("--out", metavar="FILE", help="write it there, e.g. "
                   ".github/workflows/grade.yml (default: print it)")
    s.add_argument("--lang", choices=LANGS)

    s = sub.add_parser("merge", help="merge `batch --shard` out folders into one gradebook")
    s.add_argument("dirs", nargs="+", metavar="DIR", help="shard out folders")
    s.add_argument("--out", required=True, metavar="DIR",
                   help="the merged out folder (new, or one earlier merges wrote)")
    s.add_argument("--lang", choices=LANGS, help="language of reports and summaries")


def _classroom(sub: Any) -> None:
    s = sub.add_parser("classroom", help="GitHub Classroom: make a template repository")
    actions = s.add_subparsers(dest="action", metavar="ACTION", required=True)
    c = actions.add_parser("init", help="write a student template repository for a lab")
    c.add_argument("lab", help="lab id (see `labgrade list`) or a lab folder")
    c.add_argument("dir", help="the folder to create (must be empty unless --force)")
    _install_arg(c)
    c.add_argument("--lang", choices=LANGS, help="language of the grade log and summary")
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


def _gradescope(sub: Any) -> None:
    s = sub.add_parser("gradescope", help="Gradescope: build the autograder zip")
    actions = s.add_subparsers(dest="action", metavar="ACTION", required=True)
    g = actions.add_parser("build", help="write the autograder zip for a lab")
    g.add_argument("lab", help="lab id (see `labgrade list`) or a lab folder")
    g.add_argument("--out", metavar="FILE", help="the zip to write (default: LAB-gradescope.zip)")
    _install_arg(g, local=True)
    g.add_argument("--lang", choices=LANGS, help="language of the feedback")
    g.add_argument("--hidden-visibility", default="hidden", choices=VISIBILITIES,
                   help="when students see hidden checks (default: never)")


def _install_arg(p: argparse.ArgumentParser, local: bool = False) -> None:
    # classroom_init.DEFAULT_INSTALL, spelt out: importing it here made every command, --help
    # included, import graders.platforms (+45 ms). tests/unit/test_benchmarks_smoke.py checks
    # that the two agree.

    extra = "; a local .whl or .tar.gz is bundled into the zip" if local else ""
    p.add_argument("--install", default=f"labgrade=={__version__}", metavar="SPEC",
                   help="what pip installs: a pinned requirement, a wheel's URL or a git URL "
                        f"(default: %(default)s, this labgrade){extra}")


def _registry(sub: Any) -> None:
    p = sub.add_parser("registry", help="run a local registry to practise docker push")
    actions = p.add_subparsers(dest="registry_action", metavar="ACTION", required=True)
    up = actions.add_parser("up", help="start the registry on 127.0.0.1 (kept running)")
    up.add_argument("--port", type=int, default=5000, help="port on 127.0.0.1 (default: 5000)")
    up.add_argument("--auth", metavar="USER[:PASSWORD]",
                    help=f"ask for this login (no :PASSWORD: from ${ENV_PASSWORD} or a prompt)")
    for action in (up, actions.add_parser("down", help="stop it; what was pushed is kept"),
                   actions.add_parser("status", help="is it running, and where")):
        action.add_argument("--state", metavar="DIR",
                            help="state folder (default: $LABGRADE_STATE/registry or "
                                 ".state/registry in the checkout)")
