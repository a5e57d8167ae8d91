"""Issue 14: one naming fault, one charge. The tag check alone says that `1.0` was pushed where
`v1.0` was built; the checks after it compare and run the image that is there. A submission
that declares and pushes `1.0` consistently loses only the name check (`image_reference`)."""

from __future__ import annotations

from graders.checks.base import ExecResult
from graders.checks.image_reference import ImageReferenceCheck
from graders.checks.registry_matches import RegistryMatchesCheck
from graders.checks.registry_runs import RegistryRunsCheck
from graders.checks.registry_tag import RegistryTagCheck
from tests.unit.test_registry_checks import REG, FakeClient, ctx_for

CONFIG = {"Cmd": ["/app/hello"]}
PUSHED = {"config": CONFIG, "rootfs": {"diff_ids": ["sha256:1"]}}
INSPECT = {"Config": CONFIG, "RootFS": {"Layers": ["a"]}}
HELLO = ExecResult(0, "Hello, World!\n", "")
DIGEST = "sha256:" + "b" * 64


def ctx(declared: str, tags: list[str]) -> object:
    return ctx_for(declared, FakeClient({"student/app": tags}, PUSHED), config=CONFIG,
                   inspect=INSPECT, runs={"pushed": HELLO, None: HELLO})


def grade(declared: str, tags: list[str]) -> dict[str, object]:
    checks = {
        "image-name": ImageReferenceCheck(name="app", tag="v1.0"),
        "tag-pushed": RegistryTagCheck(tag="v1.0"),
        "pushed-matches": RegistryMatchesCheck(tag="v1.0"),
        "pushed-runs": RegistryRunsCheck(tag="v1.0", stdout="^Hello, World!$"),
    }
    return {cid: check.run(ctx(declared, tags)) for cid, check in checks.items()}  # type: ignore[arg-type]


def failed(outcomes: dict[str, object]) -> set[str]:
    return {cid for cid, o in outcomes.items() if not o.passed}  # type: ignore[attr-defined]


def test_built_v1_0_pushed_1_0_fails_only_the_tag() -> None:
    outcomes = grade("student/app:v1.0", ["1.0"])
    assert failed(outcomes) == {"tag-pushed"}
    tag = outcomes["tag-pushed"]
    assert "Did you mean v1.0 when you pushed 1.0?" in tag.message.en  # type: ignore[attr-defined]
    for cid in ("pushed-matches", "pushed-runs"):
        message = outcomes[cid].message  # type: ignore[attr-defined]
        assert f"{REG}/student/app:1.0" in message.en and f"{REG}/student/app:1.0" in message.pt
        assert "v1.0" in message.en and "v1.0" in message.pt  # says it is not the lab's tag
        assert "Nothing was pushed" not in message.en


def test_the_pushed_runs_check_runs_the_tag_it_found() -> None:
    context = ctx("student/app:v1.0", ["1.0"])
    assert RegistryRunsCheck(tag="v1.0").run(context).passed  # type: ignore[arg-type]
    assert ("run_image", f"{REG}/student/app@{DIGEST}", True) in context.calls  # type: ignore[attr-defined]


def test_declared_and_pushed_1_0_fails_only_the_name() -> None:
    outcomes = grade("student/app:1.0", ["1.0"])
    assert failed(outcomes) == {"image-name"}
    name = outcomes["image-name"].message  # type: ignore[attr-defined]
    assert "Write the version v1.0, as this lab asks, not 1.0" in name.en
    assert "Escreva a versão v1.0, como este laboratório pede, não 1.0" in name.pt
    tag = outcomes["tag-pushed"]
    assert "1.0" in tag.message.en and "image name" in tag.message.en  # type: ignore[attr-defined]
    assert tag.actual == f"student/app:1.0@{DIGEST}"  # type: ignore[attr-defined]
    for cid in ("pushed-matches", "pushed-runs"):
        message = outcomes[cid].message  # type: ignore[attr-defined]
        assert "(the declared tag; the lab asks for v1.0, which the image name check" in message.en
        assert "(a tag declarada; o laboratório pede v1.0" in message.pt
        assert "tag check" not in message.en


def test_declared_1_0_pushed_v1_0_fails_only_the_name() -> None:
    assert failed(grade("student/app:1.0", ["v1.0"])) == {"image-name"}


def test_the_lab_tag_wins_over_another_found() -> None:
    outcomes = grade("student/app:v1.0", ["1.0", "v1.0"])
    assert failed(outcomes) == set()
    assert "1.0 (" not in outcomes["pushed-matches"].message.en  # type: ignore[attr-defined]


def test_a_single_unrelated_tag_is_still_compared() -> None:
    outcomes = grade("student/app:v1.0", ["latest"])
    assert failed(outcomes) == {"tag-pushed"}


def test_nothing_there_to_compare_says_so() -> None:
    outcomes = grade("student/app:v1.0", ["banana", "latest"])
    assert failed(outcomes) == {"tag-pushed", "pushed-matches", "pushed-runs"}
    assert "Nothing was pushed as" in outcomes["pushed-matches"].message.en  # type: ignore[attr-defined]
