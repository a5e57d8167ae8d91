"""What lenient JUnit readers take from our file, read the way their code reads it.

mikepenz/action-junit-report (src/testParser.ts, resolveFileAndLine and parseSuite): the path
is the testcase's `file`, else its failure's, else the testsuite's, else the classname's last
dotted part; the line is `line` from the same places, else the last match of
` [^ ]*<file>.*?:<digits>` in the failure's text, else 1. dorny/test-reporter counts a
testcase with <failure> or <error> as failed, so a failed build must be one."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

from graders.reporters.junit import JunitReporter
from tests.unit.reporters.samples import make_hostile, make_rich


def mikepenz_position(suite: ET.Element, case: ET.Element) -> tuple[str, int]:
    failure = case.find("failure")
    if failure is None:
        failure = case.find("error")
    file = case.get("file") or (failure.get("file") if failure is not None else None) \
        or suite.get("file")
    name = file or (case.get("classname") or case.get("name") or "").split(".")[-1]
    text = (failure.text or "") if failure is not None else ""
    matches = re.findall(rf" [^ ]*{re.escape(name)}.*?:\d+", text)
    line = int(matches[-1].rsplit(":", 1)[1]) if matches else 1
    return name, line


def _cases(xml: str) -> list[tuple[ET.Element, ET.Element]]:
    root = ET.fromstring(xml.split("\n", 1)[1])
    return [(suite, case) for suite in root.iter("testsuite") for case in suite.iter("testcase")]


def test_a_failed_check_is_annotated_at_its_dockerfile_line() -> None:
    result = make_rich()
    lined = {c.title.en: c.line for c in result.checks if c.line and c.status.value == "failed"}
    assert lined, "the sample must have a failed check with a line"
    seen = 0
    for suite, case in _cases(JunitReporter().render(result, "en")):
        if case.find("failure") is None:
            continue
        title = next((t for t in lined if t in (case.get("name") or "")), None)
        if title is None:
            continue
        assert mikepenz_position(suite, case) == ("Dockerfile", lined[title])
        seen += 1
    assert seen == len(lined)


def test_a_failed_build_is_a_failure_dorny_counts_and_mikepenz_places() -> None:
    result = make_hostile()
    cases = _cases(JunitReporter().render(result, "en"))
    build = [(s, c) for s, c in cases if (c.get("name") or "").startswith("build:")]
    assert len(build) == 1 and build[0][1].find("failure") is not None
    assert mikepenz_position(*build[0]) == ("Dockerfile", result.build.line)
