"""`live_container`: the student's container runs from the image, detached, with the ports."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import ClassVar

from graders.backends.live import LiveContainer, LiveView, live_view
from graders.checks._common import type_problems
from graders.checks._live import familiar, fix, join, port_maps, ref_problems, run_command
from graders.checks._words import state_text
from graders.checks.base import Check, CheckContext, Need, Outcome
from graders.i18n import Text


@dataclass(frozen=True)
class LiveContainerCheck(Check):
    """A container with this name exists, is running, was started from `image`, detached
    (`-d`), with each `HOST:CONTAINER` port published (`-p 8080:80`).

    Every problem is reported in one message, with what is mapped instead, and ends with the
    command that fixes it: `docker start NAME` when it is only stopped, else removing it and
    running it again with the course's `docker run`. With no container of that name, a container
    from the same image under another name gets a `docker rename`. Detached means the container
    was created with no attached stream, which is what `docker run -d` records (see
    graders/backends/live.py). Runs only with `labgrade check --live`.

    ```yaml
    - id: container-up
      type: live_container
      points: 5
      name: apache
      image: apache_server:v1.0
      ports: ["8080:80"]
    ```
    """

    name: str = ""
    """The container's name (`--name`)."""
    image: str | None = None
    """The image it must run (`repository:tag`); null accepts any."""
    ports: list[str] = field(default_factory=list)
    """`HOST:CONTAINER` TCP mappings that must be published, as written after `-p`."""
    detached: bool = True
    """Whether it must have been started with `-d`."""

    type_name: ClassVar[str] = "live_container"
    need: ClassVar[Need] = Need.LIVE
    default_title: ClassVar[Text] = Text("O contêiner está rodando", "The container is running")
    default_hint: ClassVar[Text | None] = Text(
        "Confira com docker ps -a: nome, imagem, STATUS e PORTS.",
        "Check with docker ps -a: name, image, STATUS and PORTS.",
    )

    def validate(self) -> list[str]:
        problems = (
            []
            if isinstance(self.name, str) and self.name
            else [f"name: expected a container name, got {self.name!r}"]
        )
        if self.image is not None:
            problems += ref_problems("image", self.image)
        if port_maps(self.ports) is None:
            problems.append(
                f"ports: expected a list of HOST:CONTAINER such as ['8080:80'], got {self.ports!r}"
            )
        return problems + type_problems("detached", self.detached, bool, "true or false")

    @property
    def command(self) -> str:
        return run_command(
            self.name, familiar(self.image) if self.image else "IMAGE", port_maps(self.ports) or []
        )

    def run(self, ctx: CheckContext) -> Outcome:
        live = live_view(ctx)
        found = live.container(self.name)
        if found is None:
            return self._missing(live)
        problems, restart_only = self._problems(live, found)
        actual = describe(found)
        if not problems:
            return Outcome.ok(
                Text(
                    f"O contêiner {self.name} está certo: ",
                    f"The container {self.name} is right: ",
                ) + actual + Text.same("."),
                actual=actual,
            )
        how = (
            fix(f"docker start {self.name}")
            if restart_only
            else fix(f"docker rm -f {self.name} && {self.command}")
        )
        return Outcome.fail(
            Text(f"O contêiner {self.name}: ", f"The container {self.name}: ")
            + join(problems)
            + Text(".", ".")
            + how,
            expected=self._expected(),
            actual=actual,
        )

    def _expected(self) -> Text:
        parts = [Text("rodando", "running")]
        if self.image:
            parts.append(Text(f"imagem {familiar(self.image)}", f"image {familiar(self.image)}"))
        parts += [Text("em segundo plano (-d)", "detached")] if self.detached else []
        parts += [Text(f"portas {h}->{c}/tcp", f"ports {h}->{c}/tcp")
                  for h, c in port_maps(self.ports) or []]
        return Text.same(", ").join(parts)

    def _missing(self, live: LiveView) -> Outcome:
        others = []
        if self.image:
            image_id = live.image_id(self.image)
            others = [
                c.name
                for c in live.containers()
                if c.image_id == image_id or familiar(c.image) == familiar(self.image)
            ]
        if others:
            return Outcome.fail(
                Text(
                    f"Não há contêiner chamado {self.name}, mas {others[0]} roda "
                    f"{familiar(str(self.image))}. Você quis dizer {others[0]}?",
                    f"There is no container named {self.name}, but {others[0]} runs "
                    f"{familiar(str(self.image))}. Did you mean {others[0]}?",
                )
                + fix(f"docker rename {others[0]} {self.name}"),
                expected=Text(f"um contêiner chamado {self.name}",
                              f"a container named {self.name}"),
                actual=Text(f"contêineres de {familiar(str(self.image))}: {', '.join(others)}",
                            f"containers from {familiar(str(self.image))}: {', '.join(others)}"),
            )
        return Outcome.fail(
            Text(
                f"Não há contêiner chamado {self.name}.",
                f"There is no container named {self.name}.",
            )
            + fix(self.command),
            expected=Text(f"um contêiner chamado {self.name}", f"a container named {self.name}"),
            actual=Text("nenhum (veja docker ps -a)", "none (see docker ps -a)"),
        )

    def _problems(self, live: LiveView, c: LiveContainer) -> tuple[list[Text], bool]:
        """The problems in the order a student fixes them, and whether `docker start` is enough."""
        problems: list[Text] = []
        if c.status == "paused":
            problems.append(Text("está pausado (docker unpause)", "is paused (docker unpause)"))
        elif c.status == "restarting":
            problems.append(
                Text(
                    f"reinicia sem parar (código de saída {c.exit_code})",
                    f"keeps restarting (exit code {c.exit_code})",
                )
            )
        elif not c.running:
            problems.append(
                Text(
                    f"está parado ({c.status}, código de saída {c.exit_code})",
                    f"is stopped ({c.status}, exit code {c.exit_code})",
                )
            )
        stopped_only = bool(problems) and c.status in ("exited", "created")
        recreate = self._image_problems(live, c) + self._port_problems(c)
        if self.detached and not c.detached:
            recreate.append(
                Text(
                    "foi iniciado sem -d (preso ao terminal)",
                    "was started without -d (attached to the terminal)",
                )
            )
        return problems + recreate, stopped_only and not recreate

    def _image_problems(self, live: LiveView, c: LiveContainer) -> list[Text]:
        if not self.image:
            return []
        want = familiar(self.image)
        image_id = live.image_id(self.image)
        if c.image_id == image_id:
            return []
        if familiar(c.image) == want and image_id is None:
            return [
                Text(
                    f"roda {want}, mas essa imagem não existe mais localmente",
                    f"runs {want}, but that image no longer exists locally",
                )
            ]
        if familiar(c.image) == want:  # the tag moved: a rebuild after the container was made
            return [
                Text(
                    f"roda um build antigo de {want} (reconstruído depois de criar o contêiner)",
                    f"runs an older build of {want} (rebuilt after the container was created)",
                )
            ]
        return [
            Text(
                f"foi criado a partir de {c.image}, não de {want}",
                f"was created from {c.image}, not {want}",
            )
        ]

    def _port_problems(self, c: LiveContainer) -> list[Text]:
        problems = []
        for host, cport in port_maps(self.ports) or []:
            target = f"{cport}/tcp"
            hosts = sorted(
                {
                    b.host_port
                    for b in c.bindings
                    if b.container_port == target and b.host_port is not None
                }
            )
            if host in hosts:
                continue
            elsewhere = sorted({b.container_port for b in c.bindings if b.host_port == host})
            if hosts:
                got = ", ".join(map(str, hosts))
                problems.append(
                    Text(
                        f"a porta {cport} está publicada na porta {got} do host, não na {host}",
                        f"port {cport} is published on host port {got}, not {host}",
                    )
                )
            elif elsewhere:
                problems.append(
                    Text(
                        f"a porta {host} do host leva à porta {elsewhere[0]} do "
                        f"contêiner, não à {cport}",
                        f"host port {host} goes to container port {elsewhere[0]}, not {cport}",
                    )
                )
            else:
                problems.append(
                    Text(
                        f"a porta {host} não está mapeada para a {cport} (falta -p {host}:{cport})",
                        f"port {host} is not mapped to {cport} (-p {host}:{cport} is missing)",
                    )
                )
        return problems


def describe(c: LiveContainer) -> Text:
    """`running, image apache_server:v1.0, detached, ports 0.0.0.0:8080->80/tcp`."""
    status = state_text(c.status)
    if not c.running and c.exit_code is not None:
        status += Text.same(f" ({c.exit_code})")
    ports = ", ".join(sorted({f"{b.host_port or '?'}->{b.container_port}" for b in c.bindings}))
    attached = Text("em segundo plano", "detached") if c.detached \
        else Text("em primeiro plano", "attached")
    return status + Text(f", imagem {c.image}, ", f", image {c.image}, ") + attached + Text(
        f", portas {ports or 'nenhuma'}", f", ports {ports or 'none'}")
