"""Lab specs: load and validate `labs/<id>/lab.yaml` into frozen dataclasses."""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from graders.checks import CHECK_TYPES, Check, Need, check_type_class
from graders.checks.instructor_test import TYPE_NAME
from graders.errors import SpecError, UsageError
from graders.i18n import Text
from graders.instructor_tests import instructor_checks
from graders.lab_lookup import LabSource, available, lab_sources, locate
from graders.scoring import resolve_points
from graders.spec_reader import Reader, load_yaml

ID_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]*$")
CHECK_COMMON = {"id", "type", "points", "visibility", "hidden", "title", "hint", "live",
                "expected"}


@dataclass(frozen=True)
class Readiness:
    kind: str | None = None
    """http, tcp, log, or None to start checks at once."""
    port: int | None = None
    path: str = "/"
    pattern: str | None = None
    timeout: float = 30.0


@dataclass(frozen=True)
class BuildSpec:
    dockerfile: str = "Dockerfile"
    context: str = "."
    args: dict[str, str] = field(default_factory=dict)
    target: str | None = None
    timeout: float = 600.0


@dataclass(frozen=True)
class RunSpec:
    ports: tuple[int, ...] = ()
    env: dict[str, str] = field(default_factory=dict)
    command: list[str] | str | None = None
    ready: Readiness = field(default_factory=Readiness)
    timeout: float = 120.0
    limits: dict[str, Any] = field(default_factory=dict)
    """Sandbox overrides (memory, pids, cpus, cap_add, user ...); see graders/engine/sandbox.py."""


@dataclass(frozen=True)
class CheckSpec:
    id: str
    type: str
    points: float
    hidden: bool
    title: Text
    hint: Text | None
    check: Check
    live: bool = False
    expected: Text | None = None
    """What the check asks for, in words, shown as the "Expected" line of a failure instead of
    the check's own (a lab's regex, put in words)."""

    @property
    def need(self) -> Need:
        return Need.LIVE if self.live else self.check.need


@dataclass(frozen=True)
class Sample:
    path: str
    score: float
    setup: dict[str, Any] = field(default_factory=dict)
    """Extra state a sample's test sets up (for example what a registry holds)."""
    fails: frozenset[str] | None = None
    """The ids of the checks this sample must not pass (every other check must pass); None
    when the lab does not say, and the sample is held to its score alone."""


@dataclass(frozen=True)
class Lab:
    id: str
    title: Text
    description: Text
    root: Path
    checks: tuple[CheckSpec, ...]
    build: BuildSpec | None = None
    run: RunSpec | None = None
    samples: tuple[Sample, ...] = ()
    points: float = 0.0
    """The total of the checks that every run grades (live checks are extra)."""
    extra: dict[str, Any] = field(default_factory=dict)
    """Sections owned by other features (registry, live), kept as parsed YAML."""

    @property
    def spec_file(self) -> Path:
        return self.root / "lab.yaml"


def labs_root(explicit: str | Path | None = None) -> Path:
    """The first folder a lab id is looked up in (see graders/lab_lookup.py for the order)."""
    return lab_sources(explicit)[0].path


def lab_ids(root: Path) -> list[str]:
    return LabSource(root, "").lab_ids()


def find_lab(name: str, root: Path | None = None) -> Path:
    """A lab folder from an id (under `root`, or wherever graders/lab_lookup.py looks), or a
    path to a folder holding lab.yaml."""
    sources = [LabSource(root, "--labs")] if root is not None else lab_sources()
    folder = locate(name, sources)
    if folder is not None:
        # `labgrade validate .` inside a lab folder: the lab's id is the folder's real name.
        return folder.resolve() if folder.name in ("", ".", "..") else folder
    known = ", ".join(lab_id for lab_id, _ in available(sources))
    where = ", ".join(str(s.path) for s in sources)
    raise UsageError(UNKNOWN_LAB.format(name=repr(name), where=where, known=known or "-"))


UNKNOWN_LAB = Text(
    "Lab desconhecido {name} (labs em {where}: {known}). Veja os labs com `labgrade list`.",
    "Unknown lab {name} (labs in {where}: {known}). Try `labgrade list`.",
)


def load_lab(name: str | Path, root: Path | None = None) -> Lab:
    folder = find_lab(str(name), root)
    file = folder / "lab.yaml"
    try:
        # libyaml's loader when PyYAML has it (0.9 ms per lab.yaml instead of 8 ms); nesting
        # too deep is a YAMLError (spec_reader.load_yaml), never a RecursionError.
        data = load_yaml(file.read_text(encoding="utf-8"))
    except yaml.YAMLError as e:
        mark = getattr(e, "problem_mark", None)
        where = f"line {mark.line + 1}" if mark else "?"
        problem = getattr(e, "problem", e)
        raise SpecError(f"not valid YAML at {where}: {problem}", file=file) from None
    return parse_lab(data, folder)


