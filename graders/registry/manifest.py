"""Manifest media types, parsing, digests and platform selection (Docker schema 2 and OCI)."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from typing import Any

from graders.registry.errors import PlatformNotFound, UnsupportedManifest

DOCKER_MANIFEST = "application/vnd.docker.distribution.manifest.v2+json"
DOCKER_LIST = "application/vnd.docker.distribution.manifest.list.v2+json"
OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json"
OCI_INDEX = "application/vnd.oci.image.index.v1+json"
DOCKER_CONFIG = "application/vnd.docker.container.image.v1+json"
OCI_CONFIG = "application/vnd.oci.image.config.v1+json"
IMAGE_TYPES = (DOCKER_MANIFEST, OCI_MANIFEST)
INDEX_TYPES = (DOCKER_LIST, OCI_INDEX)
ACCEPT = ", ".join((*IMAGE_TYPES, *INDEX_TYPES))
"""Schema 1 is deliberately absent: a registry that only has schema 1 gets UnsupportedManifest."""
DEFAULT_PLATFORM = "linux/amd64"


def sha256_digest(data: bytes) -> str:
    return "sha256:" + hashlib.sha256(data).hexdigest()


@dataclass(frozen=True)
class Descriptor:
    media_type: str
    digest: str
    size: int
    platform: str | None = None
    """`os/architecture[/variant]` for the entries of an index."""

    @classmethod
    def from_json(cls, d: Any) -> Descriptor:
        if not isinstance(d, dict):
            raise ValueError("a descriptor is not an object")
        p = d.get("platform")
        platform = None
        if isinstance(p, dict):
            parts = [str(p.get("os", "")), str(p.get("architecture", ""))]
            if p.get("variant"):
                parts.append(str(p["variant"]))
            platform = "/".join(parts)
        return cls(str(d.get("mediaType", "")), str(d["digest"]), int(d.get("size", 0)), platform)


@dataclass(frozen=True)
class Manifest:
    """One manifest as the registry served it."""

    reference: str
    """What was asked for, for messages: `repo:tag` or `repo@digest`."""
    media_type: str
    digest: str
    """sha256 of the body as served (what `docker image inspect` shows in RepoDigests)."""
    header_digest: str | None
    """The registry's `Docker-Content-Digest` header, when it sent one."""
    body: bytes = field(repr=False)
    document: dict[str, Any] = field(repr=False)
    index_digest: str | None = None
    """The digest of the list or index this manifest was picked from, if any."""

    @property
    def is_index(self) -> bool:
        return self.media_type in INDEX_TYPES

    @property
    def config(self) -> Descriptor | None:
        c = self.document.get("config")
        return Descriptor.from_json(c) if c is not None and not self.is_index else None

    @property
    def layers(self) -> tuple[Descriptor, ...]:
        return tuple(Descriptor.from_json(x) for x in self.document.get("layers") or ())

    @property
    def manifests(self) -> tuple[Descriptor, ...]:
        return tuple(Descriptor.from_json(x) for x in self.document.get("manifests") or ())

    @property
    def platforms(self) -> list[str]:
        return [
            m.platform for m in self.manifests if m.platform and m.platform != "unknown/unknown"
        ]

    def pick(self, platform: str = DEFAULT_PLATFORM) -> Descriptor:
        """The index entry for `platform` (`os/arch[/variant]`); PlatformNotFound otherwise."""
        want = platform.split("/")
        if len(want) < 2:
            raise ValueError(f"platform {platform!r} is not os/architecture[/variant]")
        candidates = []
        for m in self.manifests:
            have = (m.platform or "").split("/")
            if have[:2] != want[:2]:
                continue
            if len(want) > 2 and (have[2:3] or [""])[0] != want[2]:
                continue
            candidates.append(m)
        if not candidates:
            raise PlatformNotFound(self.reference, platform, self.platforms)
        # Without a variant asked for, prefer the entry without one (`linux/amd64` over `/v3`).
        candidates.sort(key=lambda m: len((m.platform or "").split("/")))
        return candidates[0]


def parse_manifest(
    body: bytes, content_type: str, reference: str, header_digest: str | None = None
) -> Manifest:
    """Parse a served manifest; UnsupportedManifest for schema 1 or anything unknown."""
    media_type = content_type.split(";", 1)[0].strip()
    try:
        document = json.loads(body)
    except ValueError:
        raise UnsupportedManifest(media_type or "not JSON", reference) from None
    if not isinstance(document, dict):
        raise UnsupportedManifest(media_type or "not a JSON object", reference)
    declared = document.get("mediaType")
    if media_type not in (*IMAGE_TYPES, *INDEX_TYPES) and isinstance(declared, str):
        media_type = declared  # a registry that serves everything as application/json
    if media_type not in (*IMAGE_TYPES, *INDEX_TYPES) or document.get("schemaVersion") != 2:
        raise UnsupportedManifest(media_type, reference)
    try:
        m = Manifest(reference, media_type, sha256_digest(body), header_digest, body, document)
        _ = m.config, m.layers, m.manifests  # validate descriptors now, not in a check
    except (KeyError, ValueError, TypeError):
        raise UnsupportedManifest(f"{media_type} (malformed)", reference) from None
    return m


def platform_of(config: dict[str, Any]) -> str:
    """`os/architecture[/variant]` of an image config blob."""
    parts = [str(config.get("os", "")), str(config.get("architecture", ""))]
    if config.get("variant"):
        parts.append(str(config["variant"]))
    return "/".join(parts)
