"""JUnit output: valid against Jenkins xunit's junit-10.xsd, and a failed build is a failure."""

from __future__ import annotations

import dataclasses
import shutil
import subprocess
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from graders.reporters.junit import JunitReporter, render_many
from graders.results import LabResult, Status
from tests.unit.reporters.samples import (
    make_crash,
    make_empty,
    make_hostile,
    make_many,
    make_rich,
)

XSD = (Path(__file__).resolve().parents[3].parent / "shared" / "reference" / "schemas"
       / "junit-10.xsd")
"""Jenkins xunit's JUnit schema, in the shared/ folder that lies beside the checkout."""


def xsd_errors(xml: str, tmp_path: Path) -> str:
    """xmllint's complaints about `xml` against junit-10.xsd ('' when it validates)."""
    if shutil.which("xmllint") is None:
        pytest.fail("xmllint is missing: run scripts/ensure-test-tools.sh (libxml2-utils)")
    if not XSD.exists():
        pytest.fail(f"junit-10.xsd not found at {XSD}")
    path = tmp_path / "report.xml"
    path.write_text(xml, encoding="utf-8")
    proc = subprocess.run(
        ["xmllint", "--noout", "--schema", str(XSD), str(path)],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    return "" if proc.returncode == 0 else proc.stderr


SAMPLES = {
    "rich": make_rich, "hostile": make_hostile, "crash": make_crash, "empty": make_empty,
    "many": lambda: make_many(300),
}  # fmt: skip


@pytest.mark.parametrize("student_view", [False, True])
@pytest.mark.parametrize("sample", sorted(SAMPLES))
def test_junit_is_valid_against_junit10_xsd(
    sample: str, student_view: bool, tmp_path: Path
) -> None:
    out = JunitReporter(student_view=student_view).render(SAMPLES[sample](), "pt")
    assert xsd_errors(out, tmp_path) == ""


def test_junit_combined_file_is_valid(tmp_path: Path) -> None:
    out = render_many([f() for f in SAMPLES.values()], "en")
    assert xsd_errors(out, tmp_path) == ""


def test_junit_times_have_three_decimals_at_most() -> None:
    rich = make_rich()
    odd = dataclasses.replace(rich.checks[0], duration_s=3.0069999999999997)
    out = JunitReporter().render(dataclasses.replace(rich, checks=[odd, *rich.checks[1:]]), "en")
    times = [el.get("time") for el in ET.fromstring(out.encode()).iter() if el.get("time")]
    assert times and all(len(t.split(".")[-1]) <= 3 for t in times if t)


def _build_case(result: LabResult) -> ET.Element:
    suite = ET.fromstring(JunitReporter().render(result, "en").encode()).find("testsuite")
    assert suite is not None
    cases = [c for c in suite.findall("testcase") if c.get("name", "").startswith("build")]
    assert len(cases) == 1, "the build is a testcase of its own"
    return cases[0]


def test_failed_build_is_a_failing_testcase() -> None:
    """dorny/test-reporter says "passed" when no testcase fails: a failed build must fail."""
    hostile = make_hostile()  # build FAILED at Dockerfile line 3
    skipped = [dataclasses.replace(c, status=Status.SKIPPED) for c in hostile.checks]
    result = dataclasses.replace(hostile, checks=skipped)
    case = _build_case(result)
    failure = case.find("failure")
    assert failure is not None and case.find("error") is None
    assert (failure.get("message") or "").startswith("Dockerfile:3: ")
    suite = ET.fromstring(JunitReporter().render(result, "en").encode()).find("testsuite")
    assert suite is not None and suite.get("failures") == "1"


def test_build_error_of_ours_is_an_error_testcase() -> None:
    case = _build_case(make_crash())  # the daemon went away: labgrade's fault, not the student's
    error = case.find("error")
    assert error is not None and case.find("failure") is None
    assert "daemon went away" in (error.get("message") or "") + (error.text or "")


def test_passed_build_adds_no_testcase() -> None:
    suite = ET.fromstring(JunitReporter().render(make_rich(), "en").encode()).find("testsuite")
    assert suite is not None
    assert not [c for c in suite.findall("testcase") if c.get("name", "").startswith("build")]
