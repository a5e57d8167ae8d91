"""`labgrade classroom init LAB DIR`: a GitHub Classroom template repository for one lab.

It holds the lab's `starter/` files, a README with the task in Portuguese and English, the lab
spec under `.labgrade/labs/` (for grading and for the student's own `labgrade check`) and
`.github/workflows/classroom.yml`, shaped as Classroom's generated workflows are
(platform-formats.md §1.2): the job `run-autograding-tests`, our `result` step output, and
`autograding-grading-reporter` reading it from `LABGRADE_RESULTS`, which sums each check's
score into the notice `Points X/Y` that Classroom reads, so partial credit arrives exactly.

Hidden checks: a lab copied into the student's repository can be read by the student, so the
copy keeps only the visible checks. With `labs_git`, the workflow fetches the full lab from the
instructor's repository at grading time, outside the build context, and grades them all.
Without it, Classroom grades the visible checks only and the hidden ones are left to
`labgrade batch`, unless the instructor asks for them to be copied (`with_hidden`), readable.
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path

from graders import __version__
from graders.errors import UsageError
from graders.i18n import Lang
from graders.instructor_tests import shipped_test_files
from graders.platforms import workflow
from graders.platforms.labcopy import lab_yaml_text
from graders.platforms.readme import readme_text
from graders.spec import Lab

DEFAULT_INSTALL = f"labgrade=={__version__}"
"""The version that wrote the template, pinned: a later release cannot change a course's grades."""
LABS_DIR = ".labgrade/labs"
WORKFLOW = ".github/workflows/classroom.yml"


@dataclass(frozen=True)
class ClassroomOptions:
    install: str = DEFAULT_INSTALL
    """What `pip install` gets: a requirement (`labgrade==0.2.0`), a wheel's URL or a git URL."""
    lang: Lang = "pt"
    """The language of the grade log, summary and annotations."""
    python: str = "3.12"
    labs_git: str | None = None
    """A git URL of the instructor's labs repository, fetched at grading time (hidden checks)."""
    labs_ref: str = ""
    labs_path: str = "labs"
    """The folder of labs inside `labs_git`."""
    token_secret: str = ""
    """The name of an Actions secret holding a token that can read `labs_git` (a private repo)."""
    with_hidden: bool = False
    """Copy hidden checks into the student's repository (where students can read them)."""
    force: bool = False


@dataclass(frozen=True)
class InitReport:
    files: tuple[Path, ...]
    warnings: tuple[str, ...]


def init_repo(lab: Lab, dest: Path, opts: ClassroomOptions) -> InitReport:
    """Write the template repository into `dest` (created; must be empty unless `force`)."""
    _check_options(opts)
    if dest.exists() and any(dest.iterdir()) and not opts.force:
        raise UsageError(f"{dest} is not empty; choose a new folder or pass --force to write "
                         "into it (files with the same names are replaced).")
    dest.mkdir(parents=True, exist_ok=True)
    warnings: list[str] = []
    files: list[Path] = []
    starter = lab.root / "starter"
    if starter.is_dir():
        shutil.copytree(starter, dest, symlinks=True, dirs_exist_ok=True,
                        ignore=shutil.ignore_patterns("__pycache__", ".git"))
        files += sorted(p for p in dest.rglob("*") if p.is_file() and ".labgrade" not in p.parts
                        and ".github" not in p.parts)
    else:
        warnings.append(f"{lab.id} has no starter/ folder: the repository starts without files.")
    hidden = [c for c in lab.checks if c.hidden and not c.live]
    spec = lab_yaml_text(lab, "classroom init", visible_only=not opts.with_hidden)
    if hidden and opts.with_hidden:
        warnings.append(
            f"{lab.id} has {len(hidden)} hidden check(s): --with-hidden copies them into "
            f"{LABS_DIR}/, where students can read them.")
    elif hidden and not opts.labs_git:
        points = sum(c.points for c in hidden)
        warnings.append(
            f"{lab.id} has {len(hidden)} hidden check(s), worth {points:g} points: they stay out "
            "of the students' repositories, so Classroom grades the visible checks only. Grade "
            "the hidden ones with `labgrade batch`, or pass --labs-git URL to fetch the whole "
            "lab at grading time (see docs/platforms.md).")
    if spec is not None:
        files.append(_write(dest / LABS_DIR / lab.id / "lab.yaml", spec))
        files += [_write(dest / LABS_DIR / lab.id / f.name, f.read_text(encoding="utf-8"))
                  for f in shipped_test_files(lab, visible_only=not opts.with_hidden)]
    files.append(_write(dest / "README.md",
                        readme_text(lab, self_check=spec is not None, labs_dir=LABS_DIR,
                                    install=opts.install,
                                    hidden_in_grade=bool(opts.labs_git or opts.with_hidden))))
    files.append(_write(dest / WORKFLOW, workflow_text(lab, opts)))
    return InitReport(tuple(files), tuple(warnings))


def workflow_text(lab: Lab, opts: ClassroomOptions) -> str:
    """The text of `.github/workflows/classroom.yml`."""
    if opts.labs_git:
        labs = "${{ runner.temp }}/labgrade-labs/" + opts.labs_path.strip("/")
        fetch = workflow.fetch_step(opts.labs_git, opts.labs_ref, opts.token_secret)
    else:
        labs, fetch = LABS_DIR, ""
    return workflow.fill(
        workflow.TEMPLATE, lab=lab.id, version=__version__, python=workflow.yaml_str(opts.python),
        install=workflow.yaml_str(opts.install), fetch=fetch, labs=workflow.yaml_str(labs),
        lang=opts.lang,
    )


def _check_options(opts: ClassroomOptions) -> None:
    for name, value in (("--install", opts.install), ("--labs-git", opts.labs_git or ""),
                        ("--labs-ref", opts.labs_ref), ("--labs-path", opts.labs_path),
                        ("--python", opts.python)):
        if "${{" in value or any(ch in value for ch in "\n\r\0"):
            raise UsageError(f"{name} {value!r} cannot hold a newline or `${{{{`: it goes into "
                             "the workflow file as plain text.")
    if not opts.install.strip():
        raise UsageError("--install is empty; give a pip requirement, e.g. labgrade==0.1.0.")
    if opts.token_secret and not opts.token_secret.replace("_", "").isalnum():
        raise UsageError(f"--token-secret {opts.token_secret!r} is not a secret name: use "
                         "letters, digits and _ (e.g. LABGRADE_LABS_TOKEN).")
    if opts.token_secret and not opts.labs_git:
        raise UsageError("--token-secret is for --labs-git; add --labs-git URL.")
    if opts.with_hidden and opts.labs_git:
        raise UsageError("--with-hidden copies hidden checks into the repository; --labs-git "
                         "keeps them out and fetches them at grading time. Choose one.")


def _write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path
