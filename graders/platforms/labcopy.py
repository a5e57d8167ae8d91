"""The lab spec as shipped to a platform: `lab.yaml` without what only the lab's own repo needs.

Samples point to `solution/` and `submissions/`, which are never shipped (a student repository
must not hold the solution), so `samples:` is dropped. `visible_only=True` also drops hidden
checks, with every remaining check's resolved points written out, so a student's self-check
scores each visible check exactly as the full lab does.
"""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path
from typing import Any

import yaml

from graders import __version__
from graders.checks.base import Need
from graders.checks.instructor_test import InstructorTest
from graders.instructor_tests import shipped_test_files
from graders.spec import Lab, parse_lab

HEADER = (
    "# Copied from labs/{id}/lab.yaml by `labgrade {command}` (labgrade {version}).\n"
    "# {note}\n"
)


def lab_yaml_text(lab: Lab, command: str, visible_only: bool = False) -> str | None:
    """The YAML text to ship, or None when `visible_only` leaves no check to grade."""
    data: dict[str, Any] = yaml.safe_load(lab.spec_file.read_text(encoding="utf-8"))
    data.pop("samples", None)
    note = "Samples are left out: their folders stay with the instructor."
    if visible_only:
        resolved = {c.id: c for c in lab.checks}
        kept = []
        for raw in data.get("checks") or []:
            spec = resolved[raw["id"]]
            if spec.hidden:
                continue
            kept.append({**raw, "points": spec.points})
        graded = [resolved[c["id"]] for c in kept if resolved[c["id"]].need is not Need.LIVE]
        shipped = shipped_test_files(lab, visible_only=True)
        graded += [c for c in lab.checks if isinstance(c.check, InstructorTest)
                   and Path(c.check.file) in shipped]
        if not graded:
            return None
        data["checks"] = kept
        data["points"] = round(sum(c.points for c in graded), 4)
        note = ("Visible checks only, for `labgrade check`; the grading workflow fetches the "
                "full lab.")
    with tempfile.TemporaryDirectory() as tmp:  # what we ship must load (else SpecError)
        copy = Path(tmp) / lab.root.name
        copy.mkdir()
        for test_file in shipped_test_files(lab, visible_only):
            shutil.copy(test_file, copy / test_file.name)
        parse_lab(data, copy)
    header = HEADER.format(id=lab.id, command=command, version=__version__, note=note)
    return header + yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=100)
