"""The build-cache budget (issue 16, item 7): which layers are a run's own, and their removal."""

from __future__ import annotations

from typing import Any

import pytest

from graders.engine.cleanup import BuildLayers, build_layers, cache_note, trim_build
from graders.engine.sandbox import resolve_limits

NOW = 1_000_000.0


def image(ident: str, parent: str, size: int, created: float, *tags: str) -> dict[str, Any]:
    return {"Id": f"sha256:{ident * 64}"[:71], "ParentId": f"sha256:{parent * 64}"[:71]
            if parent else "", "Size": size, "Created": int(created),
            "RepoTags": list(tags) or ["<none>:<none>"]}


class Fake:
    def __init__(self, images: list[dict[str, Any]],
                 stuck: frozenset[str] | set[str] = frozenset()) -> None:
        self.images = {i["Id"]: i for i in images}
        self.stuck = stuck
        self.removed: list[str] = []
        self.looked = 0

    def image_layer(self, ref: str) -> dict[str, Any] | None:
        self.looked += 1
        short = ref.removeprefix("sha256:")[:12]
        return next((i for i in self.images.values() if i["Id"][7:19] == short), None)

    def remove_layer(self, ident: str) -> bool:
        if ident in self.stuck or any(i["ParentId"] == ident for i in self.images.values()):
            return False
        self.removed.append(ident)
        del self.images[ident]
        return True


def short(ch: str) -> str:
    return ch * 12


ENGINE = [
    image("b", "", 2_000_000, NOW - 9000, "busybox:1.35"),  # the base: never counted
    image("c", "b", 2_000_100, NOW - 9000),  # a cache hit from an earlier run: kept
    image("d", "c", 302_000_100, NOW + 3),  # this run's: +300 MB
    image("e", "d", 302_000_200, NOW + 4, "labgrade/lab:run1"),  # this run's final image
]


def test_only_the_layers_the_build_committed_count() -> None:
    layers = build_layers(Fake(ENGINE), [short("b"), short("c"), short("d")], ENGINE[3]["Id"],
                          NOW, 64 << 20)
    assert layers is not None and layers.over
    assert layers.size == 300_000_100
    assert [i[7:8] for i in layers.ids] == ["e", "d"]  # the child first


def test_a_forged_step_id_of_an_older_layer_is_not_ours() -> None:
    layers = build_layers(Fake(ENGINE), [short("c")], None, NOW, 0)
    assert layers is not None and layers.ids == () and layers.size == 0


def test_no_answer_from_the_engine_means_no_trim() -> None:
    assert build_layers(object(), [short("d")], None, NOW, 0) is None


def test_trim_removes_children_first_and_leaves_what_is_in_use() -> None:
    fake = Fake(ENGINE)
    layers = BuildLayers((ENGINE[2]["Id"], ENGINE[3]["Id"]), 300, 1)  # parent listed first
    assert trim_build(fake, layers) == 2
    stuck = Fake(ENGINE, stuck={ENGINE[3]["Id"]})  # another build's container uses it
    assert trim_build(stuck, BuildLayers((ENGINE[3]["Id"], ENGINE[2]["Id"]), 300, 1)) == 0


def test_the_note_names_the_budget() -> None:
    note = cache_note(BuildLayers(("x",), 300 << 20, 64 << 20), kept=False)
    assert "300 MiB" in note and "64 MiB" in note and "removed" in note


def test_the_budget_from_the_lab_or_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("LABGRADE_CACHE_BUDGET", raising=False)
    assert resolve_limits().build_cache == 256 << 20
    monkeypatch.setenv("LABGRADE_CACHE_BUDGET", "1g")
    assert resolve_limits().build_cache == 1 << 30
    assert resolve_limits({"build_cache": "16m"}).build_cache == 16 << 20


def test_the_walk_looks_up_the_build_s_images_only_not_every_image_on_the_engine() -> None:
    """Docker answers an image listing in time that grows with the engine's images (~0.1 s of
    its CPU per grading in a batch): the walk asks for the images it visits, one at a time."""
    others = [image(f"{n:x}", "b", 5, NOW - 100) for n in range(0x100, 0x400)]
    fake = Fake([*ENGINE, *others])
    layers = build_layers(fake, [short("b"), short("c"), short("d")], ENGINE[3]["Id"], NOW, 0)
    assert layers is not None and layers.size == 300_000_100
    assert fake.looked <= 6  # b, c, d, e and e's and d's parents at most