def parse_lab(data: object, folder: Path) -> Lab:
    file = folder / "lab.yaml"
    r = Reader(data, file)
    r.only({"id", "title", "description", "points", "build", "run", "checks", "samples",
            "registry", "live", "image"})
    lab_id = r.string("id", required=True) or ""
    if lab_id != folder.name:
        raise r.error("id", f"{lab_id!r} must equal the lab's folder name {folder.name!r}")
    raw_checks = r.sequence("checks")
    if not raw_checks:
        raise r.error("checks", "a lab needs at least one check")
    parsed = [_parse_check(Reader(c, file, f"checks[{i}]")) for i, c in enumerate(raw_checks)]
    tests, suite = instructor_checks(folder)  # the lab's test_*.py: checks like the others
    parsed += [(i.name, CheckSpec(i.name, TYPE_NAME, 0.0, i.hidden, i.title, None, c),
                i.points) for i, c in tests]
    _unique_ids(r, [p[0] for p in parsed])
    total = r.number("points")
    # Live checks grade the student's own engine state, which a Classroom or batch run never
    # has: they keep their own points (1 by default) outside the lab's total.
    graded = [p for p in parsed if p[1].need is not Need.LIVE]
    try:
        points = iter(resolve_points(total, [p[2] for p in graded]))
    except SpecError as e:
        raise SpecError(e.reason, file=file, field="points") from None
    checks = tuple(dataclasses.replace(p[1], points=next(points) if p[1].need is not Need.LIVE
                                       else (1.0 if p[2] is None else p[2])) for p in parsed)
    build = _parse_build(r.child("build"))
    run = _parse_run(r.child("run"))
    _needs_met(r, checks, build, run)
    lab = Lab(
        id=lab_id,
        title=r.text("title", required=True) or Text.same(lab_id),
        description=r.text("description") or Text.same(""),
        root=folder,
        checks=checks,
        build=build,
        run=run,
        samples=tuple(_parse_sample(Reader(s, file, f"samples[{i}]"), folder, checks)
                      for i, s in enumerate(r.sequence("samples"))),
        points=sum(c.points for c in checks if c.need is not Need.LIVE),
        extra={k: r.data[k] for k in ("registry", "live", "image") if k in r.data},
    )
    suite.lab = lab  # the instructor tests' `lab` fixture
    return lab


def _parse_check(r: Reader) -> tuple[str, CheckSpec, float | None]:
    check_id = r.string("id", required=True) or ""
    if not ID_RE.match(check_id):
        raise r.error("id", f"{check_id!r} is not a valid id: use letters, digits, - and _")
    type_name = r.string("type", required=True) or ""
    if type_name not in CHECK_TYPES:
        raise r.error("type", f"unknown check type {type_name!r}. Valid types: "
                      + ", ".join(sorted(CHECK_TYPES)))
    cls = check_type_class(type_name)
    own = {f.name for f in dataclasses.fields(cls)}  # type: ignore[arg-type]
    r.only(CHECK_COMMON | own)
    visibility = r.string("visibility", "hidden" if r.data.get("hidden") else "visible")
    if visibility not in ("visible", "hidden"):
        raise r.error("visibility", f"{visibility!r} is not allowed: use visible or hidden")
    kwargs = {k: v for k, v in r.data.items() if k in own}
    try:
        check = cls(**kwargs)
    except (TypeError, ValueError) as e:
        raise r.error("type", f"bad fields for {type_name}: {e}") from None
    problems = check.validate()
    if problems:
        raise r.error(type_name, "; ".join(problems))
    title = r.text("title") or cls.default_title
    spec = CheckSpec(check_id, type_name, 0.0, visibility == "hidden", title,
                     r.text("hint") or cls.default_hint, check,
                     r.flag("live", False) or cls.need is Need.LIVE, r.text("expected"))
    return check_id, spec, r.number("points")


def _unique_ids(r: Reader, ids: list[str]) -> None:
    seen: set[str] = set()
    for i, check_id in enumerate(ids):
        if check_id in seen:
            raise SpecError(f"duplicate check id {check_id!r}", file=r.file,
                            field=f"checks[{i}].id")
        seen.add(check_id)


def _parse_build(r: Reader | None) -> BuildSpec | None:
    if r is None:
        return None
    r.only({"dockerfile", "context", "args", "target", "timeout"})
    for key in ("dockerfile", "context"):
        value = r.string(key) or ""
        if value.startswith("/") or ".." in Path(value).parts:
            raise r.error(key, "must be a relative path inside the submission")
    return BuildSpec(r.string("dockerfile", "Dockerfile") or "Dockerfile",
                     r.string("context", ".") or ".",
                     r.str_map("args"), r.string("target"), r.number("timeout", 600) or 600.0)


