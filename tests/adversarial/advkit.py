"""Helpers of the adversarial suite (see conftest.py for what every case asserts)."""

from __future__ import annotations

import json
import os
import secrets
import subprocess
import sys
import time
import xml.etree.ElementTree as ET
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from graders.backends.base import LABEL_RUN
from graders.engine.run import GradeOptions, grade
from graders.i18n import in_lang
from graders.results import LabResult
from graders.spec import Lab
from tests.conftest import run_tags

HERE = Path(__file__).parent
LABS = HERE / "labs"
CANARY_ENV = "labgrade-canary-env-" + secrets.token_hex(8)
CANARY_FILE = "labgrade-canary-file-" + secrets.token_hex(8)
FORMATS = ("json", "junit", "markdown", "classroom", "gradescope", "prairielearn", "table")
INDEX = "<h1>hello from busybox</h1>\n"
GOOD = """FROM busybox:1.35
COPY index.html /www/index.html
EXPOSE 8080
CMD ["httpd", "-f", "-p", "8080", "-h", "/www"]
"""

Link = tuple[str, str]
"""("link", target): a symbolic link in a submission."""










def write_submission(folder: Path, files: Mapping[str, str | bytes | Link]) -> Path:
    """Write a submission: text, bytes, or ("link", target) for a symbolic link."""
    folder.mkdir(parents=True, exist_ok=True)
    for name, content in files.items():
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, tuple):
            os.symlink(content[1], path)
        elif isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content)
    return folder


@dataclass
class Graded:
    result: LabResult
    elapsed: float
    run_id: str
    reports: dict[str, str]

    def check(self, check_id: str) -> Any:
        return next(c for c in self.result.checks if c.check_id == check_id)

    def text(self) -> str:
        """Every message, expected and actual value and detail, and the build's log and
        explanation, in both languages."""
        parts = [self.result.build.log_tail]
        if self.result.build.explanation is not None:
            parts += [self.result.build.explanation.pt, self.result.build.explanation.en]
        for c in self.result.checks:
            parts += [c.message.pt, c.message.en, c.details]
            parts += [in_lang(value or "", lang)
                      for value in (c.expected, c.actual) for lang in ("pt", "en")]
        return "\n".join(parts)

    def everything(self) -> str:
        return self.text() + "\n".join(self.reports.values())


def render_all(result: LabResult) -> dict[str, str]:
    """Every reporter, both languages, both views; each machine format parsed back (strict)."""
    from graders.reporters import render

    out: dict[str, str] = {}
    for fmt in FORMATS:
        for lang in ("pt", "en"):
            for student in (False, True):
                text = render(fmt, result, lang, student_view=student, color=False)
                key = f"{fmt}/{lang}/{'student' if student else 'instructor'}"
                out[key] = text
                _parse(fmt, text, key)
    return out


def _parse(fmt: str, text: str, key: str) -> None:
    if fmt == "junit":
        body = text.split("\n", 1)[1] if text.startswith("<?xml") else text
        ET.fromstring(body)  # strict: raises on any XML-illegal character
    elif fmt in ("json", "classroom", "gradescope", "prairielearn"):
        json.loads(text)
    assert len(text) < 2_000_000, f"{key}: {len(text)} characters"


def run_grade(lab: Lab, submission: Path, **options: Any) -> Graded:
    """Grade with a fresh run id and measure the wall-clock time."""
    from graders.backends import get_backend

    run_id = "adv" + secrets.token_hex(5)
    opts = GradeOptions(run_id=run_id, **options)
    t0 = time.monotonic()
    result = grade(lab, submission, get_backend("sdk"), opts)
    elapsed = time.monotonic() - t0
    return Graded(result, elapsed, run_id, render_all(result))


def labelled(run_id: str) -> dict[str, list[str]]:
    """What still carries this run's label."""
    import docker

    client = docker.from_env()
    label = {"label": f"{LABEL_RUN}={run_id}"}
    try:
        return {
            "containers": [c["Id"][:12] for c in client.api.containers(all=True, filters=label)],
            "images": [i["Id"][7:19] for i in client.api.images(filters=label)]
            + run_tags(client, run_id),
            "volumes": [v["Name"] for v in client.api.volumes(filters=label)["Volumes"] or []],
            "networks": [n["Id"][:12] for n in client.api.networks(filters=label)],
        }
    finally:
        client.close()


def containers_running(marker: str) -> list[str]:
    """Build-step containers (not labelled by Docker's classic builder) whose command holds
    `marker`: a killed build must leave none."""
    import docker

    client = docker.from_env()
    try:
        return [c["Id"][:12] for c in client.api.containers(all=True)
                if marker in str(c.get("Command", ""))]
    finally:
        client.close()


def assert_case(g: Graded, *, within: float, score: float | None = None,
                says: tuple[str, ...] = (), secrets_: tuple[str, ...] = (CANARY_ENV, CANARY_FILE)
                ) -> None:
    """The five assertions every adversarial case makes."""
    __tracebackhide__ = True
    report = "\n".join(f"{c.check_id}: {c.status.value} {c.score}/{c.possible} {c.message.en}"
                       for c in g.result.checks)
    assert g.elapsed < within, f"took {g.elapsed:.1f} s, limit {within} s\n{report}"
    if score is not None:
        assert g.result.score == pytest.approx(score), report
        assert not g.result.errored, report  # a student's fault is FAILED, never ERROR
    text = g.text()
    for phrase in says:
        assert phrase.lower() in text.lower(), f"{phrase!r} not said:\n{report}\n{text[-3000:]}"
    everything = g.everything()
    for secret in secrets_:
        assert secret not in everything, f"secret {secret[:24]}... leaked"
    left = labelled(g.run_id)
    assert not any(left.values()), f"left behind: {left}"


# --- a labgrade process on the real engine, to signal or kill mid-run -------------------------
def slow_submission(folder: Path) -> Path:
    """Never ready: grading waits for the readiness deadline, time enough to signal it."""
    return write_submission(folder, {
        "index.html": INDEX,
        "Dockerfile": GOOD.replace('CMD ["httpd", "-f", "-p", "8080", "-h", "/www"]',
                                   'CMD ["sleep", "100000"]')})


def container_running(run_id: str) -> bool:
    """The run's container is up (so the grading is waiting for it to be ready)."""
    import docker

    client = docker.from_env()
    try:
        return bool(client.api.containers(filters={"label": f"{LABEL_RUN}={run_id}",
                                                   "status": "running"}))
    finally:
        client.close()


def start_labgrade(argv: list[str], run_dir: Path, prefix: list[str] | None = None,
                   wait: float = 30) -> tuple[subprocess.Popen[str], str]:
    """`labgrade --labs LABS ARGV` in a child process; returns it and its run id once the run's
    container is up."""
    before = set(run_dir.glob("*.lock")) if run_dir.exists() else set()
    env = dict(os.environ, LABGRADE_RUN_DIR=str(run_dir), LABGRADE_NO_REAP="1")
    proc = subprocess.Popen([*(prefix or []), str(Path(sys.executable).parent / "labgrade"),
                             "--labs", str(LABS), *argv], env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + wait
    while time.monotonic() < deadline and proc.poll() is None:
        new = set(run_dir.glob("*.lock")) - before if run_dir.exists() else set()
        run_id = next((p.stem for p in new if container_running(p.stem)), None)
        if run_id is not None:
            return proc, run_id
        time.sleep(0.1)
    proc.kill()
    out, err = proc.communicate()
    raise AssertionError(f"labgrade never ran its container:\n{out}\n{err}")
