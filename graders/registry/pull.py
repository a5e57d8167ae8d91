"""Pull a pushed image by digest for the time it is run.

A pushed image is pulled by digest (`host/name@sha256:...`), so no local tag of the student's
or ours is moved; the digest reference is removed afterwards unless it was already there.
Running it is the backend's `run_once`, the same sandboxed one-shot run as the built image's.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator, Mapping
from typing import Any

from graders.backends.base import DockerBackend, PullRefused
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
def pulled(backend: DockerBackend, reference: str,
           auth: Mapping[str, Any] | None) -> Iterator[None]:
    """`reference` (a `name@digest`) present locally for the block; removed afterwards when
    this pull brought it in."""
    try:
        brought = backend.pull_digest(reference, auth)
    except PullRefused as e:
        raise PullFailed(reference, e.reason) from None
    try:
        yield
    finally:
        if brought:
            backend.remove_reference(reference)
