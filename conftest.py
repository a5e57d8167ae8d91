"""Repo-local test wiring: the repo's labs, and pytester for the plugin's tests."""

import os
from pathlib import Path

pytest_plugins = ["pytester"]

os.environ.setdefault("LABGRADE_LABS", str(Path(__file__).parent / "labs"))
