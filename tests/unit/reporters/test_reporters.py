"""The reporter registry, the text helpers, and the JSON and JUnit formats."""

from __future__ import annotations

import ast
import json
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from graders.errors import UsageError
from graders.reporters import REPORTERS, Reporter, get_reporter
from graders.reporters._text import md_escape, md_fence, neutralize_workflow_commands, sanitize
from graders.reporters.json_report import JsonReporter
from graders.reporters.junit import JunitReporter, render_many
from graders.results import LabResult

from .samples import HOSTILE, assert_clean, assert_no_secrets


@pytest.mark.parametrize("name", sorted(REPORTERS))
def test_registry_entries_import_and_match_their_name(name: str) -> None:
    cls = get_reporter(name)
    assert cls.name == name
    assert isinstance(cls(), Reporter)


def test_unknown_format_names_the_valid_ones() -> None:
    with pytest.raises(UsageError, match="Valid formats: classroom, gradescope, json"):
        get_reporter("xml")


SIDE_EFFECTS = {"os", "sys", "subprocess", "uuid", "socket", "tempfile", "print", "open"}
"""Modules and builtins that write, print, run or read the environment."""


def _uses(node: ast.AST) -> list[str]:
    if isinstance(node, ast.Import):
        return [alias.name.split(".")[0] for alias in node.names]
    if isinstance(node, ast.ImportFrom) and node.module:
        return [node.module.split(".")[0]]
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
        return [node.func.id]
    return []


def test_reporters_only_render() -> None:
    """A reporter returns text; writing files, printing, environment variables and workflow
    commands are the caller's (graders/cli, and graders/platforms/github.py in Actions)."""
    package = Path(__file__).parents[3] / "graders" / "reporters"
    found = [f"{path.name}:{node.lineno} {name}"
             for path in sorted(package.glob("*.py"))
             for node in ast.walk(ast.parse(path.read_text()))
             for name in _uses(node) if name in SIDE_EFFECTS]
    assert found == []


def test_only_junit_imports_junit_xml() -> None:
    package = Path(__file__).parents[3] / "graders"
    users = [p.name for p in package.rglob("*.py") if "junit_xml" in p.read_text()]
    assert users == ["junit.py"]


@pytest.mark.parametrize("name", sorted(REPORTERS))
def test_every_format_renders_every_sample(
    name: str, rich: LabResult, crash: LabResult, empty: LabResult, hostile: LabResult
) -> None:
    reporter = get_reporter(name)()
    for result in (rich, crash, empty, hostile):
        for lang in ("pt", "en"):
            out = reporter.render(result, lang)
            assert out
            assert_clean(out)


@pytest.mark.parametrize("name", sorted(REPORTERS))
def test_every_format_shows_expected_words_in_the_run_language(name: str, rich: LabResult) -> None:
    """An expected value that is words (a Text) reads in the run's language; a literal (a
    `str`: "root") reads the same in both."""
    reporter = get_reporter(name)()
    pt, en = reporter.render(rich, "pt"), reporter.render(rich, "en")
    assert "não seja root" in pt and "non-root" not in pt
    assert "non-root" in en and "não seja root" not in en
    assert "root" in pt and "root" in en


def test_json_expected_stays_a_string(rich: LabResult) -> None:
    """Tools read `expected`/`actual` as strings: a Text is rendered, never an object."""
    checks = json.loads(JsonReporter().render(rich, "pt"))["checks"]
    user = next(c for c in checks if c["id"] == "user-nonroot")
    assert user["expected"] == "um USER que não seja root"
    assert user["actual"] == "root"


def test_sanitize_keeps_text_and_drops_controls() -> None:
    assert sanitize("a\x1b[1;31mred\x1b[0m\x00\tb\r\nc\rd") == "ared\tb\nc\nd"
    assert sanitize(b"ok\xff".decode("utf-8", "surrogateescape")) == "ok\ufffd"
    assert sanitize("\x1b]8;;http://evil\x07link\x1b]8;;\x07") == "link"


def test_markdown_helpers_neutralise_markup() -> None:
    assert md_escape("<b>*x*</b> | [a](b)") == r"&lt;b&gt;\*x\*&lt;/b&gt; \| \[a\]\(b\)"
    fenced = md_fence("a ```` b")
    assert fenced.startswith("`````text\n") and fenced.endswith("\n`````")


def test_workflow_commands_are_broken_at_line_starts() -> None:
    text = neutralize_workflow_commands("ok ::x\n::error::bad\n  ::set-output name=a::b")
    assert not any(line.lstrip().startswith("::") for line in text.splitlines())
    assert text.startswith("ok ::x\n")


# JSON -------------------------------------------------------------------------------------------

CHECK_KEYS = {
    "id", "title", "type", "status", "points", "max_points", "message", "expected", "actual",
    "hint", "visibility", "line", "duration_s",
}  # fmt: skip


def test_json_shape(rich: LabResult) -> None:
    data = json.loads(JsonReporter().render(rich, "en"))
    assert {"lab", "submission", "score", "max_score", "status", "checks", "build"} <= set(data)
    assert {"duration_s", "lang", "grader"} <= set(data)
    assert data["grader"]["name"] == "labgrade" and data["grader"]["version"]
    assert (data["score"], data["max_score"], data["status"]) == (17.5, 50, "error")
    assert set(data["build"]) >= {"status", "duration_s", "log_tail", "explanation"}
    assert len(data["checks"]) == 7
    for entry in data["checks"]:
        assert set(entry) >= CHECK_KEYS
        assert entry["status"] in {"passed", "failed", "error", "skipped"}
        assert entry["visibility"] in {"visible", "hidden"}
    failed = data["checks"][1]
    assert failed["expected"] == "a non-root USER" and failed["line"] == 5
    assert failed["hint"] == "Use USER." and failed["title"] == "Title user-nonroot"


