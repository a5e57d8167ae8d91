"""What a lab author can write, generated from the check classes themselves.

One source for three views: `labgrade list --types` (each type's fields), the reference page
docs/check-types.md, and the JSON Schema of lab.yaml (`labgrade schema`) that editors use
through yaml-language-server. A field's description is its attribute docstring in the class.
"""

from __future__ import annotations

import ast
import dataclasses
import inspect
import itertools
import json
import textwrap
import types
import typing
from dataclasses import dataclass
from typing import Any

from graders.checks import CHECK_TYPES, Check, check_type_class

SCHEMA_ID = "urn:labgrade:lab.yaml"


@dataclass(frozen=True)
class FieldInfo:
    name: str
    type: str
    """The field's type as written in the class, e.g. `list[int | str]`."""
    default: Any
    doc: str
    schema: dict[str, Any]


@dataclass(frozen=True)
class TypeInfo:
    name: str
    need: str
    title_en: str
    summary: str
    fields: tuple[FieldInfo, ...]


def field_docs(cls: type) -> dict[str, str]:
    """Each annotated field of `cls` (and its check bases) and the string right after it."""
    docs: dict[str, str] = {}
    for klass in reversed(cls.__mro__):
        if klass in (Check, object) or not issubclass(klass, Check):
            continue
        tree = ast.parse(textwrap.dedent(inspect.getsource(klass)))
        body = tree.body[0].body  # type: ignore[attr-defined]
        for node, after in itertools.pairwise(body):
            if (isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name)
                    and isinstance(after, ast.Expr) and isinstance(after.value, ast.Constant)
                    and isinstance(after.value.value, str)):
                docs[node.target.id] = inspect.cleandoc(after.value.value)
    return docs


def type_schema(hint: Any) -> dict[str, Any]:
    """A JSON Schema for a Python type hint; {} (anything) where YAML has no closer match."""
    origin = typing.get_origin(hint)
    args = typing.get_args(hint)
    if origin in (typing.Union, types.UnionType):
        options = [type_schema(a) for a in args if a is not type(None)]
        nullable = type(None) in args
        merged = options[0] if len(options) == 1 else {"anyOf": options}
        return {"anyOf": [merged, {"type": "null"}]} if nullable else merged
    if origin is typing.Literal:
        return {"enum": list(args)}
    if origin in (list, tuple) or hint in (list, tuple):
        return {"type": "array", "items": type_schema(args[0])} if args else {"type": "array"}
    if origin is dict or hint is dict:
        return {"type": "object", "additionalProperties": type_schema(args[1])} if args \
            else {"type": "object"}
    simple = {str: "string", bool: "boolean", int: "integer", float: "number"}
    if hint in simple:
        return {"type": simple[hint]} if hint is not float else {"type": "number"}
    return {}


def _default(f: dataclasses.Field[Any]) -> Any:
    if f.default is not dataclasses.MISSING:
        return f.default
    if f.default_factory is not dataclasses.MISSING:
        return f.default_factory()
    return None


def _type_text(f: dataclasses.Field[Any]) -> str:
    return f.type if isinstance(f.type, str) else getattr(f.type, "__name__", str(f.type))


def describe(type_name: str) -> TypeInfo:
    cls = check_type_class(type_name)
    hints = typing.get_type_hints(cls)
    docs = field_docs(cls)
    fields = []
    for f in dataclasses.fields(cls):  # type: ignore[arg-type]
        schema = dict(type_schema(hints.get(f.name)))
        default = _default(f)
        schema["description"] = docs.get(f.name, "")
        if isinstance(default, (str, int, float, bool, list, dict)):
            schema["default"] = default
        fields.append(FieldInfo(f.name, _type_text(f), default, docs.get(f.name, ""), schema))
    summary = inspect.cleandoc(cls.__doc__ or "").split("\n\n")[0].replace("\n", " ")
    return TypeInfo(type_name, cls.need.name.lower(), cls.default_title.en, summary,
                    tuple(fields))


def all_types() -> list[TypeInfo]:
    return [describe(name) for name in sorted(CHECK_TYPES)]


TEXT = {"description": "A string, or {pt: ..., en: ...}",
        "anyOf": [{"type": "string"},
                  {"type": "object", "properties": {"pt": {"type": "string"},
                                                    "en": {"type": "string"}},
                   "required": ["pt", "en"], "additionalProperties": False}]}
