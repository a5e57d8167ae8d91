"""Hostile containers (threat-model.md cases R1-R6, L1-L7): the sandbox holds, every stage has
a deadline, and the messages say what happened."""

from __future__ import annotations

import os
import secrets
from pathlib import Path

import pytest
from advkit import GOOD, INDEX, assert_case, labelled, run_grade, write_submission

from graders.backends import get_backend
from graders.engine.run import GradeOptions, grading_session


def _cmd(cmd: str, extra: str = "") -> str:
    """The good submission with another CMD (a JSON list) and extra instructions."""
    return GOOD.replace('CMD ["httpd", "-f", "-p", "8080", "-h", "/www"]', extra + "CMD " + cmd)


pytestmark = pytest.mark.docker


def test_r1_fork_bomb_hits_the_pids_limit(adv_lab, tmp_path: Path) -> None:
    """Runaway processes fill the pids limit and keep trying: the service never answers. The
    outside-in probes still work (image config, files read from the host, the container's
    state); readiness gives up at its deadline and the messages name the process limit."""
    bomb = '["sh", "-c", "while :; do (while :; do sleep 1000 & done) 2>/dev/null; done"]'
    sub = write_submission(tmp_path / "s", {"index.html": INDEX, "Dockerfile": _cmd(bomb)})
    g = run_grade(adv_lab, sub)
    print(f"R1 fork bomb at run time: graded and removed in {g.elapsed:.1f} s")
    # exposes 10 + index-file 10 (read from the host) + keeps-running 20; the rest fail.
    assert_case(g, within=25, score=40, says=("not ready within 5 s", "process limit: 6"))
    assert g.check("serves-hello").status.value == "failed"
    assert g.check("says-hello").status.value == "failed"  # no process slot for docker exec


def test_r2_memory_hog_is_oom_killed_and_said_so(adv_lab, tmp_path: Path) -> None:
    hog = '["sh", "-c", "x=a; while :; do x=$x$x$x$x; done"]'
    sub = write_submission(tmp_path / "s", {"index.html": INDEX, "Dockerfile": _cmd(hog)})
    g = run_grade(adv_lab, sub)
    print(f"R2 memory hog: OOM-killed, graded and removed in {g.elapsed:.1f} s")
    assert_case(g, within=20, score=10, says=("OOMKilled", "out of memory", "64 MiB",
                                              "falta de memória"))
    assert g.check("keeps-running").status.value == "failed"


def test_r4_log_flood_is_capped(adv_lab, tmp_path: Path) -> None:
    spam = '["sh", "-c", "httpd -p 8080 -h /www; while :; do echo spam-spam-spam; done"]'
    sub = write_submission(tmp_path / "s", {"index.html": INDEX, "Dockerfile": _cmd(spam)})
    run_id = "advspam" + secrets.token_hex(4)
    with grading_session(adv_lab, sub, get_backend("sdk"), GradeOptions(run_id=run_id)) as run:
        result = run.result()
        info = run.ctx.container_inspect()
        assert info["HostConfig"]["LogConfig"]["Config"] == {"max-size": "524288", "max-file": "2"}
        log_path = info.get("LogPath")
        if log_path and os.path.exists(log_path):  # a local daemon: the file itself is capped
            assert os.path.getsize(log_path) < 2 * 1024 * 1024
        assert len(run.ctx.container_logs(10_000)) <= 10_000
    assert result.score == 100  # the spam is noise; the service works
    assert not any(labelled(run_id).values())


def test_l1_entrypoint_that_exits_at_once(adv_lab, tmp_path: Path) -> None:
    sub = write_submission(tmp_path / "s", {
        "index.html": INDEX, "Dockerfile": GOOD.replace("CMD", 'ENTRYPOINT ["true"]\nCMD')})
    g = run_grade(adv_lab, sub)
    assert_case(g, within=15, score=10, says=("exit code 0", "it exited with code 0"))


def test_l1_exit_code_and_last_output_are_reported(adv_lab, tmp_path: Path) -> None:
    boom = '["sh", "-c", "echo config file missing >&2; exit 42"]'
    sub = write_submission(tmp_path / "s", {"index.html": INDEX, "Dockerfile": _cmd(boom)})
    g = run_grade(adv_lab, sub)
    assert_case(g, within=15, score=10, says=("exited with code 42", "config file missing"))


