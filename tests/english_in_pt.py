"""English that must not reach a Portuguese reader: the phrases labgrade's command line said
in English before it spoke Portuguese throughout (issue 14), and the usual English words.

`english_in(text)` lists those found, as whole words. Loanwords Portuguese uses as they are
(build, worker, registry, lab, batch, Docker, ok) are not on the list; names that are not
labgrade's prose (paths, lab ids, sample folders, the engine's own error) are passed as
`allowed` and taken out first.
"""

from __future__ import annotations

import re

ENGLISH = (
    # argparse
    "usage", "error", "the following arguments are required", "unrecognized arguments",
    "invalid choice", "expected one argument", "See how to use it",
    # errors of the command line
    "Unknown lab", "Try", "does not exist", "is not a folder", "Give the folder", "Name a lab",
    "Cannot reach", "Is Docker running", "is not running", "Start Docker Desktop",
    # list, validate, batch
    "checks", "points", "bundled", "broken", "samples", "scored as expected", "expected",
    "student", "graded now", "unchanged", "kept", "errored", "Gradebook", "Summary", "Merged",
    "elapsed", "ETA", "grading", "fetching", "nothing to grade", "submission", "passed",
    "failed",
    # Ctrl-C, progress, refusals
    "interrupted", "everything this run created", "removed", "building the image",
    "starting the container", "waiting for the container", "checking", "refused",
    "before building", "Watching",
    # the table's words, and English prose at large
    "Score", "Hint", "Expected", "Actual", "Status", "Check", "Skipped", "Run", "Fix",
    "the", "and", "of", "with", "is", "not", "was", "found", "folder", "file", "give", "none",
)


def english_in(text: str, *allowed: str) -> list[str]:
    """The phrases of ENGLISH that `text` holds as whole words, ignoring case."""
    for name in sorted(allowed, key=len, reverse=True):
        text = text.replace(name, " ")
    return [phrase for phrase in ENGLISH
            if re.search(rf"(?<![\w/.-]){re.escape(phrase)}(?![\w/.-])", text, re.I)]
