"""The lab author's reference: the JSON Schema and docs/check-types.md come from the check
classes, accept every bundled lab, and catch the mistakes an editor should underline."""

from __future__ import annotations

import copy
import functools
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml

from graders.check_reference import describe, lab_schema, reference_markdown
from graders.checks import CHECK_TYPES
from graders.lab_lookup import bundled_labs

REPO = Path(__file__).resolve().parents[2]
LABS = sorted(p for p in bundled_labs().iterdir() if (p / "lab.yaml").is_file())


@functools.cache
def _validator() -> jsonschema.Draft202012Validator:
    schema = lab_schema()
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(schema)


def _errors(data: Any) -> list[str]:
    return [e.message for e in _validator().iter_errors(data)]


@pytest.mark.parametrize("lab", LABS, ids=lambda p: p.name)
def test_every_bundled_lab_is_valid_against_the_schema(lab: Path) -> None:
    data = yaml.safe_load((lab / "lab.yaml").read_text(encoding="utf-8"))
    assert _errors(data) == []


def _apache() -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load((bundled_labs() / "day2-apache" / "lab.yaml")
                                          .read_text(encoding="utf-8"))
    return copy.deepcopy(data)


def test_a_misspelt_check_field_is_flagged() -> None:
    data = _apache()
    exposed = next(c for c in data["checks"] if c["type"] == "image_exposed_ports")
    exposed["portz"] = exposed.pop("ports")
    assert any("portz" in m for m in _errors(data))


def test_an_unknown_check_type_and_a_bad_port_are_flagged() -> None:
    data = _apache()
    data["checks"][0]["type"] = "no_such_type"
    data["run"]["ports"] = ["eighty"]
    messages = " ".join(_errors(data))
    assert "no_such_type" in messages and "eighty" in messages


def test_every_type_documents_every_field() -> None:
    for name in CHECK_TYPES:
        for f in describe(name).fields:
            assert f.doc, f"{name}.{f.name} has no attribute docstring"
            assert f.schema.get("description") == f.doc


def test_the_reference_page_is_the_generated_one() -> None:
    page = (REPO / "docs" / "check-types.md").read_text(encoding="utf-8")
    assert page == reference_markdown() + "\n", (
        "docs/check-types.md is stale: "
        "run `labgrade list --types --markdown > docs/check-types.md`")
