"""`labgrade batch` (grade a class) and `labgrade merge` (join shard outputs)."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from graders.cli.env import Env, ExitStatus
from graders.i18n import Lang, default_lang


def run(args: argparse.Namespace, env: Env) -> ExitStatus:
    lang: Lang = args.lang or default_lang(env.environ)
    if args.command == "merge":
        return _merge(args, env, lang)
    return _batch(args, env, lang)


def _batch(args: argparse.Namespace, env: Env, lang: Lang) -> ExitStatus:
    from graders.batch import BatchConfig, load_roster, parse_shard, run_batch
    from graders.batch.pool import make_backend
    from graders.batch.source import parse_deadline
    from graders.errors import UsageError
    from graders.spec import labs_root, load_lab

    if args.jobs is not None and args.jobs < 1:
        raise UsageError(f"--jobs {args.jobs}: give at least 1 worker.")
    if args.force and args.only_failed:
        raise UsageError("--force regrades everyone; --only-failed only some. Choose one.")
    if args.timeout is not None and args.timeout <= 0:
        raise UsageError(f"--timeout {args.timeout:g}: give a positive number of seconds.")
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
    env.out(f"{len(report.records)} student(s): {report.graded} graded now, {report.skipped} "
            f"unchanged and kept, {len(report.errored)} errored ({report.seconds:.1f} s).")
    for rec in report.errored:
        from graders.batch.gradebook import error_reason

        env.out(f"  errored: {rec.student}: {error_reason(rec)}")
    env.out(f"Gradebook: {cfg.out / 'gradebook.csv'}  Summary: {cfg.out / 'summary.html'}")
    return ExitStatus.INFRA_ERROR if report.errored else ExitStatus.SUCCESS


def _merge(args: argparse.Namespace, env: Env, lang: Lang) -> ExitStatus:
    from graders.batch import merge

    report = merge(Path(args.out), [Path(d) for d in args.dirs], lang)
    errored = sum(r.status.value == "error" for r in report.records)
    env.out(f"Merged {report.shards} shard(s) of {report.lab}: {len(report.records)} student(s), "
            f"{report.new_rows} new result(s), {errored} errored.")
    env.out(f"Gradebook: {Path(args.out) / 'gradebook.csv'}")
    return ExitStatus.INFRA_ERROR if errored else ExitStatus.SUCCESS
