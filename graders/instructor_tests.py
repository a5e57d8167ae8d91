"""An instructor's `labs/<id>/test_*.py`, read with `ast` (never imported at load time).

Each module-level `def test_*` becomes a check of the lab: its name is the check's id, the
first line of its docstring its title, `@pytest.mark.points(n)` its points (none: a share of
what the lab's total leaves, as a YAML check without points), `@pytest.mark.hidden` hides it.
The fixtures it asks for say at which stage it runs (see `need_of`).
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from graders.checks.base import Need
from graders.errors import SpecError
from graders.i18n import Text, tagged

FIXTURE_NEEDS = {"container": Need.CONTAINER, "host": Need.CONTAINER, "image": Need.IMAGE,
                 "registry": Need.DOCKERFILE, "lab": Need.DOCKERFILE}
"""What each of our fixtures needs the engine to have done; `registry` needs no build."""


@dataclass(frozen=True)
class InstructorTestInfo:
    name: str
    file: Path
    line: int
    title: Text
    points: float | None
    hidden: bool
    fixtures: tuple[str, ...]

    @property
    def need(self) -> Need:
        return need_of(self.fixtures)


def need_of(fixtures: tuple[str, ...]) -> Need:
    """The latest stage any of `fixtures` needs; DOCKERFILE when none of ours is asked for."""
    return max((FIXTURE_NEEDS.get(f, Need.DOCKERFILE) for f in fixtures), default=Need.DOCKERFILE)


def lab_test_files(folder: Path) -> list[Path]:
    """The lab's own test files (not those of its submissions' folders)."""
    return sorted(p for p in folder.glob("test_*.py") if p.is_file())


def read_tests(folder: Path) -> list[InstructorTestInfo]:
    found: list[InstructorTestInfo] = []
    for path in lab_test_files(folder):
        found += read_file(path)
    return found


def read_file(path: Path) -> list[InstructorTestInfo]:
    try:
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    except SyntaxError as e:
        raise SpecError(f"line {e.lineno}: not valid Python ({e.msg}); fix the instructor's "
                        "test file, or the lab cannot load", file=path) from None
    except (OSError, UnicodeDecodeError, ValueError) as e:
        raise SpecError(f"cannot read the instructor's test file: {e}", file=path) from None
    tests = []
    for node in tree.body:
        if isinstance(node, ast.ClassDef) and node.name.startswith("Test"):
            raise _error(path, node, f"class {node.name}: write each instructor test as a "
                         "module-level function (def test_...), so that it is graded")
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and \
                node.name.startswith("test"):
            tests.append(_read_test(path, node))
    return tests


def _read_test(path: Path, node: ast.FunctionDef | ast.AsyncFunctionDef) -> InstructorTestInfo:
    points: float | None = None
    hidden = False
    fixtures = [a.arg for a in node.args.posonlyargs + node.args.args + node.args.kwonlyargs]
    for deco in node.decorator_list:
        name, args = _mark(deco)
        if name == "points":
            points = _points(path, node, args)
        elif name == "hidden":
            hidden = True
        elif name == "usefixtures":
            fixtures += [a.value for a in args
                         if isinstance(a, ast.Constant) and isinstance(a.value, str)]
        elif name == "parametrize":
            raise _error(path, node, f"{node.name}: a parametrized instructor test is not "
                         "supported (one test is one check); write one test per case")
    doc = ast.get_docstring(node) or ""
    title = tagged(doc) if doc.strip() else Text.same(node.name)
    return InstructorTestInfo(node.name, path, node.lineno, title, points, hidden,
                              tuple(fixtures))


def _mark(deco: ast.expr) -> tuple[str | None, list[ast.expr]]:
    """`pytest.mark.NAME(args)` or `mark.NAME` -> (NAME, args); (None, []) for other decorators."""
    call = deco if isinstance(deco, ast.Call) else None
    target = call.func if call is not None else deco
    if isinstance(target, ast.Attribute):
        owner = target.value
        if (isinstance(owner, ast.Attribute) and owner.attr == "mark") or \
                (isinstance(owner, ast.Name) and owner.id == "mark"):
            return target.attr, list(call.args) if call is not None else []
    return None, []


def _points(path: Path, node: ast.FunctionDef | ast.AsyncFunctionDef,
            args: list[ast.expr]) -> float:
    value = args[0].value if len(args) == 1 and isinstance(args[0], ast.Constant) else None
    if isinstance(value, bool) or not isinstance(value, int | float) or value < 0:
        raise _error(path, node, f"{node.name}: @pytest.mark.points takes one number (0 or "
                     "more), like @pytest.mark.points(5)")
    return float(value)


def _error(path: Path, node: ast.stmt, message: str) -> SpecError:
    return SpecError(f"line {node.lineno}: {message}", file=path)


def instructor_checks(folder: Path) -> tuple[list[tuple[InstructorTestInfo, Any]], Any]:
    """The lab's instructor tests as (info, check) pairs, and the suite their checks share
    (a `graders.pytest_session.PytestSuite`; its `lab` is set once the lab is loaded)."""
    from graders.checks.instructor_test import instructor_test
    from graders.pytest_session import PytestSuite

    suite = PytestSuite(folder)
    pairs = []
    for info in read_tests(folder):
        check = instructor_test(info.need, name=info.name, file=str(info.file.resolve()),
                                title=info.title, hidden=info.hidden, suite=suite)
        suite.tests.append(check)
        pairs.append((info, check))
    return pairs, suite


def shipped_test_files(lab: Any, visible_only: bool = False) -> list[Path]:
    """The instructor test files a platform copy of `lab` carries beside its lab.yaml (without
    them the copy would grade less than the lab). `visible_only` (a student's repository)
    leaves out a file holding a hidden test: students could read it."""
    from graders.checks.instructor_test import InstructorTest

    tests = [c for c in lab.checks if isinstance(c.check, InstructorTest)]
    hiding = {Path(c.check.file) for c in tests if c.hidden}
    files = sorted({Path(c.check.file) for c in tests})
    return [f for f in files if not (visible_only and f in hiding)]
