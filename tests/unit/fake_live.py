"""A `LiveView` built from plain data, to unit-test live checks without Docker.

live = FakeLive({IMAGE_ID: ("apache_server:v1.0",)}, [container("apache")])
outcome = LiveContainerCheck(name="apache", ports=["8080:80"]).run(Ctx(live))
"""

from __future__ import annotations

from dataclasses import dataclass, field

from graders.backends.live import Binding, LiveContainer, LiveImage
from graders.checks._live import familiar
from graders.checks.base import HttpResponse

IMAGE = "apache_server:v1.0"
IMAGE_ID = "sha256:" + "a" * 64
RUN = "docker run -p 8080:80 -d --name apache apache_server:v1.0"


def container(
    name: str = "apache",
    *,
    image: str = IMAGE,
    image_id: str = IMAGE_ID,
    status: str = "running",
    exit_code: int | None = 0,
    detached: bool = True,
    ports: tuple[tuple[int, str], ...] = ((8080, "80/tcp"),),
) -> LiveContainer:
    bindings = tuple(Binding(cport, "0.0.0.0", host) for host, cport in ports)
    return LiveContainer(name, "c" * 64, image, image_id, status, exit_code, detached, bindings)


@dataclass
class FakeLive:
    """A `LiveView` from plain data."""

    images_: dict[str, tuple[str, ...]] = field(default_factory=dict)
    """image id -> tags."""
    containers_: list[LiveContainer] = field(default_factory=list)
    http: dict[tuple[int, str], HttpResponse] = field(default_factory=dict)

    def images(self) -> list[LiveImage]:
        return [LiveImage(i, tags) for i, tags in self.images_.items()]

    def image_id(self, ref: str) -> str | None:
        return next(
            (i for i, tags in self.images_.items() if familiar(ref) in {familiar(t) for t in tags}),
            None,
        )

    def container(self, name: str) -> LiveContainer | None:
        return next((c for c in self.containers_ if c.name == name), None)

    def containers(self) -> list[LiveContainer]:
        return list(self.containers_)

    def http_get(self, port: int, path: str = "/", timeout: float = 5.0) -> HttpResponse:
        if (port, path) not in self.http:
            raise ConnectionRefusedError(111, "Connection refused")
        return self.http[(port, path)]



class Ctx:
    def __init__(self, live: FakeLive, registry: str | None = None) -> None:
        self._live, self._registry = live, registry

    def live(self) -> FakeLive:
        return self._live

    def registry_address(self) -> str | None:
        """`--registry` of the run (None: not given)."""
        return self._registry
