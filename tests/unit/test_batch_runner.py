"""The batch runner and its worker processes, with a fake engine (no Docker).

Each fake submission folder says how the fake engine behaves through a `behave` file: `fail`
lists failing check ids; `boom` raises, `die` kills the worker, `hang` outlives the time-out.
"""

from __future__ import annotations

import io
import os
import sqlite3
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from graders.batch.runner import BatchConfig, run_batch
from graders.batch.store import FILENAME, Store
from graders.cli.env import Env, ExitStatus
from graders.cli.main import main
from graders.engine.run import GradeOptions
from graders.results import LabResult, Status
from graders.spec import Lab
from tests.unit.test_batch_gradebook import IDS, LAB, make_result

CALLS = "calls.log"


def fake_grade(lab: Lab, folder: Path, _backend: Any, options: GradeOptions) -> LabResult:
    behave = (folder / "behave").read_text().split() if (folder / "behave").exists() else []
    with open(folder.parent.parent / CALLS, "a") as f:
        f.write(f"{folder.name} {options.run_id}\n")
    if "boom" in behave:
        raise RuntimeError("the engine blew up")
    if "die" in behave:
        os._exit(9)
    if "hang" in behave:
        time.sleep(60)
    return make_result(lab, failed=[b for b in behave if b in IDS], submission=str(folder))


class NoEngine:
    """The backend a worker gets here: the fake engine needs no Docker; with --jobs above 1 a
    worker still makes (and removes) its network (graders/batch/network.py)."""

    name = "fake"

    def __init__(self, host: str | None = None) -> None:
        self.host = host

    def __str__(self) -> str:
        return f"backend@{self.host}"

    def create_network(self, name: str, labels: dict[str, str]) -> str:
        return name

    def list_labelled(self, label: str, images: bool = True) -> list[dict[str, Any]]:
        return []


def no_docker(_host: str | None) -> Any:
    return NoEngine()


def roster(tmp_path: Path, behaviours: dict[str, str]) -> Path:
    root = tmp_path / "roster"
    for student, behave in behaviours.items():
        (root / student).mkdir(parents=True, exist_ok=True)
        (root / student / "behave").write_text(behave)
    return root


def calls(tmp_path: Path) -> list[str]:
    path = tmp_path / CALLS
    lines = path.read_text().splitlines() if path.exists() else []
    path.unlink(missing_ok=True)
    return sorted(line.split()[0] for line in lines)


def batch(tmp_path: Path, **kw: Any) -> Any:
    cfg = BatchConfig(lab=LAB, roster=tmp_path / "roster", out=tmp_path / "out",
                      jobs=kw.pop("jobs", 2), **kw)
    return run_batch(cfg, io.StringIO(), grade_fn=fake_grade, connect=no_docker)


def test_one_students_crash_death_or_hang_touches_no_one_else(tmp_path: Path) -> None:
    roster(tmp_path, {"ana": "", "bia": "exposes-80", "boom": "boom", "die": "die",
                      "hang": "hang", "zeca": "serves-http"})
    t0 = time.monotonic()
    report = batch(tmp_path, timeout=3.0)
    assert time.monotonic() - t0 < 30
    by = {r.student: r for r in report.records}
    points = {c.id: c.points for c in LAB.checks}
    assert [by[s].result.score for s in ("ana", "bia", "zeca")] == \
        [LAB.points, LAB.points - points["exposes-80"], LAB.points - points["serves-http"]]
    assert {r.student for r in report.errored} == {"boom", "die", "hang"}
    assert "RuntimeError: the engine blew up" in (by["boom"].error or "")
    assert "died (exit code 9)" in (by["die"].error or "")
    assert "longer than 3 s" in (by["hang"].error or "")
    assert all(c.status is Status.ERROR for c in by["hang"].result.checks)
    book = (tmp_path / "out" / "gradebook.csv").read_text().splitlines()
    assert len(book) == 7 and book[1].startswith("ana,100,100,")
    for student in by:  # each student's reports, written as they finished
        folder = tmp_path / "out" / "students" / student
        assert {p.name for p in folder.iterdir()} == {"result.json", "junit.xml",
                                                      "feedback.md", "record.json"}
    assert "hang" in (tmp_path / "out" / "summary.html").read_text()


