"""Issue 16, items 2-5: intake never hangs and never crashes on what a submission holds.

* a `.dockerignore` glob that made docker-py's regex translation backtrack (one pattern against
  one 100-character name: 0.4 s with 4 stars, 5 s with 5, 76 s with 6, about 15x per star) is
  matched in linear time;
* a FIFO named with bytes that are not UTF-8 is refused with a readable name, and every report
  (JSON included) can be written as UTF-8;
* 1,000 nested folders are refused (FAILED, the student's) instead of a RecursionError (ERROR);
* a labgrade.yaml nested 2,000 levels deep is the student's bad YAML, never a grader failure.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from advkit import GOOD, INDEX, LABS, assert_case, run_grade, write_submission

from graders.registry.target import declared_image
from tests.deep_folders import chain, remove_all

pytestmark = pytest.mark.docker
BIN = Path(sys.executable).parent
HOSTILE_GLOB = "*a" * 7 + "*b"
"""docker-py's translation: about 19 minutes of CPU against "a" * 100."""


@pytest.fixture(autouse=True)
def _no_deep_leftovers(tmp_path: Path):  # type: ignore[no-untyped-def]
    """Deep folder chains are removed here, iteratively: pytest's own clean-up recurses."""
    yield
    remove_all(tmp_path)




def test_round2_backtracking_dockerignore_glob_is_matched_in_linear_time(tmp_path: Path) -> None:
    sub = write_submission(tmp_path / "s", {
        "index.html": INDEX, "Dockerfile": GOOD, "a" * 100: "x",
        ".dockerignore": HOSTILE_GLOB + "\n"})
    env = dict(os.environ, LABGRADE_NO_REAP="1")
    t0 = time.monotonic()
    try:  # a subprocess: today's code would pin a core for minutes; end it at 60 s
        done = subprocess.run([str(BIN / "labgrade"), "--labs", str(LABS), "grade",
                               "adv-busybox", str(sub), "--json", str(tmp_path / "r.json")],
                              env=env, capture_output=True, text=True, timeout=60)
    except subprocess.TimeoutExpired:
        pytest.fail("grading a submission with a backtracking .dockerignore glob took over 60 s")
    elapsed = time.monotonic() - t0
    print(f"hostile .dockerignore: graded in {elapsed:.1f} s")
    assert done.returncode == 0, done.stderr
    result = json.loads((tmp_path / "r.json").read_text())
    assert result["score"] == result["max_score"] == 100, result


def test_round2_hostile_glob_excludes_as_docker_does(adv_lab, tmp_path: Path) -> None:
    """Not over- or under-matching: the hostile glob still excludes a name it matches."""
    sub = write_submission(tmp_path / "s", {
        "index.html": INDEX, "Dockerfile": GOOD, ("a" * 30) + "b": "x" * 9_000_000,
        ".dockerignore": HOSTILE_GLOB + "\n"})
    g = run_grade(adv_lab, sub)  # over the 8 MiB context cap unless the glob excludes it
    assert_case(g, within=60, score=100)


def test_round2_fifo_with_non_utf8_name_is_failed_readably(adv_lab, tmp_path: Path) -> None:
    sub = write_submission(tmp_path / "s", {"index.html": INDEX, "Dockerfile": GOOD})
    os.mkfifo(os.path.join(os.fsencode(sub), b"\xff\xfe-pipe"))
    g = run_grade(adv_lab, sub)
    assert_case(g, within=15, score=0, says=("is a special file", "\\xff\\xfe-pipe"))
    for text in g.reports.values():
        text.encode("utf-8")  # every report can be written: no lone surrogate left
    json.dumps(g.result.build.explanation.to_dict(), ensure_ascii=False).encode("utf-8")


def test_round2_thousand_nested_folders_are_failed_not_error(adv_lab, tmp_path: Path) -> None:
    sub = write_submission(tmp_path / "s", {"index.html": INDEX, "Dockerfile": GOOD})
    chain(sub, 1000)
    g = run_grade(adv_lab, sub)
    assert_case(g, within=20, score=0, says=("folders nested too deep", "pastas aninhadas",
                                             "the limit is 100"))
    assert g.result.build.status.value == "failed"


def test_round2_deep_folders_left_out_by_dockerignore_are_fine(adv_lab, tmp_path: Path) -> None:
    sub = write_submission(tmp_path / "s", {"index.html": INDEX, "Dockerfile": GOOD,
                                            ".dockerignore": "d\n"})
    chain(sub, 1000)
    g = run_grade(adv_lab, sub)
    assert_case(g, within=30, score=100)


def test_round2_deep_labgrade_yaml_is_the_students_bad_yaml(tmp_path: Path) -> None:
    sub = write_submission(tmp_path / "s", {
        "labgrade.yaml": "image: " + "[" * 2000 + "]" * 2000 + "\n"})
    declared = declared_image(sub)
    assert declared.text is None and declared.problem is not None
    assert "not valid YAML" in declared.problem.en and "YAML válido" in declared.problem.pt
    sub2 = write_submission(tmp_path / "s2", {
        "labgrade.yaml": "".join(" " * i + "k:\n" for i in range(2000))})
    assert declared_image(sub2).problem is not None
