"""Repo-local test wiring: tests grade the repo's own labs."""

import os
from pathlib import Path

os.environ.setdefault("LABGRADE_LABS", str(Path(__file__).parent / "labs"))
