"""The report formats `grade` and `check` write, one `--NAME FILE` flag each, read from the
reporter table (graders.reporters.REPORTERS): a reporter added there is a flag here."""

from __future__ import annotations

from graders.reporters import REPORTERS

FORMAT_FLAGS = tuple(name for name, fmt in REPORTERS.items() if fmt.file)
PLATFORM_FLAGS = tuple(name for name, fmt in REPORTERS.items() if fmt.platform)
"""Formats a grading platform reads: once `grade` has written one, it exits 0."""


def either(flags: tuple[str, ...]) -> str:
    """`--a, --b or --c`, for help texts."""
    names = [f"--{flag}" for flag in flags]
    return " or ".join(filter(None, (", ".join(names[:-1]), names[-1])))
