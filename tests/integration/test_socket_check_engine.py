"""The `socket` check on the real engine: busybox httpd listening on every interface, on
127.0.0.1 only, and a port nobody listens on; read from the host's /proc (the engine is local)."""

from __future__ import annotations

from pathlib import Path

import pytest

from graders.backends import get_backend
from graders.engine.run import GradeOptions, grade
from graders.results import Status
from graders.spec import load_lab

pytestmark = pytest.mark.docker

LAB = """id: socket-lab
title: {pt: "Sockets", en: "Sockets"}
points: 30
build: {dockerfile: Dockerfile, context: ., timeout: 60}
run:
  ports: [8080]
  ready: {timeout: 5}
  timeout: 20
checks:
  - {id: listens-8080, type: socket, points: 10, port: 8080}
  - {id: listens-8080-local, type: socket, points: 10, port: 8080, address: 127.0.0.1}
  - {id: listens-9090, type: socket, points: 10, port: 9090}
"""


def submission(folder: Path, listen: str) -> Path:
    folder.mkdir(parents=True)
    (folder / "index.html").write_text("hi\n")
    (folder / "Dockerfile").write_text(
        "FROM busybox:1.35\nCOPY index.html /www/index.html\nEXPOSE 8080\n"
        f'CMD ["httpd", "-f", "-p", "{listen}", "-h", "/www"]\n')
    return folder


@pytest.fixture
def lab(tmp_path: Path) -> object:
    (tmp_path / "socket-lab").mkdir()
    (tmp_path / "socket-lab" / "lab.yaml").write_text(LAB)
    return load_lab(tmp_path / "socket-lab")


def by_id(result: object) -> dict[str, object]:
    return {c.check_id: c for c in result.checks}  # type: ignore[attr-defined]


def test_every_interface_passes_and_other_ports_are_listed(lab: object, tmp_path: Path,
                                                           no_leftovers: None) -> None:
    result = grade(lab, submission(tmp_path / "all", "8080"), get_backend("sdk"),  # type: ignore[arg-type]
                   GradeOptions())
    checks = by_id(result)
    assert checks["listens-8080"].status is Status.PASSED  # type: ignore[attr-defined]
    assert "read from host /proc/" in checks["listens-8080"].actual  # type: ignore[attr-defined]
    missing = checks["listens-9090"]
    assert missing.status is Status.FAILED  # type: ignore[attr-defined]
    assert "Nothing listens on tcp 9090" in missing.message.en  # type: ignore[attr-defined]
    assert ":8080" in missing.actual  # type: ignore[attr-defined]
    local = checks["listens-8080-local"]
    assert local.status is Status.FAILED  # httpd listens on :: or 0.0.0.0, not 127.0.0.1 only
    assert result.score == 10


def test_a_server_bound_to_127_0_0_1_is_told_why_the_port_is_unreachable(
        lab: object, tmp_path: Path, no_leftovers: None) -> None:
    result = grade(lab, submission(tmp_path / "local", "127.0.0.1:8080"),  # type: ignore[arg-type]
                   get_backend("sdk"), GradeOptions())
    checks = by_id(result)
    every = checks["listens-8080"]
    assert every.status is Status.FAILED  # type: ignore[attr-defined]
    assert "listens only on 127.0.0.1, not on every interface" in every.message.en  # type: ignore[attr-defined]
    assert "escuta só em 127.0.0.1" in every.message.pt  # type: ignore[attr-defined]
    assert checks["listens-8080-local"].status is Status.PASSED  # type: ignore[attr-defined]
