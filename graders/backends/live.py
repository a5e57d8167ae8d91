"""A read-only view of the student's own Docker engine, for live checks (`labgrade check --live`).

Live checks grade what the student did with Docker (`docker build -t`, `docker run -p ... -d
--name`, `docker tag`), so they read the engine the student uses. `LiveEngine` only ever sends
GET requests to the engine (list images, inspect an image, list and inspect containers): it has
no method that creates, starts, stops, removes or changes anything, and a unit test holds it to
that. (`docker login` is read from the client's config.json, not from the engine:
`graders.registry.credentials.client_login`.)

Decisions, so that every check reads state the same way:

* Detached: a container counts as detached when its config records no attached stream
  (`Config.AttachStdin`, `AttachStdout` and `AttachStderr` all false), which is what
  `docker run -d` records, `-dit` included (Tty and OpenStdin do not matter). `docker run`
  without `-d` records AttachStdout/AttachStderr true; so does `docker create` + `docker start`,
  which therefore reads as not detached (a lab can turn the detached test off).
* Port mappings: the actual ones (`NetworkSettings.Ports`) while the container runs, else the
  ones asked for at `docker run` (`HostConfig.PortBindings`), so a stopped container still
  shows what `-p` it was given. TCP and UDP are kept apart (`80/tcp`).
* HTTP goes to 127.0.0.1 only, whatever address the student published on.
"""

from __future__ import annotations

import http.client
from dataclasses import dataclass
from typing import Any, Protocol

from graders.backends.base import HttpResponse
from graders.errors import BackendError

LOCALHOST = "127.0.0.1"
MAX_HTTP_BODY = 1 << 20
CLIENT_TIMEOUT = 30


@dataclass(frozen=True)
class LiveImage:
    id: str
    tags: tuple[str, ...]
    """`repository:tag` as `docker image ls` shows them (no `<none>:<none>`)."""


@dataclass(frozen=True)
class Binding:
    container_port: str
    """`80/tcp`."""
    host_ip: str
    """`0.0.0.0`, `127.0.0.1`, `::` or "" (every address)."""
    host_port: int | None
    """None when Docker picks the port at start (`-p 80`) and the container is not running."""

    def __str__(self) -> str:  # as `docker ps` prints it
        host = f"{self.host_ip or '0.0.0.0'}:{self.host_port or ''}"
        return f"{host}->{self.container_port}"


@dataclass(frozen=True)
class LiveContainer:
    name: str
    id: str
    image: str
    """`Config.Image`: the image as written at `docker run` (a name or an id)."""
    image_id: str
    """The image id the container was created from (`sha256:...`)."""
    status: str
    """created, running, paused, restarting, exited, dead."""
    exit_code: int | None
    detached: bool
    bindings: tuple[Binding, ...]

    @property
    def running(self) -> bool:
        return self.status == "running"


class LiveView(Protocol):
    """What a live check may read from the student's engine. Every method is read-only."""

    def images(self) -> list[LiveImage]:
        """Every local image that has at least one tag."""

    def image_id(self, ref: str) -> str | None:
        """The id of a local image by reference or id; None when there is none."""

    def container(self, name: str) -> LiveContainer | None:
        """The container with exactly this name (stopped ones too); None when there is none."""

    def containers(self) -> list[LiveContainer]:
        """Every container, stopped ones too."""

    def http_get(self, port: int, path: str = "/", timeout: float = 5.0) -> HttpResponse:
        """GET http://127.0.0.1:`port``path`; raises OSError or HTTPException when none answers."""


class LiveEngine:
    """`LiveView` over the docker SDK's low-level API; it only reads."""

    def __init__(self, client: Any = None) -> None:
        self._client = client

    @property
    def _api(self) -> Any:
        if self._client is None:
            from graders.backends.client import connect

            self._client = connect(CLIENT_TIMEOUT)
        return self._client.api

    def images(self) -> list[LiveImage]:
        found = self._call("image list", lambda api: api.images())
        return [
            LiveImage(str(i["Id"]), tags)
            for i in found
            if (tags := tuple(t for t in i.get("RepoTags") or [] if t != "<none>:<none>"))
        ]

    def image_id(self, ref: str) -> str | None:
        doc = self._call("image inspect", lambda api: api.inspect_image(ref), missing=True)
        return str(doc["Id"]) if doc else None

    def container(self, name: str) -> LiveContainer | None:
        doc = self._call("container inspect", lambda api: api.inspect_container(name), missing=True)
        # inspect also matches an id or id prefix: keep only the exact name.
        if not doc or str(doc.get("Name", "")).lstrip("/") != name:
            return None
        return container_from_inspect(doc)

    def containers(self) -> list[LiveContainer]:
        listed = self._call("container list", lambda api: api.containers(all=True))
        found = []
        for summary in listed:
            doc = self._call(
                "container inspect",
                lambda api, s=summary: api.inspect_container(s["Id"]),
                missing=True,
            )
            if doc:  # None when it went away between the list and the inspect
                found.append(container_from_inspect(doc))
        return found

    def http_get(self, port: int, path: str = "/", timeout: float = 5.0) -> HttpResponse:
        conn = http.client.HTTPConnection(LOCALHOST, port, timeout=timeout)
        try:
            conn.request("GET", path, headers={"User-Agent": "labgrade"})
            resp = conn.getresponse()
            return HttpResponse(resp.status, dict(resp.getheaders()), resp.read(MAX_HTTP_BODY))
        finally:
            conn.close()

    def _call(self, operation: str, fn: Any, missing: bool = False) -> Any:
        import docker.errors

        from graders.backends.client import FAILURES

        try:
            return fn(self._api)
        except docker.errors.NotFound:
            if missing:
                return None
            raise
        except FAILURES as e:
            raise BackendError(operation, str(e).splitlines()[0][:300]) from e


def container_from_inspect(doc: dict[str, Any]) -> LiveContainer:
    """A `LiveContainer` from `docker container inspect` output."""
    config = doc.get("Config") or {}
    state = doc.get("State") or {}
    status = str(state.get("Status") or "")
    actual = (doc.get("NetworkSettings") or {}).get("Ports") or {}
    asked = (doc.get("HostConfig") or {}).get("PortBindings") or {}
    ports = actual if status == "running" and any(actual.values()) else asked
    bindings = tuple(
        Binding(
            str(cport),
            str(b.get("HostIp") or ""),
            int(b["HostPort"]) if str(b.get("HostPort") or "").isdigit() else None,
        )
        for cport, items in sorted(ports.items())
        for b in items or []
    )
    attached = any(config.get(k) for k in ("AttachStdin", "AttachStdout", "AttachStderr"))
    code = state.get("ExitCode")
    return LiveContainer(
        name=str(doc.get("Name", "")).lstrip("/"),
        id=str(doc.get("Id", "")),
        image=str(config.get("Image") or ""),
        image_id=str(doc.get("Image") or ""),
        status=status,
        exit_code=code if isinstance(code, int) else None,
        detached=not attached,
        bindings=bindings,
    )


def live_view(ctx: object) -> LiveView:
    """The context's live view (`ctx.live()`), or a fresh `LiveEngine` when it has none."""
    live = getattr(ctx, "live", None)
    view: LiveView = live() if callable(live) else LiveEngine()
    return view
