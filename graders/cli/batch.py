"""`labgrade batch` (grade a class), `labgrade merge` (join shard outputs) and
`labgrade shard-workflow` (a GitHub Actions matrix that shards a class, then merges)."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from graders.cli.env import Env, ExitStatus
from graders.i18n import Lang, Text

BAD_JOBS = Text("--jobs {jobs}: use pelo menos 1 worker.", "--jobs {jobs}: give at least 1 worker.")
FORCE_OR_FAILED = Text(
    "--force corrige todos de novo; --only-failed só alguns. Escolha um dos dois.",
    "--force regrades everyone; --only-failed only some. Choose one.",
)
BAD_TIMEOUT = Text("--timeout {timeout}: use um número positivo de segundos.",
                   "--timeout {timeout}: give a positive number of seconds.")
BATCH_DONE = Text(
    "{students} estudante(s): {graded} corrigido(s) agora, {skipped} sem mudança e mantido(s), "
    "{errored} com erro ({seconds} s).",
    "{students} student(s): {graded} graded now, {skipped} unchanged and kept, {errored} "
    "errored ({seconds} s).",
)
ERRORED = Text("  com erro: {student}: {reason}", "  errored: {student}: {reason}")
RERUN_ERRORED = Text(
    "Corrija a causa e rode de novo com --only-failed para corrigir só esses.",
    "Fix the cause and rerun with --only-failed to regrade only those.",
)
WRITTEN = Text("Notas: {gradebook}  Resumo: {summary}",
               "Gradebook: {gradebook}  Summary: {summary}")
MERGED = Text(
    "{shards} parte(s) de {lab} juntadas: {students} estudante(s), {new} resultado(s) novo(s), "
    "{errored} com erro.",
    "Merged {shards} shard(s) of {lab}: {students} student(s), {new} new result(s), {errored} "
    "errored.",
)
GRADEBOOK = Text("Notas: {gradebook}", "Gradebook: {gradebook}")


def run(args: argparse.Namespace, env: Env) -> ExitStatus:
    lang = env.lang(args.lang)
    if args.command == "merge":
        return _merge(args, env, lang)
    if args.command == "shard-workflow":
        return _shard_workflow(args, env)
    return _batch(args, env, lang)


def _shard_workflow(args: argparse.Namespace, env: Env) -> ExitStatus:
    from graders.atomic import write_atomic
    from graders.batch.shard_workflow import shard_workflow

    text = shard_workflow(args.lab, args.roster, args.shards, args.install, args.labs,
                          args.deadline)
    if args.out:
        write_atomic(Path(args.out), text)
    else:
        env.out(text.rstrip("\n"))
    return ExitStatus.SUCCESS


def _batch(args: argparse.Namespace, env: Env, lang: Lang) -> ExitStatus:
    from graders.batch import BatchConfig, load_roster, parse_shard, run_batch
    from graders.batch.pool import make_backend
    from graders.batch.source import parse_deadline
    from graders.errors import UsageError
    from graders.spec import labs_root, load_lab

    if args.jobs is not None and args.jobs < 1:
        raise UsageError(BAD_JOBS.format(jobs=args.jobs))
    if args.force and args.only_failed:
        raise UsageError(FORCE_OR_FAILED)
    if args.timeout is not None and args.timeout <= 0:
        raise UsageError(BAD_TIMEOUT.format(timeout=f"{args.timeout:g}"))
    lab = load_lab(args.lab, labs_root(args.labs))
    cfg = BatchConfig(
        lab=lab, roster=Path(args.roster), out=Path(args.out), jobs=args.jobs,
        force=args.force, only_failed=args.only_failed,
        deadline=parse_deadline(args.deadline) if args.deadline else None,
        shard=parse_shard(args.shard) if args.shard else None, hosts=tuple(args.docker_host),
        backend=args.backend, timeout=args.timeout, lang=lang, registry=args.registry,
        command=json.dumps({k: v for k, v in sorted(vars(args).items()) if v not in (None, False)
                            and k != "verbose"}, default=str))
    load_roster(cfg.roster)  # a bad roster stops before any engine is contacted
    for host in cfg.hosts or (None,):  # fail fast, with the engine's own message
        make_backend(args.backend, host)
    report = run_batch(cfg, env.stderr)
    env.out(BATCH_DONE.format(students=len(report.records), graded=report.graded,
                              skipped=report.skipped, errored=len(report.errored),
                              seconds=f"{report.seconds:.1f}")(lang))
    for rec in report.errored:
        from graders.batch.gradebook import error_reason

        env.out(ERRORED.format(student=rec.student, reason=error_reason(rec))(lang))
    if report.errored:
        env.out(RERUN_ERRORED(lang))
    env.out(WRITTEN.format(gradebook=str(cfg.out / "gradebook.csv"),
                           summary=str(cfg.out / "summary.html"))(lang))
    return ExitStatus.INFRA_ERROR if report.errored else ExitStatus.SUCCESS


def _merge(args: argparse.Namespace, env: Env, lang: Lang) -> ExitStatus:
    from graders.batch import merge

    report = merge(Path(args.out), [Path(d) for d in args.dirs], lang)
    errored = sum(r.status.value == "error" for r in report.records)
    env.out(MERGED.format(shards=report.shards, lab=report.lab, students=len(report.records),
                          new=report.new_rows, errored=errored)(lang))
    env.out(GRADEBOOK.format(gradebook=str(Path(args.out) / "gradebook.csv"))(lang))
    return ExitStatus.INFRA_ERROR if errored else ExitStatus.SUCCESS
