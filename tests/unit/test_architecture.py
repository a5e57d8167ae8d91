"""The package's import rules (docs/architecture.md), read from the source with `ast`.

Every import counts, a function's lazy one too (a cycle broken by importing late is still a
cycle); only `if TYPE_CHECKING:` blocks are left out, since they never run.
"""

from __future__ import annotations

import ast
from functools import cache
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[2] / "graders"

LAYERS = {
    # package -> what it may import besides the standard library and third-party packages
    "graders.backends": ("graders.backends", "graders.errors", "graders.i18n"),
    "graders.dockerfile": ("graders.dockerfile", "graders.errors", "graders.i18n"),
    "graders.checks": ("graders.checks", "graders.backends", "graders.dockerfile",
                       "graders.errors", "graders.i18n", "graders.registry"),
    "graders.engine": ("graders.engine", "graders.backends", "graders.checks",
                       "graders.dockerfile", "graders.errors", "graders.i18n",
                       "graders.results", "graders.scoring", "graders.spec",
                       "graders.registry"),
    "graders.registry": ("graders.registry", "graders.backends", "graders.dockerfile",
                         "graders.errors", "graders.i18n", "graders.spec_reader"),
    "graders.reporters": ("graders.reporters", "graders.results", "graders.errors",
                          "graders.i18n"),
    # the public result model and what every layer shares: nothing of ours but each other
    "graders.results": ("graders.results", "graders.i18n"),
    "graders.scoring": ("graders.scoring", "graders.errors", "graders.i18n"),
    "graders.errors": ("graders.errors", "graders.i18n"),
    "graders.i18n": ("graders.i18n",),
}

def module_name(path: Path) -> str:
    parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


@cache
def modules() -> dict[str, Path]:
    return {module_name(p): p for p in PACKAGE.rglob("*.py")}


def _type_checking(node: ast.AST) -> bool:
    test = getattr(node, "test", None)
    return isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(test)


def imported(path: Path) -> set[str]:
    """Every module `path` imports (`from pkg import sub` is `pkg.sub` when sub is a module)."""
    found: set[str] = set()
    todo: list[ast.AST] = [ast.parse(path.read_text())]
    while todo:
        node = todo.pop()
        if _type_checking(node):
            continue
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            subs = {f"{node.module}.{a.name}" for a in node.names} & modules().keys()
            found.update(subs)
            if len(subs) < len(node.names):
                found.add(node.module)
        todo.extend(ast.iter_child_nodes(node))
    return found


def graph() -> dict[str, set[str]]:
    return {name: {m for m in imported(path) if m in modules() and m != name}
            for name, path in modules().items()}


def cycles(edges: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected groups of more than one module (Tarjan's, iterative)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    found: list[list[str]] = []
    for root in edges:
        if root in index:
            continue
        work = [(root, iter(sorted(edges[root])))]
        index[root] = low[root] = len(index)
        stack.append(root)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = len(index)
                    stack.append(child)
                    work.append((child, iter(sorted(edges[child]))))
                elif child in stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                group = []
                while True:
                    member = stack.pop()
                    group.append(member)
                    if member == node:
                        break
                if len(group) > 1:
                    found.append(sorted(group))
    return found


def test_cycles_finds_a_cycle_it_is_shown() -> None:
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]


def test_no_import_cycles_in_graders() -> None:
    assert cycles(graph()) == []


def docker_importers() -> list[str]:
    """The modules outside graders/backends/ that import the docker SDK."""
    return sorted(name for name, path in modules().items()
                  if not name.startswith("graders.backends")
                  and any(m == "docker" or m.startswith("docker.") for m in imported(path)))


def test_docker_sdk_is_imported_only_under_backends() -> None:
    assert docker_importers() == []


@pytest.mark.parametrize("layer", sorted(LAYERS))
def test_each_layer_imports_only_what_it_may(layer: str) -> None:
    allowed = LAYERS[layer]
    wrong = {name: sorted(m for m in imported(path) if m.startswith("graders")
                          and not any(m == a or m.startswith(a + ".") for a in allowed)
                          and m != "graders")
             for name, path in modules().items() if name == layer or name.startswith(layer + ".")}
    assert {name: found for name, found in wrong.items() if found} == {}


def test_the_engine_never_asks_a_check_its_type() -> None:
    """The engine asks a check what it needs (its class attributes), never which type it is:
    no comparison with a `.type` anywhere in graders/engine/."""
    asking = sorted(
        f"{name}:{node.lineno}"
        for name, path in modules().items() if name.startswith("graders.engine")
        for node in ast.walk(ast.parse(path.read_text()))
        if isinstance(node, ast.Compare)
        and any(isinstance(side, ast.Attribute) and side.attr in ("type", "type_name")
                for side in (node.left, *node.comparators)))
    assert asking == []
