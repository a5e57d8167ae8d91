"""The speed benchmark's pieces load and agree with the labs (no Docker, no timing): the runner
imports and parses its options, the CST configs and the testinfra tests parse, the shell
baselines pass `bash -n`, the CST subset names checks the labs have, the cache-busting copy
puts its LABEL after every FROM. Plus two start-up and probe invariants the benchmark measured
(docs/benchmarks.md): the CLI parser does not import graders.platforms, and an image's files
are read once before the container starts."""

from __future__ import annotations

import ast
import importlib.util
import json
import os
import subprocess
import sys
import time
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
import yaml

REPO = Path(__file__).resolve().parents[2]
BENCH = REPO / "benchmarks"


def _runner() -> ModuleType:
    spec = importlib.util.spec_from_file_location("labgrade_bench_run", BENCH / "run.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up
    spec.loader.exec_module(module)
    return module


run = _runner()
LABS = [lab for lab in run.BENCH_LABS if (REPO / "labs" / lab / "lab.yaml").is_file()]


def test_runner_help(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as e:
        run.main(["--help"])
    assert e.value.code == 0
    out = capsys.readouterr().out
    for option in ("--runs", "--modes", "--batch", "--quiet-load", "--json"):
        assert option in out


@pytest.mark.parametrize("lab", LABS)
def test_every_baseline_exists_for_the_lab(lab: str) -> None:
    assert (BENCH / "shell" / f"{lab}.sh").is_file()
    assert (BENCH / "cst" / f"{lab}.yaml").is_file()
    assert (BENCH / "testinfra" / f"test_{lab.replace('-', '_')}.py").is_file()


@pytest.mark.parametrize("lab", LABS)
def test_cst_config_parses(lab: str) -> None:
    config = yaml.safe_load((BENCH / "cst" / f"{lab}.yaml").read_text(encoding="utf-8"))
    assert config["schemaVersion"] == "2.0.0"
    assert set(config) <= {"schemaVersion", "commandTests", "fileExistenceTests",
                           "fileContentTests", "metadataTest", "globalEnvVars"}
    for test in config.get("commandTests", []):
        assert test["name"] and test["command"]


@pytest.mark.parametrize("lab", LABS)
def test_cst_subset_names_checks_of_the_lab(lab: str) -> None:
    data = yaml.safe_load((REPO / "labs" / lab / "lab.yaml").read_text(encoding="utf-8"))
    ids = {c["id"] for c in data["checks"]}
    assert set(run.CST_SUBSET[lab]) <= ids


def test_cst_subset_labs_load(tmp_path: Path) -> None:
    from graders.spec import load_lab

    run.write_cst_labs(LABS, tmp_path)
    for lab in LABS:
        loaded = load_lab(lab, tmp_path / "cst-labs")
        assert [c.id for c in loaded.checks] == [
            c for c in run.CST_SUBSET[lab] if c in {x.id for x in loaded.checks}]
        assert {c.id for c in loaded.checks} == set(run.CST_SUBSET[lab])


def test_nowait_labs_load_and_wait_zero(tmp_path: Path) -> None:
    from graders.spec import load_lab

    run.write_nowait_labs(LABS, tmp_path)
    for lab in LABS:
        loaded = load_lab(lab, tmp_path / "nowait-labs")
        waits = [c.check for c in loaded.checks if c.type == "container_running"]
        assert all(w.after == 0 for w in waits)  # type: ignore[attr-defined]
        assert run.waits(lab) == bool(waits)


def test_nowait_jobs_tell_every_tool(tmp_path: Path) -> None:
    for tool in run.NOWAIT_TOOLS:
        job = run.tool_job(tool, "day2-apache", tmp_path, tmp_path, nowait=True)
        assert job.env.get("BENCH_AFTER") == "0" or "nowait-labs" in " ".join(job.argv)


@pytest.mark.parametrize("script", [*sorted((BENCH / "shell").glob("*.sh")),
                                    BENCH / "cst" / "run.sh"], ids=lambda p: p.name)
def test_shell_scripts_parse(script: Path) -> None:
    subprocess.run(["bash", "-n", str(script)], check=True)


@pytest.mark.parametrize("source", sorted((BENCH / "testinfra").glob("*.py")), ids=lambda p: p.name)
def test_testinfra_files_parse(source: Path) -> None:
    ast.parse(source.read_text(encoding="utf-8"), str(source))


def test_testinfra_is_isolated_from_the_repo_pytest_setup() -> None:
    ini = (BENCH / "testinfra" / "pytest.ini").read_text(encoding="utf-8")
    assert "[pytest]" in ini
    for source in (BENCH / "testinfra").glob("*.py"):  # plain testinfra: labgrade not imported
        tree = ast.parse(source.read_text(encoding="utf-8"))
        names = {a.name for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names}
        names |= {n.module or "" for n in ast.walk(tree) if isinstance(n, ast.ImportFrom)}
        assert not any(name.split(".")[0] == "graders" for name in names), source


def test_busted_copy_labels_every_stage(tmp_path: Path) -> None:
    src = tmp_path / "src"
    src.mkdir()
    (src / "Dockerfile").write_text("FROM golang:1.19 AS build\nRUN go build\n"
                                    "from busybox:1.35 \\\n  AS final\nCMD [\"/hello\"]\n")
    out = run.busted_copy(src, tmp_path / "copy", "n0nce").joinpath("Dockerfile")
    lines = out.read_text().splitlines()
    label = f"LABEL {run.NONCE_LABEL}=n0nce"
    assert lines.count(label) == 2
    assert lines[1] == label  # right after the first FROM
    assert lines[lines.index("  AS final") + 1] == label  # after a continued FROM


def test_tree_memory_samples_this_process() -> None:
    with run.TreeMemory(os.getpid(), every=0.01) as memory:
        time.sleep(0.05)
    assert memory.peak_sum_kb > 1000
    assert memory.peak_hwm_kb >= memory.peak_sum_kb // 2


def test_tables_render() -> None:
    block = run.Block("day2-apache", "cached", {t: [1.0, 2.0, 3.0] for t in run.TOOLS},
                      [0.5, 1.5], True)
    text = run.table([block], run.TOOLS)
    assert "| day2-apache | cached | 2.00 |" in text
    assert text.count("1.00") == 3  # a/b, a/c, a/d
    assert "0.50-1.50 |" in text
    batch = {"lab": "day2-apache", "students": 40, "loads": [1.0, 3.0], "quiet": False,
             "jobs": {"1": {"seconds": [10.0], "peak_tree_rss_mb": [60.0],
                            "peak_process_hwm_mb": [40.0], "processes": [2]},
                      "2": {"seconds": [5.0], "peak_tree_rss_mb": [90.0],
                            "peak_process_hwm_mb": [40.0], "processes": [3]}}}
    assert "| 0.50 | 90 | 40 | 1.00-3.00 (!) |" in run.batch_table([batch])
    json.dumps(batch)


# --- start-up and probe invariants the benchmark measured ------------------------------------
def test_cli_parser_does_not_import_the_platforms() -> None:
    """`labgrade --help` went from 90 to 54 ms when the parser stopped importing
    graders.platforms (docs/benchmarks.md)."""
    code = ("import sys; from graders.cli.main import build_parser; build_parser(); "
            "print(sorted(m for m in sys.modules if m.startswith(('graders.platforms', "
            "'docker', 'yaml', 'graders.engine'))))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True, cwd=REPO).stdout
    assert out.strip() == "[]"


def test_install_default_matches_the_platforms_constant() -> None:
    from graders.cli.main import build_parser
    from graders.platforms.classroom_init import DEFAULT_INSTALL

    args = build_parser().parse_args(["classroom", "init", "day2-apache", "x"])
    assert args.install == DEFAULT_INSTALL


class _CountingBackend:
    name = "counting"

    def __init__(self) -> None:
        self.archives: list[str] = []

    def archive(self, _container: str, path: str) -> Any:
        import io
        import tarfile

        self.archives.append(path)
        buffer = io.BytesIO()
        with tarfile.open(fileobj=buffer, mode="w") as tar:
            info = tarfile.TarInfo(path.rsplit("/", 1)[-1])
            info.size = 5
            tar.addfile(info, io.BytesIO(b"hello"))
        return iter([buffer.getvalue()]), {}


def test_image_files_are_read_once_before_start() -> None:
    from graders.engine.context import EngineContext

    backend = _CountingBackend()
    ctx = EngineContext(backend, Path("."), None)  # type: ignore[arg-type]
    ctx.container_id = "c"
    assert ctx.read_file("/var/lib/dpkg/status") == b"hello"
    assert ctx.read_file("/var/lib/dpkg/status") == b"hello"
    assert backend.archives == ["/var/lib/dpkg/status"]
    ctx.started = True  # a running container may change its files: read afresh every time
    ctx.read_file("/var/lib/dpkg/status")
    ctx.read_file("/var/lib/dpkg/status")
    assert len(backend.archives) == 3


def _class_scale() -> ModuleType:
    spec = importlib.util.spec_from_file_location("labgrade_bench_scale", BENCH / "class_scale.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def test_class_scale_help_and_its_labgrade_command_runs(capsys: pytest.CaptureFixture[str]
                                                        ) -> None:
    scale = _class_scale()
    with pytest.raises(SystemExit) as e:
        scale.main(["--help"])
    assert e.value.code == 0
    out = capsys.readouterr().out
    for option in ("--compare", "--students", "--jobs", "--json"):
        assert option in out
    # The command the benchmarks time must be labgrade itself (`python -m graders.cli.main`
    # once ran nothing, and exited 0).
    done = subprocess.run([*run.labgrade(), "--help"], cwd=REPO, capture_output=True,
                          text=True, timeout=60)
    assert done.returncode == 0 and "batch" in done.stdout


def test_class_scale_samples_pss_of_this_process() -> None:
    scale = _class_scale()
    with scale.TreeShare(os.getpid(), every=0.05) as memory:
        time.sleep(0.3)
    assert 0 < memory.peak_pss_kb <= memory.peak_sum_kb
    with scale.Machine(every=0.05, api=False) as machine:  # no Docker here
        sum(range(10**6))
    assert 0.0 <= machine.busy <= 1.0 and 0.0 <= machine.iowait <= 1.0
