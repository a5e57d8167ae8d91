"""Shared fixtures: the Docker gate (skip on a laptop, FAIL in CI) and leftover tracking."""

from __future__ import annotations

import functools
import os
import time
from collections.abc import Iterator
from typing import Any

import pytest


@functools.cache
def docker_problem() -> str | None:
    """None when a Docker engine answers, else why not (checked once per session)."""
    try:
        import docker

        docker.from_env(timeout=10).ping()
        return None
    except Exception as e:
        return f"no Docker engine answers: {e}"


def require_docker() -> None:
    """Skip without an engine, except in CI, where a skipped Docker test is a hidden failure."""
    __tracebackhide__ = True
    problem = docker_problem()
    if problem is None:
        return
    if os.environ.get("CI"):
        pytest.fail(f"{problem} (CI is set, so this fails instead of skipping; run `make test`)")
    pytest.skip(problem)


@pytest.fixture(autouse=True)
def _docker_gate(request: pytest.FixtureRequest) -> None:
    if request.node.get_closest_marker("docker") or request.node.get_closest_marker("registry"):
        require_docker()


def run_tags(client: Any, run_id: str, *, prefix: bool = False) -> list[str]:
    """The `labgrade/<lab>:<run id>` tags of this run (of every run whose id starts with
    `run_id`, with `prefix`): how labgrade knows the images it built."""
    tags = [t for i in client.api.images(filters={"reference": "labgrade/*"})
            for t in i.get("RepoTags") or []]
    return [t for t in tags if t.startswith("labgrade/") and (
        t.rpartition(":")[2].startswith(run_id) if prefix else t.rpartition(":")[2] == run_id)]


def engine_state(client: Any) -> dict[str, set[str]]:
    """What the engine holds that a grading run could leave behind."""
    api = client.api  # the low-level calls list without inspecting each (no race on removal)
    return {
        "containers": {c["Id"] for c in api.containers(all=True)},
        "volumes": {v["Name"] for v in (api.volumes() or {}).get("Volumes") or []},
        "networks": {n["Id"] for n in api.networks()},
        "images": set(run_tags(client, "", prefix=True)),
    }


def created_by_labgrade(client: Any, since: float, until: float) -> dict[str, set[str]]:
    """What labgrade created between `since` and `until`, from Docker's own event log: the
    containers and networks carrying its run label, and the volumes they mounted (anonymous
    volumes carry no label, but the mount event names the container). A volume made meanwhile
    and never mounted (a container created, never started) counts too, unless some other
    process created containers in the same window, which would make it ambiguous: so other
    users of the same engine never make this fail, and alone (as in CI) it misses nothing."""
    mine: dict[str, set[str]] = {"containers": set(), "volumes": set(), "networks": set(),
                                 "images": set()}
    others: set[str] = set()
    mounted: dict[str, str] = {}
    for event in client.api.events(since=int(since), until=int(until) + 1, decode=True):
        kind, action = event.get("Type"), event.get("Action")
        actor = event.get("Actor") or {}
        ident, attrs = actor.get("ID", ""), actor.get("Attributes") or {}
        if kind == "container" and action == "create":
            (mine["containers"] if "org.labgrade.run" in attrs else others).add(ident)
        elif kind == "network" and action == "create":  # its events carry no labels
            mine["networks"].add(ident)
        elif kind == "volume" and action == "create":
            mine["volumes"].add(ident)
        elif kind == "volume" and action == "mount":
            mounted[ident] = attrs.get("container", "")
        elif kind == "image" and action == "tag" and attrs.get("name", "").startswith("labgrade/"):
            mine["images"].add(attrs["name"])
    # Network events name no labels: of those created, ours are the ones carrying the run label.
    labelled = client.api.networks(filters={"label": "org.labgrade.run"})
    mine["networks"] &= {n["Id"] for n in labelled}
    created_volumes, mine["volumes"] = mine["volumes"], {
        v for v, c in mounted.items() if c in mine["containers"]}
    if not others:
        mine["volumes"] |= created_volumes - set(mounted)
    return mine


@pytest.fixture
def docker_client() -> Iterator[Any]:
    require_docker()
    import docker

    client = docker.from_env(timeout=300)
    yield client
    client.close()


@pytest.fixture
def no_leftovers(docker_client: Any) -> Iterator[None]:
    """Fails the test when a container, volume, network or image tag that labgrade created
    during it is still there afterwards."""
    since = time.time() - 1
    yield
    created = created_by_labgrade(docker_client, since, time.time())
    now = engine_state(docker_client)
    left = {kind: sorted(created[kind] & now[kind]) for kind in now}
    assert not any(left.values()), f"left behind: {left}"


@pytest.fixture(scope="session")
def backend() -> Any:
    require_docker()
    from graders.backends import get_backend

    return get_backend("sdk")