def test_l1_missing_entrypoint_is_reported(adv_lab, tmp_path: Path) -> None:
    sub = write_submission(tmp_path / "s", {"index.html": INDEX, "Dockerfile": _cmd('["/nope"]')})
    g = run_grade(adv_lab, sub)
    assert_case(g, within=15, score=10, says=("/nope",))
    assert g.check("keeps-running").status.value == "failed"


def test_l2_never_listens_hits_the_readiness_deadline(adv_lab, tmp_path: Path) -> None:
    sub = write_submission(tmp_path / "s", {
        "index.html": INDEX, "Dockerfile": _cmd('["sleep", "100000"]')})
    g = run_grade(adv_lab, sub)
    # exposes 10 + index-file 10 + keeps-running 20 + says-hello 20 (cat works); no HTTP.
    assert_case(g, within=20, score=60, says=("not ready within 5 s", "no HTTP answer on port 8080",
                                              "não ficou pronto em 5 s"))


def test_l5_unstoppable_container_is_still_removed(adv_lab, tmp_path: Path) -> None:
    stubborn = '["sh", "-c", "trap \\"\\" TERM INT HUP; httpd -p 8080 -h /www; ' \
               'while :; do sleep 1; done"]'
    sub = write_submission(tmp_path / "s", {
        "index.html": INDEX, "Dockerfile": _cmd(stubborn, "STOPSIGNAL SIGCONT\n")})
    g = run_grade(adv_lab, sub)
    assert_case(g, within=15, score=100)


def test_l6_double_forked_daemon_then_exit(adv_lab, tmp_path: Path) -> None:
    """The main process starts a daemon and returns (apachectl start): the container stops,
    and the daemon goes with it (--init, removal)."""
    sub = write_submission(tmp_path / "s", {
        "index.html": INDEX, "Dockerfile": _cmd('["sh", "-c", "httpd -p 8080 -h /www"]')})
    g = run_grade(adv_lab, sub)
    assert_case(g, within=15, score=10, says=("exit code 0", "foreground"))


def test_sandbox_settings_are_applied(adv_lab, tmp_path: Path) -> None:
    """The container's HostConfig and what its process sees: the whole default sandbox."""
    sub = write_submission(tmp_path / "s", {"index.html": INDEX, "Dockerfile": GOOD})
    run_id = "advsandbox" + secrets.token_hex(4)
    with grading_session(adv_lab, sub, get_backend("sdk"), GradeOptions(run_id=run_id)) as run:
        assert run.result().score == 100
        hc = run.ctx.container_inspect()["HostConfig"]
        status = run.ctx.exec(["cat", "/proc/1/status"]).stdout
        nofile = run.ctx.exec(["sh", "-c", "ulimit -n; ulimit -c"]).stdout.split()
        mounts = run.ctx.container_inspect()["Mounts"]
    assert hc["Memory"] == hc["MemorySwap"] == 64 * 1024 * 1024
    assert hc["PidsLimit"] == 64
    assert hc["NanoCpus"] == 500_000_000
    assert {u["Name"]: (u["Soft"], u["Hard"]) for u in hc["Ulimits"]} == {
        "nofile": (1024, 1024), "core": (0, 0)}
    assert nofile == ["1024", "0"]
    assert hc["CapDrop"] == ["ALL"]
    assert sorted(hc["CapAdd"]) == ["CHOWN", "NET_BIND_SERVICE", "SETGID", "SETUID"]
    assert hc["SecurityOpt"] == ["no-new-privileges"]
    assert hc["Init"] is True and hc["Privileged"] is False
    assert not hc.get("Binds") and not hc.get("Devices") and not mounts
    assert hc["NetworkMode"] != "host" and hc["PidMode"] == "" and hc["IpcMode"] != "host"
    bindings = [b for port in hc["PortBindings"].values() for b in port]
    assert bindings and all(b["HostIp"] == "127.0.0.1" for b in bindings)
    # CHOWN, DAC... as a bitmask: only the four capabilities, and no new privileges.
    fields = dict(line.split(":\t", 1) for line in status.splitlines() if ":\t" in line)
    assert int(fields["CapEff"], 16) == (1 << 0) | (1 << 6) | (1 << 7) | (1 << 10)
    assert fields["NoNewPrivs"].strip() == "1"
    assert "docker.sock" not in str(hc)
    assert not any(labelled(run_id).values())
