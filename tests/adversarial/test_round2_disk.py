"""Issue 16, item 7: the disk one student's build leaves on the engine is bounded.

A RUN that writes a big layer, passing or failing, left it on the engine after grading, in
untagged build-step images (+300 MB a grading here, +1 GB in the report). Now the layers a
run's build committed itself are measured after the build; over the cache budget
(`run.limits.build_cache`, `LABGRADE_CACHE_BUDGET`, default 256 MiB) the build log says so and
they are removed when the run ends. A build under the budget keeps its cache: grading it again
is a cache hit. The bound asserted: the engine's layer disk use (`docker system df`) is back
within SLACK of what it was before the grading.
"""

from __future__ import annotations

import contextlib
import secrets
import tarfile
from collections.abc import Iterator
from pathlib import Path

import docker
import pytest
from advkit import GOOD, INDEX, assert_case, run_grade, write_submission

from graders.spec import Lab

pytestmark = pytest.mark.docker

BUDGET = "64m"
BIG_MB = 300
SLACK = 20 << 20
"""What a grading may leave on the engine's disk over the budget's removals: 20 MB."""


TOKENS: list[str] = []
"""The tokens of this module's submissions: their layers are removed after each test."""


@pytest.fixture
def engine() -> Iterator[docker.DockerClient]:
    """The engine; afterwards, the layers of the test's submissions are removed (children
    first), and only those: other builds may share the engine."""
    client = docker.from_env()
    yield client
    for token in TOKENS:
        for _ in range(5):
            images = ours(client, token)
            if not images:
                break
            for ident in sorted(images, key=lambda i: images[i][1], reverse=True):
                with contextlib.suppress(docker.errors.APIError):
                    client.api.remove_image(ident, force=True, noprune=True)
    TOKENS.clear()
    client.close()


@pytest.fixture
def budget(monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.setenv("LABGRADE_CACHE_BUDGET", BUDGET)
    return BUDGET


def ours(client: docker.DockerClient, token: str) -> dict[str, tuple[int, int]]:
    """The images of `token`'s submission: its `RUN echo <token>` step's image and everything
    built on it, each with the bytes it adds and its depth."""
    images = {str(i["Id"]): i for i in client.api.images(all=True)}
    marked = set()
    for ident, image in images.items():
        if image.get("RepoTags") not in (None, [], ["<none>:<none>"]) and \
                not any(str(t).startswith("labgrade/") for t in image["RepoTags"]):
            continue
        with contextlib.suppress(docker.errors.APIError):
            config = client.api.inspect_image(ident).get("ContainerConfig") or {}
            if token in " ".join(config.get("Cmd") or []):
                marked.add(ident)
    found = {}
    for ident, image in images.items():
        chain, parent = [ident], str(image.get("ParentId") or "")
        while parent in images and parent not in chain:
            chain.append(parent)
            parent = str(images[parent].get("ParentId") or "")
        if set(chain) & marked:
            below = images.get(str(image.get("ParentId") or ""), {}).get("Size", 0)
            found[ident] = (int(image["Size"]) - int(below), len(chain))
    return found


def retained(client: docker.DockerClient, token: str) -> int:
    """The bytes the grading of `token`'s submission left on the engine. Counted this way,
    not from the engine's total (`docker system df`), as other builds may share the engine."""
    return sum(size for size, _depth in ours(client, token).values())


def submission(tmp_path: Path, extra: str) -> tuple[Path, str]:
    token = secrets.token_hex(6)  # a fresh layer chain: no cache hit from an earlier run
    steps = f"RUN echo {token} > /token\n{extra}\nCOPY index.html"
    dockerfile = GOOD.replace("COPY index.html", steps)
    files = {"Dockerfile": dockerfile, "index.html": INDEX}
    TOKENS.append(token)
    return write_submission(tmp_path / "sub", files), token


def test_a_big_layer_of_a_passing_build_is_removed(adv_lab: Lab, tmp_path: Path,
                                                   engine: docker.DockerClient,
                                                   budget: str) -> None:
    sub, token = submission(tmp_path, f"RUN dd if=/dev/zero of=/big bs=1M count={BIG_MB}")
    g = run_grade(adv_lab, sub)
    assert g.result.build.status.value == "passed", g.result.build.log_tail
    assert_case(g, within=60, score=100, says=("over the cache budget of 64 MiB",))
    left = retained(engine, token)
    assert left < SLACK, f"+{left / 1e6:.1f} MB left on the engine"


def test_a_big_layer_of_a_failing_build_is_removed(adv_lab: Lab, tmp_path: Path,
                                                   engine: docker.DockerClient,
                                                   budget: str) -> None:
    sub, token = submission(tmp_path,
                            f"RUN dd if=/dev/zero of=/big bs=1M count={BIG_MB}\nRUN false")
    g = run_grade(adv_lab, sub)
    assert g.result.build.status.value == "failed"
    assert_case(g, within=60, says=("over the cache budget",))
    left = retained(engine, token)
    assert left < SLACK, f"+{left / 1e6:.1f} MB left on the engine"


def test_an_archive_that_unpacks_big_is_removed(adv_lab: Lab, tmp_path: Path,
                                                engine: docker.DockerClient,
                                                budget: str) -> None:
    """ADD of a small archive (300 KB) that unpacks to 300 MB: the same bound."""
    sub, token = submission(tmp_path, "ADD zeros.tar.gz /zeros/")
    raw = tmp_path / "zeros"
    with raw.open("wb") as f:
        f.truncate(BIG_MB << 20)  # sparse on the host; real zeros once unpacked in a layer
    with tarfile.open(sub / "zeros.tar.gz", "w:gz") as tar:
        tar.add(raw, arcname="zeros")
    g = run_grade(adv_lab, sub)
    assert_case(g, within=60, score=100, says=("over the cache budget",))
    left = retained(engine, token)
    assert left < SLACK, f"+{left / 1e6:.1f} MB left on the engine"


def test_a_small_build_keeps_its_cache(adv_lab: Lab, tmp_path: Path,
                                       engine: docker.DockerClient, budget: str) -> None:
    sub, token = submission(tmp_path, "RUN dd if=/dev/zero of=/small bs=1M count=2")
    first = run_grade(adv_lab, sub)
    assert_case(first, within=60, score=100)
    assert "cache budget" not in first.result.build.log_tail
    assert 2 << 20 <= retained(engine, token) < 64 << 20  # under the budget: kept
    second = run_grade(adv_lab, sub)
    assert_case(second, within=60, score=100)
    assert "Using cache" in second.result.build.log_tail