def test_json_language(rich: LabResult) -> None:
    data = json.loads(JsonReporter().render(rich, "pt"))
    assert data["lang"] == "pt"
    assert data["checks"][0]["title"] == "Título exposes-80"
    assert data["checks"][3]["message"] == "Registro indisponível"


def test_json_student_view_drops_hidden_checks(rich: LabResult) -> None:
    out = JsonReporter(student_view=True).render(rich, "en")
    assert_no_secrets(out)
    data = json.loads(out)
    assert [c["id"] for c in data["checks"]] == [
        "exposes-80", "user-nonroot", "labels", "registry-tag", "http-root",
    ]  # fmt: skip
    assert data["score"] == 17.5  # hidden points still count
    assert data["hidden"] == {"count": 2, "status": "failed", "points": 5, "max_points": 10}


def test_json_render_many(rich: LabResult, crash: LabResult) -> None:
    data = json.loads(JsonReporter().render_many([rich, crash], "en"))
    assert [r["submission"] for r in data["results"]] == ["alice", "carol"]


def test_json_hostile_is_capped_and_clean(hostile: LabResult) -> None:
    out = JsonReporter().render(hostile, "en")
    assert len(out.encode()) < 1_000_000
    data = json.loads(out)
    assert "]]></testcase><script>" in data["checks"][1]["actual"]


# JUnit ------------------------------------------------------------------------------------------


def parse(xml: str) -> ET.Element:
    assert xml.startswith('<?xml version="1.0" encoding="utf-8"?>')
    return ET.fromstring(xml.encode("utf-8"))


def props(el: ET.Element) -> dict[str, str]:
    return {p.get("name", ""): p.get("value", "") for p in el.findall("properties/property")}


def test_junit_counts_and_names(rich: LabResult) -> None:
    root = parse(JunitReporter().render(rich, "en"))
    (suite,) = root.findall("testsuite")
    assert suite.get("name") == "day2-apache (alice)"
    assert (suite.get("tests"), suite.get("failures"), suite.get("errors")) == ("7", "3", "1")
    assert suite.get("skipped") == "1"
    cases = suite.findall("testcase")
    assert len({(c.get("classname"), c.get("name")) for c in cases}) == 7
    assert all(c.get("classname") == "day2-apache" for c in cases)
    assert cases[0].get("name") == "exposes-80: Title exposes-80 [10/10 pts]"
    assert cases[2].get("name") == "labels: Title labels [2.5/5 pts]"
    failure = cases[1].find("failure")
    # junit-10.xsd has no `line`: the Dockerfile line leads the message annotations show
    assert failure is not None and failure.get("message") == "Dockerfile:5: Message user-nonroot"
    assert "Expected: a non-root USER" in (failure.text or "")
    assert cases[1].get("line") is None
    assert cases[3].find("error") is not None and cases[4].find("skipped") is not None
    assert cases[0].find("failure") is None and cases[0].find("error") is None


def test_junit_points_are_properties(rich: LabResult) -> None:
    suite = parse(JunitReporter().render(rich, "en")).findall("testsuite")[0]
    case = suite.findall("testcase")[2]
    assert case.find("properties") is None  # junit-10.xsd: no properties in a testcase
    assert case.get("name", "").endswith("[2.5/5 pts]")
    suite_props = props(suite)
    assert suite_props["points.labels"] == "2.5/5"
    assert (suite_props["score"], suite_props["max_score"]) == ("17.5", "50")
    details = suite.findall("testcase")[1].findtext("system-out")
    assert details == "INSTRUCTOR_ONLY_TRACEBACK"


def test_junit_student_view_folds_hidden_checks(rich: LabResult) -> None:
    out = JunitReporter(student_view=True).render(rich, "en")
    assert_no_secrets(out)
    suite = parse(out).findall("testsuite")[0]
    cases = suite.findall("testcase")
    assert len(cases) == 6
    assert cases[-1].get("name") == "hidden-checks: Hidden checks [5/10 pts]"
    assert cases[-1].find("failure") is not None


def test_junit_render_many_one_suite_per_result(rich: LabResult, crash: LabResult) -> None:
    root = parse(render_many([rich, crash], "pt"))
    names = [s.get("name") for s in root.findall("testsuite")]
    assert names == ["day2-apache (alice)", "day2-apache (carol)"]
    # carol's build errored: it is a testcase of its own, so the file is not a pass
    assert root.get("errors") == "3" and root.get("tests") == "9"
    assert root.get("failures") == "3" and root.get("skipped") is None  # not in junit-10.xsd


def test_junit_survives_hostile_output(hostile: LabResult) -> None:
    out = JunitReporter().render(hostile, "en")
    assert_clean(out)
    assert len(out.encode()) < 2_000_000
    suite = parse(out).findall("testsuite")[0]
    assert (suite.get("failures"), suite.get("errors"), suite.get("skipped")) == ("3", "1", "1")
    cases = [c for c in suite.findall("testcase") if c.get("name") != "build: docker build"]
    assert len({c.get("name") for c in cases}) == 5
    assert cases[-1].get("name", "").startswith("c0#2: ")
    failure = cases[0].find("failure")
    assert failure is not None
    assert "]]></testcase><script>alert(1)</script>" in (failure.text or "")
    assert "characters truncated" in (suite.findtext("system-out") or "")
    assert HOSTILE not in out  # the control characters did not survive
