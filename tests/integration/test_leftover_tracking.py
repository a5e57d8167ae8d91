"""The leftover check itself: it sees what labgrade creates, and only that."""

from __future__ import annotations

import time
from typing import Any

import pytest

from tests.conftest import created_by_labgrade, engine_state

pytestmark = pytest.mark.docker


def test_sees_a_labelled_container_and_its_anonymous_volume(docker_client: Any) -> None:
    since = time.time() - 1
    ours = docker_client.containers.create("busybox:1.35", "sleep 30", volumes=["/data"],
                                           labels={"org.labgrade.run": "leftover-test"})
    other = docker_client.containers.create("busybox:1.35", "sleep 30", volumes=["/data"])
    try:
        ours.start()
        other.start()
        created = created_by_labgrade(docker_client, since, time.time())
        ours_volume = ours.attrs["Mounts"][0]["Name"] if ours.attrs.get("Mounts") else \
            docker_client.api.inspect_container(ours.id)["Mounts"][0]["Name"]
        other_volume = docker_client.api.inspect_container(other.id)["Mounts"][0]["Name"]
        assert ours.id in created["containers"] and other.id not in created["containers"]
        assert ours_volume in created["volumes"] and other_volume not in created["volumes"]
        assert ours_volume in engine_state(docker_client)["volumes"]  # a leak would show
    finally:
        ours.remove(force=True, v=True)
        other.remove(force=True, v=True)
    assert not created["containers"] & engine_state(docker_client)["containers"]
