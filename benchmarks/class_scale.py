"""Class-scale throughput (issue 17): the default `labgrade batch` against the shell script, and
how it scales to 40 and 200 students.

    python benchmarks/class_scale.py                      # 20 vs shell, then 40 (~5 min)
    python benchmarks/class_scale.py --students 40,200    # the 200-student figure too (~15 min)
    python benchmarks/class_scale.py --compare 0 --students 40 --jobs 16   # one other --jobs
    python benchmarks/class_scale.py --compare 0 --students 40 --shards 4  # shard overhead

Figures, all with the load average at their start and end (the machine may be shared):
  compare   twenty sequential runs of benchmarks/shell/day2-apache.sh on the cached solution,
            then `labgrade batch` with its default number of workers on twenty copies of it, in
            the same run; the ratio batch/shell (goal: at most 0.20)
  N         a batch of N copies: seconds per student, the peak memory of labgrade's process tree
            (the sum of PSS, each process's proportional share, which is what the tree costs
            the machine; the sum of RSS counts the pages the forked workers share once per
            worker), CPU busy and iowait over the run (from /proc/stat), and Docker's response
            time to a container list (sampled every 0.5 s): what limits it
Every batch must give every student full marks (a fast wrong answer is no result). Not part of
the test suite; tests/unit/test_benchmarks_smoke.py checks that it loads and parses options.
"""

from __future__ import annotations

import argparse
import json
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
import run as bench

sys.path.insert(0, str(bench.REPO))
from graders.batch.throttle import default_jobs

LAB = "day2-apache"


class TreeShare(bench.TreeMemory):
    """TreeMemory that also sums PSS (from /proc/PID/smaps_rollup) over the tree."""

    def __init__(self, pid: int, every: float = 0.2) -> None:
        super().__init__(pid, every)
        self.peak_pss_kb = 0

    def _loop(self) -> None:
        tree: set[int] = {self.pid}
        last_scan = 0.0
        while not self._stop.is_set():
            if time.monotonic() - last_scan > 1.0:
                tree, last_scan = self._descendants(), time.monotonic()
                self.processes = max(self.processes, len(tree))
            rss_total = pss_total = 0
            for pid in tree:
                rss, hwm = self._status(pid)
                rss_total += rss
                pss_total += _pss(pid)
                self.peak_hwm_kb = max(self.peak_hwm_kb, hwm)
            self.peak_sum_kb = max(self.peak_sum_kb, rss_total)
            self.peak_pss_kb = max(self.peak_pss_kb, pss_total)
            self._stop.wait(self.every)


def _pss(pid: int) -> int:
    try:
        for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
            if line.startswith("Pss:"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


class Machine:
    """CPU busy and iowait shares (/proc/stat) and Docker's response times over a block."""

    def __init__(self, every: float = 0.5, api: bool = True) -> None:
        self.every, self.sample_api = every, api
        self.api: list[float] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, daemon=True)
        self._cpu0: list[int] = []
        self.busy = self.iowait = 0.0

    def __enter__(self) -> Machine:
        self._cpu0 = _cpu()
        if self.sample_api:
            self._thread.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join()
        delta = [b - a for a, b in zip(self._cpu0, _cpu(), strict=False)]
        total = sum(delta) or 1
        idle, iowait = delta[3], delta[4]
        self.busy, self.iowait = 1 - (idle + iowait) / total, iowait / total

    def _loop(self) -> None:
        import docker

        client = docker.from_env()
        while not self._stop.is_set():
            t0 = time.perf_counter()
            try:
                client.api.containers(filters={"label": "org.labgrade.run"})
                self.api.append(time.perf_counter() - t0)
            except Exception:
                pass
            self._stop.wait(self.every)

    def api_ms(self) -> dict[str, float]:
        if not self.api:
            return {}
        ordered = sorted(self.api)
        return {"median": 1000 * statistics.median(ordered),
                "p95": 1000 * ordered[int(0.95 * (len(ordered) - 1))],
                "max": 1000 * ordered[-1]}


def _cpu() -> list[int]:
    return [int(x) for x in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]


