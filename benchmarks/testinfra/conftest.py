"""Fixtures of the plain pytest-testinfra baseline, as its documentation recommends: a
session-scoped image built with `docker build`, a container started with `docker run -d`, and
`testinfra.get_host("docker://ID")` (doc/source/examples.rst, "Test Docker images").

    BENCH_SUBMISSION=labs/day2-apache/solution \
        .venv/bin/python -m pytest -c benchmarks/testinfra/pytest.ini -p no:graders \
        benchmarks/testinfra/test_day2_apache.py

Nothing here imports labgrade: this is what a course would write instead of it.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
import testinfra

SUBMISSION = Path(os.environ.get("BENCH_SUBMISSION", "."))
DOCKER_ENV = {**os.environ, "DOCKER_BUILDKIT": "0"}  # the classic builder, as labgrade uses


def docker(*args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["docker", *args], capture_output=True, text=True, check=check,
                          env=DOCKER_ENV)


def started_at(stamp: str) -> float:
    """Docker's RFC 3339 StartedAt (nanoseconds) as epoch seconds."""
    base, _, rest = stamp.rstrip("Z").partition(".")
    return datetime.fromisoformat(base + "+00:00").timestamp() + float("0." + (rest or "0"))


@pytest.fixture(scope="session")
def dockerfile() -> str:
    """The Dockerfile with continuation lines joined."""
    return re.sub(r"\\\r?\n", " ", (SUBMISSION / "Dockerfile").read_text(encoding="utf-8"))


@pytest.fixture(scope="session")
def image() -> Iterator[str]:
    tag = f"bench-testinfra/image:{uuid.uuid4().hex[:12]}"
    docker("build", "-q", "-t", tag, str(SUBMISSION))
    yield tag
    docker("rmi", tag, check=False)


@pytest.fixture(scope="session")
def image_config(image: str) -> dict[str, Any]:
    return dict(json.loads(docker("image", "inspect", image).stdout)[0])


@pytest.fixture(scope="session")
def local() -> Any:
    return testinfra.get_host("local://")


@pytest.fixture(scope="session")
def web(image: str) -> Iterator[dict[str, Any]]:
    """`docker run -d -p 127.0.0.1::80 IMAGE`, then wait (short polls, 30 s) for HTTP."""
    cid = docker("run", "-d", "-p", "127.0.0.1::80", image).stdout.strip()
    try:
        state = json.loads(docker("inspect", cid).stdout)[0]
        port = int(state["NetworkSettings"]["Ports"]["80/tcp"][0]["HostPort"])
        url = f"http://127.0.0.1:{port}/"
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                urllib.request.urlopen(url, timeout=1).close()
                break
            except (OSError, urllib.error.URLError):
                time.sleep(0.05)
        yield {"id": cid, "url": url, "started": started_at(state["State"]["StartedAt"])}
    finally:
        docker("rm", "-f", "-v", cid, check=False)


@pytest.fixture(scope="session")
def host(web: dict[str, Any]) -> Any:
    return testinfra.get_host(f"docker://{web['id']}")


@pytest.fixture(scope="session")
def shell_container(image: str) -> Iterator[Any]:
    """For an image whose command exits at once: keep a container up with `sleep` (the image
    needs a shell and sleep: testinfra runs every probe as `docker exec ID /bin/sh -c ...`)."""
    cid = docker("run", "-d", "--network", "none", "--entrypoint", "sleep", image,
                 "600").stdout.strip()
    try:
        yield testinfra.get_host(f"docker://{cid}")
    finally:
        docker("rm", "-f", "-v", cid, check=False)
