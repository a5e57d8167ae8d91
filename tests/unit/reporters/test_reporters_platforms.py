"""GitHub Classroom, Gradescope, PrairieLearn, Markdown and the terminal table."""

from __future__ import annotations

import base64
import json
import re
import shutil
import subprocess
from dataclasses import replace
from typing import Any

import pytest

from graders.platforms.github import encode  # the base64 the reporter step decodes
from graders.reporters.base import fmt_points, fmt_score
from graders.reporters.classroom import ENV_LIMIT
from graders.reporters.gradescope import GradescopeReporter
from graders.reporters.markdown import MarkdownReporter
from graders.reporters.prairielearn import PrairieLearnReporter
from graders.reporters.table import TableReporter
from graders.results import BuildInfo, LabResult, Status

from .samples import assert_clean, assert_no_secrets, check

# GitHub Classroom -------------------------------------------------------------------------------

TEST_KEYS = {"name", "status", "score", "message", "test_code", "filename", "line_no", "duration"}


def decode(b64: str) -> dict[str, Any]:
    """As the reporter does: `JSON.parse(Buffer.from(b64, "base64").toString("utf-8"))`."""
    data: dict[str, Any] = json.loads(base64.b64decode(b64, validate=True).decode("utf-8"))
    return data


def classroom_totals(data: dict[str, Any]) -> tuple[float, float]:
    """`notify-classroom.js`: Σ tests[].score and max_score, for runners with a max_score."""
    if not data["max_score"]:
        return 0, 0
    return sum(t["score"] for t in data["tests"]), data["max_score"]


def test_classroom_shape_and_points(rich: LabResult) -> None:
    data = decode(encode(rich, "en"))
    assert data["version"] == 1 and data["status"] == "error"
    assert classroom_totals(data) == (17.5, 50)
    assert len(data["tests"]) == 6  # five visible checks + one hidden summary
    for test in data["tests"]:
        assert set(test) >= TEST_KEYS and "execution_time" in test
        assert test["status"] in {"pass", "fail", "error"}
        assert isinstance(test["line_no"], int) and isinstance(test["duration"], int)
    statuses = [t["status"] for t in data["tests"]]
    assert statuses == ["pass", "fail", "fail", "error", "fail", "fail"]
    assert data["tests"][0]["duration"] == 250 and data["tests"][0]["execution_time"] == "0.25s"
    assert (
        data["tests"][1]["line_no"] == 5
        and "Expected: a non-root USER" in data["tests"][1]["message"]
    )
    assert data["tests"][2]["score"] == 2.5  # partial credit survives


def test_classroom_hides_hidden_checks(rich: LabResult) -> None:
    b64 = encode(rich, "pt")
    text = base64.b64decode(b64).decode()
    assert_no_secrets(text)
    hidden = decode(b64)["tests"][-1]
    assert (hidden["name"], hidden["score"], hidden["status"]) == (
        "Verificações ocultas",
        5,
        "fail",
    )


def test_classroom_infrastructure_error_still_has_tests(crash: LabResult, empty: LabResult) -> None:
    for result in (crash, empty):
        data = decode(encode(result, "en"))
        assert data["status"] == "error" and data["tests"]
        assert any(t["status"] == "error" for t in data["tests"])
        assert_no_secrets(json.dumps(data))


def test_classroom_hostile_output_is_bounded_and_inert(hostile: LabResult) -> None:
    b64 = encode(hostile, "en")
    assert len(b64) < 1_000_000
    data = decode(b64)
    assert data["tests"][0]["name"] == "Image build" and data["tests"][0]["line_no"] == 3
    for test in data["tests"]:
        assert_clean(test["message"] + test["name"] + test["test_code"])
        lines = (test["message"] + "\n" + test["name"]).splitlines()
        assert not any(line.lstrip().startswith("::") for line in lines)


def test_classroom_keeps_points_when_checks_are_left_out(many: LabResult) -> None:
    passing = replace(
        many, checks=tuple(replace(c, status=Status.PASSED, score=1) for c in many.checks)
    )
    b64 = encode(passing, "en")
    assert len(b64) < 1_000_000
    data = decode(b64)
    assert len(data["tests"]) < 5000 and "left out" in data["tests"][-1]["name"]
    assert classroom_totals(data) == (5000, 5000) and data["tests"][-1]["status"] == "pass"


