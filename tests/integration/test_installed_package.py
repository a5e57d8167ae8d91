"""labgrade as a user gets it: a wheel built from this tree, installed with pip in a fresh venv
outside the repository, run from folders that have no labs/ beside them."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import venv
from collections.abc import Iterator
from pathlib import Path

import pytest

from graders.spec import load_lab

REPO = Path(__file__).resolve().parents[2]
SKIP_DIRS = {".git", ".venv", ".state", "out", "build", "dist", "__pycache__", ".mypy_cache",
             ".ruff_cache", ".pytest_cache"}
BUNDLED = ["day2-apache", "day2-instructions", "day2-multistage", "day2-registry"]


def _copy_source(dest: Path) -> Path:
    def ignore(folder: str, names: list[str]) -> set[str]:
        return {n for n in names if n in SKIP_DIRS or n.endswith(".egg-info")}

    shutil.copytree(REPO, dest, ignore=ignore)
    return dest


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """The bin/ folder of a fresh venv with the wheel installed (its dependencies from PyPI or
    pip's cache)."""
    work = tmp_path_factory.mktemp("wheel")
    source = _copy_source(work / "src")
    wheels = work / "wheels"
    pip = [sys.executable, "-m", "pip"]
    subprocess.run([*pip, "wheel", "-q", "--no-deps", "-w", str(wheels), str(source)],
                   check=True, cwd=work)
    env_dir = work / "venv"
    venv.EnvBuilder(with_pip=True).create(env_dir)
    (wheel,) = wheels.glob("labgrade-*.whl")
    subprocess.run([str(env_dir / "bin" / "python"), "-m", "pip", "install", "-q", str(wheel)],
                   check=True, cwd=work)
    yield env_dir / "bin"


def _run(bin_dir: Path, *args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k not in ("LABGRADE_LABS", "PYTHONPATH")}
    env["PATH"] = f"{bin_dir}{os.pathsep}{env.get('PATH', '')}"
    return subprocess.run([str(bin_dir / "labgrade"), *args], cwd=cwd, env=env, text=True,
                          capture_output=True, timeout=300)


def test_the_wheel_lists_the_bundled_labs_from_an_empty_folder(installed: Path,
                                                               tmp_path: Path) -> None:
    listed = _run(installed, "list", cwd=tmp_path)
    assert listed.returncode == 0, listed.stderr
    for lab_id in BUNDLED:
        assert lab_id in listed.stdout
    assert "bundled" in listed.stdout
    shown = next(x for x in listed.stdout.splitlines() if x.startswith("day2-instructions"))
    checks = len(load_lab("day2-instructions").checks)  # its instructor test file ships too
    assert f"{checks} checks   100 points" in shown, shown
    shown = _run(installed, "--version", cwd=tmp_path)
    declared = re.search(r'^__version__ = "(.+)"$', (REPO / "graders" / "__init__.py").read_text(),
                         re.M)  # the one version: pyproject.toml takes it from there
    assert declared is not None
    assert shown.returncode == 0 and shown.stdout.strip() == f"labgrade {declared[1]}"
    pip = subprocess.run([str(installed / "python"), "-m", "pip", "show", "labgrade"],
                         capture_output=True, text=True)  # the wheel's metadata says the same
    assert f"Version: {declared[1]}" in pip.stdout, pip.stdout


@pytest.mark.docker
def test_the_wheel_checks_a_correct_answer_at_full_marks(installed: Path, tmp_path: Path) -> None:
    answer = tmp_path / "answer"
    shutil.copytree(REPO / "labs" / "day2-multistage" / "solution", answer)
    checked = _run(installed, "check", "day2-multistage", "--lang", "en", cwd=answer)
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert "Traceback" not in checked.stderr


@pytest.mark.docker
def test_a_classroom_template_finds_its_lab_with_no_flag(installed: Path, tmp_path: Path) -> None:
    template = tmp_path / "template"
    made = _run(installed, "classroom", "init", "day2-apache", str(template), cwd=tmp_path)
    assert made.returncode == 0, made.stderr
    (template / "sub").mkdir()
    for where in (template, template / "sub"):
        listed = _run(installed, "list", cwd=where)
        assert ".labgrade/labs" in listed.stdout, listed.stdout
        checked = _run(installed, "check", "day2-apache", "--lang", "en", cwd=where)
        assert checked.returncode == 1, checked.stdout + checked.stderr  # graded: not full marks
        assert "Unknown lab" not in checked.stdout + checked.stderr
