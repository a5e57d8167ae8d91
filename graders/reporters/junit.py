"""JUnit XML in the subset CI tools read (dorny/test-reporter, action-junit-report, GitLab).

One `<testsuite>` per graded submission, one uniquely named `<testcase>` per check
(classname = lab id). FAILED -> `<failure>`, ERROR -> `<error>`, SKIPPED -> `<skipped>`.
No consumer reads points, so points are mirrored: in the testcase name (`[2/3 pts]`, the only
place every UI shows), as testcase `<properties>` and as suite-level `points.<id>` properties.
The authoritative score stays in the JSON formats. This is the only module importing junit_xml.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Sequence
from dataclasses import dataclass
from typing import ClassVar

import junit_xml

from graders.i18n import Lang
from graders.reporters._text import FIELD_CAP, LOG_CAP, clean, one_line, sanitize
from graders.reporters.base import (
    GRADER_NAME,
    fmt_points,
    fmt_score,
    grader_version,
    hidden_summary,
    shown_checks,
    unique_ids,
)
from graders.results import CheckResult, LabResult, Status

HIDDEN_CASE_ID = "hidden-checks"


DOCKERFILE = "Dockerfile"


def _at_line(line: int | None) -> str:
    return f"at {DOCKERFILE}:{line}\n" if line else ""


def _points(score: float, possible: float) -> str:
    return f"[{fmt_score(score, possible)} pts]"


def _case(
    check: CheckResult, uid: str, lab: str, lang: Lang, student_view: bool
) -> junit_xml.TestCase:
    title = one_line(clean(check.title(lang), 200, lang))
    case = junit_xml.TestCase(
        name=f"{sanitize(uid)}: {title} {_points(check.score, check.possible)}",
        classname=lab,
        elapsed_sec=round(check.duration_s, 3),
        stdout=None if student_view else (clean(check.details, LOG_CAP, lang) or None),
    )
    message = one_line(clean(check.message(lang), 1024, lang)) or check.status.value
    if check.line:
        message = f"Dockerfile:{check.line}: {message}"
    body = _at_line(check.line) + clean(check.feedback(lang), FIELD_CAP * 2, lang)
    if check.status is Status.FAILED:
        case.add_failure_info(message=message, output=body, failure_type="failure")
    elif check.status is Status.ERROR:
        case.add_error_info(message=message, output=body, error_type="error")
    elif check.status is Status.SKIPPED:
        case.add_skipped_info(message=message, output=body)
    return case


def _suite(
    result: LabResult, lang: Lang, student_view: bool
) -> junit_xml.TestSuite:
    lab = sanitize(result.lab)
    checks = shown_checks(result, student_view)
    cases = [_case(check, uid, lab, lang, student_view)
             for check, uid in zip(checks, unique_ids(checks), strict=True)]
    suite_props = {
        "lab": lab,
        "submission": sanitize(result.submission),
        "score": fmt_points(result.score),
        "max_score": fmt_points(result.possible),
        "status": result.status.value,
        "build.status": result.build.status.value,
        "run_id": sanitize(result.run_id),
        "lang": lang,
        "grader": f"{GRADER_NAME} {grader_version()}",
    }
    for check, uid in zip(checks, unique_ids(checks), strict=True):
        suite_props[f"points.{sanitize(uid)}"] = fmt_score(check.score, check.possible)
    hidden = hidden_summary(result) if student_view else None
    if hidden is not None:
        case = junit_xml.TestCase(
            name=f"{HIDDEN_CASE_ID}: {hidden.title(lang)} {_points(hidden.score, hidden.possible)}",
            classname=lab,
        )
        if hidden.status is Status.ERROR:
            case.add_error_info(message=hidden.message(lang), error_type="error")
        elif hidden.status is Status.FAILED:
            case.add_failure_info(message=hidden.message(lang), failure_type="failure")
        cases.append(case)
        suite_props[f"points.{HIDDEN_CASE_ID}"] = fmt_score(hidden.score, hidden.possible)
    build_text = ""
    if result.build.status in (Status.FAILED, Status.ERROR):
        explanation = result.build.explanation
        build_text = "\n".join(
            part
            for part in (
                clean(explanation(lang), FIELD_CAP, lang) if explanation else "",
                clean(result.build.log_tail, LOG_CAP, lang),
            )
            if part
        )
    if result.build.status in (Status.FAILED, Status.ERROR):
        build_case = junit_xml.TestCase(
            name="build: docker build",
            classname=lab,
            elapsed_sec=round(result.build.duration_s, 3),
        )
        where = f"Dockerfile:{result.build.line}: " if result.build.line else ""
        msg = where + (one_line(build_text.split("\n", 1)[0]) if build_text else "build failed")
        body = _at_line(result.build.line) + build_text
        if result.build.status is Status.FAILED:
            build_case.add_failure_info(message=msg, output=body, failure_type="failure")
        else:
            build_case.add_error_info(message=msg, output=body, error_type="error")
        cases.insert(0, build_case)
    name = f"{lab} ({sanitize(result.submission)})" if result.submission else lab
    # mikepenz/action-junit-report annotates testcase/failure/testsuite `file`, else the
    # classname (the lab id, no such file); junit-10.xsd allows `file` on the suite only. Each
    # failure's text starts "at Dockerfile:N", the form its resolveFileAndLine reads a line from.
    suite = junit_xml.TestSuite(
        name=name, test_cases=cases, properties=suite_props, stdout=build_text or None,
        file=DOCKERFILE,
    )
    return suite


def _schema_valid(xml: str) -> str:
    """Make junit-xml's output valid against Jenkins xunit's junit-10.xsd.

    No testcase `<properties>` (points live in the name and suite properties), no `line`,
    `disabled` or `<testsuites skipped>`, and times with at most three decimals.
    """
    root = ET.fromstring(xml)
    root.attrib.pop("skipped", None)
    root.attrib.pop("disabled", None)
    for el in root.iter():
        for attr in ("disabled", "line", "file"):
            if el.tag != "testsuite" or attr != "file":
                el.attrib.pop(attr, None)
        if "time" in el.attrib:
            el.set("time", f"{float(el.get('time') or 0):.3f}")
    ET.indent(root)
    return '<?xml version="1.0" encoding="utf-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"


@dataclass(frozen=True)
class JunitReporter:
    """`--format junit`: a `<testsuites>` document. `student_view` folds hidden checks into one."""

    name: ClassVar[str] = "junit"
    student_view: bool = False

    def render(self, result: LabResult, lang: Lang) -> str:
        return self.render_many([result], lang)

    def render_many(self, results: Sequence[LabResult], lang: Lang) -> str:
        suites = [_suite(r, lang, self.student_view) for r in results]
        xml = _schema_valid(junit_xml.to_xml_report_string(suites, prettyprint=False))
        ET.fromstring(xml.split("\n", 1)[1])  # a strict re-parse: raises rather than emit bad XML
        return xml


def render_many(results: Sequence[LabResult], lang: Lang = "en", student_view: bool = False) -> str:
    """Every result as one JUnit document, one testsuite per lab and submission."""
    return JunitReporter(student_view=student_view).render_many(results, lang)
