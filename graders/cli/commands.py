"""Dispatch of the CLI's commands to their modules."""

from __future__ import annotations

import argparse

from graders.cli.env import Env, ExitStatus
from graders.i18n import Lang, Text


def dispatch(args: argparse.Namespace, env: Env) -> ExitStatus:
    if args.command == "list":
        return list_labs(args, env)
    if args.command in ("grade", "check"):
        from graders.cli.grading import grade_command

        return grade_command(args, env)
    if args.command in ("validate", "demo"):
        from graders.cli.validate import demo_command, validate_command

        command = validate_command if args.command == "validate" else demo_command
        return command(args, env)
    if args.command == "clean":
        return clean(args, env)
    if args.command == "schema":
        return schema(args, env)
    if args.command in ("batch", "merge", "shard-workflow"):
        from graders.cli.batch import run as batch_run

        return batch_run(args, env)
    if args.command in ("classroom", "gradescope"):
        from graders.cli.platform_cmd import run as platform_run

        return platform_run(args, env)
    if args.command == "registry":
        from graders.cli.registry_cmd import run as registry_run

        return registry_run(args, env)
    raise AssertionError(args.command)  # argparse allows only the commands above


LAB_LINE = Text("{id:22} {checks:3} verificações {points:>5} pontos  {title}  ({origin}: {path})",
                "{id:22} {checks:3} checks {points:>5} points  {title}  ({origin}: {path})")
BROKEN_LAB = Text(
    "{id:22} com erro: {error}  ({origin}: {path}); corrija o lab.yaml e confira com "
    "`labgrade validate {id}`",
    "{id:22} broken: {error}  ({origin}: {path}); fix its lab.yaml and check it with "
    "`labgrade validate {id}`",
)

BUNDLED = Text("incluído no labgrade", "bundled")


def list_labs(args: argparse.Namespace, env: Env) -> ExitStatus:
    lang = env.lang(args.lang)
    if args.types:
        return list_types(args, env, lang)
    from graders.errors import SpecError
    from graders.lab_lookup import available, lab_sources
    from graders.spec import load_lab

    for lab_id, source in available(lab_sources(args.labs, environ=env.environ)):
        origin = BUNDLED(lang) if source.origin == "bundled" else source.origin
        where = {"origin": origin, "path": str(source.path)}
        try:
            lab = load_lab(source.path / lab_id)
        except SpecError as e:  # one broken lab does not hide the others
            env.out(BROKEN_LAB.format(id=lab_id, error=e.message(lang), **where)(lang))
            continue
        env.out(LAB_LINE.format(id=lab.id, checks=len(lab.checks), points=f"{lab.points:g}",
                                title=lab.title(lang), **where)(lang))
    return ExitStatus.SUCCESS


def list_types(args: argparse.Namespace, env: Env, lang: Lang) -> ExitStatus:
    """Each check type with its fields, from the classes (graders/check_reference.py)."""
    from graders.check_reference import all_types, reference_markdown
    from graders.checks import check_type_class

    if args.markdown:
        env.out(reference_markdown())
        return ExitStatus.SUCCESS
    for info in all_types():
        title = check_type_class(info.name).default_title(lang)
        env.out(f"{info.name:24} {info.need:10} {title}")
        for f in info.fields:
            env.out(f"    {f.name}: {f.type}  {f.doc.splitlines()[0] if f.doc else ''}")
        env.out()
    return ExitStatus.SUCCESS


def schema(args: argparse.Namespace, env: Env) -> ExitStatus:
    """The JSON Schema of lab.yaml, for editors (yaml-language-server) and CI."""
    import json

    from graders.check_reference import lab_schema

    env.out(json.dumps(lab_schema(), indent=2, ensure_ascii=False))
    return ExitStatus.SUCCESS


def clean(args: argparse.Namespace, env: Env) -> ExitStatus:
    """Remove what crashed runs left; never what a running grading (here or in another
    terminal) still uses, nor, when no lock tells, anything younger than the grace period
    (LABGRADE_REAP_GRACE seconds, default 3600; 0 removes every leftover).

    See graders/engine/cleanup.py for the rules."""
    from graders.backends import get_backend
    from graders.engine.cleanup import reap

    lang = env.lang()
    outcome = reap(get_backend(args.backend), include_kept=True)
    for item in outcome.removed:
        env.out(REMOVED.format(item=item)(lang))
    env.out(LEFTOVERS.format(count=len(outcome.removed))(lang))
    if outcome.kept:
        env.out(KEPT.format(count=len(outcome.kept))(lang))
    return ExitStatus.SUCCESS


REMOVED = Text("removido: {item}", "removed {item}")
LEFTOVERS = Text("{count} sobra(s) removida(s).", "{count} leftover(s) removed.")
KEPT = Text(
    "{count} mantida(s): são de uma correção em andamento ou recente (LABGRADE_REAP_GRACE=0 "
    "labgrade clean remove as recentes também).",
    "{count} kept: they belong to a running or recent grading run (LABGRADE_REAP_GRACE=0 "
    "labgrade clean removes the recent ones too).",
)