def settle(limit: float = 90.0) -> float:
    """Wait (at most `limit` s) until the CPUs are 90% idle over 2 s; the seconds waited.

    Docker tears down a removed container's network namespace in the background, up to a
    minute later, in kernel threads: without this, the shell runs' 20 teardowns landed in
    the batch that followed (and each batch's in the next), 1-2 s of its time."""
    t0 = time.monotonic()
    while time.monotonic() - t0 < limit:
        a = _cpu()
        time.sleep(2)
        b = _cpu()
        total = sum(b) - sum(a)
        if total and (b[3] - a[3]) / total >= 0.9:
            break
    return time.monotonic() - t0


def roster(scratch: Path, students: int) -> Path:
    root = scratch / f"roster-{students}"
    if not root.exists():
        for n in range(1, students + 1):
            shutil.copytree(bench.LABS / LAB / "solution", root / f"student{n:03d}")
    return root


def run_batch(scratch: Path, students: int, jobs: int | None,
              say: Callable[[str], None]) -> dict[str, Any]:
    out = scratch / f"out-{students}-{time.monotonic_ns()}"
    argv = [*bench.labgrade(), "--labs", str(bench.LABS), "batch", LAB,
            str(roster(scratch, students)), "--out", str(out)]
    argv += ["--jobs", str(jobs)] if jobs else []  # else the batch's own default
    log = scratch / f"batch-{students}.log"
    settle()
    load0 = bench.loadavg()
    with log.open("w") as sink, Machine() as machine:
        t0 = time.perf_counter()
        proc = subprocess.Popen(argv, cwd=bench.REPO, stdout=sink, stderr=subprocess.STDOUT,
                                stdin=subprocess.DEVNULL)
        with TreeShare(proc.pid) as memory:
            code = proc.wait()
        seconds = time.perf_counter() - t0
    full = bench._full_marks(out, students)
    if code != 0 or full != students:
        raise RuntimeError(f"batch x{students}: exit {code}, {full}/{students} at full marks; "
                           f"log: {log}\n" + log.read_text()[-3000:])
    shutil.rmtree(out, ignore_errors=True)
    figure = {"students": students, "jobs": jobs or f"default ({default_jobs()})",
              "seconds": seconds,
              "per_student": seconds / students, "peak_pss_mb": memory.peak_pss_kb / 1024,
              "peak_rss_sum_mb": memory.peak_sum_kb / 1024,
              "largest_process_mb": memory.peak_hwm_kb / 1024, "processes": memory.processes,
              "cpu_busy": machine.busy, "iowait": machine.iowait, "api_ms": machine.api_ms(),
              "load_start": load0, "load_end": bench.loadavg()}
    say(f"  batch x{students} ({figure['jobs']} jobs): {seconds:.1f} s, "
        f"{figure['per_student']:.2f} s/student, PSS {figure['peak_pss_mb']:.0f} MB "
        f"(RSS sum {figure['peak_rss_sum_mb']:.0f} MB, {memory.processes} processes), CPU "
        f"{100 * machine.busy:.0f}% busy, iowait {100 * machine.iowait:.0f}%, Docker "
        f"{figure['api_ms'].get('median', 0):.0f}/{figure['api_ms'].get('p95', 0):.0f} ms "
        f"(median/p95); load {load0} -> {figure['load_end']}")
    return figure


def compare(scratch: Path, students: int, jobs: int | None,
            say: Callable[[str], None]) -> dict[str, Any]:
    solution = bench.LABS / LAB / "solution"
    logs = scratch / "logs"
    logs.mkdir(exist_ok=True)
    bench.run_job(bench.tool_job("labgrade", LAB, solution, scratch), logs / "warm-lg.log")
    bench.run_job(bench.tool_job("shell", LAB, solution, scratch), logs / "warm-shell.log")
    settle()
    load0 = bench.loadavg()
    t0 = time.perf_counter()
    for i in range(students):
        bench.run_job(bench.tool_job("shell", LAB, solution, scratch), logs / f"shell-{i}.log")
    shell = time.perf_counter() - t0
    say(f"  {students} sequential shell runs: {shell:.1f} s (load {load0} -> {bench.loadavg()})")
    batch = run_batch(scratch, students, jobs, say)
    ratio = batch["seconds"] / shell
    say(f"  batch/shell: {ratio:.3f} (goal <= 0.20)")
    return {"students": students, "shell_seconds": shell, "shell_load_start": load0,
            "batch": batch, "ratio": ratio}