def test_resume_skips_unchanged_and_regrades_changed(tmp_path: Path) -> None:
    root = roster(tmp_path, {"ana": "", "bia": "exposes-80", "caio": "boom"})
    assert calls(tmp_path) == [] and batch(tmp_path).graded == 3
    assert calls(tmp_path) == ["ana", "bia", "caio"]
    report = batch(tmp_path)
    assert (report.graded, report.skipped) == (0, 3) and calls(tmp_path) == []
    (root / "bia" / "behave").write_text("")  # bia fixed her submission
    (root / "dani").mkdir()  # and a late student appears
    report = batch(tmp_path)
    assert calls(tmp_path) == ["bia", "dani"] and report.skipped == 2
    assert batch(tmp_path, only_failed=True).graded == 1 and calls(tmp_path) == ["caio"]
    assert batch(tmp_path, force=True).graded == 4 and len(calls(tmp_path)) == 4
    with Store(tmp_path / "out" / FILENAME) as store:
        assert [r.result.score for r in store.history("bia")] == [90, 100, 100]
        assert len(store.history("caio")) == 3  # the errored one was retried each time
        runs = store.db.execute("SELECT count(*), min(status) FROM runs").fetchone()
    assert runs == (5, "finished")


def test_shard_grades_a_stable_slice(tmp_path: Path) -> None:
    from graders.batch.roster import shard_of

    names = [f"s{i:02d}" for i in range(12)]
    roster(tmp_path, dict.fromkeys(names, ""))
    report = batch(tmp_path, shard=(2, 3))
    assert [r.student for r in report.records] == [n for n in names if shard_of(n, 3) == 2]


def test_each_grading_has_its_own_run_id(tmp_path: Path) -> None:
    roster(tmp_path, dict.fromkeys(("a", "b", "c", "d"), ""))
    batch(tmp_path, jobs=3)
    run_ids = {line.split()[1] for line in (tmp_path / CALLS).read_text().splitlines()}
    assert len(run_ids) == 4


