"""An instructor's labs/<id>/test_*.py, read with ast into checks of the lab (no Docker)."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from graders.checks.base import Need
from graders.errors import SpecError
from graders.instructor_tests import read_file, shipped_test_files
from graders.spec import load_lab

LAB_YAML = """\
id: mylab
title: {pt: "Lab", en: "Lab"}
points: 20
build: {dockerfile: Dockerfile}
run: {ports: [80]}
checks:
  - {id: has-from, type: dockerfile_instruction, points: 5, instruction: FROM}
"""

TESTS = '''\
import pytest
from pytest import mark


@pytest.mark.points(5)
def test_served(host):
    """Apache serves /var/www/html

    More words that are not the title.
    """


@mark.points(3)
@pytest.mark.hidden
def test_label(image):
    """Ça marche"""


@pytest.mark.usefixtures("container")
def test_by_usefixtures():
    pass


def test_pushed(registry, lab):
    pass


def test_plain(tmp_path):
    pass


def helper(host):
    pass
'''


def write(folder: Path, name: str, text: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text(textwrap.dedent(text))
    return path


def test_reads_names_points_hidden_titles_and_needs(tmp_path: Path) -> None:
    found = {t.name: t for t in read_file(write(tmp_path, "test_x.py", TESTS))}
    assert list(found) == ["test_served", "test_label", "test_by_usefixtures", "test_pushed",
                           "test_plain"]  # helper() is no test
    served, label = found["test_served"], found["test_label"]
    assert (served.points, served.hidden, served.title) == (5.0, False,
                                                            "Apache serves /var/www/html")
    assert (label.points, label.hidden, label.title) == (3.0, True, "Ça marche")
    assert found["test_plain"].points is None and found["test_plain"].title == "test_plain"
    assert {n: t.need for n, t in found.items()} == {
        "test_served": Need.CONTAINER, "test_label": Need.IMAGE,
        "test_by_usefixtures": Need.CONTAINER, "test_pushed": Need.DOCKERFILE,
        "test_plain": Need.DOCKERFILE}


@pytest.mark.parametrize(("text", "line", "says"), [
    ("def test_a(host):\n    assert (\n", 2, "not valid Python"),
    ("import pytest\n\n@pytest.mark.points('five')\ndef test_a():\n    pass\n", 4,
     "@pytest.mark.points takes one number"),
    ("import pytest\n\n@pytest.mark.points(-1)\ndef test_a():\n    pass\n", 4,
     "@pytest.mark.points takes one number"),
    ("import pytest\n\n@pytest.mark.parametrize('x', [1, 2])\ndef test_a(x):\n    pass\n", 4,
     "parametrized instructor test is not supported"),
    ("class TestApache:\n    def test_a(self):\n        pass\n", 1,
     "module-level function"),
])
def test_a_bad_file_is_a_spec_error_naming_file_and_line(tmp_path: Path, text: str, line: int,
                                                          says: str) -> None:
    path = write(tmp_path, "test_bad.py", text)
    with pytest.raises(SpecError) as raised:
        read_file(path)
    assert raised.value.file == str(path)
    assert f"{path}: line {line}: " in str(raised.value) and says in str(raised.value)


def test_a_syntax_error_stops_the_lab_loading(tmp_path: Path) -> None:
    folder = tmp_path / "mylab"
    write(folder, "lab.yaml", LAB_YAML)
    path = write(folder, "test_bad.py", "def test_a(:\n")
    with pytest.raises(SpecError, match=f"{path}: line 1: not valid Python"):
        load_lab(folder)


def test_tests_become_checks_of_the_lab(tmp_path: Path) -> None:
    folder = tmp_path / "mylab"
    write(folder, "lab.yaml", LAB_YAML)
    write(folder, "test_x.py", TESTS)
    (folder / "submissions").mkdir()
    write(folder / "submissions", "test_not_the_labs.py", "def test_z():\n    pass\n")
    lab = load_lab(folder)
    by_id = {c.id: c for c in lab.checks}
    assert next(iter(by_id)) == "has-from" and "test_z" not in by_id
    assert by_id["test_served"].type == "pytest" and by_id["test_served"].need is Need.CONTAINER
    assert by_id["test_served"].title.pt == by_id["test_served"].title.en == \
        "Apache serves /var/www/html"
    assert by_id["test_label"].hidden and not by_id["test_served"].hidden
    # 5 + 5 + 3 fixed; the three without points share what the total leaves: 7 / 3 each
    assert lab.points == 20
    assert by_id["test_plain"].points == pytest.approx(7 / 3)


def test_points_over_the_total_stop_the_lab(tmp_path: Path) -> None:
    folder = tmp_path / "mylab"
    write(folder, "lab.yaml", LAB_YAML.replace("points: 20", "points: 10"))
    write(folder, "test_x.py", TESTS)
    with pytest.raises(SpecError, match="more than the lab total 10"):
        load_lab(folder)


def test_an_image_test_needs_a_build_section(tmp_path: Path) -> None:
    folder = tmp_path / "mylab"
    write(folder, "lab.yaml", "id: mylab\ntitle: Lab\nchecks:\n"
          "  - {id: has-from, type: dockerfile_instruction, instruction: FROM}\n")
    write(folder, "test_x.py", "def test_a(image):\n    pass\n")
    with pytest.raises(SpecError, match="needs the image built: add a build: section"):
        load_lab(folder)


def test_visible_copies_leave_out_a_file_with_a_hidden_test(tmp_path: Path) -> None:
    folder = tmp_path / "mylab"
    write(folder, "lab.yaml", LAB_YAML.replace("points: 20", "points: 30"))
    hiding = write(folder, "test_x.py", TESTS)
    plain = write(folder, "test_y.py", "def test_y(lab):\n    pass\n")
    lab = load_lab(folder)
    assert shipped_test_files(lab) == [hiding.resolve(), plain.resolve()]
    assert shipped_test_files(lab, visible_only=True) == [plain.resolve()]


def test_the_bundled_apache_lab_has_its_instructor_test() -> None:
    lab = load_lab("day2-apache")
    test = next(c for c in lab.checks if c.id == "test_document_root")
    assert (test.points, test.need, test.hidden) == (5.0, Need.CONTAINER, False)
    assert lab.points == 105


def test_a_students_copy_counts_only_the_tests_it_carries(tmp_path: Path) -> None:
    """Classroom's visible-only lab.yaml: a file with a hidden test stays out, and so do all
    its tests' points; the copy loads with the files it ships."""
    import yaml

    from graders.platforms.labcopy import lab_yaml_text

    folder = tmp_path / "mylab"
    write(folder, "lab.yaml", LAB_YAML.replace("points: 20", "points: 30"))
    write(folder, "test_x.py", TESTS)  # 5 + 3 (hidden) + 3 tests without points
    write(folder, "test_y.py", "import pytest\n\n@pytest.mark.points(4)\n"
          "def test_y(lab):\n    pass\n")
    full = yaml.safe_load(lab_yaml_text(load_lab(folder), "test") or "")
    visible = yaml.safe_load(lab_yaml_text(load_lab(folder), "test", visible_only=True) or "")
    assert full["points"] == 30
    assert visible["points"] == 5 + 4  # has-from and test_y: test_x.py is not shipped
