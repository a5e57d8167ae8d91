"""Every registered check type is documented by an example that actually validates.

Docstring format (also in docs/writing-checks.md): the class docstring holds a fenced block that
opens with a line "```yaml" and closes with a line "```". Its content is what a lab author would
paste under `checks:` in lab.yaml: a YAML list of check entries (or a single mapping), each with
`type:` equal to the check's `type_name`. For example:

    ```yaml
    - id: exposes-80
      type: image_exposed_ports
      ports: [80]
    ```

A docstring without a ```yaml block may instead have a Google-style section: a line `Example:`
followed by one mapping indented deeper (several separated by `---` lines), ending at the first
line indented no deeper than `Example:`.

The test parses each entry with yaml, drops the keys every check has (id, type, points, title,
hint, visibility, ...: `graders.spec.CHECK_COMMON`), builds the class from the rest and asserts
`validate() == []`. It also holds each class to the contract in docs/writing-checks.md: frozen
dataclass, a default and an attribute docstring on every field, `need`, a bilingual
`default_title`, and its own `run`.
"""

from __future__ import annotations

import dataclasses
import importlib
import importlib.util
import inspect
import re
import textwrap
from typing import Any

import pytest
import yaml

from graders.check_reference import field_docs
from graders.checks import CHECK_TYPES, Check, Need, check_type_class
from graders.i18n import Text
from graders.spec import CHECK_COMMON

FENCE = re.compile(r"^```yaml[ \t]*\n(.*?)^```[ \t]*$", re.MULTILINE | re.DOTALL)
SECTION_HEADERS = ("Example:", "Examples:")


def yaml_examples(doc: str | None) -> list[dict[str, Any]]:
    """The check entries in a class docstring: its ```yaml blocks, else its Example: section."""
    text = inspect.cleandoc(doc or "")
    blocks = FENCE.findall(text) or _section(text)
    entries: list[dict[str, Any]] = []
    for block in blocks:
        for loaded in yaml.safe_load_all(block):
            for entry in loaded if isinstance(loaded, list) else [loaded]:
                assert isinstance(entry, dict), f"an example must be a YAML mapping, got {entry!r}"
                entries.append(entry)
    return entries


def _section(text: str) -> list[str]:
    """The Google-style `Example:` section: lines indented deeper than its header."""
    lines = text.splitlines()
    start = next((i for i, line in enumerate(lines) if line.strip() in SECTION_HEADERS), None)
    if start is None:
        return []
    indent = len(lines[start]) - len(lines[start].lstrip())
    block: list[str] = []
    for line in lines[start + 1 :]:
        if line.strip() and len(line) - len(line.lstrip()) <= indent:
            break
        block.append(line)
    return [textwrap.dedent("\n".join(block))]


def registered() -> list[Any]:
    """Every CHECK_TYPES key, skipped while its module is not written yet."""
    params = []
    for key, target in sorted(CHECK_TYPES.items()):
        exists = importlib.util.find_spec(target.split(":")[0]) is not None
        marks = () if exists else (pytest.mark.skip(reason=f"{target} is not written yet"),)
        params.append(pytest.param(key, id=key, marks=marks))
    return params


@pytest.mark.parametrize("key", registered())
def test_example_in_docstring_validates(key: str) -> None:
    cls: Any = check_type_class(key)  # Any: a dataclass whose fields are read below
    assert cls.type_name == key
    examples = yaml_examples(cls.__doc__)
    assert examples, f"{cls.__name__} has no ```yaml example in its docstring"
    own = {f.name for f in dataclasses.fields(cls)}
    for example in examples:
        assert example.get("type") == key, f"the example's type: must be {key!r}"
        unknown = set(example) - own - CHECK_COMMON
        assert not unknown, f"the example uses fields {cls.__name__} does not have: {unknown}"
        check = cls(**{k: v for k, v in example.items() if k in own})
        assert check.validate() == [], f"{key} example does not validate"


@pytest.mark.parametrize("key", registered())
def test_class_follows_the_contract(key: str) -> None:
    cls: Any = check_type_class(key)  # Any: a dataclass whose fields are read below
    assert issubclass(cls, Check)
    params = getattr(cls, "__dataclass_params__", None)  # is_dataclass() would narrow cls
    assert params is not None and params.frozen, f"{cls.__name__} must be a frozen dataclass"
    assert isinstance(cls.need, Need)
    assert isinstance(cls.default_title, Text) and cls.default_title.pt and cls.default_title.en
    assert cls.default_hint is None or isinstance(cls.default_hint, Text)
    assert cls.run is not Check.run, f"{cls.__name__} does not implement run(ctx)"
    for f in dataclasses.fields(cls):
        has_default = f.default is not dataclasses.MISSING
        assert has_default or f.default_factory is not dataclasses.MISSING, (
            f"{cls.__name__}.{f.name} has no default"
        )
        assert not callable(getattr(Check, f.name, None)), f"field {f.name} hides Check.{f.name}"
    undocumented = {f.name for f in dataclasses.fields(cls)} - documented_fields(cls)
    assert not undocumented, f"{cls.__name__} fields without an attribute docstring: {undocumented}"


def documented_fields(cls: type) -> set[str]:
    """Names annotated in `cls` or its bases and followed by a string (an attribute docstring)."""
    return set(field_docs(cls))
