"""The sockets a container listens on, from the kernel's tables (`/proc/net/tcp` and friends).

Read outside-in where possible: when the engine runs on this machine, the host's
`/proc/<pid>/net/*` of the container's main process shows the container's network namespace as
the kernel keeps it, and nothing inside the container can change that. With a remote engine
(Docker Desktop's VM) nothing is read: a table read from inside the container could be faked.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass
from pathlib import Path

TABLES = ("tcp", "tcp6", "udp", "udp6")
LISTEN = "0A"  # TCP_LISTEN in include/net/tcp_states.h
UNCONNECTED = "07"  # TCP_CLOSE: how a bound, unconnected UDP socket shows


@dataclass(frozen=True, order=True)
class Socket:
    protocol: str
    """tcp or udp."""
    address: str
    """The bound address: 0.0.0.0, ::, 127.0.0.1, ..."""
    port: int

    def __str__(self) -> str:
        host = f"[{self.address}]" if ":" in self.address else self.address
        return f"{self.protocol}://{host}:{self.port}"


@dataclass(frozen=True)
class Listening:
    sockets: tuple[Socket, ...]
    source: str
    """Where the tables were read: "host /proc/<pid>/net" or "exec cat /proc/net/*"."""


def _address(hex_addr: str) -> str:
    """/proc/net's little-endian hex address (per 32-bit word) as text."""
    raw = bytes.fromhex(hex_addr)
    words = b"".join(raw[i:i + 4][::-1] for i in range(0, len(raw), 4))
    return str(ipaddress.ip_address(words))


def parse_table(protocol: str, text: str) -> list[Socket]:
    """The listening sockets of one /proc/net table (`tcp`, `tcp6`, `udp` or `udp6`)."""
    want = LISTEN if protocol.startswith("tcp") else UNCONNECTED
    found = []
    for line in text.splitlines()[1:]:
        fields = line.split()
        if len(fields) < 4 or fields[3] != want or ":" not in fields[1]:
            continue
        addr, _, port = fields[1].partition(":")
        try:
            found.append(Socket(protocol.rstrip("6"), _address(addr), int(port, 16)))
        except ValueError:
            continue  # a line we cannot read is not a socket we can vouch for
    return found


def in_container(pid: int, container_id: str, proc: Path = Path("/proc")) -> bool:
    """Whether `pid`, on this host, is a process of that container (False when the engine runs
    elsewhere or the process is gone): what is read of it from /proc is the container's."""
    if pid <= 0 or not container_id:
        return False
    try:
        return container_id in (proc / str(pid) / "cgroup").read_text()
    except OSError:
        return False


def from_host(pid: int, container_id: str, proc: Path = Path("/proc")) -> Listening | None:
    """The tables of `pid` read on this host, or None when `pid` is not that container's
    process here (the engine runs elsewhere, or the process is gone)."""
    if not in_container(pid, container_id, proc):
        return None
    try:
        texts = {t: (proc / str(pid) / "net" / t).read_text() for t in TABLES}
    except OSError:
        return None
    sockets = [s for t, text in texts.items() for s in parse_table(t, text)]
    return Listening(tuple(sorted(set(sockets))), f"host /proc/{pid}/net")
