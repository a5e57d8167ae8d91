"""Build a folder into a tagged image and push it: how the samples fill a registry.

Not the graded build (graders.backends.sdk builds a student's submission under limits): these
are the course's own sample images, built without network and pushed with given credentials.
"""

from __future__ import annotations

import contextlib
from collections.abc import Mapping
from pathlib import Path
from types import TracebackType
from typing import Any

import docker
import docker.errors

from graders.backends.client import connect

CLIENT_TIMEOUT = 300


class PublishFailed(Exception):
    """A build or a push Docker refused; `reason` is Docker's own words."""

    def __init__(self, reason: str) -> None:
        self.reason = reason
        super().__init__(reason)


class Publisher:
    """One connection to the engine (DOCKER_HOST, TLS from the environment); close it after."""

    def __init__(self) -> None:
        self._client = connect(CLIENT_TIMEOUT)

    def __enter__(self) -> Publisher:
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 trace: TracebackType | None) -> None:
        self.close()

    def close(self) -> None:
        self._client.close()

    def build(self, folder: Path, tag: str, labels: Mapping[str, str]) -> None:
        """Build `folder`'s Dockerfile as `tag`, without network and without pulling; raises
        PublishFailed when the build fails."""
        try:
            self._client.images.build(path=str(folder), tag=tag, rm=True, forcerm=True,
                                      pull=False, labels=dict(labels), network_mode="none")
        except docker.errors.BuildError as e:
            raise PublishFailed(str(e.msg)) from None

    def push(self, tag: str, auth: Mapping[str, Any] | None) -> str:
        """Push `tag` (`host/name:tag`) with `auth` (username, password); the pushed manifest's
        digest ("" when Docker names none). Raises PublishFailed when the push fails."""
        repository, _, name = tag.rpartition(":")
        digest = ""
        try:
            for line in self._client.images.push(repository, name, stream=True, decode=True,
                                                  auth_config=dict(auth) if auth else None):
                if "error" in line or "errorDetail" in line:
                    raise PublishFailed(str(line.get("error")))
                digest = (line.get("aux") or {}).get("Digest", digest)
        except docker.errors.APIError as e:
            raise PublishFailed(str(e.explanation)) from None
        return str(digest)

    def untag(self, tag: str) -> None:
        """Remove the local name `tag`; no error when Docker cannot."""
        with contextlib.suppress(docker.errors.DockerException):
            self._client.images.remove(tag)
