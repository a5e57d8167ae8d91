"""`image_exposed_ports`: ports in the built image's config (`EXPOSE`)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import ClassVar

from graders.checks.base import Check, CheckContext, Need, Outcome
from graders.i18n import Text

PROTOCOLS = ("tcp", "udp", "sctp")


def normalise_port(port: object) -> str | None:
    """`80`, `"80"` and `"80/TCP"` -> `"80/tcp"`; None when it is not a port."""
    if isinstance(port, bool) or not isinstance(port, (int, str)):
        return None
    number, _, proto = str(port).strip().lower().partition("/")
    proto = proto or "tcp"
    if not number.isdigit() or not 1 <= int(number) <= 65535 or proto not in PROTOCOLS:
        return None
    return f"{int(number)}/{proto}"


def _sort_key(port: str) -> tuple[int, str]:
    number, _, proto = port.partition("/")
    return (int(number) if number.isdigit() else 0, proto)


def show(ports: set[str]) -> str:
    return ", ".join(sorted(ports, key=_sort_key)) or "—"


@dataclass(frozen=True)
class ImageExposedPortsCheck(Check):
    """The image exposes these ports. `80` means `80/tcp`, as `EXPOSE 80` does.

    ```yaml
    - id: exposes-80
      type: image_exposed_ports
      ports: [80, "53/udp"]
    ```
    """

    ports: list[int | str] = field(default_factory=list)
    """Ports as `80`, `"80/tcp"` or `"53/udp"`."""
    exactly: bool = False
    """When true, the image must expose no other port."""

    type_name: ClassVar[str] = "image_exposed_ports"
    need: ClassVar[Need] = Need.IMAGE
    default_title: ClassVar[Text] = Text("Portas expostas", "Exposed ports")
    default_hint: ClassVar[Text | None] = Text(
        "Declare a porta com EXPOSE no Dockerfile.",
        "Declare the port with EXPOSE in the Dockerfile.",
    )

    def validate(self) -> list[str]:
        if not isinstance(self.ports, list) or not self.ports:
            return ['ports: expected a non-empty list such as [80, "53/udp"]']
        return [
            f"ports[{i}]: {p!r} is not a port (1-65535, optionally /tcp, /udp or /sctp)"
            for i, p in enumerate(self.ports)
            if normalise_port(p) is None
        ]

    def run(self, ctx: CheckContext) -> Outcome:
        exposed = {
            normalise_port(p) or str(p) for p in (ctx.image_config().get("ExposedPorts") or {})
        }
        wanted = {p for p in map(normalise_port, self.ports) if p}
        missing = wanted - exposed
        extra = exposed - wanted if self.exactly else set()
        if not missing and not extra:
            return Outcome.ok(
                Text(f"Portas expostas: {show(exposed)}.", f"Exposed ports: {show(exposed)}."),
                actual=show(exposed),
            )
        message = Text("", "")
        if missing:
            ports = show(missing)
            message = message + Text(
                f"Porta não exposta: {ports}. ", f"Port not exposed: {ports}. "
            )
        if extra:
            ports = show(extra)
            message = message + Text(
                f"Porta exposta a mais: {ports}. ", f"Unexpected exposed port: {ports}. "
            )
        return Outcome.fail(
            Text(message.pt.strip(), message.en.strip()),
            expected=Text.same(show(wanted))
            + (Text(" (somente)", " (only)") if self.exactly else Text.same("")),
            actual=show(exposed),
        )
