"""A registry in a known state for one graded sample: started (or reused), filled, emptied.

`staged()` starts the embedded registry on a free 127.0.0.1 port with its state in a fresh
temporary folder (or reuses the registry at `reuse`, `host:port`), builds each `Push` folder
(graders.backends.publish), tags it `<address>/<image>` and pushes it, then yields the
address. On the way out, Ctrl-C included: the local tags are removed, and the registry is
stopped and its folder deleted (a reused registry instead gets every manifest pushed here
deleted through the API).

With `auth`, the registry asks for a login; the pushes and the graders use the credentials
through `credentials.provided()` (this process only: no environment variable, no file, no
`docker login`), and the password is only ever hashed into the registry's htpasswd.
"""

from __future__ import annotations

import contextlib
import shutil
import socket
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from graders.dockerfile.refs import parse_image_ref
from graders.errors import GraderError
from graders.registry import server
from graders.registry.client import RegistryClient
from graders.registry.credentials import Credentials, provided
from graders.registry.errors import RegistryError, RegistryNotFound, RegistryPortInUse

if TYPE_CHECKING:
    from graders.backends.publish import Publisher

START_ATTEMPTS = 3
START_TIMEOUT_S = 60.0
"""Generous: a loaded CI machine can take long to start a Go program."""


class StagingError(GraderError):
    """A sample's registry state could not be set up (ours to fix, not the sample's)."""

    exit_status = 3


@dataclass(frozen=True)
class Push:
    image: str
    """The name in the registry, without its address: `student/app:v1.0`."""
    folder: Path
    """The build context; its Dockerfile is built."""


def free_port() -> int:
    with socket.socket() as s:
        s.bind((server.HOST, 0))
        port: int = s.getsockname()[1]
        return port


@contextlib.contextmanager
def staged(pushes: list[Push], *, auth: tuple[str, str] | None = None, reuse: str | None = None,
           labels: dict[str, str] | None = None, must_be_empty: tuple[str, ...] = ()
           ) -> Iterator[str]:
    """Yield the address (`127.0.0.1:PORT`) of a registry holding exactly `pushes`."""
    from graders.backends.publish import Publisher

    creds = Credentials(auth[0], auth[1], "labgrade sample setup") if auth else None
    state: Path | None = None
    pushed: list[tuple[str, str]] = []  # (repository, digest), to delete from a reused registry
    local: list[str] = []
    publisher = Publisher()
    try:
        if reuse:
            address = reuse
        else:
            state = Path(tempfile.mkdtemp(prefix="labgrade-registry-"))
            address = _start(state, auth)
        with provided(address, creds) if creds else contextlib.nullcontext():
            if reuse:
                repos = {parse_image_ref(p.image).repository for p in pushes}
                _check_empty(address, creds, {*must_be_empty, *repos})
            for push in pushes:
                local.append(f"{address}/{push.image}")
                digest = _build_and_push(publisher, push, local[-1], creds, labels or {})
                pushed.append((parse_image_ref(push.image).repository, digest))
            yield address
    finally:
        for tag in reversed(local):
            publisher.untag(tag)
        if reuse and pushed:
            _delete(reuse, creds, pushed)
        if state is not None:
            with contextlib.suppress(Exception):
                server.down(state)
            shutil.rmtree(state, ignore_errors=True)
        publisher.close()


def _start(state: Path, auth: tuple[str, str] | None) -> str:
    for attempt in range(START_ATTEMPTS):
        try:
            status = server.up(port=free_port(), auth=auth, state_dir=state,
                               timeout=START_TIMEOUT_S)
            return f"{server.HOST}:{status.port}"
        except RegistryPortInUse:  # another process took the free port first
            if attempt == START_ATTEMPTS - 1:
                raise
            time.sleep(0.1)
    raise AssertionError("unreachable")


def _build_and_push(publisher: Publisher, push: Push, local: str, creds: Credentials | None,
                    labels: dict[str, str]) -> str:
    from graders.backends.publish import PublishFailed

    if not (push.folder / "Dockerfile").is_file():
        raise StagingError(f"sample setup: no Dockerfile in {push.folder} to build {push.image}")
    try:
        publisher.build(push.folder, local, labels)
    except PublishFailed as e:
        raise StagingError(f"sample setup: building {push.folder} failed: {e.reason}") from None
    auth = {"username": creds.username, "password": creds.secret} if creds else None
    try:
        return publisher.push(local, auth)
    except PublishFailed as e:
        raise StagingError(f"sample setup: pushing {local} failed: {e.reason}") from None


def _check_empty(address: str, creds: Credentials | None, repositories: set[str]) -> None:
    with RegistryClient(address, creds) as c:
        for repo in sorted(repositories):
            try:
                tags = c.tags(repo)
            except RegistryNotFound:
                continue
            if tags:
                raise StagingError(
                    f"The registry {address} (LABGRADE_REGISTRY) already holds {repo} "
                    f"({', '.join(sorted(tags)[:5])}): the samples need it empty. Delete it, "
                    "or unset LABGRADE_REGISTRY to use a fresh embedded registry.")


def _delete(address: str, creds: Credentials | None, pushed: list[tuple[str, str]]) -> None:
    with RegistryClient(address, creds) as c:
        for repo, digest in pushed:
            with contextlib.suppress(RegistryError):
                if digest:
                    c.delete_manifest(repo, digest)
