"""Where labs come from, in one place.

A lab id is looked up in these folders, first match wins:

1. `--labs DIR` (the command line);
2. `$LABGRADE_LABS`;
3. `.labgrade/labs` in the current folder or the nearest parent that has one (what
   `labgrade classroom init` writes into a student's template repository);
4. `./labs` (an instructor's course repository, or this project's checkout);
5. the labs bundled with the installed package.

A path to a folder holding `lab.yaml` is taken as it is, whatever the search says.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

LAB_FILE = "lab.yaml"
TEMPLATE_LABS = Path(".labgrade") / "labs"


@dataclass(frozen=True)
class LabSource:
    path: Path
    origin: str
    """How this folder was chosen: --labs, $LABGRADE_LABS, .labgrade/labs, ./labs or bundled."""

    def lab_ids(self) -> list[str]:
        if not self.path.is_dir():
            return []
        return sorted(p.name for p in self.path.iterdir() if (p / LAB_FILE).is_file())


def bundled_labs() -> Path:
    """The labs shipped with the package: graders/labs in a wheel, labs/ in a checkout."""
    package = Path(__file__).resolve().parent
    installed = package / "labs"
    return installed if installed.is_dir() else package.parent / "labs"


def _template_labs(start: Path) -> Path | None:
    for folder in (start, *start.parents):
        candidate = folder / TEMPLATE_LABS
        if candidate.is_dir():
            return candidate
    return None


def lab_sources(explicit: str | Path | None = None, cwd: Path | None = None,
                environ: Mapping[str, str] | None = None) -> list[LabSource]:
    """Every folder a lab id is looked up in, in order (duplicates dropped)."""
    environ = os.environ if environ is None else environ
    here = (cwd or Path.cwd()).resolve()
    found: list[LabSource] = []
    if explicit:
        found.append(LabSource(Path(explicit), "--labs"))
    if environ.get("LABGRADE_LABS"):
        found.append(LabSource(Path(environ["LABGRADE_LABS"]), "$LABGRADE_LABS"))
    template = _template_labs(here)
    if template is not None:
        found.append(LabSource(template, ".labgrade/labs"))
    if (here / "labs").is_dir():
        found.append(LabSource(here / "labs", "./labs"))
    found.append(LabSource(bundled_labs(), "bundled"))
    return _unique(found)


def _unique(sources: Iterable[LabSource]) -> list[LabSource]:
    seen: set[Path] = set()
    kept = []
    for source in sources:
        key = source.path.resolve()
        if key not in seen:
            seen.add(key)
            kept.append(source)
    return kept


def available(sources: list[LabSource]) -> list[tuple[str, LabSource]]:
    """Each lab id once, with the folder it is found in (an earlier folder shadows a later)."""
    chosen: dict[str, LabSource] = {}
    for source in sources:
        for lab_id in source.lab_ids():
            chosen.setdefault(lab_id, source)
    return sorted(chosen.items())


def locate(name: str, sources: list[LabSource]) -> Path | None:
    """The lab folder for an id or a path, or None when no source has it."""
    path = Path(name)
    if (path / LAB_FILE).is_file():
        return path
    for source in sources:
        if (source.path / name / LAB_FILE).is_file():
            return source.path / name
    return None
