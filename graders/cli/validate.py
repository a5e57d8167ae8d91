"""`labgrade validate` and `labgrade demo`: grade each lab's solution and samples."""

from __future__ import annotations

import argparse
from dataclasses import dataclass
from pathlib import Path

from graders.atomic import write_atomic
from graders.cli.env import Env, ExitStatus
from graders.errors import UsageError
from graders.i18n import Lang, Text
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


SAMPLE_LINE = Text("{mark} {lab:20} {path:40} {score:>6}/{possible:<6} esperado {expected}  "
                   "({seconds} s)",
                   "{mark} {lab:20} {path:40} {score:>6}/{possible:<6} expected {expected}  "
                   "({seconds} s)")
MARK_OK = Text("ok  ", "ok  ")
MARK_BAD = Text("ERRO", "FAIL")
SAMPLES_DONE = Text(
    "{ok} de {total} amostras tiveram a nota esperada.",
    "{ok} of {total} samples scored as expected.",
)
SAMPLES_OFF = Text(
    " Veja as linhas {mark} acima: corrija o lab.yaml (as verificações ou a nota esperada da "
    "amostra) ou a amostra, e rode de novo.",
    " See the {mark} lines above: fix lab.yaml (its checks or the sample's score) or the sample, "
    "and run again.",
)
NAME_A_LAB = Text(
    "Indique um lab (`labgrade validate day2-apache`) ou use --all.",
    "Name a lab (`labgrade validate day2-apache`) or use --all.",
)
NO_SOLUTION = Text(
    "{file}: samples deve listar a solução de referência (path: solution) com a nota máxima.",
    "{file}: samples must list the reference solution (path: solution) with its full score.",
)
TABLE_HEAD = {"pt": ("lab", "entrega", "nota", "esperada", ""),
              "en": ("lab", "submission", "score", "expected", "")}
MISMATCH = Text("DIFERENTE", "MISMATCH")
REPORTS = Text("\nRelatórios: {out}/<lab>/<amostra>.json e .junit.xml, todos em {out}/junit.xml",
               "\nReports: {out}/<lab>/<sample>.json and .junit.xml, all in {out}/junit.xml")


def grade_samples(lab: Lab, backend: object, env: Env, lang: Lang = "en") -> list[SampleRun]:
    """Grade every sample of a lab (solution included), in the order lab.yaml lists them."""
    from graders.engine.run import grade
    from graders.samples import prepared

    runs = []
    for sample in lab.samples:
        with prepared(lab, sample) as options:
            result = grade(lab, lab.root / sample.path, backend, options)  # type: ignore[arg-type]
        runs.append(SampleRun(lab, sample, result))
        mark = MARK_OK if runs[-1].ok else MARK_BAD
        env.out(SAMPLE_LINE.format(mark=mark(lang), lab=lab.id, path=sample.path,
                                   score=f"{result.score:g}", possible=f"{result.possible:g}",
                                   expected=f"{sample.score:g}",
                                   seconds=f"{result.duration_s:.1f}")(lang))
    return runs


def _labs(args: argparse.Namespace) -> list[Lab]:
    from graders.spec import lab_ids, labs_root, load_lab

    root = labs_root(args.labs)
    if args.all:  # demo: always
        return [load_lab(i, root) for i in lab_ids(root)]
    if not args.lab:
        raise UsageError(NAME_A_LAB)
    return [load_lab(args.lab, root)]


def validate_command(args: argparse.Namespace, env: Env) -> ExitStatus:
    from graders.backends import get_backend

    lang = env.lang(args.lang)
    labs = _labs(args)  # every spec loads before anything is built
    for lab in labs:
        if not any(s.path == "solution" for s in lab.samples):
            raise UsageError(NO_SOLUTION.format(file=str(lab.spec_file)))
    backend = get_backend(args.backend)
    runs = [run for lab in labs for run in grade_samples(lab, backend, env, lang)]
    bad = [r for r in runs if not r.ok]
    done = SAMPLES_DONE.format(ok=len(runs) - len(bad), total=len(runs))
    env.out((done + SAMPLES_OFF.format(mark=MARK_BAD(lang)) if bad else done)(lang))
    if any(r.result.errored for r in runs):
        return ExitStatus.INFRA_ERROR
    return ExitStatus.CHECKS_FAILED if bad else ExitStatus.SUCCESS


def demo_command(args: argparse.Namespace, env: Env) -> ExitStatus:
    from graders.backends import get_backend

    lang = env.lang(args.lang)
    labs = _labs(args)
    backend = get_backend(args.backend)
    out = Path(args.out)
    runs: list[SampleRun] = []
    for lab in labs:
        runs += grade_samples(lab, backend, env, lang)
    for run in runs:
        stem = out / run.lab.id / Path(run.sample.path).name
        write_atomic(stem.with_suffix(".json"), render("json", run.result, lang))
        write_atomic(stem.with_suffix(".junit.xml"), render("junit", run.result, lang))
    from graders.reporters import get_reporter

    junit = get_reporter("junit")()
    write_atomic(out / "junit.xml", junit.render_many([r.result for r in runs], lang))  # type: ignore[attr-defined]
    env.out("")
    env.out(score_table(runs, lang))
    env.out(REPORTS.format(out=str(out))(lang))
    return ExitStatus.SUCCESS if all(r.ok for r in runs) else ExitStatus.CHECKS_FAILED


def score_table(runs: list[SampleRun], lang: Lang = "en") -> str:
    rows = [TABLE_HEAD[lang]]
    for r in runs:
        rows.append((r.lab.id, r.sample.path, f"{r.result.score:g}/{r.result.possible:g}",
                     f"{r.sample.score:g}", "ok" if r.ok else MISMATCH(lang)))
    widths = [max(len(row[i]) for row in rows) for i in range(5)]
    lines = ["  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip()
             for row in rows]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)
