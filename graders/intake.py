"""Intake: look at a submission before anything of it is built or run."""

from __future__ import annotations

from pathlib import Path

from graders.dockerfile.model import Dockerfile
from graders.errors import UsageError


def check_submission(folder: Path) -> None:
    """The submission must be an existing folder (a usage error, not the student's fault)."""
    if not folder.exists():
        raise UsageError(f"Submission folder {folder} does not exist. Give the folder that holds "
                         "the student's Dockerfile.")
    if not folder.is_dir():
        raise UsageError(f"{folder} is not a folder. Give the folder that holds the Dockerfile.")


def load_submission_dockerfile(folder: Path, relative: str) -> Dockerfile | None:
    """The parsed Dockerfile, or None when there is none (or it is a symlink, which we refuse:
    it could point outside the submission)."""
    from graders.dockerfile.parser import load_dockerfile

    path = folder / relative
    if path.is_symlink() or not path.is_file():
        return None
    return load_dockerfile(path)