def test_classroom_through_the_reporters_own_parsing(rich: LabResult) -> None:
    """Run the reporter's reads (env var, base64, JSON.parse, sums) in Node when it is there."""
    node = shutil.which("node")
    if node is None:
        pytest.skip("node is not installed")
    script = """
    const runner = "grade-docker";
    const raw = process.env[`${runner.trim().toUpperCase()}_RESULTS`];
    const results = JSON.parse(Buffer.from(raw, "base64").toString("utf-8"));
    let total = 0;
    results.tests.forEach(({score}) => { total += score; });
    const failed = results.status === "fail" || results.status === "error";
    console.log(JSON.stringify({total, max: results.max_score, n: results.tests.length, failed}));
    """
    env = {"GRADE-DOCKER_RESULTS": encode(rich, "en")}
    out = subprocess.run([node, "-e", script], env=env, capture_output=True, text=True, check=True)
    assert json.loads(out.stdout) == {"total": 17.5, "max": 50, "n": 6, "failed": True}


REPORTER_MAIN = """
// classroom-resources/autograding-grading-reporter@v1, src/main.js and notify-classroom.js:
// the env var read, base64, JSON.parse and the sum behind `Points X/Y`.
const runner = "labgrade";
const encoded = process.env[`${runner.trim().toUpperCase()}_RESULTS`];
const results = JSON.parse(Buffer.from(encoded, "base64").toString("utf-8"));
let totalPoints = 0, maxPoints = 0;
if (results.max_score) {
  maxPoints += results.max_score;
  results.tests.forEach(({ score }) => { totalPoints += score; });
}
console.log(JSON.stringify({ text: `Points ${totalPoints}/${maxPoints}`,
  summary: JSON.stringify({ totalPoints, maxPoints }),
  names: results.tests.map((t) => t.name), statuses: results.tests.map((t) => t.status) }));
"""


def run_reporter(encoded: str) -> dict[str, Any]:
    """Start Node with the result in `LABGRADE_RESULTS`, as the workflow's reporter step is
    started (execve fails with E2BIG when one variable is over 128 KiB)."""
    node = shutil.which("node")
    if node is None:
        pytest.skip("node is not installed")
    env = {"PATH": "/usr/bin:/bin", "LABGRADE_RESULTS": encoded}
    out = subprocess.run([node, "-e", REPORTER_MAIN], env=env, capture_output=True, text=True,
                         check=True, timeout=60)
    data: dict[str, Any] = json.loads(out.stdout)
    return data


def many_long_failures(n: int = 160) -> LabResult:
    """A lab of n failing checks whose titles, expected and actual values and hints are long."""
    from graders.i18n import Text

    long = "The quick brown fox jumps over the lazy dog. " * 40
    checks = tuple(
        check(f"check-{i:03d}", Status.FAILED, 0.25 if i % 3 else 0, 1,
              title=Text(f"T{i:03d} " + "a long title " * 30, f"T{i:03d} " + "a long title " * 30),
              expected=long, actual=long, hint=Text(long, long), line=i + 1)
        for i in range(n)
    )
    return LabResult(lab="big", title=Text.same("Big"), submission="eve", checks=checks,
                     build=BuildInfo(Status.PASSED))


def test_classroom_many_long_failures_fit_one_environment_variable() -> None:
    result = many_long_failures(160)
    b64 = encode(result, "en")
    variable = f"LABGRADE_RESULTS={b64}".encode()
    assert len(variable) + 1 <= ENV_LIMIT - 16 * 1024  # with a margin of 16 KiB at least
    data = decode(b64)
    assert len(data["tests"]) == 160  # shortened, none dropped
    for i, test in enumerate(data["tests"]):
        assert test["name"].startswith(f"T{i:03d} ")
        assert test["score"] == (0.25 if i % 3 else 0)
        assert test["status"] == "fail" and test["line_no"] == i + 1
    seen = run_reporter(b64)
    score = sum(0.25 if i % 3 else 0 for i in range(160))
    assert seen["text"] == f"Points {fmt_points(score)}/160"


