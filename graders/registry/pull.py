"""Pull a pushed image by digest for the time it is run.

A pushed image is pulled by digest (`host/name@sha256:...`), so no local tag of the student's
or ours is moved; the digest reference is removed afterwards unless it was already there.
Running it is the backend's `run_once`, the same sandboxed one-shot run as the built image's.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import Any

from graders.errors import BackendError
from graders.registry.errors import RegistryError


class PullFailed(RegistryError):
    def __init__(self, reference: str, reason: str) -> None:
        self.reference = reference
        self.reason = reason[:300]
        super().__init__(
            f"Docker could not pull {reference}: {self.reason}. Check that the registry is "
            "reachable from the Docker engine (127.0.0.0/8 is insecure-allowed by default) and "
            "that the credentials may read it."
        )


@contextlib.contextmanager
def pulled(client: Any, reference: str, auth: dict[str, Any] | None) -> Iterator[None]:
    """`reference` (a `name@digest`) present locally for the block; removed afterwards when
    this pull brought it in."""
    if client is None:
        raise BackendError("pull", "this backend has no Docker client to pull images with")
    brought = _pull(client, reference, auth)
    try:
        yield
    finally:
        if brought:
            with contextlib.suppress(Exception):
                client.api.remove_image(reference)


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
