"""Image references: Docker's grammar and normalisation, and the naming advice for students."""

from __future__ import annotations

import pytest

from graders.registry.reference import (
    InvalidReference,
    api_host,
    normalize,
    parse_reference,
    scheme_for,
)

DIGEST = "sha256:" + "a" * 64


@pytest.mark.parametrize(
    ("text", "registry", "repository", "tag", "digest"),
    [
        ("alice/app:v1.0", "docker.io", "alice/app", "v1.0", None),
        ("alice/app", "docker.io", "alice/app", None, None),
        ("app", "docker.io", "library/app", None, None),
        ("busybox:1.35", "docker.io", "library/busybox", "1.35", None),
        ("docker.io/alice/app:1", "docker.io", "alice/app", "1", None),
        ("index.docker.io/alice/app:1", "docker.io", "alice/app", "1", None),
        ("docker.io/app:1", "docker.io", "library/app", "1", None),
        ("localhost:5000/x/y:tag", "localhost:5000", "x/y", "tag", None),
        ("localhost:5000/app", "localhost:5000", "app", None, None),
        ("localhost/app:1", "localhost", "app", "1", None),
        ("127.0.0.1:5000/a/b:c", "127.0.0.1:5000", "a/b", "c", None),
        ("ghcr.io/org/team/app:2.0", "ghcr.io", "org/team/app", "2.0", None),
        (f"alice/app@{DIGEST}", "docker.io", "alice/app", None, DIGEST),
        (f"alice/app:v1@{DIGEST}", "docker.io", "alice/app", "v1", DIGEST),
        ("a_b/c__d/e-f/g.h:_x", "docker.io", "a_b/c__d/e-f/g.h", "_x", None),
    ],
)
def test_parses_and_normalises(
    text: str, registry: str, repository: str, tag: str | None, digest: str | None
) -> None:
    ref = parse_reference(text)
    assert (ref.registry, ref.repository, ref.tag, ref.digest) == (
        registry,
        repository,
        tag,
        digest,
    )
    assert ref.valid


def test_string_forms() -> None:
    ref = parse_reference("alice/app:v1.0")
    assert str(ref) == "docker.io/alice/app:v1.0"
    assert ref.familiar == "alice/app:v1.0"
    assert ref.name == "docker.io/alice/app"
    assert ref.reference == "v1.0"
    assert ref.api_host == "registry-1.docker.io"
    assert parse_reference("busybox").familiar == "busybox"
    assert parse_reference("busybox").reference == "latest"
    local = parse_reference("localhost:5000/x/y:t")
    assert local.familiar == "localhost:5000/x/y:t"
    assert local.api_host == "localhost:5000"
    assert parse_reference(f"a/b:t@{DIGEST}").reference == DIGEST


def codes(text: str) -> list[str]:
    return [v.code for v in parse_reference(text).violations]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("alice/app:v1.0", []),
        ("app:v1.0", ["no_namespace"]),
        ("app", ["no_namespace", "tag_missing"]),
        ("alice/app", ["tag_missing"]),
        ("alice/app:latest", ["tag_latest"]),
        ("Alice/app:1.0", ["uppercase"]),
        ("alice/App:1", ["uppercase"]),
        ("ghcr.io/Org/app:1", ["uppercase"]),
        ("alice/my app:1", ["invalid_name"]),
        ("alice//app:1", ["invalid_name"]),
        ("alice/-app:1", ["invalid_name"]),
        ("alice/app_:1", ["invalid_name"]),
        ("alice/app:-bad", ["invalid_tag"]),
        ("alice/app:" + "x" * 129, ["invalid_tag"]),
        ("alice/app:" + "x" * 128, []),
        ("alice/app:v1+2", ["invalid_tag"]),
        ("alice/app@md5:zz", ["invalid_digest"]),
        (f"alice/app@{DIGEST}", []),
        ("localhost:5000/app:v1", ["no_namespace"]),
        ("my_host:5000/a/b:1", ["invalid_name"]),
        ("", ["empty"]),
        ("alice/" + "a" * 64 + ":1", []),
        ("a" * 64 + ":1", ["no_namespace", "reserved"]),
        ("alice/" + "a" * 250 + ":1", ["too_long"]),
    ],
)
def test_violations(text: str, expected: list[str]) -> None:
    assert codes(text) == expected


def test_grammar_violations_make_it_invalid_but_naming_advice_does_not() -> None:
    assert parse_reference("app").valid  # Docker accepts it; our convention does not
    assert not parse_reference("alice/App:1").valid
    assert not parse_reference("alice/app:-x").valid


def test_every_violation_is_bilingual_and_names_the_fix() -> None:
    for text in ("app", "alice/app:latest", "Alice/App:1", "alice/app:-x", "a//b", ""):
        for v in parse_reference(text).violations:
            assert v.message.pt and v.message.en and v.message.pt != v.message.en
    upper = parse_reference("Alice/App:1").violations[0].message
    assert "'alice/app'" in upper.en and "'alice/app'" in upper.pt
    latest = parse_reference("alice/app:latest").violations[0].message
    assert "alice/app:v1.0" in latest.en
    missing = parse_reference("app").violations[0].message
    assert "your_user/app" in missing.en and "seu_usuario/app" in missing.pt


def test_normalize_raises_with_every_problem() -> None:
    assert str(normalize("alice/app:v1")) == "docker.io/alice/app:v1"
    with pytest.raises(InvalidReference) as exc:
        normalize("Alice/app:-x")
    assert exc.value.problems and len(exc.value.problems) == 2
    assert "namespace/name:version" in str(exc.value)


@pytest.mark.parametrize(
    ("registry", "scheme", "host"),
    [
        ("localhost:5000", "http", "localhost:5000"),
        ("127.0.0.1:5000", "http", "127.0.0.1:5000"),
        ("localhost", "http", "localhost"),
        ("[::1]:5000", "http", "[::1]:5000"),
        ("docker.io", "https", "registry-1.docker.io"),
        ("ghcr.io", "https", "ghcr.io"),
        ("registry.example.com:5000", "https", "registry.example.com:5000"),
    ],
)
def test_scheme_and_api_host(registry: str, scheme: str, host: str) -> None:
    assert scheme_for(registry) == scheme
    assert api_host(registry) == host
