"""The Docker backend contract: everything the engine asks of Docker, in one Protocol."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from graders.backends.live import LiveView

LABEL_RUN = "org.labgrade.run"
"""Every container, volume and network labgrade creates carries this label (its run id)."""
LABEL_LAB = "org.labgrade.lab"
LABEL_CREATED = "org.labgrade.created"
LABEL_KEEP = "org.labgrade.keep"
"""Never trusted: a student's image may carry any label. Kept runs are marked in the runs dir."""
RUN_REPOSITORY = "labgrade"
"""A graded image is tagged `labgrade/<lab id>:<run id>` and known by that tag, not by a label:
labelling it would cost the build one more step (a container and a commit, ~45 ms), and its
Dockerfile could forge any label."""


def run_image_tag(lab_id: str, run_id: str) -> str:
    return f"{RUN_REPOSITORY}/{lab_id}:{run_id}"


def build_cpuset(cpus: float, ncpu: int) -> str | None:
    """The cpuset string for a build allowed `cpus` CPUs on a daemon with `ncpu` CPUs: the
    last ones, never CPU 0 unless the daemon has one CPU or the build may use them all."""
    if ncpu <= 1:
        return None
    count = min(ncpu, max(1, int(-(-cpus // 1))))
    if count >= ncpu:
        return None
    return f"{ncpu - count}-{ncpu - 1}" if count > 1 else str(ncpu - 1)


_STAMP = re.compile(r"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)(?:\.(\d+))?(Z|[+-]\d\d:\d\d)?")


def parse_docker_time(value: object) -> float | None:
    """Docker's RFC 3339 time with nanoseconds as epoch seconds; None when unset or odd."""
    match = _STAMP.match(str(value or ""))
    if not match or match.group(1).startswith("0001-"):
        return None
    base, fraction, zone = match.groups()
    zone = "+00:00" if zone in (None, "Z") else zone
    stamp = datetime.fromisoformat(f"{base}.{(fraction or '0')[:6]:0<6}{zone}")
    return stamp.astimezone(timezone.utc).timestamp()


# Docker's own failures, which no Dockerfile causes: the engine's networking or storage broke.
ENGINE_FAULT = re.compile(
    r"failed to create endpoint|could not find bridge|port is already allocated|"
    r"driver failed programming|no space left on device|failed to set up container networking|"
    r"error creating overlay mount|cgroup.*(no such file|failed)", re.IGNORECASE)


def is_engine_fault(message: str) -> bool:
    """True when Docker failed for its own reasons (an ERROR), not because of the submission."""
    return bool(ENGINE_FAULT.search(message))


@dataclass(frozen=True)
class BuildOutcome:
    """A build's result. `ok=False` is the student's failure; infrastructure faults raise."""

    ok: bool
    image_id: str | None
    log: str
    error: str = ""
    timed_out: bool = False
    steps: tuple[str, ...] = ()
    """The step images the build named from its first step that ran on (the cached steps
    before it are older layers), in order (graders.engine.cleanup.build_layers)."""


@dataclass(frozen=True)
class ContainerOptions:
    """How to create the student's container: the least it needs (see graders/engine/sandbox.py)."""

    image: str
    labels: Mapping[str, str]
    ports: tuple[int, ...] = ()
    env: Mapping[str, str] = field(default_factory=dict)
    command: list[str] | str | None = None
    host_config: Mapping[str, Any] = field(default_factory=dict)
    """Sandbox settings passed to the create call (mem_limit, pids_limit, cap_drop, ...)."""
    network: str | None = None
    """A network of labgrade's to publish the ports from instead of Docker's default bridge
    (batch workers each have their own: graders/batch/network.py)."""


@dataclass(frozen=True)
class ExecResult:
    exit_code: int | None
    """None when the command timed out and was killed."""
    stdout: str
    stderr: str


@dataclass(frozen=True)
class FileStat:
    path: str
    kind: str
    """One of: file, directory, symlink, other."""
    mode: int
    uid: int
    gid: int
    size: int
    linkname: str = ""


@dataclass(frozen=True)
class HttpResponse:
    status: int
    headers: dict[str, str]
    body: bytes


class PullRefused(Exception):
    """Docker could not pull an image (the registry refused it, or is not reachable from the
    engine); `reason` is Docker's own words."""

    def __init__(self, reason: str) -> None:
        self.reason = reason
        super().__init__(reason)


class DockerBackend(Protocol):
    name: str

    def version(self) -> str: ...

    def build(self, context: Path, dockerfile: str, tag: str, *, buildargs: Mapping[str, str],
              target: str | None, timeout: float,
              container_limits: Mapping[str, int] | None = None, network_mode: str | None = None,
              cpus: float | None = None,
              on_step: Callable[[str], None] | None = None) -> BuildOutcome:
        """Build `context` (a folder, or a tar archive of one) within the wall-clock `timeout`;
        the limits apply to every RUN step's container. `on_step` gets the id of each step's
        container as Docker names it (they carry no label of ours)."""

    def inspect_image(self, ref: str) -> dict[str, Any]: ...

    def remove_image(self, ref: str) -> None: ...

    def create_container(self, options: ContainerOptions) -> str: ...

    def start_container(self, container_id: str) -> None: ...

    def inspect_container(self, container_id: str) -> dict[str, Any]: ...

    def logs(self, container_id: str, limit: int, stream: str = "all") -> str:
        """The last `limit` characters the container wrote to `stream`: "all" (both, in the
        order Docker logged them), "stdout" or "stderr"."""

    def archive(self, container_id: str,
                path: str) -> tuple[Iterator[bytes], dict[str, Any]] | None:
        """A tar stream of `path` in the container and its stat, or None when it is absent."""

    def exec(self, container_id: str, argv: list[str], timeout: float,
             limit: int) -> ExecResult: ...

    def put_archive(self, container_id: str, path: str, data: bytes) -> None:
        """Extract the tar `data` into folder `path` of the container (docker cp, inward)."""

    def stats(self, container_id: str) -> dict[str, Any]:
        """One sample of the container's resource use (pids, memory)."""

    def run_once(self, image: str, command: list[str] | None, *, labels: Mapping[str, str],
                 timeout: float, limit: int, host_config: Mapping[str, Any]) -> ExecResult:
        """Run `image` once in a new container without network (`command` replaces CMD) and
        remove it; exit code None when killed at `timeout`, 127 when Docker refuses to start it."""

    def remove_container(self, container_id: str) -> None:
        """Force-remove the container and its anonymous volumes; no error if already gone."""

    def list_labelled(self, label: str, images: bool = True) -> list[dict[str, Any]]:
        """What carries `label` (key or key=value): kind, id, run, created (epoch s), keep.
        For the run and lab labels, the images tagged `labgrade/<lab>:<run id>` too (their id
        is the tag; created, when it was tagged). `images=False` leaves images out: they take
        a listing of every image on the engine, the costliest of these calls."""

    def create_network(self, name: str, labels: Mapping[str, str]) -> str:
        """Create a bridge network (its id); no error if one of that name exists."""

    def remove_leftover(self, kind: str, ident: str) -> bool:
        """Remove one container, network, volume or image; False (no error) if already gone."""

    def image_layer(self, ref: str) -> dict[str, Any] | None:
        """One image, intermediate ones included, as graders.engine.cleanup.build_layers reads
        a build's own layers: Id, ParentId, Size (with its parents), RepoTags, Created (epoch
        s); None when there is no such image."""

    def remove_layer(self, image_id: str) -> bool:
        """Remove one untagged build-step image, not forced and without its parents; False
        when it is in use, has a child image, or is gone."""

    def pull_digest(self, reference: str, auth: Mapping[str, Any] | None) -> bool:
        """Pull `name@digest` unless it is here already, with `auth` (Docker's auth_config:
        username and password, or identitytoken); True when this call brought it in. Raises
        PullRefused when Docker cannot pull it."""

    def remove_reference(self, reference: str) -> None:
        """Remove the name `reference`, not forced (an image in use stays); no error, ever."""

    def live(self) -> LiveView:
        """The engine read-only, as live checks read the student's own (graders.backends.live),
        over this backend's connection."""

