"""Run an image's default command once: the built image, or a pushed one pulled by digest.

A pushed image is pulled by digest (`host/name@sha256:...`), so no local tag of the student's
or ours is moved; the digest reference is removed afterwards unless it was already there. The
container is sandboxed as the engine's (graders.sandbox.host_config), has no network, carries
the run's labels (so `labgrade clean` and the run's sweep find it) and is always removed.
"""

from __future__ import annotations

import contextlib
from collections.abc import Mapping
from typing import Any

from graders.checks.base import ExecResult
from graders.errors import BackendError
from graders.registry.errors import RegistryError

OUTPUT_LIMIT = 64 * 1024


class PullFailed(RegistryError):
    def __init__(self, reference: str, reason: str) -> None:
        self.reference = reference
        self.reason = reason[:300]
        super().__init__(
            f"Docker could not pull {reference}: {self.reason}. Check that the registry is "
            "reachable from the Docker engine (127.0.0.0/8 is insecure-allowed by default) and "
            "that the credentials may read it."
        )


def run_once(client: Any, image: str, *, labels: Mapping[str, str], timeout: float = 30.0,
             host_config: Mapping[str, Any] | None = None, pull_auth: dict[str, Any] | None = None,
             pull: bool = False) -> ExecResult:
    """Run `image`'s ENTRYPOINT/CMD once; `pull` it first (a `name@digest` reference)."""
    import docker.errors

    if client is None:
        raise BackendError("run", "this backend has no Docker client to run images with")
    pulled = False
    if pull:
        pulled = _pull(client, image, pull_auth)
    container = None
    try:
        try:
            container = client.containers.create(
                image, labels=dict(labels), network_disabled=True, detach=True,
                **dict(host_config or {}))
            container.start()
            try:
                status = container.wait(timeout=timeout)
                code: int | None = int(status.get("StatusCode", -1))
            except Exception:  # requests' ReadTimeout: still running at the deadline
                container.kill()
                code = None
            out = container.logs(stdout=True, stderr=False, tail=2000)[-OUTPUT_LIMIT:]
            err = container.logs(stdout=False, stderr=True, tail=2000)[-OUTPUT_LIMIT:]
        except docker.errors.ImageNotFound as e:
            raise BackendError("run", f"image {image} not found") from e
        except docker.errors.APIError as e:
            if container is None:  # refused to create: the image's config is unusable
                return ExecResult(127, "", str(e.explanation or e)[:500])
            raise BackendError("run", str(e.explanation or e)[:300]) from e
        return ExecResult(code, out.decode("utf-8", "replace"), err.decode("utf-8", "replace"))
    finally:
        if container is not None:
            _quietly(lambda: container.remove(force=True, v=True))
        if pulled:
            _quietly(lambda: client.api.remove_image(image))


def _pull(client: Any, reference: str, auth: dict[str, Any] | None) -> bool:
    """Pull `name@digest`; True when this call brought the reference in (so remove it after)."""
    import docker.errors

    try:
        client.api.inspect_image(reference)
        return False  # already here: the digest names exactly this content
    except docker.errors.ImageNotFound:
        pass
    name, _, digest = reference.partition("@")
    try:
        for line in client.api.pull(name, tag=digest, stream=True, decode=True,
                                    auth_config=auth):
            if "error" in line or "errorDetail" in line:
                detail = (line.get("errorDetail") or {}).get("message") or line.get("error")
                raise PullFailed(reference, str(detail))
    except docker.errors.APIError as e:
        raise PullFailed(reference, str(e.explanation or e)) from None
    return True


def _quietly(action: Any) -> None:
    with contextlib.suppress(Exception):
        action()
