"""Docker SDK objects handed to code outside backends/ that asks for them by id (the pytest
`container` fixture gives an instructor's test a docker SDK `Container`)."""

from __future__ import annotations

from typing import Any

from graders.backends.sdk import SdkBackend


def sdk_container(backend: object, container_id: str) -> Any:
    """The docker SDK `Container` for `container_id`, through the run's own client when the
    backend is the SDK's, else a client from the environment (DOCKER_HOST ...)."""
    if isinstance(backend, SdkBackend):
        return backend.client.containers.get(container_id)
    import docker

    return docker.from_env().containers.get(container_id)
