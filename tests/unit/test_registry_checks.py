"""The registry check types without Docker or a registry: references, tags, config comparison.

`RegistryContext` is `FakeContext` plus `registry_target()`; the target is a real
`RegistryTarget` whose client is a stand-in answering from plain data.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from graders.checks._registry import RegistryUnavailable, closest
from graders.checks.base import ExecResult
from graders.checks.image_reference import ImageReferenceCheck
from graders.checks.registry_matches import RegistryMatchesCheck, normalized
from graders.checks.registry_runs import RegistryRunsCheck
from graders.checks.registry_tag import RegistryTagCheck
from graders.registry.errors import RegistryNotFound, RegistryUnreachable
from graders.registry.manifest import DOCKER_MANIFEST, parse_manifest
from graders.registry.target import Declared, RegistryTarget, declared_image
from tests.unit.fake_context import FakeContext, en, pt

REG = "127.0.0.1:5000"


class FakeClient:
    def __init__(self, tags: dict[str, list[str]] | None = None, config: Any = None,
                 error: Exception | None = None) -> None:
        self.repos = tags or {}
        self.config = config or {}
        self.error = error
        self.asked: list[str] = []

    def _repo(self, repository: str) -> list[str]:
        self.asked.append(repository)
        if self.error:
            raise self.error
        if repository not in self.repos:
            raise RegistryNotFound(REG, f"repository {repository}", "NAME_UNKNOWN")
        return self.repos[repository]

    def tags(self, repository: str) -> list[str]:
        return list(self._repo(repository))

    def image_manifest(self, repository: str, reference: str, platform: str) -> Any:
        if reference not in self._repo(repository):
            raise RegistryNotFound(REG, f"{repository}:{reference}", "MANIFEST_UNKNOWN")
        body = (b'{"schemaVersion": 2, "mediaType": "%s", "config": {"mediaType": "x", '
                b'"digest": "sha256:%s", "size": 1}, "layers": []}'
                % (DOCKER_MANIFEST.encode(), b"a" * 64))
        return parse_manifest(body, DOCKER_MANIFEST, f"{repository}:{reference}")

    def blob(self, repository: str, digest: str, limit: int) -> bytes:
        import json

        return json.dumps(self.config).encode()

    def head_manifest(self, repository: str, reference: str) -> str | None:
        return "sha256:" + "b" * 64 if reference in self._repo(repository) else None


@dataclass
class RegistryContext(FakeContext):
    target: Any = None
    runs: dict[str | None, ExecResult] = field(default_factory=dict)

    def registry_target(self) -> Any:
        self.calls.append(("registry_target",))
        return self.target

    def run_image(self, image: str | None = None, timeout: float = 30.0,
                  pull: bool = False) -> ExecResult:
        self.calls.append(("run_image", image, pull))
        return self.runs[None if image is None else "pushed"]


def ctx_for(image: str | None, client: FakeClient | None = None, registry: str | None = REG,
            **kwargs: Any) -> RegistryContext:
    target = RegistryTarget(registry, Declared(image, "labgrade.yaml" if image else ""),
                            explicit_registry=registry is not None)
    target._client = client or FakeClient()  # type: ignore[assignment]
    return RegistryContext(target=target, **kwargs)


# --- image_reference -------------------------------------------------------------------------

@pytest.mark.parametrize("image", ["alice/app:v1.0", "student/app:1.0", "a_b/app:v2"])
def test_reference_passes(image: str) -> None:
    outcome = ImageReferenceCheck().run(ctx_for(image))
    assert outcome.passed, outcome.message.en


@pytest.mark.parametrize(("image", "codes"), [
    ("app:v1.0", ["namespace is missing"]),
    ("alice/app", ["version tag is missing"]),
    ("alice/app:latest", ["'latest' does not name a version"]),
    ("Alice/App:v1.0", ["upper-case"]),
    ("alice/app:-bad", ["tag '-bad' is invalid"]),
    ("App", ["upper-case", "namespace is missing", "version tag is missing"]),
    ("alice/my app:v1", ["invalid characters"]),
])
def test_reference_one_message_per_violation(image: str, codes: list[str]) -> None:
    outcome = ImageReferenceCheck().run(ctx_for(image))
    assert not outcome.passed
    lines = outcome.details.splitlines()
    assert len(lines) == len(codes), lines
    for code, line in zip(codes, lines, strict=True):
        assert code in line
    assert f"{len(codes)} problem(s)" in outcome.message.en
    assert f"{len(codes)} problema(s)" in outcome.message.pt
    for i in range(1, len(codes) + 1):
        assert f"({i})" in outcome.message.en and f"({i})" in outcome.message.pt
    assert outcome.actual == image


def test_reference_lab_rules_name_namespace_tag() -> None:
    check = ImageReferenceCheck(namespace="alice", name="app", tag="v1.0")
    outcome = check.run(ctx_for("bob/web:1.0"))
    assert not outcome.passed
    assert outcome.details.splitlines() == [
        "The image name must be app, not web.",
        "The namespace must be alice, not bob.",
        "Write the version v1.0, as this lab asks, not 1.0: the same version, spelled as in "
        "the lesson's docker build -t.",
    ]
    assert "Escreva a versão v1.0, como este laboratório pede, não 1.0" in outcome.message.pt
    other = check.run(ctx_for("alice/app:2.0"))
    assert other.details == "The version must be v1.0, not 2.0."
    assert "A versão deve ser v1.0, não 2.0." in other.message.pt
    assert en(outcome.expected) == "alice/app:v1.0"


def test_reference_namespace_optional_for_local_registry() -> None:
    assert ImageReferenceCheck(namespace="").run(ctx_for("app:v1.0")).passed


def test_reference_missing_declaration(tmp_path: Path) -> None:
    outcome = ImageReferenceCheck().run(ctx_for(None))
    assert not outcome.passed and "labgrade.yaml" in outcome.message.en
    assert "labgrade.yaml" in outcome.message.pt and en(outcome.actual) == "no image declared"
    assert pt(outcome.actual) == "nenhuma imagem declarada"


def test_reference_validate() -> None:
    assert ImageReferenceCheck(namespace="Bad!", name="A", tag="latest").validate() == [
        "namespace: expected a user name, 'any' or '', got 'Bad!'",
        "name: expected a lower-case name such as app, got 'A'",
        "tag: 'latest' is not a version; use one such as v1.0",
    ]


# --- where the image is declared --------------------------------------------------------------

def test_declared_image_from_labgrade_yaml_and_flag(tmp_path: Path) -> None:
    assert declared_image(tmp_path) == Declared(None, "")
    (tmp_path / "labgrade.yaml").write_text("image: alice/app:v1.0\n")
    assert declared_image(tmp_path) == Declared("alice/app:v1.0", "labgrade.yaml")
    assert declared_image(tmp_path, "bob/app:v2") == Declared("bob/app:v2", "--image")
    (tmp_path / "labgrade.yaml").write_text("image: [1, 2]\n")
    assert declared_image(tmp_path).problem is not None
    (tmp_path / "labgrade.yaml").write_text("image: 'unterminated\n")
    assert declared_image(tmp_path).problem is not None


@pytest.mark.parametrize(("registry", "image", "where", "repository"), [
    (None, "alice/app:v1.0", "docker.io", "alice/app"),
    (None, "app:v1.0", "docker.io", "library/app"),
    (None, "localhost:5000/alice/app:v1", "localhost:5000", "alice/app"),
    ("127.0.0.1:5000", "alice/app:v1.0", "127.0.0.1:5000", "alice/app"),
    ("127.0.0.1:5000", "app:v1.0", "127.0.0.1:5000", "app"),
    ("127.0.0.1:5000", "localhost:6000/alice/app:v1", "127.0.0.1:5000", "alice/app"),
])
def test_target_places_the_reference(registry: str | None, image: str, where: str,
                                     repository: str, tmp_path: Path) -> None:
    target = RegistryTarget.resolve(registry, image, tmp_path)
    assert target.registry == where
    assert target.reference is not None and target.reference.repository == repository


def test_target_never_shows_the_password(tmp_path: Path, monkeypatch: Any) -> None:
    monkeypatch.setenv("LABGRADE_REGISTRY_USER", "alice")
    monkeypatch.setenv("LABGRADE_REGISTRY_PASSWORD", "hunter2-secret")
    target = RegistryTarget.resolve(REG, "alice/app:v1", tmp_path)
    assert target.has_credentials
    assert "hunter2" not in repr(target) and "hunter2" not in str(target)
    assert "hunter2" not in repr(target.client())


# --- registry_tag -----------------------------------------------------------------------------

def test_tag_present_keeps_the_graded_digest() -> None:
    client = FakeClient({"student/app": ["v1.0", "v0.9"]})
    outcome = RegistryTagCheck(tag="v1.0").run(ctx_for("student/app:v1.0", client))
    assert outcome.passed
    digest = client.head_manifest("student/app", "v1.0")
    assert outcome.actual == f"student/app:v1.0@{digest}"  # a later re-push shows as a change
    assert digest in outcome.details


def test_tag_wrong_says_did_you_mean() -> None:
    ctx = ctx_for("student/app:v1.0", FakeClient({"student/app": ["1.0"]}))
    outcome = RegistryTagCheck(tag="v1.0").run(ctx)
    assert not outcome.passed
    assert "Did you mean v1.0 when you pushed 1.0?" in outcome.message.en
    assert "the lab and your build use v1.0" in outcome.message.en
    assert "Você quis dizer v1.0 quando enviou 1.0?" in outcome.message.pt
    assert f"docker push {REG}/student/app:v1.0" in outcome.message.en
    assert outcome.expected == "v1.0" and outcome.actual == "tags: 1.0"


def test_tag_repository_absent_is_never_pushed() -> None:
    outcome = RegistryTagCheck().run(ctx_for("student/app:v1.0", FakeClient({})))
    assert not outcome.passed and "never pushed" in outcome.message.en
    assert "nunca recebeu um push" in outcome.message.pt


def test_tag_unreachable_registry_is_an_error_not_a_failure() -> None:
    client = FakeClient(error=RegistryUnreachable("https://registry-1.docker.io/v2/", "x"))
    with pytest.raises(RegistryUnavailable) as info:
        RegistryTagCheck().run(ctx_for("alice/app:v1.0", client, registry=None))
    assert "Docker Hub (docker.io)" in info.value.feedback.en
    assert "não é um erro da sua entrega" in info.value.feedback.pt


def test_tag_invalid_reference_is_not_looked_up() -> None:
    client = FakeClient({})
    outcome = RegistryTagCheck().run(ctx_for("Alice/App:v1", client))
    assert not outcome.passed and client.asked == []


@pytest.mark.parametrize(("want", "tags", "guess"), [
    ("v1.0", ["1.0", "latest"], "1.0"), ("v1.0", ["V1.0"], "V1.0"),
    ("v1.0", ["v1.O"], "v1.O"), ("v1.0", ["banana"], None),
])
def test_closest(want: str, tags: list[str], guess: str | None) -> None:
    assert closest(want, tags) == guess


# --- registry_matches -------------------------------------------------------------------------

BUILT = {"Cmd": ["/app/hello"], "Env": ["PATH=/bin", "A=1"], "ExposedPorts": {"80/tcp": {}},
         "Labels": {"org.labgrade.run": "x", "v": "1"}, "WorkingDir": "/app/", "User": ""}


def test_matches_same_config_in_other_order() -> None:
    pushed = {"config": {"Cmd": ["/app/hello"], "Env": ["A=1", "PATH=/bin"],
                         "ExposedPorts": {"80": {}}, "Labels": {"v": "1"}, "WorkingDir": "/app"},
              "rootfs": {"diff_ids": ["sha256:1", "sha256:2"]}}
    ctx = ctx_for("s/app:v1.0", FakeClient({"s/app": ["v1.0"]}, pushed), config=BUILT,
                  inspect={"Config": BUILT, "RootFS": {"Layers": ["a", "b"]}})
    outcome = RegistryMatchesCheck().run(ctx)
    assert outcome.passed, outcome.message.en


def test_matches_reports_each_differing_field_and_layers() -> None:
    pushed = {"config": {"Cmd": ["/hello"], "Env": ["A=1", "PATH=/bin"], "Labels": {"v": "0"},
                         "ExposedPorts": {"80/tcp": {}}, "WorkingDir": "/app"},
              "rootfs": {"diff_ids": ["sha256:1"]}}
    ctx = ctx_for("s/app:v1.0", FakeClient({"s/app": ["v1.0"]}, pushed), config=BUILT,
                  inspect={"Config": BUILT, "RootFS": {"Layers": ["a", "b"]}})
    outcome = RegistryMatchesCheck().run(ctx)
    assert not outcome.passed
    assert "Cmd, Labels, layers" in outcome.message.en
    assert "Cmd, Labels, camadas" in outcome.message.pt
    assert en(outcome.expected) == 'Cmd=["/app/hello"]; Labels={"v": "1"}; layers=2'
    assert en(outcome.actual) == 'Cmd=["/hello"]; Labels={"v": "0"}; layers=1'
    assert pt(outcome.actual) == 'Cmd=["/hello"]; Labels={"v": "0"}; camadas=1'


def test_matches_nothing_pushed_under_the_tag() -> None:
    ctx = ctx_for("s/app:v1.0", FakeClient({"s/app": ["banana", "latest"]}), config=BUILT)
    outcome = RegistryMatchesCheck().run(ctx)
    assert not outcome.passed and "Nothing was pushed as" in outcome.message.en


def test_normalized() -> None:
    assert normalized("Cmd", None) == normalized("Cmd", []) == []
    assert normalized("ExposedPorts", {"80": {}}) == ["80/tcp"]
    assert normalized("Labels", {"org.labgrade.lab": "x"}) == {}
    assert normalized("WorkingDir", "/app/") == "/app" and normalized("WorkingDir", "/") == "/"
    assert RegistryMatchesCheck(fields=["Nope"]).validate() == [
        "fields: unknown field 'Nope' (allowed: Entrypoint, Cmd, Env, ExposedPorts, Labels, "
        "WorkingDir, User)"]


# --- registry_runs ----------------------------------------------------------------------------

def test_runs_compares_output() -> None:
    client = FakeClient({"s/app": ["v1.0"]})
    ok = ExecResult(0, "Hello, World!\n", "")
    ctx = ctx_for("s/app:v1.0", client, runs={"pushed": ok, None: ok})
    assert RegistryRunsCheck(stdout="^Hello, World!$").run(ctx).passed
    assert ("run_image", f"{REG}/s/app@sha256:{'b' * 64}", True) in ctx.calls
    old = ExecResult(0, "Hello, Docker!\n", "")
    ctx = ctx_for("s/app:v1.0", client, runs={"pushed": old, None: ok})
    outcome = RegistryRunsCheck().run(ctx)
    assert not outcome.passed and en(outcome.expected) == "Hello, World!"
    assert outcome.actual == "Hello, Docker!"
    ctx = ctx_for("s/app:v1.0", client, runs={"pushed": ExecResult(None, "", "")})
    assert en(RegistryRunsCheck().run(ctx).actual) == "killed at the time limit"


@pytest.mark.parametrize("type_name", ["registry_tag", "registry_matches", "registry_runs",
                                       "image_reference", "live_tag"])
def test_every_tag_field_refuses_what_docker_refuses(type_name: str) -> None:
    from graders.checks import check_type_class

    cls = check_type_class(type_name)
    extra = {"repository": "app"} if type_name == "live_tag" else {}
    for bad in ("v 1.0", "-v1", "v1.0\n", "x" * 129, 1.0):
        assert f"tag: expected a tag such as v1.0, got {bad!r}" in cls(tag=bad, **extra).validate()
    assert not [p for p in cls(tag="v1.0_rc-2", **extra).validate() if p.startswith("tag:")]
    empty = [p for p in cls(tag="", **extra).validate() if p.startswith("tag:")]
    assert bool(empty) == (type_name == "live_tag")  # only live_tag needs one
