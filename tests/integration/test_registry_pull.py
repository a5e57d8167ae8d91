"""Pulling a pushed image by digest through the backend (graders.registry.pull.pulled), on the
real engine and the embedded registry: it is here for the block only, an image that was here
already stays, and a pull Docker refuses is a PullFailed (a RegistryError: our ERROR)."""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator
from pathlib import Path

import docker.errors
import pytest
from registry_support import Images, free_port, has_registry_binary, need

from graders.backends.sdk import SdkBackend
from graders.registry import server
from graders.registry.pull import PullFailed, pulled


@pytest.fixture
def backend() -> Iterator[SdkBackend]:
    sdk = SdkBackend()
    yield sdk
    sdk.client.close()


@pytest.fixture
def pushed(tmp_path: Path, images: Images) -> Iterator[str]:
    """`127.0.0.1:PORT/student/app@sha256:...` of a fresh image pushed to an embedded registry;
    no local tag of it left (only the digest reference is then up to the test)."""
    need(has_registry_binary(), "docker-registry missing: ensure-registry-binary.sh")
    port = free_port()
    server.up(port=port, state_dir=tmp_path / "registry")
    try:
        repo = f"127.0.0.1:{port}/student/app"
        images.build(f"{repo}:v1.0", uuid.uuid4().hex)
        digest = images.push(repo, "v1.0")
        images.client.images.remove(f"{repo}:v1.0")  # gone locally, there in the registry
        images.tags.remove(f"{repo}:v1.0")
        yield f"{repo}@{digest}"
    finally:
        server.down(tmp_path / "registry")


def here(images: Images, reference: str) -> bool:
    try:
        images.client.api.inspect_image(reference)
    except docker.errors.ImageNotFound:
        return False
    return True


def test_a_pulled_image_is_here_for_the_block_only(backend: SdkBackend, images: Images,
                                                    pushed: str) -> None:
    assert not here(images, pushed)
    with pulled(backend, pushed, None):
        assert here(images, pushed)
    assert not here(images, pushed)


def test_an_image_already_here_stays(backend: SdkBackend, images: Images, pushed: str) -> None:
    images.client.api.pull(pushed.partition("@")[0], tag=pushed.partition("@")[2])
    try:
        with pulled(backend, pushed, None):
            assert here(images, pushed)
        assert here(images, pushed)
    finally:
        images.client.api.remove_image(pushed)


def test_a_refused_pull_is_a_pull_failed(backend: SdkBackend) -> None:
    reference = f"127.0.0.1:{free_port()}/student/app@sha256:{'0' * 64}"
    with pytest.raises(PullFailed, match=re.escape(f"Docker could not pull {reference}")), \
            pulled(backend, reference, None):
        pytest.fail("the block ran without the image")
