"""Everything that talks to Docker, importing nothing above it: the backends selected by
name (`--backend`, their contract in `base`), the student's own engine read-only (`live`,
`sockets`), labgrade's long-lived containers (`service`) and the samples' build-and-push
(`publish`)."""

from __future__ import annotations

import importlib

from graders.backends.base import DockerBackend

__all__ = ["BACKENDS", "DockerBackend", "get_backend", "preload"]

BACKENDS: dict[str, str] = {
    "sdk": "graders.backends.sdk:SdkBackend",
}


def get_backend(name: str = "sdk", **options: object) -> DockerBackend:
    """Connect a backend; raises DockerUnavailable when no engine answers."""
    from graders.errors import UsageError

    if name not in BACKENDS:
        raise UsageError(f"Unknown backend {name!r}. Valid backends: {', '.join(BACKENDS)}")
    module_name, class_name = BACKENDS[name].split(":")
    backend: DockerBackend = getattr(importlib.import_module(module_name), class_name)(**options)
    return backend


def preload() -> None:
    """Import every backend's module without connecting: a batch does it once before it forks
    its workers, instead of each importing the docker SDK (~60 modules, 0.2 s of CPU) at the
    same moment as the batch starts."""
    for target in BACKENDS.values():
        importlib.import_module(target.split(":")[0])
