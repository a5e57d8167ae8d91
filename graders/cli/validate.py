"""`labgrade validate` and `labgrade demo`: grade each lab's solution and samples."""

from __future__ import annotations

import argparse
from dataclasses import dataclass
from pathlib import Path

from graders.atomic import write_atomic
from graders.cli.env import Env, ExitStatus
from graders.errors import UsageError
from graders.i18n import Lang, default_lang
from graders.reporters import render
from graders.results import LabResult
from graders.spec import Lab, Sample


@dataclass(frozen=True)
class SampleRun:
    lab: Lab
    sample: Sample
    result: LabResult

    @property
    def ok(self) -> bool:
        return abs(self.result.score - self.sample.score) < 1e-6 and not self.result.errored


def grade_samples(lab: Lab, backend: object, env: Env) -> list[SampleRun]:
    """Grade every sample of a lab (solution included), in the order lab.yaml lists them."""
    from graders.engine.run import grade
    from graders.samples import prepared

    runs = []
    for sample in lab.samples:
        with prepared(lab, sample) as options:
            result = grade(lab, lab.root / sample.path, backend, options)  # type: ignore[arg-type]
        runs.append(SampleRun(lab, sample, result))
        mark = "ok  " if runs[-1].ok else "FAIL"
        env.out(f"{mark} {lab.id:20} {sample.path:40} {result.score:6g}/{result.possible:<6g} "
                f"expected {sample.score:g}  ({result.duration_s:.1f} s)")
    return runs


def _labs(args: argparse.Namespace) -> list[Lab]:
    from graders.spec import lab_ids, labs_root, load_lab

    root = labs_root(args.labs)
    if args.all:  # demo: always
        return [load_lab(i, root) for i in lab_ids(root)]
    if not args.lab:
        raise UsageError("Name a lab (`labgrade validate day2-apache`) or use --all.")
    return [load_lab(args.lab, root)]


def validate_command(args: argparse.Namespace, env: Env) -> ExitStatus:
    from graders.backends import get_backend

    labs = _labs(args)  # every spec loads before anything is built
    for lab in labs:
        if not any(s.path == "solution" for s in lab.samples):
            raise UsageError(f"{lab.spec_file}: samples must list the reference solution "
                             "(path: solution) with its full score.")
    backend = get_backend(args.backend)
    runs = [run for lab in labs for run in grade_samples(lab, backend, env)]
    bad = [r for r in runs if not r.ok]
    env.out(f"{len(runs) - len(bad)} of {len(runs)} samples scored as expected.")
    if any(r.result.errored for r in runs):
        return ExitStatus.INFRA_ERROR
    return ExitStatus.CHECKS_FAILED if bad else ExitStatus.SUCCESS


def demo_command(args: argparse.Namespace, env: Env) -> ExitStatus:
    from graders.backends import get_backend

    lang: Lang = args.lang or default_lang(env.environ)
    labs = _labs(args)
    backend = get_backend(args.backend)
    out = Path(args.out)
    runs: list[SampleRun] = []
    for lab in labs:
        runs += grade_samples(lab, backend, env)
    for run in runs:
        stem = out / run.lab.id / Path(run.sample.path).name
        write_atomic(stem.with_suffix(".json"), render("json", run.result, lang))
        write_atomic(stem.with_suffix(".junit.xml"), render("junit", run.result, lang))
    from graders.reporters import get_reporter

    junit = get_reporter("junit")()
    write_atomic(out / "junit.xml", junit.render_many([r.result for r in runs], lang))  # type: ignore[attr-defined]
    env.out("")
    env.out(score_table(runs))
    env.out(f"\nReports: {out}/<lab>/<sample>.json and .junit.xml, all in {out}/junit.xml")
    return ExitStatus.SUCCESS if all(r.ok for r in runs) else ExitStatus.CHECKS_FAILED


def score_table(runs: list[SampleRun]) -> str:
    rows = [("lab", "submission", "score", "expected", "")]
    for r in runs:
        rows.append((r.lab.id, r.sample.path, f"{r.result.score:g}/{r.result.possible:g}",
                     f"{r.sample.score:g}", "ok" if r.ok else "MISMATCH"))
    widths = [max(len(row[i]) for row in rows) for i in range(5)]
    lines = ["  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip()
             for row in rows]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)