def test_one_batch_per_out_folder(tmp_path: Path) -> None:
    from graders.batch.runner import out_lock
    from graders.errors import UsageError

    roster(tmp_path, {"a": ""})
    (tmp_path / "out").mkdir()
    holder = subprocess.Popen(  # POSIX locks are per process: hold it from another one
        [sys.executable, "-c", "import fcntl,sys,time; f=open(sys.argv[1],'a+'); "
         "fcntl.lockf(f, fcntl.LOCK_EX); print('locked', flush=True); time.sleep(30)",
         str(tmp_path / "out" / ".lock")], stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout is not None and holder.stdout.readline() == "locked\n"
        with pytest.raises(UsageError, match="Another labgrade batch"):
            batch(tmp_path)
    finally:
        holder.kill()
        holder.wait()
    with out_lock(tmp_path / "out"):  # released when its holder died
        pass


def test_an_out_folder_holds_one_lab(tmp_path: Path) -> None:
    roster(tmp_path, {"a": ""})
    (tmp_path / "out").mkdir()
    with Store(tmp_path / "out" / FILENAME) as store:
        store.begin_run("x", "other-lab", "", None)
    from graders.errors import UsageError

    with pytest.raises(UsageError, match="holds results of lab other-lab"):
        batch(tmp_path)


def _cli(argv: list[str]) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    return main(argv, Env(out, err, {})), out.getvalue(), err.getvalue()


@pytest.mark.parametrize(("argv", "fragment"), [
    (["--jobs", "0"], "--jobs 0"),
    (["--force", "--only-failed"], "Choose one"),
    (["--shard", "3/2"], "K/N"),
    (["--deadline", "soon"], "ISO 8601"),
])
def test_cli_rejects_bad_options(tmp_path: Path, argv: list[str], fragment: str) -> None:
    roster(tmp_path, {"a": ""})
    status, _, err = _cli(["batch", "day2-apache", str(tmp_path / "roster"), "--out",
                           str(tmp_path / "out"), *argv])
    assert status == ExitStatus.USAGE_OR_SPEC_ERROR and fragment in err
    assert len(err.strip().splitlines()) == 1


def test_cli_rejects_a_bad_roster_in_one_line(tmp_path: Path) -> None:
    (tmp_path / "r.csv").write_text("ana\n")
    status, _, err = _cli(["batch", "day2-apache", str(tmp_path / "r.csv"), "--out",
                           str(tmp_path / "out")])
    assert status == ExitStatus.USAGE_OR_SPEC_ERROR
    assert err.strip().count("\n") == 0 and "r.csv:1" in err
    assert not (tmp_path / "out").exists()


def test_cli_merge_reports_and_store_is_readable_while_open(tmp_path: Path) -> None:
    roster(tmp_path, {"a": "", "b": "boom"})
    batch(tmp_path)
    db = sqlite3.connect(f"file:{tmp_path / 'out' / FILENAME}?mode=ro", uri=True)
    assert db.execute("SELECT count(*) FROM results").fetchone() == (2,)
    status, out, _ = _cli(["merge", str(tmp_path / "out"), "--out", str(tmp_path / "merged")])
    assert status == ExitStatus.INFRA_ERROR and "2 student(s)" in out and "1 errored" in out
    status, _, err = _cli(["merge", str(tmp_path / "roster"), "--out", str(tmp_path / "m2")])
    assert status == ExitStatus.USAGE_OR_SPEC_ERROR and "holds no batch results" in err


def test_git_roster_clones_resumes_and_isolates_a_bad_url(tmp_path: Path) -> None:
    from graders.batch.source import parse_deadline
    from tests.unit.test_batch_source import _git

    repo = tmp_path / "ana.git"
    repo.mkdir()
    _git(repo, "init", "-q", "-b", "main")
    (repo / "behave").write_text("exposes-80")
    _git(repo, "add", "behave")
    _git(repo, "commit", "-qm", "one", when="2024-05-01T12:00:00+00:00")
    (tmp_path / "roster.csv").write_text(
        f"student,source\nana,{repo.as_uri()}\nbia,{(tmp_path / 'nope.git').as_uri()}\n")
    cfg = BatchConfig(lab=LAB, roster=tmp_path / "roster.csv", out=tmp_path / "out", jobs=2)
    report = run_batch(cfg, io.StringIO(), grade_fn=fake_grade, connect=no_docker)
    by = {r.student: r for r in report.records}
    assert by["ana"].result.score == 90 and by["ana"].source.startswith(repo.as_uri() + "@")
    assert by["bia"].status is Status.ERROR and "git clone failed" in (by["bia"].error or "")
    again = run_batch(cfg, io.StringIO(), grade_fn=fake_grade, connect=no_docker)
    assert again.skipped == 1  # a fresh clone of the same commit hashes the same
    late = BatchConfig(lab=LAB, roster=tmp_path / "roster.csv", out=tmp_path / "late", jobs=1,
                       deadline=parse_deadline("2024-04-01T00:00:00Z"))
    by = {r.student: r for r in run_batch(late, io.StringIO(), grade_fn=fake_grade,
                                          connect=no_docker).records}
    assert by["ana"].status is Status.FAILED and by["ana"].result.score == 0
    assert "Nothing was submitted" in by["ana"].result.checks[0].message.en


def test_workers_are_spread_over_docker_hosts_round_robin(tmp_path: Path) -> None:
    seen = tmp_path / "hosts.log"

    def grade_where(lab: Lab, folder: Path, backend: Any, options: GradeOptions) -> LabResult:
        with open(seen, "a") as f:  # each worker: its own connection and DOCKER_HOST
            f.write(f"{backend} {os.environ.get('DOCKER_HOST')}\n")
        time.sleep(0.3)
        return make_result(lab, submission=str(folder))

    roster(tmp_path, dict.fromkeys(("a", "b", "c", "d", "e", "f"), ""))
    cfg = BatchConfig(lab=LAB, roster=tmp_path / "roster", out=tmp_path / "out", jobs=2,
                      hosts=("tcp://127.0.0.1:2375", "unix:///other.sock"))
    run_batch(cfg, io.StringIO(), grade_fn=grade_where, connect=NoEngine)
    pairs = {tuple(line.split()) for line in seen.read_text().splitlines()}
    assert pairs == {("backend@tcp://127.0.0.1:2375", "tcp://127.0.0.1:2375"),
                     ("backend@unix:///other.sock", "unix:///other.sock")}
