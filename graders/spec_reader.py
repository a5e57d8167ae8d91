"""A typed reader over parsed YAML that reports errors with the file and the field path."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import yaml

from graders.errors import SpecError
from graders.i18n import Text


class Reader:
    """Reads one mapping of a lab.yaml; every error names the file, the field and what is
    allowed."""

    def __init__(self, data: object, file: Path, path: str = "") -> None:
        if not isinstance(data, Mapping):
            raise SpecError(f"expected a mapping, got {type(data).__name__}", file=file, field=path)
        self.data: Mapping[str, Any] = data
        self.file = file
        self.path = path

    def at(self, key: str | int) -> str:
        if isinstance(key, int):
            return f"{self.path}[{key}]"
        return f"{self.path}.{key}" if self.path else key

    def error(self, key: str | int, message: str) -> SpecError:
        return SpecError(message, file=self.file, field=self.at(key))

    def only(self, allowed: Iterable[str]) -> None:
        allowed = sorted(allowed)
        for key in self.data:
            if key not in allowed:
                raise self.error(str(key), f"unknown field; allowed here: {', '.join(allowed)}")

    def child(self, key: str) -> Reader | None:
        value = self.data.get(key)
        return None if value is None else Reader(value, self.file, self.at(key))

    def string(self, key: str, default: str | None = None, *, required: bool = False) -> str | None:
        value = self.data.get(key, default)
        if value is None:
            if required:
                raise self.error(key, "is required (a string)")
            return None
        if not isinstance(value, str | int | float) or isinstance(value, bool):
            raise self.error(key, f"expected a string, got {type(value).__name__}")
        return str(value)

    def number(self, key: str, default: float | None = None, *, minimum: float = 0) -> float | None:
        value = self.data.get(key, default)
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, int | float) or value < minimum:
            raise self.error(key, f"expected a number >= {minimum:g}, got {value!r}")
        return float(value)

    def flag(self, key: str, default: bool) -> bool:
        value = self.data.get(key, default)
        if not isinstance(value, bool):
            raise self.error(key, f"expected true or false, got {value!r}")
        return value

    def text(self, key: str, *, required: bool = False) -> Text | None:
        try:
            value = Text.from_yaml(self.data.get(key))
        except ValueError as e:
            raise self.error(key, str(e)) from None
        if value is None and required:
            raise self.error(key, "is required: a string or {pt: ..., en: ...}")
        return value

    def str_map(self, key: str) -> dict[str, str]:
        value = self.data.get(key) or {}
        if not isinstance(value, Mapping):
            raise self.error(key, "expected a mapping of names to strings")
        return {str(k): str(v) for k, v in value.items()}

    def sequence(self, key: str) -> list[Any]:
        value = self.data.get(key) or []
        if not isinstance(value, list):
            raise self.error(key, f"expected a list, got {type(value).__name__}")
        return value


MAX_YAML_DEPTH = 64
"""No lab.yaml or labgrade.yaml nests deeper; deeper ones are refused before being built."""


class YAMLTooDeep(yaml.YAMLError):
    """Nesting over `MAX_YAML_DEPTH`: refused before composing (PyYAML's composer recurses, and
    2,000 levels were a RecursionError)."""

    def __init__(self, depth: int, line: int) -> None:
        super().__init__(f"nested more than {depth} levels deep (at line {line})")
        self.depth, self.line = depth, line
        self.problem = f"nested more than {depth} levels deep"
        self.problem_mark = None


def load_yaml(text: str, max_depth: int = MAX_YAML_DEPTH) -> object:
    """`yaml.safe_load` that ends in a `yaml.YAMLError` for every bad input: the nesting is
    counted on the parser's event stream (iterative) before anything recursive runs, and a
    RecursionError left anyway becomes a YAMLError too."""
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    depth = 0
    try:
        for event in yaml.parse(text, Loader=loader):
            if isinstance(event, yaml.CollectionStartEvent):
                depth += 1
                if depth > max_depth:
                    mark = getattr(event, "start_mark", None)
                    raise YAMLTooDeep(max_depth, mark.line + 1 if mark else 0)
            elif isinstance(event, yaml.CollectionEndEvent):
                depth -= 1
        return yaml.load(text, Loader=loader)
    except RecursionError:
        raise YAMLTooDeep(max_depth, 0) from None
