"""Loading lab.yaml: valid labs load; every kind of mistake names the file, field and fix."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from graders.errors import SpecError, UsageError
from graders.scoring import resolve_points
from graders.spec import lab_ids, labs_root, load_lab, parse_lab

MINIMAL = {
    "id": "mini",
    "title": {"pt": "Mini", "en": "Mini"},
    "build": {"dockerfile": "Dockerfile"},
    "checks": [
        {"id": "exposes", "type": "image_exposed_ports", "points": 4, "ports": [80]},
        {"id": "from", "type": "base_image", "image": "debian"},
    ],
}


def lab_from(tmp_path: Path, data: dict, name: str = "mini") -> Path:
    folder = tmp_path / name
    folder.mkdir()
    (folder / "lab.yaml").write_text(yaml.safe_dump(data), encoding="utf-8")
    return folder


def test_every_bundled_lab_loads() -> None:
    ids = lab_ids(labs_root())
    assert "day2-apache" in ids
    for lab_id in ids:
        lab = load_lab(lab_id)
        assert lab.points > 0
        assert any(s.path == "solution" and s.score == lab.points for s in lab.samples)


def test_minimal_lab_fills_defaults_and_shares_points(tmp_path: Path) -> None:
    lab = parse_lab({**MINIMAL, "points": 10}, lab_from(tmp_path, MINIMAL))
    assert [c.points for c in lab.checks] == [4, 6]
    assert lab.build is not None and lab.build.timeout == 600
    assert lab.checks[1].title.en  # the type's default title


@pytest.mark.parametrize(
    ("change", "field", "words"),
    [
        ({"checks": [{"id": "x", "type": "no_such_type"}]}, "checks[0].type", "Valid types:"),
        ({"checks": [{"id": "x", "type": "image_exposed_ports", "portz": [80]}]},
         "checks[0].portz", "allowed here"),
        ({"checks": [{"id": "bad id", "type": "image_exposed_ports", "ports": [80]}]},
         "checks[0].id", "not a valid id"),
        ({"points": 3}, "points", "more than the lab total"),
        ({"id": "other"}, "id", "folder name"),
        ({"run": {"ports": ["eighty"]}}, "run.ports[0]", "port number"),
        ({"run": {"ready": {"http": {"port": 80}, "tcp": 80}}}, "run.ready.tcp", "only one"),
        ({"build": {"dockerfile": "../x"}}, "build.dockerfile", "relative path"),
        ({"title": 5}, "title", "pt"),
        ({"checks": [{"id": "a", "type": "image_exposed_ports", "ports": [80]},
                     {"id": "a", "type": "image_exposed_ports", "ports": [81]}]},
         "checks[1].id", "duplicate"),
    ],
)
def test_bad_spec_names_file_field_and_what_is_allowed(
    tmp_path: Path, change: dict, field: str, words: str
) -> None:
    data = {**MINIMAL, **change}
    folder = lab_from(tmp_path, data)
    with pytest.raises(SpecError) as e:
        load_lab(str(folder))
    assert str(folder / "lab.yaml") in str(e.value)
    assert e.value.field == field
    assert words in str(e.value)


def test_invalid_yaml_gives_the_line(tmp_path: Path) -> None:
    folder = tmp_path / "broken"
    folder.mkdir()
    (folder / "lab.yaml").write_text("id: broken\nchecks: [\n", encoding="utf-8")
    with pytest.raises(SpecError, match="not valid YAML at line"):
        load_lab(str(folder))


def test_unknown_lab_lists_known_ones() -> None:
    with pytest.raises(UsageError, match="day2-apache"):
        load_lab("no-such-lab")


def test_runtime_check_without_run_section_is_rejected(tmp_path: Path) -> None:
    data = {**MINIMAL, "checks": [{"id": "up", "type": "container_running"}]}
    with pytest.raises(SpecError, match="needs a running container"):
        load_lab(str(lab_from(tmp_path, data)))


def test_resolve_points() -> None:
    assert resolve_points(None, [None, 2]) == [1.0, 2.0]
    assert resolve_points(10, [None, None, 4]) == [3.0, 3.0, 4.0]
    with pytest.raises(SpecError):
        resolve_points(5, [3, 3])
    with pytest.raises(SpecError, match="agree"):
        resolve_points(10, [3, 3])