PORT = {"type": "integer", "minimum": 1, "maximum": 65535}
COMMON = {
    "id": {"type": "string", "pattern": "^[A-Za-z0-9][A-Za-z0-9_-]*$",
           "description": "Unique within the lab: letters, digits, - and _."},
    "type": {"type": "string", "description": "The check type."},
    "points": {"type": "number", "minimum": 0,
               "description": "Points; unset points share what the lab's total leaves."},
    "visibility": {"enum": ["visible", "hidden"], "default": "visible",
                   "description": "hidden checks count only when an instructor grades."},
    "hidden": {"type": "boolean", "description": "Shorthand for visibility: hidden."},
    "title": {**TEXT, "description": "What the check requires, for the student."},
    "hint": {**TEXT, "description": "What to do when it fails."},
    "live": {"type": "boolean", "description": "Graded only by `labgrade check --live`."},
    "expected": {**TEXT, "description": "What the check asks for, in words: the Expected line "
                 "of a failure, in place of the check's own (for a pattern it cannot word)."},
}


def _check_schema(info: TypeInfo) -> dict[str, Any]:
    properties = {**COMMON, "type": {"const": info.name}}
    properties.update({f.name: f.schema for f in info.fields})
    return {"if": {"properties": {"type": {"const": info.name}}, "required": ["type"]},
            "then": {"description": f"{info.name}: {info.summary}", "properties": properties,
                     "additionalProperties": False}}


def lab_schema() -> dict[str, Any]:
    """The JSON Schema (draft 2020-12) of lab.yaml, with one branch per check type."""
    infos = all_types()
    check = {"type": "object", "required": ["id", "type"],
             "properties": {**COMMON, "type": {"enum": [i.name for i in infos]}},
             "allOf": [_check_schema(i) for i in infos]}
    ready = {"type": "object", "additionalProperties": False, "properties": {
        "http": {"type": "object", "additionalProperties": False, "required": ["port"],
                 "properties": {"port": PORT, "path": {"type": "string", "default": "/"}}},
        "tcp": PORT, "log": {"type": "string", "description": "A regular expression."},
        "timeout": {"type": "number", "default": 30}}}
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": SCHEMA_ID,
        "title": "labgrade lab.yaml",
        "type": "object",
        "required": ["id", "title", "checks"],
        "additionalProperties": False,
        "properties": {
            "id": {"type": "string", "description": "Must equal the lab's folder name."},
            "title": TEXT,
            "description": TEXT,
            "points": {"type": "number", "description": "The total; checks share it."},
            "build": {"type": "object", "additionalProperties": False, "properties": {
                "dockerfile": {"type": "string", "default": "Dockerfile"},
                "context": {"type": "string", "default": "."},
                "args": {"type": "object", "additionalProperties": {"type": "string"}},
                "target": {"type": "string"},
                "timeout": {"type": "number", "default": 600}}},
            "run": {"type": "object", "additionalProperties": False, "properties": {
                "ports": {"type": "array", "items": PORT},
                "env": {"type": "object", "additionalProperties": {"type": "string"}},
                "command": {"anyOf": [{"type": "string"},
                                      {"type": "array", "items": {"type": "string"}}]},
                "ready": ready,
                "timeout": {"type": "number", "default": 120},
                "limits": {"type": "object",
                           "description": "Sandbox limits (docs/security.md)."}}},
            "checks": {"type": "array", "minItems": 1, "items": check},
            "samples": {"type": "array", "items": {
                "type": "object", "required": ["path", "score"], "additionalProperties": False,
                "properties": {"path": {"type": "string"}, "score": {"type": "number"},
                               "fails": {"type": "array", "items": {"type": "string"},
                                         "description": "The checks this sample must not "
                                                        "pass; every other check must pass."},
                               "setup": {"type": "object"}}}},
            "registry": {"type": "object"},
            "live": {"type": "object"},
            "image": {"type": "object"},
        },
    }


def _default_text(value: Any) -> str:
    if value in (None, "", [], {}):
        return "-"
    return f"`{value}`" if isinstance(value, str) else f"`{json.dumps(value)}`"


def reference_markdown() -> str:
    """docs/check-types.md: every check type, what it needs and its fields."""
    lines = ["# Check types", "",
             "Generated from the check classes by `labgrade list --types --markdown`; the same",
             "source gives `labgrade schema`. Every check also takes the common fields `id`,",
             "`type`, `points`, `visibility` (or `hidden`), `title`, `hint`, `expected` and",
             "`live`.", ""]
    for info in all_types():
        lines += [f"## `{info.name}`", "", f"{info.summary}", "", f"Needs: {info.need}.", ""]
        if info.fields:
            lines += ["| field | type | default | meaning |", "|---|---|---|---|"]
            for f in info.fields:
                doc = f.doc.replace("\n", " ").replace("|", "\\|")
                lines.append(f"| `{f.name}` | `{f.type.replace('|', '/')}` | "
                             f"{_default_text(f.default).replace('|', '/')} | {doc} |")
            lines.append("")
    return "\n".join(lines)
