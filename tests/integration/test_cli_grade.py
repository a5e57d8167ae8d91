"""`labgrade grade` and `check` on the real engine: reports on disk, exit statuses."""

from __future__ import annotations

import io
import json
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from graders.cli.env import Env, ExitStatus
from graders.cli.main import main
from graders.spec import load_lab

pytestmark = pytest.mark.docker
APACHE = load_lab("day2-apache").root


def run(argv: list[str]) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    status = main(argv, Env(out, err, {}))
    return status, out.getvalue(), err.getvalue()


def test_grade_writes_json_and_junit(tmp_path: Path, no_leftovers: None) -> None:
    sample = APACHE / "submissions" / "fails_expose"
    status, out, _ = run(["grade", "day2-apache", str(sample), "--json", str(tmp_path / "r.json"),
                          "--junit", str(tmp_path / "r.xml"), "--lang", "en"])
    assert status == ExitStatus.SUCCESS  # grading completed, whatever the score
    data = json.loads((tmp_path / "r.json").read_text())
    assert data["lab"] == "day2-apache" and data["score"] == 95 and data["max_score"] == 105
    assert {"id", "title", "status", "points", "max_points", "message", "hint", "visibility",
            "duration_s"} <= set(data["checks"][0])
    assert data["build"]["status"] == "passed" and data["grader"]["name"] == "labgrade"
    failed = [c for c in data["checks"] if c["status"] == "failed"]
    assert [c["id"] for c in failed] == ["exposes-80"]
    suite = ET.parse(tmp_path / "r.xml").getroot().find("testsuite")
    assert suite is not None and suite.get("failures") == "1"
    assert len(suite.findall("testcase")) == len(data["checks"])
    assert "95/105" in out


def test_check_exits_0_only_at_full_score(no_leftovers: None) -> None:
    assert run(["check", "day2-apache", str(APACHE / "solution")])[0] == ExitStatus.SUCCESS
    status, out, _ = run(["check", "day2-apache", str(APACHE / "submissions" / "fails_no_curl"),
                          "--lang", "pt"])
    assert status == ExitStatus.CHECKS_FAILED
    assert "curl" in out and "Dica" in out
