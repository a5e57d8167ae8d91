"""Ships the course's labs inside the package: the wheel gets labs/ as graders/labs.

Everything else about the package is in pyproject.toml. In a checkout (and an editable
install) the labs are read from labs/ itself, so this only runs when a wheel is built."""

import shutil
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py


class BuildPyWithLabs(build_py):
    def run(self) -> None:
        super().run()
        if self.editable_mode:
            return
        target = Path(self.build_lib) / "graders" / "labs"
        shutil.rmtree(target, ignore_errors=True)
        shutil.copytree("labs", target, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))


setup(cmdclass={"build_py": BuildPyWithLabs})
