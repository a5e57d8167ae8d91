"""`socket`: a process in the container listens on a port (the kernel's own tables)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from graders.backends.sockets import Listening, Socket
from graders.checks._common import number_problems, type_problems
from graders.checks.base import Check, CheckContext, Need, Outcome
from graders.errors import GraderError
from graders.i18n import Text

ANY_ADDRESS = ("0.0.0.0", "::")
UNREADABLE = Text(
    "Não foi possível ler as tabelas de sockets do contêiner (o Docker roda em outra máquina e a "
    "imagem não tem cat): esta verificação não pôde rodar.",
    "The container's socket tables could not be read (Docker runs on another machine and the "
    "image has no cat): this check could not run.",
)


class SocketsUnreadable(GraderError):
    """Ours, not the student's: neither the host's /proc nor an exec could be read."""

    feedback = UNREADABLE


@dataclass(frozen=True)
class SocketCheck(Check):
    """Something listens on `port` inside the running container, on every address (0.0.0.0 or
    ::) unless `address` names one. Read from the kernel's tables, so it holds for a server
    that answers no HTTP (a database, a DNS server) and cannot be faked from inside when the
    engine is local (see graders/backends/sockets.py).

    ```yaml
    - id: listens-80
      type: socket
      points: 5
      port: 80
    - id: dns-udp
      type: socket
      port: 53
      protocol: udp
      address: any          # the default: 0.0.0.0 or ::; or 127.0.0.1 for local only
    ```
    """

    port: int = 0
    """The port inside the container."""
    protocol: str = "tcp"
    """tcp or udp."""
    address: str = "any"
    """`any` (0.0.0.0 or ::, reachable through a published port), or one address."""

    port_inside: ClassVar[bool] = True
    """The port needs no publishing (graders.spec checks it only for probes from the host)."""
    type_name: ClassVar[str] = "socket"
    need: ClassVar[Need] = Need.CONTAINER
    default_title: ClassVar[Text] = Text("Porta em escuta", "Port listening")
    default_hint: ClassVar[Text | None] = Text(
        "O servidor precisa escutar em 0.0.0.0 (todas as interfaces) na porta do EXPOSE, não só "
        "em 127.0.0.1: senão o -p do docker run não chega até ele.",
        "The server must listen on 0.0.0.0 (every interface) on the EXPOSEd port, not only on "
        "127.0.0.1: otherwise docker run's -p cannot reach it.",
    )

    def validate(self) -> list[str]:
        problems = type_problems("port", self.port, int, "an integer port")
        problems = problems or number_problems("port", self.port, 1, 65535)
        if self.protocol not in ("tcp", "udp"):
            problems.append(f"protocol: expected tcp or udp, got {self.protocol!r}")
        if not isinstance(self.address, str) or not self.address:
            problems.append("address: expected any or an IP address such as 127.0.0.1")
        return problems

    def _wanted(self) -> str:
        where = "0.0.0.0/::" if self.address == "any" else self.address
        return f"{self.protocol} {where}:{self.port}, listening"

    def _matches(self, s: Socket) -> bool:
        if s.protocol != self.protocol or s.port != self.port:
            return False
        return s.address in ANY_ADDRESS if self.address == "any" else s.address == self.address

    def run(self, ctx: CheckContext) -> Outcome:
        if not ctx.container_state().get("Running"):
            return Outcome.fail(
                Text("O contêiner não está rodando, então nada escuta na porta "
                     f"{self.port}.", "The container is not running, so nothing listens on "
                     f"port {self.port}."),
                expected=self._wanted(), actual="container not running")
        found: Listening | None = ctx.listening()
        if found is None:
            raise SocketsUnreadable("socket tables unreadable: no local /proc, no cat")
        mine = [s for s in found.sockets if s.protocol == self.protocol]
        listing = ", ".join(str(s) for s in mine) or "(none)"
        if any(self._matches(s) for s in found.sockets):
            return Outcome.ok(
                Text(f"Há um processo escutando em {self.protocol} {self.port}.",
                     f"A process listens on {self.protocol} {self.port}."),
                actual=f"{listing} (read from {found.source})")
        same_port = [s for s in mine if s.port == self.port]
        if same_port:
            where = ", ".join(s.address for s in same_port)
            message = Text(
                f"A porta {self.port} escuta só em {where}, não em todas as interfaces.",
                f"Port {self.port} listens only on {where}, not on every interface.",
            )
        elif mine:
            message = Text(
                f"Nada escuta em {self.protocol} {self.port}; escutando: {listing}.",
                f"Nothing listens on {self.protocol} {self.port}; listening: {listing}.",
            )
        else:
            message = Text(f"Nenhum socket {self.protocol} está em escuta no contêiner.",
                           f"No {self.protocol} socket is listening in the container.")
        return Outcome.fail(message, expected=self._wanted(), actual=listing,
                            details=f"read from {found.source}")
