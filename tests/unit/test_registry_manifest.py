"""Manifest parsing and platform selection; WWW-Authenticate parsing; the token cache."""

from __future__ import annotations

import json

import pytest

from graders.registry import manifest as mf
from graders.registry.auth import TokenCache, parse_challenges
from graders.registry.errors import PlatformNotFound, UnsupportedManifest

D1, D2, D3, D4 = (f"sha256:{c * 64}" for c in "1234")


def image(media_type: str = mf.DOCKER_MANIFEST) -> bytes:
    return json.dumps(
        {
            "schemaVersion": 2,
            "mediaType": media_type,
            "config": {"mediaType": mf.DOCKER_CONFIG, "digest": D1, "size": 10},
            "layers": [{"mediaType": "x", "digest": D2, "size": 20}],
        }
    ).encode()


def index(media_type: str = mf.OCI_INDEX) -> bytes:
    def entry(digest: str, os: str, arch: str, variant: str | None = None) -> dict[str, object]:
        platform: dict[str, str] = {"os": os, "architecture": arch}
        if variant:
            platform["variant"] = variant
        return {"mediaType": mf.OCI_MANIFEST, "digest": digest, "size": 1, "platform": platform}

    return json.dumps(
        {
            "schemaVersion": 2,
            "mediaType": media_type,
            "manifests": [
                entry(D1, "linux", "arm", "v7"),
                entry(D2, "linux", "amd64"),
                entry(D3, "linux", "arm64", "v8"),
                entry(D4, "unknown", "unknown"),
            ],
        }
    ).encode()


def test_image_manifest() -> None:
    body = image()
    m = mf.parse_manifest(body, mf.DOCKER_MANIFEST + "; charset=utf-8", "r/a:1", "sha256:hdr")
    assert m.media_type == mf.DOCKER_MANIFEST and not m.is_index
    assert m.digest == mf.sha256_digest(body) and m.header_digest == "sha256:hdr"
    assert m.config is not None and m.config.digest == D1
    assert [layer.digest for layer in m.layers] == [D2]
    assert "body" not in repr(m)


def test_media_type_from_the_document_when_served_as_json() -> None:
    m = mf.parse_manifest(image(mf.OCI_MANIFEST), "application/json", "r/a:1")
    assert m.media_type == mf.OCI_MANIFEST


@pytest.mark.parametrize("media_type", [mf.OCI_INDEX, mf.DOCKER_LIST])
def test_index_picks_the_platform(media_type: str) -> None:
    m = mf.parse_manifest(index(media_type), media_type, "r/a:1")
    assert m.is_index and m.config is None
    assert m.pick().digest == D2
    assert m.pick("linux/arm64").digest == D3
    assert m.pick("linux/arm64/v8").digest == D3
    assert m.pick("linux/arm/v7").digest == D1
    assert m.platforms == ["linux/arm/v7", "linux/amd64", "linux/arm64/v8"]
    with pytest.raises(PlatformNotFound) as exc:
        m.pick("linux/s390x")
    assert "linux/amd64" in str(exc.value) and "--platform linux/s390x" in str(exc.value)


@pytest.mark.parametrize(
    ("body", "content_type"),
    [
        (b'{"schemaVersion": 1, "name": "a", "fsLayers": []}',
         "application/vnd.docker.distribution.manifest.v1+prettyjws"),
        (b"not json", mf.DOCKER_MANIFEST),
        (b"[]", mf.DOCKER_MANIFEST),
        (b'{"schemaVersion": 2, "mediaType": "application/x-other"}', "application/x-other"),
        (b'{"schemaVersion": 2, "layers": [{"size": 1}]}', mf.OCI_MANIFEST),
    ],
)  # fmt: skip
def test_unsupported_manifests_are_clean_errors(body: bytes, content_type: str) -> None:
    with pytest.raises(UnsupportedManifest) as exc:
        mf.parse_manifest(body, content_type, "r/a:1")
    assert "r/a:1" in str(exc.value) and "docker push" in str(exc.value)


def test_challenges() -> None:
    (c,) = parse_challenges(
        'Bearer realm="https://auth.docker.io/token",service="registry.docker.io",'
        'scope="repository:samalba/my-app:pull,push"'
    )
    assert c.scheme == "bearer"
    assert c.params == {
        "realm": "https://auth.docker.io/token",
        "service": "registry.docker.io",
        "scope": "repository:samalba/my-app:pull,push",
    }
    assert parse_challenges('Basic realm="labgrade-registry"')[0].scheme == "basic"
    both = parse_challenges('Bearer realm="a\\"b", error="invalid_token", Basic realm=x')
    assert [c.scheme for c in both] == ["bearer", "basic"]
    assert both[0].params["realm"] == 'a"b' and both[1].params["realm"] == "x"
    assert parse_challenges("") == []


def test_token_cache_per_scope_and_expiry(monkeypatch: pytest.MonkeyPatch) -> None:
    now = [1000.0]
    monkeypatch.setattr("graders.registry.auth.time.monotonic", lambda: now[0])
    cache = TokenCache()
    cache.put("r", "s", "repository:a:pull", "tok-a", 300)
    cache.put("r", "s", "repository:b:pull", "tok-b", 60)
    assert cache.get("r", "s", "repository:a:pull") == "tok-a"
    assert cache.get("r", "s", "repository:b:pull") == "tok-b"
    assert cache.get("r", "s", "repository:a:pull,push") is None
    assert cache.get("other-realm", "s", "repository:a:pull") is None
    now[0] += 55  # renewed 10 s before expiry
    assert cache.get("r", "s", "repository:b:pull") is None
    assert cache.get("r", "s", "repository:a:pull") == "tok-a"
    cache.drop("r", "s", "repository:a:pull")
    assert cache.get("r", "s", "repository:a:pull") is None
    assert "tok-" not in repr(cache)
