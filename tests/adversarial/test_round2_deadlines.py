"""Issue 16, item 1: every read from the container has a total deadline and a byte cap.

A socket timeout restarts on every byte, so a server that sends its page one byte every half
second kept `grade` running for good (readiness first, then every HTTP probe). The same holds
for exec output (a command that prints forever filled the grader's memory while it waited),
and for a registry that drips its answer. Each case here hung, or grew without bound, before
the fix; each is run under a guard so that a regression fails instead of hanging the suite.
"""

from __future__ import annotations

import contextlib
import resource
import secrets
import socket
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, TypeVar

import pytest
from advkit import INDEX, Graded, assert_case, labelled, write_submission

from graders.backends.base import LABEL_RUN
from graders.engine import cleanup

T = TypeVar("T")

DRIP = """#!/bin/sh
# Answer at once, then send the page one byte every half second, for ever.
printf 'HTTP/1.0 200 OK\\r\\nContent-Type: text/html\\r\\n\\r\\n'
while :; do printf h; sleep 0.5; done
"""

DRIP_HEADERS = """#!/bin/sh
# Never finish the headers: one header byte every half second.
printf 'HTTP/1.0 200 OK\\r\\n'
while :; do printf X; sleep 0.5; done
"""


def _dockerfile(script: str) -> str:
    return ("FROM busybox:1.35\nCOPY index.html /www/index.html\n"
            f"COPY {script} /{script}\nRUN chmod +x /{script}\nEXPOSE 8080\n"
            f'CMD ["nc", "-ll", "-p", "8080", "-e", "/{script}"]\n')


def _guarded(call: Callable[[], T], limit: float, run_id: str | None = None) -> T:
    """`call()` in a thread; a failure (not a hang) when it takes longer than `limit` s. The
    run's container is then removed, which ends the stuck read."""
    box: dict[str, Any] = {}

    def run() -> None:
        try:
            box["value"] = call()
        except BaseException as e:
            box["error"] = e

    worker = threading.Thread(target=run, daemon=True)
    worker.start()
    worker.join(limit)
    if worker.is_alive():
        if run_id is not None:  # the run is alive (the reaper leaves it): end its container
            import docker

            client = docker.from_env()
            try:
                for c in client.containers.list(all=True,
                                                filters={"label": f"{LABEL_RUN}={run_id}"}):
                    c.remove(force=True)
            finally:
                client.close()
            worker.join(60)  # the read ends, and the run's own cleanup removes the rest
        pytest.fail(f"still running after {limit:g} s: no total deadline")
    if "error" in box:
        raise box["error"]
    return box["value"]  # type: ignore[no-any-return]


def _grade(lab: Any, submission: Path, run_id: str) -> Graded:
    """advkit.run_grade with a run id known beforehand (to reap it if the grading hangs)."""
    from graders.backends import get_backend
    from graders.engine.run import GradeOptions, grade

    t0 = time.monotonic()
    result = grade(lab, submission, get_backend("sdk"), GradeOptions(run_id=run_id))
    elapsed = time.monotonic() - t0
    try:
        from advkit import render_all

        reports = render_all(result)
    except ValueError:  # advkit's Classroom parser predates the plain-JSON result= format
        reports = {}
    return Graded(result, elapsed, run_id, reports)


@pytest.mark.docker
@pytest.mark.parametrize("script", ["drip.sh", "drip-headers.sh"])
def test_a_dripping_server_cannot_hold_the_grader(adv_lab, tmp_path: Path, script: str) -> None:
    body = DRIP if script == "drip.sh" else DRIP_HEADERS
    sub = write_submission(tmp_path / "s", {"index.html": INDEX, script: body,
                                            "Dockerfile": _dockerfile(script)})
    run_id = "advdrip" + secrets.token_hex(4)
    t0 = time.monotonic()
    g = _guarded(lambda: _grade(adv_lab, sub, run_id), 90, run_id)
    print(f"{script}: graded in {time.monotonic() - t0:.1f} s")
    # readiness (5 s) and the two HTTP probes (5 s each) end at their deadlines; the image
    # checks, the running container and the exec still pass
    assert_case(g, within=60, score=60, says=("within 5 s",))
    assert g.check("serves-hello").status.value == "failed"
    assert g.check("serves-fresh-file").status.value == "failed"


@contextlib.contextmanager
def _local_server(handler: Callable[[socket.socket], None]) -> Iterator[int]:
    """A TCP server on 127.0.0.1 (this machine only) that runs `handler` per connection."""
    server = socket.create_server(("127.0.0.1", 0))
    server.settimeout(0.2)
    stop = threading.Event()

    def serve() -> None:
        while not stop.is_set():
            try:
                conn, _ = server.accept()
            except OSError:
                continue
            threading.Thread(target=_handle, args=(conn,), daemon=True).start()

    def _handle(conn: socket.socket) -> None:
        with conn, contextlib.suppress(OSError):
            conn.recv(65536)
            handler(conn)

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    try:
        yield server.getsockname()[1]
    finally:
        stop.set()
        thread.join(2)
        server.close()


