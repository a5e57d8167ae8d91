"""Folder chains nested deeper than Python's recursion limit, made and removed without
recursion: os.makedirs, shutil.rmtree and pytest's own tmp clean-up all recurse."""

from __future__ import annotations

import os
from pathlib import Path

from graders.batch.source import remove_tree


def chain(folder: Path, depth: int, leaf: str | None = None) -> Path:
    """`depth` nested folders d/d/d/... under `folder`; a file named `leaf` at the bottom."""
    path = str(folder)
    for _ in range(depth):
        path = os.path.join(path, "d")
        os.mkdir(path)
    if leaf:
        Path(path, leaf).write_text("x")
    return Path(path)


def remove_all(folder: Path) -> None:
    """Everything under `folder`, iteratively (call it from a fixture after the test)."""
    for child in list(folder.iterdir()):
        remove_tree(child)
