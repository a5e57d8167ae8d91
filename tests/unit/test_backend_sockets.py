"""graders.backends.sockets: the kernel's tables parsed, read from the host's /proc only for the
container's own process, or through exec."""

from __future__ import annotations

from pathlib import Path

from graders.backends.sockets import Socket, from_host, parse_table

HEAD = "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid\n"
TCP = HEAD + (
    "   0: 00000000:0050 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0\n"
    "   1: 0100007F:1F90 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0\n"
    "   2: 0100007F:1F90 0100007F:C350 01 00000000:00000000 00:00000000 00000000     0\n"
)
TCP6 = HEAD + (
    "   0: 00000000000000000000000001000000:0035 00000000000000000000000000000000:0000 0A 0\n"
    "   1: 00000000000000000000000000000000:01BB 00000000000000000000000000000000:0000 0A 0\n"
)
UDP = HEAD + "   0: 00000000:0035 00000000:0000 07 00000000:00000000 00:00000000 00000000 0\n"


def test_tables_parse_to_listening_sockets_only() -> None:
    assert parse_table("tcp", TCP) == [Socket("tcp", "0.0.0.0", 80),
                                       Socket("tcp", "127.0.0.1", 8080)]  # not the connection
    assert parse_table("tcp6", TCP6) == [Socket("tcp", "::1", 53), Socket("tcp", "::", 443)]
    assert parse_table("udp", UDP) == [Socket("udp", "0.0.0.0", 53)]
    assert parse_table("tcp", HEAD + "garbage line\n   0: zz:0050 0 0A\n") == []
    assert str(Socket("tcp", "::", 443)) == "tcp://[::]:443"


def fake_proc(root: Path, pid: int, cgroup: str) -> Path:
    (root / str(pid) / "net").mkdir(parents=True)
    (root / str(pid) / "cgroup").write_text(cgroup)
    for name, text in (("tcp", TCP), ("tcp6", TCP6), ("udp", UDP), ("udp6", HEAD)):
        (root / str(pid) / "net" / name).write_text(text)
    return root


def test_the_host_proc_is_read_only_for_the_containers_own_process(tmp_path: Path) -> None:
    proc = fake_proc(tmp_path, 42, "12:pids:/docker/abc123def\n")
    found = from_host(42, "abc123def", proc)
    assert found is not None and found.source == "host /proc/42/net"
    assert Socket("tcp", "0.0.0.0", 80) in found.sockets and len(found.sockets) == 5
    assert from_host(42, "another", proc) is None  # a pid of this host, not the container's
    assert from_host(7, "abc123def", proc) is None  # no such process here: a remote engine
    assert from_host(0, "abc123def", proc) is None
