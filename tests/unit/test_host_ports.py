"""A check that reaches a container port from the host says so (`Check.host_port_field`), and the
spec loader refuses a lab that does not publish that port; a field merely called `port` does not
count."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from graders.checks import CHECK_TYPES, check_type_class
from graders.errors import SpecError
from graders.spec import load_lab


def lab(tmp_path: Path, check: dict[str, Any]) -> Path:
    data = {"id": "mini", "title": {"pt": "Mini", "en": "Mini"},
            "build": {"dockerfile": "Dockerfile"}, "run": {"ports": [8080]},
            "checks": [{"id": "probe", **check}]}
    (tmp_path / "mini").mkdir()
    (tmp_path / "mini" / "lab.yaml").write_text(yaml.safe_dump(data), encoding="utf-8")
    return tmp_path / "mini"


@pytest.mark.parametrize("check", [{"type": "http", "port": 80},
                                   {"type": "http_nonce", "port": 80, "directory": "/www"}])
def test_an_unpublished_probe_port_is_the_labs_mistake(tmp_path: Path,
                                                       check: dict[str, Any]) -> None:
    with pytest.raises(SpecError, match="port 80 is not published") as e:
        load_lab(str(lab(tmp_path, check)))
    assert e.value.field == "checks[0].port"


def test_a_published_probe_port_loads(tmp_path: Path) -> None:
    assert load_lab(str(lab(tmp_path, {"type": "http", "port": 8080}))).checks[0].points


def test_only_host_probes_declare_a_port_field() -> None:
    """`live_http` also has a `port`, on the student's own engine: it must not be declared."""
    declared = {name: check_type_class(name).host_port_field for name in CHECK_TYPES}
    assert {n: f for n, f in declared.items() if f} == {"http": "port", "http_nonce": "port"}
    assert "port" in check_type_class("live_http").__dataclass_fields__