def shards(scratch: Path, students: int, count: int, jobs: int | None,
           say: Callable[[str], None]) -> dict[str, Any]:
    """`count` slices of the class graded one after another (as CI runners would, in parallel,
    each on its own machine), then merged; against one unsharded batch of the same class."""
    whole = run_batch(scratch, students, jobs, say)
    base = [*bench.labgrade(), "--labs", str(bench.LABS)]
    folders, slices = [], []
    for k in range(1, count + 1):
        out = scratch / f"shard-{k}"
        t0 = time.perf_counter()
        done = subprocess.run([*base, "batch", LAB, str(roster(scratch, students)), "--out",
                               str(out), "--shard", f"{k}/{count}",
                               "--jobs", str(jobs or default_jobs())],
                              cwd=bench.REPO, capture_output=True, text=True)
        slices.append(time.perf_counter() - t0)
        if done.returncode != 0:
            raise RuntimeError(f"shard {k}/{count}: exit {done.returncode}\n{done.stderr[-2000:]}")
        folders.append(str(out))
    t0 = time.perf_counter()
    merged = scratch / "merged"
    subprocess.run([*base, "merge", *folders, "--out", str(merged)], cwd=bench.REPO,
                   check=True, capture_output=True)
    merge = time.perf_counter() - t0
    if bench._full_marks(merged, students) != students:
        raise RuntimeError("the merged gradebook lacks students")
    overhead = sum(slices) + merge - whole["seconds"]
    say(f"  {count} shards of {students}: slices {', '.join(f'{x:.1f}' for x in slices)} s, "
        f"merge {merge:.2f} s; overhead against one batch {overhead:.1f} s "
        f"({overhead / count:.1f} s a slice; load {bench.loadavg()})")
    return {"students": students, "shards": count, "slices": slices, "merge": merge,
            "unsharded": whole["seconds"], "overhead": overhead}


def main(argv: Sequence[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--compare", type=int, default=20, metavar="N",
                   help="students in the batch-vs-shell figure (default 20; 0 skips it)")
    p.add_argument("--students", default="40", metavar="N[,N...]",
                   help="class sizes to time (default 40; add 200 for the big figure)")
    p.add_argument("--jobs", type=int, metavar="N",
                   help="give the batches --jobs N (default: the batch's own default)")
    p.add_argument("--shards", type=int, default=0, metavar="K",
                   help="also grade the first class size as K slices plus a merge, against "
                        "one batch: the overhead of sharding (default: not)")
    p.add_argument("--json", metavar="FILE", help="write every figure to FILE")
    args = p.parse_args(argv)

    def stop(_signum: int, _frame: object) -> None:
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, stop)

    def say(msg: str) -> None:
        print(msg, file=sys.stderr, flush=True)

    bench.as_installed()
    info = bench.machine()
    say(f"machine: {info['nproc']} CPUs, {info['memory_gib']} GiB, Docker {info['docker']}, "
        f"{info['date']}, load {bench.loadavg()}")
    results: dict[str, Any] = {"machine": info, "compare": None, "classes": []}
    with tempfile.TemporaryDirectory(prefix="labgrade-scale-") as tmp:
        scratch = Path(tmp)
        if args.compare:
            results["compare"] = compare(scratch, args.compare, args.jobs, say)
        sizes = [int(x) for x in args.students.split(",") if x and int(x) > 0]
        for n in sizes:
            results["classes"].append(run_batch(scratch, n, args.jobs, say))
        if args.shards and sizes:
            results["shards"] = shards(scratch, sizes[0], args.shards, args.jobs, say)
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=2), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