def _port(r: Reader, key: str | int, value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 0 < value < 65536:
        raise r.error(key, f"expected a port number 1-65535, got {value!r}")
    return value


def _parse_run(r: Reader | None) -> RunSpec | None:
    if r is None:
        return None
    r.only({"ports", "env", "command", "ready", "timeout", "limits"})
    ports = tuple(_port(r, f"ports[{i}]", p) for i, p in enumerate(r.sequence("ports")))
    command = r.data.get("command")
    if command is not None and not isinstance(command, str | list):
        raise r.error("command", "expected a string or a list of strings")
    limits = r.data.get("limits") or {}
    if not isinstance(limits, dict):
        raise r.error("limits", "expected a mapping")
    from graders.engine.sandbox import resolve_limits

    try:
        resolve_limits(limits)  # a widened sandbox or an unknown limit stops the lab loading
    except SpecError as e:
        raise SpecError(e.reason, file=r.file, field=e.field) from None
    return RunSpec(ports, r.str_map("env"), command, _parse_ready(r.child("ready")),
                   r.number("timeout", 120) or 120.0, dict(limits))


def _parse_ready(r: Reader | None) -> Readiness:
    if r is None:
        return Readiness()
    r.only({"http", "tcp", "log", "timeout"})
    kinds = [k for k in ("http", "tcp", "log") if k in r.data]
    if len(kinds) > 1:
        raise r.error(kinds[1], "give only one of http, tcp or log")
    timeout = r.number("timeout", 30) or 30.0
    if not kinds:
        return Readiness(timeout=timeout)
    kind = kinds[0]
    value = r.data[kind]
    if kind == "tcp":
        return Readiness("tcp", _port(r, "tcp", value), timeout=timeout)
    if kind == "log":
        if not isinstance(value, str):
            raise r.error("log", "expected a regular expression")
        try:
            re.compile(value)
        except re.error as e:
            raise r.error("log", f"invalid regular expression: {e}") from None
        return Readiness("log", pattern=value, timeout=timeout)
    h = Reader(value, r.file, r.at("http"))
    h.only({"port", "path"})
    return Readiness("http", _port(h, "port", h.data.get("port")), h.string("path", "/") or "/",
                     timeout=timeout)


def _parse_sample(r: Reader, folder: Path, checks: tuple[CheckSpec, ...]) -> Sample:
    r.only({"path", "score", "fails", "setup"})
    path = r.string("path", required=True) or ""
    if not (folder / path).is_dir():
        raise r.error("path", f"no folder {path!r} in the lab")
    score = r.number("score")
    if score is None:
        raise r.error("score", "is required: the score this sample must get")
    setup = r.data.get("setup") or {}
    return Sample(path, score, dict(setup) if isinstance(setup, dict) else {},
                  _sample_fails(r, checks))


def _sample_fails(r: Reader, checks: tuple[CheckSpec, ...]) -> frozenset[str] | None:
    """A sample's `fails:` list: graded check ids (live checks never run on samples)."""
    if "fails" not in r.data:
        return None
    fails = r.data["fails"]
    if not isinstance(fails, list) or not all(isinstance(f, str) for f in fails):
        raise r.error("fails", "expected a list of check ids")
    graded = {c.id for c in checks if not c.live}
    unknown = [f for f in fails if f not in graded]
    if unknown:
        raise r.error("fails", f"no graded check {unknown[0]!r} in the lab; the ids are: "
                      + ", ".join(sorted(graded)))
    return frozenset(fails)


def _needs_met(r: Reader, checks: tuple[CheckSpec, ...], build: BuildSpec | None,
               run: RunSpec | None) -> None:
    for i, c in enumerate(checks):
        if c.need in (Need.IMAGE, Need.CONTAINER) and build is None:
            raise SpecError(f"check type {c.type} needs the image built: add a build: section",
                            file=r.file, field=f"checks[{i}]")
        if c.need is Need.CONTAINER and run is None:
            raise SpecError(f"check type {c.type} needs a running container: add a run: section",
                            file=r.file, field=f"checks[{i}]")
        field_name = c.check.host_port_field
        port = getattr(c.check, field_name) if field_name else None
        if c.need is Need.CONTAINER and run is not None and isinstance(port, int) \
                and port not in run.ports:
            raise SpecError(f"port {port} is not published: add it to run.ports "
                            f"(now {list(run.ports)})", file=r.file,
                            field=f"checks[{i}].{field_name}")
