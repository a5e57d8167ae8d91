"""labgrade's own long-lived containers (the embedded registry's), found by a label.

Unlike a graded run's containers, these outlive the process that starts them, so they carry a
label of their own (never `org.labgrade.run`, which the reaper removes). Every Docker failure
leaves here as one of the three errors below, in Docker's own words, cut short.
"""

from __future__ import annotations

import contextlib
from collections.abc import Mapping
from types import TracebackType
from typing import Any

import docker
import docker.errors

from graders.backends.client import FAILURES, connect

CLIENT_TIMEOUT = 120


class ServiceFailed(Exception):
    """A Docker call failed for the engine's own reasons."""

    def __init__(self, reason: str) -> None:
        self.reason = reason
        super().__init__(reason)


class ImageUnavailable(ServiceFailed):
    """The image is not here and pulling it failed, or Docker refuses its name."""


class RunRefused(ServiceFailed):
    """Docker refused to create or start the container (a port taken, a bad option); `whole`
    is its message uncut, to match words in."""

    def __init__(self, reason: str, whole: str) -> None:
        super().__init__(reason)
        self.whole = whole


class ServiceContainers:
    """One connection to the engine (DOCKER_HOST, TLS from the environment); close it after."""

    def __init__(self) -> None:
        self._client = connect(CLIENT_TIMEOUT)

    def __enter__(self) -> ServiceContainers:
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 trace: TracebackType | None) -> None:
        self.close()

    def close(self) -> None:
        self._client.close()

    def ensure_image(self, image: str) -> None:
        """Use `image` if present; otherwise pull it, once. Raises ImageUnavailable."""
        try:
            self._client.images.get(image)
            return
        except docker.errors.ImageNotFound:
            pass
        except docker.errors.APIError as e:  # an invalid reference, say
            raise ImageUnavailable(f"Docker refused {image} ({short(e)})") from None
        except FAILURES as e:
            raise ServiceFailed(short(e)) from None
        error = ""
        try:
            for line in self._client.api.pull(image, stream=True, decode=True):
                error = str(line.get("error") or error)
            if not error:
                self._client.images.get(image)
                return
        except FAILURES as e:
            error = short(e)
        raise ImageUnavailable(f"the image {image} is not here and pulling it failed ({error})")

    def rootless(self) -> bool:
        """Rootless Docker maps the container's root to the calling user."""
        with contextlib.suppress(Exception):
            return any("rootless" in o for o in self._client.info().get("SecurityOptions") or [])
        return False

    def run(self, image: str, options: Mapping[str, Any]) -> str:
        """Create and start a detached container of `image` with docker-py's `containers.run`
        keyword `options`; its id. Raises RunRefused."""
        try:
            return str(self._client.containers.run(image, detach=True, **options).id)
        except docker.errors.APIError as e:
            raise RunRefused(short(e), str(e)) from None
        except FAILURES as e:
            raise ServiceFailed(short(e)) from None

    def status(self, container_id: str) -> str:
        """created, running, exited, dead, ...; "removed" when it no longer exists."""
        try:
            return str(self._client.api.inspect_container(container_id)["State"]["Status"])
        except docker.errors.NotFound:
            return "removed"
        except FAILURES as e:
            raise ServiceFailed(short(e)) from None

    def log_tail(self, container_id: str, lines: int) -> str:
        """The container's last `lines` lines of output; "" when they cannot be read."""
        with contextlib.suppress(Exception):
            return bytes(self._client.api.logs(container_id, tail=lines)).decode(errors="replace")
        return ""

    def published_port(self, label: str, container_port: str) -> int | None:
        """The host port of `container_port` (`5000/tcp`) on the running container carrying
        `label` (`key=value`); None when none runs or it publishes nothing there."""
        try:
            found = self._client.api.containers(filters={"label": label, "status": "running"})
            if not found:
                return None
            inspect = self._client.api.inspect_container(found[0]["Id"])
            return int(inspect["HostConfig"]["PortBindings"][container_port][0]["HostPort"])
        except (KeyError, IndexError, TypeError, ValueError):
            return None
        except FAILURES as e:
            raise ServiceFailed(short(e)) from None

    def stop(self, label: str, timeout: float) -> None:
        """Stop every container carrying `label`; one already stopping, or gone, is fine."""
        for found in self._labelled(label):
            with contextlib.suppress(Exception):
                self._client.api.stop(found["Id"], timeout=int(timeout))

    def remove(self, label: str) -> None:
        """Force-remove every container carrying `label`, with its anonymous volumes."""
        for found in self._labelled(label):
            try:
                self._client.api.remove_container(found["Id"], force=True, v=True)
            except docker.errors.NotFound:
                pass
            except FAILURES as e:
                raise ServiceFailed(short(e)) from None

    def _labelled(self, label: str) -> list[dict[str, Any]]:
        try:
            return list(self._client.api.containers(all=True, filters={"label": label}))
        except FAILURES as e:
            raise ServiceFailed(short(e)) from None


def short(e: BaseException) -> str:
    text = getattr(e, "explanation", None) or str(e)
    return " ".join(str(text).split())[:300]
