"""The adversarial suite's harness: hostile submissions written on the fly, graded by the real
engine on the real Docker engine, and the five things every case asserts.

Every case asserts (docs/security.md), through `advkit.assert_case`:
1. grading ends within its limit (wall clock, measured here);
2. the score is what the checks observed (each case states the expected score);
3. the messages say what happened (OOM-killed, timed out, exited with code N, refused ...);
4. no secret or outside file content appears in any output: every reporter's output, in both
   languages, student and instructor views, is rendered, re-parsed and searched for canaries;
5. nothing labelled with the run id is left behind (containers, images, volumes, networks).

Canaries: `CANARY_ENV` is put in the grader's environment (as a registry token would be) and
`CANARY_FILE` is written to a host file outside every submission; hostile submissions try to
reach both.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from advkit import CANARY_ENV, CANARY_FILE, HERE, LABS

from graders.spec import Lab, load_lab


@pytest.fixture(scope="module", autouse=True)
def _isolated_runs(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """Our own run-lock folder and a secret in the environment, for each module (restored
    after it, so the rest of a pytest session sees neither)."""
    runs = tmp_path_factory.mktemp("runs")
    old = {k: os.environ.get(k) for k in ("LABGRADE_RUN_DIR", "LABGRADE_TEST_CANARY_TOKEN")}
    os.environ["LABGRADE_RUN_DIR"] = str(runs)
    os.environ["LABGRADE_TEST_CANARY_TOKEN"] = CANARY_ENV
    yield runs
    for key, value in old.items():
        if value is None:
            os.environ.pop(key, None)
        else:
            os.environ[key] = value


@pytest.fixture(scope="session")
def outside(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A host folder outside every submission, holding a secret file."""
    folder = tmp_path_factory.mktemp("outside")
    (folder / "secret.txt").write_text(CANARY_FILE + "\n")
    (folder / "hidden_tests.py").write_text(f"EXPECTED = {CANARY_FILE!r}\n")
    return folder


@pytest.fixture(scope="session")
def adv_lab() -> Lab:
    return load_lab("adv-busybox", LABS)


@pytest.fixture(scope="session")
def apache_lab() -> Lab:
    return load_lab("day2-apache", HERE.parent.parent / "labs")
