"""Whether a starting container can still become ready, read from the host's /proc.

A container whose processes have done nothing for `IDLE_LIMIT` seconds (no CPU time used, no
process started or ended) while nothing listens on the awaited port will not start listening
later: a `sleep` as CMD, a server on another port or bound to the container's loopback. The
readiness wait then ends at once instead of at the lab's deadline (30 s for a student
self-check too). A server that is slow but working (CPU time advancing, a start-up script
running one step after another) is never cut off; one that waits without working for longer
than `IDLE_LIMIT` before it listens is.

Only when the engine runs on this machine (its processes are visible here): with a remote
engine nothing can be read from outside, and the wait keeps the lab's deadline.
"""

from __future__ import annotations

import ipaddress
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from graders.backends.sockets import Listening, Socket, from_host, in_container
from graders.i18n import Text

IDLE_LIMIT = 5.0
"""Seconds of idleness with nothing listening on the awaited port before readiness gives up."""
MAX_PROCESSES = 512
"""Processes of one container walked at most (a fork bomb is busy anyway)."""
SHOWN = 4
"""Listening sockets named in the message at most."""


@dataclass(frozen=True)
class Activity:
    ticks: int
    """CPU clock ticks used by the container's process tree, its reaped children included."""
    pids: frozenset[int]


def activity(pid: int, container_id: str, proc: Path = Path("/proc")) -> Activity | None:
    """The CPU time and processes of the tree under the container's main process `pid`, or
    None when `pid` is not that container's process on this host."""
    if not in_container(pid, container_id, proc):
        return None
    seen: set[int] = set()
    ticks, todo = 0, [pid]
    while todo and len(seen) < MAX_PROCESSES:
        p = todo.pop()
        if p in seen:
            continue
        try:
            # Fields after the name (which may hold spaces and parentheses): utime, stime,
            # cutime and cstime are fields 14 to 17 of proc(5), items 11 to 14 here.
            fields = (proc / str(p) / "stat").read_text().rpartition(")")[2].split()
            ticks += sum(int(x) for x in fields[11:15])
            for children in (proc / str(p) / "task").glob("*/children"):
                todo += [int(c) for c in children.read_text().split()]
        except (OSError, ValueError):
            if p == pid:
                return None
            continue  # a child that ended meanwhile: its time moves to cutime, a change seen
        seen.add(p)
    return Activity(ticks, frozenset(seen))


def reachable(sock: Socket, port: int) -> bool:
    """A TCP socket on `port` that the published port can reach (not the loopback)."""
    return sock.protocol == "tcp" and sock.port == port and \
        not ipaddress.ip_address(sock.address).is_loopback


class IdleWatch:
    """`stuck(pid)`, called at each readiness poll, says when the container has been idle for
    `limit` seconds with nothing reachable listening on `port`."""

    def __init__(self, container_id: str, port: int, limit: float = IDLE_LIMIT,
                 proc: Path = Path("/proc"), clock: Callable[[], float] = time.monotonic) -> None:
        self.container_id, self.port, self.limit = container_id, port, limit
        self.proc, self.clock = proc, clock
        self.last: Activity | None = None
        self.since = clock()

    def stuck(self, pid: int) -> Listening | None:
        """What listens (nothing reachable on the port) once idle for `limit` s, else None."""
        now = self.clock()
        seen = activity(pid, self.container_id, self.proc)
        if seen is None or seen != self.last:  # working, or unreadable: never cut off
            self.last, self.since = seen, now
            return None
        if now - self.since < self.limit:
            return None
        listening = from_host(pid, self.container_id, self.proc)
        if listening is None or any(reachable(s, self.port) for s in listening.sockets):
            return None
        return listening


def idle_message(listening: Listening, port: int, limit: float = IDLE_LIMIT) -> Text:
    """Why readiness gave up early, with what listens instead, if anything."""
    tcp = [s for s in listening.sockets if s.protocol == "tcp"]
    local = [s for s in tcp if s.port == port]
    named = ", ".join(str(s) for s in (local or tcp)[:SHOWN])
    if local:
        what = Text(f"{named} escuta só no loopback do contêiner, que a porta publicada não "
                    "alcança: escute em 0.0.0.0",
                    f"{named} listens on the container's loopback only, which the published "
                    "port cannot reach: listen on 0.0.0.0")
    elif tcp:
        what = Text(f"escuta em {named}, não na porta {port}",
                    f"it listens on {named}, not on port {port}")
    else:
        what = Text("nada escuta", "nothing listens")
    return Text(f"(Os processos do contêiner ficaram ociosos por {limit:g} s (sem usar CPU, "
                f"sem iniciar nem encerrar processos) sem escutar na porta {port}, então ele "
                f"não ficaria pronto: {what.pt}.)",
                f"(The container's processes were idle for {limit:g} s (no CPU time used, no "
                f"process started or ended) without listening on port {port}, so it would not "
                f"become ready: {what.en}.)")