@pytest.mark.parametrize("scores", [
    [0.1, 0.2],
    [0.1, 0.2, 0.1, 0.2, 1 / 3, 1 / 3, 1 / 3, 0.05, 0.7],
    [0.7, 0.1, 0.1, 0.1, 0, 0.15, 0.15],
])
def test_classroom_partial_credit_sums_as_labgrade_shows_it(scores: list[float]) -> None:
    """JavaScript's `+=` makes 0.1 + 0.2 = 0.30000000000000004: the notice must not."""
    from graders.i18n import Text

    checks = tuple(check(f"c{i}", Status.FAILED, s, 1) for i, s in enumerate(scores))
    result = LabResult(lab="p", title=Text.same("P"), submission="s", checks=checks,
                       build=BuildInfo(Status.PASSED))
    seen = run_reporter(encode(result, "en"))
    shown = fmt_score(result.score, result.possible)
    assert seen["text"] == f"Points {shown}"
    summary = json.loads(seen["summary"])
    assert f"{summary['totalPoints']}/{summary['maxPoints']}" == shown


# Gradescope -------------------------------------------------------------------------------------


def test_gradescope_shape(rich: LabResult) -> None:
    data = json.loads(GradescopeReporter().render(rich, "en"))
    assert data["score"] == 17.5 and data["execution_time"] == 30
    assert data["stdout_visibility"] == "hidden" and data["visibility"] == "visible"
    tests = data["tests"]
    assert [t["number"] for t in tests] == ["1", "2", "3", "4", "5", "6", "7"]
    assert [t["status"] for t in tests] == ["passed"] + ["failed"] * 4 + ["passed", "failed"]
    for test in tests:
        assert {"score", "max_score", "status", "name", "number", "output", "visibility"} <= set(
            test
        )
        assert test["tags"] == ["image_user"]
    assert (tests[2]["score"], tests[2]["max_score"]) == (2.5, 5)
    assert tests[3]["extra_data"]["status"] == "error"
    assert [t["visibility"] for t in tests][-2:] == ["hidden", "hidden"]
    assert_no_secrets(data["output"])


def test_gradescope_hidden_visibility_option(rich: LabResult) -> None:
    reporter = GradescopeReporter(hidden_visibility="after_published")
    tests = json.loads(reporter.render(rich, "en"))["tests"]
    assert [t["visibility"] for t in tests].count("after_published") == 2


def test_gradescope_size(many: LabResult) -> None:
    out = GradescopeReporter().render(many, "en")
    assert len(out.encode()) <= 1024 * 1024
    data = json.loads(out)
    assert data["score"] == 0 and "check(s) left out to fit the size limit" in data["output"]


# PrairieLearn -----------------------------------------------------------------------------------


def test_prairielearn_shape(rich: LabResult, crash: LabResult) -> None:
    out = PrairieLearnReporter().render(rich, "en")
    assert_no_secrets(out)
    data = json.loads(out)
    assert data["score"] == 0.35 and (data["points"], data["max_points"]) == (17.5, 50)
    assert data["gradable"] is False and data["format_errors"] == [
        "Title registry-tag: Registry unavailable"
    ]
    for test in data["tests"]:
        assert {"name", "description", "points", "max_points", "output", "message"} <= set(test)
    assert data["tests"][-1]["name"] == "Hidden checks"
    crashed = json.loads(PrairieLearnReporter().render(crash, "pt"))
    assert crashed["gradable"] is False and len(crashed["format_errors"]) == 2


def test_prairielearn_gradable_and_bounded(many: LabResult, hostile: LabResult) -> None:
    data = json.loads(PrairieLearnReporter().render(many, "en"))
    assert data["gradable"] is True and data["score"] == 0.0
    for result in (many, hostile):
        assert len(PrairieLearnReporter().render(result, "en").encode()) < 1_000_000


# Markdown ---------------------------------------------------------------------------------------


def outside_fences(md: str) -> str:
    """The Markdown with fenced code blocks removed (their content is shown literally)."""
    kept, fence = [], ""
    for line in md.splitlines():
        match = re.match(r"^(`{3,})", line)
        if fence:
            if match and line.strip() == fence:
                fence = ""
        elif match:
            fence = match.group(1)
        else:
            kept.append(line)
    assert not fence, "a code fence was left open"
    return "\n".join(kept)


