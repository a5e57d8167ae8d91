"""The check contract: a check reads facts through a `CheckContext` and returns an `Outcome`.

Checks never import docker, never format output and never raise for a student's mistake: a
wrong submission is `Outcome.fail(...)`. An exception from `run` becomes an ERROR result.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import IntEnum
from typing import TYPE_CHECKING, Any, ClassVar, Protocol

from graders.backends.base import ExecResult, FileStat, HttpResponse
from graders.i18n import Shown, Text

if TYPE_CHECKING:
    from graders.backends.live import LiveView
    from graders.dockerfile.model import Dockerfile
    from graders.registry.target import RegistryTarget


class Need(IntEnum):
    """What a check needs before it can run, in the order the engine provides it."""

    DOCKERFILE = 1
    IMAGE = 2
    CONTAINER = 3
    LIVE = 4
    """The student's own engine state (issue: live checks); only run with --live."""


class CheckContext(Protocol):
    """What a check may observe. Every method is read-only and bounded in time and size."""

    @property
    def dockerfile(self) -> Dockerfile | None:
        """The parsed Dockerfile, or None when the submission has none."""

    def image_config(self) -> dict[str, Any]:
        """The built image's inspected `Config` (Env, Cmd, Entrypoint, Labels, ...)."""

    def image_inspect(self) -> dict[str, Any]:
        """The built image's whole inspect document (Size, RootFS, ...)."""

    def stat(self, path: str) -> FileStat | None:
        """Metadata of a path in the container (or the image), read from the host; None if
        absent."""

    def read_file(self, path: str, limit: int = 1 << 20) -> bytes | None:
        """A file's first `limit` bytes, read from the host through the Docker API; None if
        absent."""

    def list_dir(self, path: str, pattern: str = "*", limit: int = 256) -> list[str] | None:
        """Names in folder `path` matching the glob `pattern`, read from the host (as `stat`);
        None when `path` is no folder. For glob checks on images without a shell."""

    def exec(self, argv: list[str], timeout: float = 10.0) -> ExecResult:
        """Run a command inside the running container (facts only a live process can show)."""

    def put_file(self, directory: str, name: str, data: bytes, mode: int = 0o644) -> None:
        """Write a file into the running container from the host (docker cp): for probes that
        need a fresh, per-run answer, such as a nonce the server must then serve."""

    def http_get(self, port: int, path: str = "/", timeout: float = 5.0) -> HttpResponse:
        """GET from the host through the host port published for container `port` on 127.0.0.1."""

    def container_state(self) -> dict[str, Any]:
        """The container's inspected `State` (Running, ExitCode, OOMKilled, ...)."""

    def container_logs(self, limit: int = 4000, stream: str = "all") -> str:
        """The tail of the container's output: "all" (stdout and stderr), "stdout" or "stderr".
        Read a stream alone to be sure of its end: Docker copies the two separately, so in
        "all" a crash's last stderr line can come before the last stdout it printed earlier."""

    def published_port(self, port: int) -> int | None:
        """The 127.0.0.1 host port published for container `port`, if any."""

    def registry_target(self) -> RegistryTarget:
        """Where the submission's image was pushed (a `graders.registry.target.RegistryTarget`):
        the registry (`--registry`, else the reference's domain, else Docker Hub), the reference
        (`--image`, else `image:` in the submission's labgrade.yaml), and `client()`, a registry
        API v2 client with the credentials of `graders.registry.credentials`, never shown."""

    def registry_address(self) -> str | None:
        """The registry this run was told to ask (`--registry`), None when not told (Docker
        Hub, or the domain of the declared image)."""

    def run_once(self, argv: list[str] | None = None, timeout: float = 10.0) -> ExecResult:
        """Run the built image once, like `docker run --rm --network none IMAGE [argv]`: its own
        ENTRYPOINT, with `argv` (when given) replacing CMD, in a fresh sandboxed container with
        the run's label, removed afterwards. Nothing is exec'd into the graded container, so it
        works on scratch and distroless images. Exit code None: killed at `timeout`; 127: Docker
        could not start it (stderr says why). Output capped."""

    def run_image(self, image: str | None = None, timeout: float = 30.0,
                  pull: bool = False) -> ExecResult:
        """Run an image's ENTRYPOINT/CMD once in a fresh sandboxed container without network:
        the built image when `image` is None, else `image`, pulled first by digest with the
        registry target's credentials when `pull` (`host/name@sha256:...`); exit code None
        means it was killed at `timeout`. Everything it pulls or creates is removed."""

    def live(self) -> LiveView:
        """The student's own Docker engine, read-only (a `graders.backends.live.LiveView`): local
        images, containers by name, their state, image, port mappings and whether they run detached,
        HTTP to 127.0.0.1. Only live checks use it (`live_login` reads the Docker client's
        config.json instead: graders.registry.credentials.client_login), and only
        with --live; read it through `graders.backends.live.live_view(ctx)`."""


@dataclass(frozen=True)
class Outcome:
    """What a check observed: passed or not, with what / expected / actual for the student."""

    passed: bool
    message: Text
    expected: Shown | None = None
    actual: Shown | None = None
    """Words are a `Text` (both languages); a literal value (a path, a port, a Dockerfile line)
    that reads the same in both may stay a plain `str`."""
    details: str = ""
    line: int | None = None
    fraction: float | None = None
    """Partial credit in 0..1; None means all (passed) or nothing (failed)."""

    @classmethod
    def ok(cls, message: Text, *, actual: Shown | None = None, line: int | None = None) -> Outcome:
        return cls(True, message, actual=actual, line=line)

    @classmethod
    def fail(
        cls,
        message: Text,
        *,
        expected: Shown | None = None,
        actual: Shown | None = None,
        details: str = "",
        line: int | None = None,
    ) -> Outcome:
        return cls(False, message, expected, actual, details, line)


class Check:
    """Base of every check type. Subclasses are frozen dataclasses whose fields are YAML fields."""

    type_name: ClassVar[str]
    need: ClassVar[Need]
    default_title: ClassVar[Text]
    default_hint: ClassVar[Text | None] = None
    host_port_field: ClassVar[str | None] = None
    """The field naming a container port the check reaches from the host (`port` for `http`):
    the lab must publish it in run.ports, which the spec loader checks."""
    judges_stopped_container: ClassVar[bool] = False
    """True for a check that reads the container's state itself: the engine runs it even when
    the container is not running, and adds no readiness note to its failure."""

    def validate(self) -> list[str]:
        """Problems with the check's own fields, found without Docker. Empty when valid."""
        return []

    def run(self, ctx: CheckContext) -> Outcome:
        raise NotImplementedError
