"""One way to open a docker SDK client: DOCKER_HOST and TLS from the environment (or an
explicit engine), and `DockerUnavailable` when no engine answers."""

from __future__ import annotations

from typing import Any

import docker
import docker.errors
import docker.utils
import requests.exceptions

from graders.errors import DockerUnavailable, docker_host

FAILURES = (docker.errors.DockerException, requests.exceptions.RequestException)
"""What the SDK raises when the engine cannot be reached or refuses a call."""


def settings(base_url: str | None = None) -> dict[str, Any]:
    """How to reach the engine: the environment's (DOCKER_HOST, TLS), or `base_url`."""
    found: dict[str, Any] = dict(docker.utils.kwargs_from_env())
    if base_url:
        found["base_url"] = base_url
    return found


def connect(timeout: float, base_url: str | None = None) -> docker.DockerClient:
    """A client; negotiating the API version is one GET /version, which fails when no engine
    answers."""
    try:
        return docker.DockerClient(timeout=int(timeout), **settings(base_url))
    except FAILURES as e:
        text = str(e).strip() or type(e).__name__
        raise DockerUnavailable(base_url or docker_host(), text[:400]) from e
