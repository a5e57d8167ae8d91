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


def _points(score: float, possible: float) -> str:
    return f"[{fmt_score(score, possible)} pts]"


def _case(
    check: CheckResult, uid: str, lab: str, lang: Lang, student_view: bool
) -> tuple[junit_xml.TestCase, dict[str, str]]:
    title = one_line(clean(check.title(lang), 200, lang))
    case = junit_xml.TestCase(
        name=f"{sanitize(uid)}: {title} {_points(check.score, check.possible)}",
        classname=lab,
        elapsed_sec=round(check.duration_s, 3),
        line=str(check.line) if check.line else None,
        stdout=None if student_view else (clean(check.details, LOG_CAP, lang) or None),
    )
    message = one_line(clean(check.message(lang), 1024, lang)) or check.status.value
    body = clean(check.feedback(lang), FIELD_CAP * 2, lang)
    if check.status is Status.FAILED:
        case.add_failure_info(message=message, output=body, failure_type="failure")
    elif check.status is Status.ERROR:
        case.add_error_info(message=message, output=body, error_type="error")
    elif check.status is Status.SKIPPED:
        case.add_skipped_info(message=message, output=body)
    props = {
        "points": fmt_points(check.score),
        "max_points": fmt_points(check.possible),
        "visibility": "hidden" if check.hidden else "visible",
        "tags": sanitize(check.type),
    }
    return case, props


def _suite(
    result: LabResult, lang: Lang, student_view: bool
) -> tuple[junit_xml.TestSuite, list[dict[str, str]]]:
    lab = sanitize(result.lab)
    checks = shown_checks(result, student_view)
    cases, case_props = [], []
    for check, uid in zip(checks, unique_ids(checks), strict=True):
        case, props = _case(check, uid, lab, lang, student_view)
        cases.append(case)
        case_props.append(props)
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
        case_props.append(
            {"points": fmt_points(hidden.score), "max_points": fmt_points(hidden.possible)}
        )
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
    name = f"{lab} ({sanitize(result.submission)})" if result.submission else lab
    suite = junit_xml.TestSuite(
        name=name, test_cases=cases, properties=suite_props, stdout=build_text or None
    )
    return suite, case_props


def _add_case_properties(xml: str, per_suite: list[list[dict[str, str]]]) -> str:
    """junit-xml 1.9 has no testcase properties: add them to the parsed tree, in order."""
    root = ET.fromstring(xml)
    for suite_el, props_list in zip(root.findall("testsuite"), per_suite, strict=True):
        for case_el, props in zip(suite_el.findall("testcase"), props_list, strict=True):
            props_el = ET.Element("properties")
            for key, value in props.items():
                ET.SubElement(props_el, "property", {"name": key, "value": value})
            case_el.insert(0, props_el)
    skipped = sum(int(s.get("skipped", "0")) for s in root.findall("testsuite"))
    root.set("skipped", str(skipped))  # junit-xml totals everything but skips
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
        built = [_suite(r, lang, self.student_view) for r in results]
        xml = junit_xml.to_xml_report_string([s for s, _ in built], prettyprint=False)
        xml = _add_case_properties(xml, [props for _, props in built])
        ET.fromstring(xml.split("\n", 1)[1])  # a strict re-parse: raises rather than emit bad XML
        return xml


def render_many(results: Sequence[LabResult], lang: Lang = "en", student_view: bool = False) -> str:
    """Every result as one JUnit document, one testsuite per lab and submission."""
    return JunitReporter(student_view=student_view).render_many(results, lang)