def _drip_body(conn: socket.socket) -> None:
    conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 100000\r\n\r\n")
    for _ in range(200):
        conn.sendall(b"h")
        time.sleep(0.2)


def _drip_headers(conn: socket.socket) -> None:
    conn.sendall(b"HTTP/1.1 200 OK\r\n")
    for _ in range(200):
        conn.sendall(b"X")
        time.sleep(0.2)


def _flood(conn: socket.socket) -> None:
    conn.sendall(b"HTTP/1.0 200 OK\r\n\r\n")
    block = b"y" * 65536
    with contextlib.suppress(OSError):
        for _ in range(16 * 50):  # 50 MiB
            conn.sendall(block)


@pytest.mark.parametrize("handler", [_drip_body, _drip_headers])
def test_the_http_probe_has_a_total_deadline(handler: Callable[[socket.socket], None]) -> None:
    from graders.checks.http import fetch

    with _local_server(handler) as port:
        t0 = time.monotonic()
        with pytest.raises(TimeoutError, match="within 1 s"):
            _guarded(lambda: fetch("127.0.0.1", port, "/", 1.0), 20)
        assert time.monotonic() - t0 < 1.6


def test_the_http_probe_reads_at_most_its_byte_cap() -> None:
    from graders.checks.http import MAX_BODY, fetch

    with _local_server(_flood) as port:
        t0 = time.monotonic()
        response = fetch("127.0.0.1", port, "/", 5.0)
        assert response.status == 200 and len(response.body) == MAX_BODY
        assert time.monotonic() - t0 < 5


def test_a_dripping_registry_is_given_up() -> None:
    """A manifest sent a byte every 0.2 s: each read is quick, so only a total deadline ends
    it (before the fix, 100 000 bytes took 5.5 hours)."""
    from graders.registry.errors import RegistryUnreachable
    from graders.registry.transport import Transport

    with _local_server(_drip_body) as port:
        transport = Transport(f"http://127.0.0.1:{port}", timeout=1.0)
        try:
            t0 = time.monotonic()
            resp = transport.send("GET", f"http://127.0.0.1:{port}/v2/x/manifests/v1", {},
                                  stream=True)
            with pytest.raises(RegistryUnreachable, match="took longer"):
                _guarded(lambda: transport.read(resp, 4 << 20), 30)
            assert time.monotonic() - t0 < 3.5
            t0 = time.monotonic()
            with pytest.raises(RegistryUnreachable):  # requests would read it all itself
                _guarded(lambda: transport.send("GET", f"http://127.0.0.1:{port}/v2/", {}), 30)
            assert time.monotonic() - t0 < 3.5
        finally:
            transport.close()


@pytest.mark.docker
def test_exec_output_flood_is_bounded_in_time_and_memory(docker_client: Any) -> None:
    """`yes` through exec: the probe gives up at its deadline, keeps at most its cap, and
    leaves nothing reading (before the fix a thread read on, into memory, until the
    container went)."""
    from graders.backends import get_backend

    run_id = "advexec" + secrets.token_hex(4)
    c = docker_client.containers.run("busybox:1.35", ["sleep", "120"], detach=True,
                                     network_mode="none",
                                     labels=cleanup.run_labels(run_id, "adv-busybox"))
    try:
        backend = get_backend("sdk")
        before_threads = threading.active_count()
        before_rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        t0 = time.monotonic()
        result = backend.exec(c.id, ["sh", "-c", "yes"], 3.0, 64 * 1024)
        elapsed = time.monotonic() - t0
        time.sleep(2)  # what a reader left behind would read meanwhile
        grown = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before_rss) / 1024
        print(f"exec flood: {elapsed:.2f} s, peak memory +{grown:.0f} MiB")
        assert result.exit_code is None and "timed out after 3 s" in result.stderr
        assert elapsed < 4
        assert threading.active_count() <= before_threads, "a reader was left running"
        assert grown < 64, f"peak memory grew {grown:.0f} MiB"
        # the cap: a command that prints 20 MB and ends keeps 64 KiB and its exit code
        done = backend.exec(c.id, ["sh", "-c", "yes | head -c 20000000; exit 4"], 10.0, 64 * 1024)
        assert done.exit_code == 4 and len(done.stdout) == 64 * 1024
    finally:
        c.remove(force=True)
    assert not any(labelled(run_id).values())
