"""The idle rule of readiness (graders/engine/idle.py) over a fake /proc: CPU time or a process
started or ended is work; only idleness past the limit with nothing reachable listening stops
the wait, and the message names what listens."""

from __future__ import annotations

from pathlib import Path

from graders.backends.sockets import Listening, Socket
from graders.engine.idle import IdleWatch, activity, idle_message

CID = "6a2bc0c60e55a145eddb4256f91cdfec75b8996e8f2233ac72e2093af520cae3"
HEADER = "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid\n"


def proc_entry(proc: Path, pid: int, ticks: int = 0, children: tuple[int, ...] = (),
               name: str = "httpd") -> None:
    folder = proc / str(pid)
    (folder / "task" / str(pid)).mkdir(parents=True, exist_ok=True)
    (folder / "cgroup").write_text(f"0::/docker/{CID}\n")
    # pid (comm) state ppid pgrp session tty tpgid flags minflt cminflt majflt cmajflt
    # utime stime cutime cstime ...
    (folder / "stat").write_text(f"{pid} ({name}) S 1 1 1 0 -1 0 0 0 0 0 {ticks} 0 0 0 20 0\n")
    (folder / "task" / str(pid) / "children").write_text(" ".join(map(str, children)))
    (folder / "net").mkdir(exist_ok=True)
    for table in ("tcp", "tcp6", "udp", "udp6"):
        (folder / "net" / table).write_text(HEADER)


def listen(proc: Path, pid: int, hex_addr: str, port: int) -> None:
    line = f"   0: {hex_addr}:{port:04X} 00000000:0000 0A 00000000:00000000 00:00000000 0 0\n"
    (proc / str(pid) / "net" / "tcp").write_text(HEADER + line)


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_activity_sums_the_tree_and_names_its_processes(tmp_path: Path) -> None:
    proc_entry(tmp_path, 10, ticks=5, children=(11,), name="sh -c (start)")
    proc_entry(tmp_path, 11, ticks=7)
    seen = activity(10, CID, tmp_path)
    assert seen is not None and seen.ticks == 12 and seen.pids == {10, 11}


def test_activity_of_another_containers_process_is_not_read(tmp_path: Path) -> None:
    proc_entry(tmp_path, 10)
    assert activity(10, "someone-else", tmp_path) is None
    assert activity(99, CID, tmp_path) is None  # gone, or the engine runs elsewhere


def test_idle_with_nothing_listening_is_stuck_only_after_the_limit(tmp_path: Path) -> None:
    proc_entry(tmp_path, 10)
    clock = Clock()
    watch = IdleWatch(CID, 80, limit=5.0, proc=tmp_path, clock=clock)
    assert watch.stuck(10) is None
    clock.now += 4.9
    assert watch.stuck(10) is None
    clock.now += 0.2
    stuck = watch.stuck(10)
    assert stuck is not None and stuck.sockets == ()


def test_cpu_time_advancing_restarts_the_idle_clock(tmp_path: Path) -> None:
    proc_entry(tmp_path, 10, ticks=1)
    clock = Clock()
    watch = IdleWatch(CID, 80, limit=5.0, proc=tmp_path, clock=clock)
    watch.stuck(10)
    clock.now += 4.0
    proc_entry(tmp_path, 10, ticks=2)  # it worked meanwhile
    assert watch.stuck(10) is None
    clock.now += 4.0
    assert watch.stuck(10) is None  # 4 s idle since it last worked
    clock.now += 1.5
    assert watch.stuck(10) is not None


def test_a_process_started_or_ended_is_work(tmp_path: Path) -> None:
    proc_entry(tmp_path, 10, children=(11,))
    proc_entry(tmp_path, 11)
    clock = Clock()
    watch = IdleWatch(CID, 80, limit=5.0, proc=tmp_path, clock=clock)
    watch.stuck(10)
    clock.now += 4.0
    proc_entry(tmp_path, 10, children=(12,))  # `sleep 1` ended, the next step began
    proc_entry(tmp_path, 12)
    assert watch.stuck(10) is None
    clock.now += 4.0
    assert watch.stuck(10) is None


def test_a_reachable_listener_on_the_port_is_never_stuck(tmp_path: Path) -> None:
    proc_entry(tmp_path, 10)
    listen(tmp_path, 10, "00000000", 80)  # 0.0.0.0:80, HTTP not answering yet
    clock = Clock()
    watch = IdleWatch(CID, 80, limit=5.0, proc=tmp_path, clock=clock)
    watch.stuck(10)
    clock.now += 60
    assert watch.stuck(10) is None


def test_a_loopback_listener_on_the_port_is_stuck(tmp_path: Path) -> None:
    proc_entry(tmp_path, 10)
    listen(tmp_path, 10, "0100007F", 80)  # 127.0.0.1:80
    clock = Clock()
    watch = IdleWatch(CID, 80, limit=5.0, proc=tmp_path, clock=clock)
    watch.stuck(10)
    clock.now += 6
    assert watch.stuck(10) is not None


def test_unreadable_tables_never_cut_the_wait_short(tmp_path: Path) -> None:
    clock = Clock()
    watch = IdleWatch(CID, 80, limit=5.0, proc=tmp_path, clock=clock)  # no such process here
    watch.stuck(10)
    clock.now += 60
    assert watch.stuck(10) is None


def test_the_message_says_what_listens_in_both_languages() -> None:
    nothing = idle_message(Listening((), "host"), 80, 5.0)
    assert "nothing listens" in nothing.en and "nada escuta" in nothing.pt
    assert "idle for 5 s" in nothing.en and "ociosos por 5 s" in nothing.pt
    other = idle_message(Listening((Socket("tcp", "0.0.0.0", 8080),), "host"), 80, 5.0)
    assert "tcp://0.0.0.0:8080, not on port 80" in other.en
    assert "tcp://0.0.0.0:8080, não na porta 80" in other.pt
    local = idle_message(Listening((Socket("tcp", "127.0.0.1", 80),), "host"), 80, 5.0)
    assert "loopback" in local.en and "0.0.0.0" in local.en and "loopback" in local.pt
    udp = idle_message(Listening((Socket("udp", "0.0.0.0", 80),), "host"), 80, 5.0)
    assert "nothing listens" in udp.en  # a UDP socket is no HTTP server