def test_markdown_summary(rich: LabResult) -> None:
    md = MarkdownReporter().render(rich, "en")
    assert_no_secrets(md)
    assert "**Score: 17.5/50** (error)" in md
    assert "| ✅ | Title exposes\\-80 | passed | 10/10 |" in md
    assert "| ❌ | Hidden checks | failed | 5/10 |" in md
    assert "### ❌ Title user\\-nonroot" in md and "💡 **Hint:** Use USER\\." in md
    assert "```text\na non-root USER\n```" in md
    assert "Título" in MarkdownReporter().render(rich, "pt")


def test_markdown_escapes_student_text(hostile: LabResult) -> None:
    md = MarkdownReporter().render(hostile, "en")
    assert_clean(md)
    prose = outside_fences(md)
    assert "<script" not in prose and "&lt;script&gt;" in prose
    rows = [line for line in prose.splitlines() if line.startswith("| ")]
    assert rows and all(len(re.findall(r"(?<!\\)\|", row)) == 5 for row in rows)


def test_markdown_stays_under_one_mib(many: LabResult) -> None:
    md = MarkdownReporter().render(many, "en")
    assert len(md.encode()) <= 1024 * 1024
    assert "Summary truncated" in md
    outside_fences(md)  # no half-open code block
    small = MarkdownReporter(limit=20_000).render(many, "pt")
    assert len(small.encode()) <= 20_000 and "Resumo truncado" in small


# Terminal table ---------------------------------------------------------------------------------


def test_table_plain(rich: LabResult) -> None:
    out = TableReporter(width=72).render(rich, "en")
    assert "\x1b" not in out
    assert_no_secrets(out)
    lines = out.splitlines()
    assert lines[-1] == "Score: 17.5/50 (error)"
    row = next(line for line in lines if "Title labels" in line)
    assert row.startswith("failed") and row.endswith("2.5/5") and len(row) == 72
    assert "  Expected:" in out and "    a non-root USER" in out and "  Hint: Use USER." in out
    assert any(line.startswith("failed") and "Hidden checks" in line for line in lines)


def test_table_portuguese_and_colour(rich: LabResult, hostile: LabResult) -> None:
    out = TableReporter(color=True, width=60).render(rich, "pt")
    assert "Nota: 17.5/50 (erro)" in out and "\x1b[32m" in out
    hostile_out = TableReporter(color=True, width=60).render(hostile, "en")
    codes = set(re.findall(r"\x1b\[[0-9;]*m", hostile_out))
    assert codes <= {
        "\x1b[0m",
        "\x1b[1m",
        "\x1b[31m",
        "\x1b[32m",
        "\x1b[33m",
        "\x1b[2m",
        "\x1b[1m\x1b[31m",
    }
    plain = re.sub(r"\x1b\[[0-9;]*m", "", hostile_out)
    assert_clean(plain)


def test_table_is_width_aware(rich: LabResult, hostile: LabResult) -> None:
    for width in (40, 100):
        for result in (rich, hostile):
            out = TableReporter(width=width).render(result, "en")
            assert max(len(line) for line in out.splitlines()) <= width
            assert not any(line.lstrip().startswith("::") for line in out.splitlines())


def test_classroom_sum_is_exact_for_many_partial_scores() -> None:
    """notify-classroom.js adds in IEEE doubles, left to right, from 0: Python's floats are the
    same doubles, so `js_sum` is the reporter's sum to the bit (the Node tests above agree)."""
    import random

    from graders.i18n import Text
    from graders.reporters.classroom import js_sum

    rng = random.Random(12)
    for _ in range(1500):
        scores = [rng.choice([0, 0.1, 0.2, 0.25, 1 / 3, 2 / 3, 0.7, 0.05, rng.random() * 7])
                  for _ in range(rng.randint(1, 40))]
        checks = tuple(check(f"c{i}", Status.FAILED, s, 7) for i, s in enumerate(scores))
        result = LabResult(lab="p", title=Text.same("P"), submission="s", checks=checks,
                           build=BuildInfo(Status.PASSED))
        tests = decode(encode(result, "en"))["tests"]
        assert f"{js_sum([t['score'] for t in tests]):g}" == fmt_points(result.score)
        for test, raw in zip(tests, scores, strict=True):
            assert test["score"] >= 0 and abs(test["score"] - raw) <= 0.0151
