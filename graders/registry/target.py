"""Where a submission's image was pushed: the registry, the reference declared, the credentials.

The reference comes from `--image` (it wins) or the `image:` key of `labgrade.yaml` at the
submission's root (`image: alice/app:v1.0`). The registry comes from `--registry HOST[:PORT]`,
else from the reference's own domain (`localhost:5000/alice/app:v1.0`), else Docker Hub. With
`--registry`, a reference written without a domain is looked up there (`alice/app:v1.0` in
`127.0.0.1:5000` is `127.0.0.1:5000/alice/app:v1.0`), as `docker push` would after `docker tag`.

Credentials come from `graders.registry.credentials` and stay inside the target: its repr and
str never show them, and nothing here logs or returns them.
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from graders.i18n import Text, shown
from graders.registry.client import RegistryClient
from graders.registry.credentials import Credentials, resolve_credentials
from graders.registry.reference import DOCKER_HUB, ImageReference, parse_reference
from graders.spec_reader import load_yaml

DECLARATION = "labgrade.yaml"
DECLARATION_LIMIT = 64 * 1024


@dataclass(frozen=True)
class Declared:
    """The image a submission declares. `text` is None when it declares none (or cannot)."""

    text: str | None
    source: str
    """`--image`, `labgrade.yaml`, or "" when nothing was declared."""
    problem: Text | None = None
    """Why labgrade.yaml could not be read (the student's to fix)."""


def declared_image(submission: Path, explicit: str | None = None) -> Declared:
    """`--image` when given, else `image:` from the submission's labgrade.yaml."""
    if explicit:
        return Declared(explicit, "--image")
    path = submission / DECLARATION
    if path.is_symlink() or not path.is_file():
        return Declared(None, "")
    try:
        with path.open("rb") as f:
            raw = f.read(DECLARATION_LIMIT + 1)
        if len(raw) > DECLARATION_LIMIT:
            raise ValueError("too large")
        data = load_yaml(raw.decode("utf-8"))  # deep nesting is a YAMLError, not a crash
    except (OSError, ValueError, yaml.YAMLError):
        return Declared(None, DECLARATION, Text(
            f"O {DECLARATION} da entrega não é um YAML válido (ou passa de 64 KiB).",
            f"The submission's {DECLARATION} is not valid YAML (or is over 64 KiB)."))
    image = data.get("image") if isinstance(data, dict) else None
    if image is None:
        return Declared(None, DECLARATION)
    if not isinstance(image, str):
        return Declared(None, DECLARATION, Text(
            f"Em {DECLARATION}, image: deve ser um texto como aluno/app:v1.0.",
            f"In {DECLARATION}, image: must be a string such as alice/app:v1.0."))
    return Declared(shown(image.strip(), 500), DECLARATION)  # a "\udcff" escape is text


class RegistryTarget:
    """The registry to ask and the reference to ask it for, for one grading run."""

    def __init__(self, registry: str | None, declared: Declared,
                 credentials: Credentials | None = None, *, explicit_registry: bool = False):
        self.declared = declared
        self.explicit_registry = explicit_registry
        parsed = parse_reference(declared.text) if declared.text else None
        self.registry = registry or (parsed.registry if parsed else DOCKER_HUB)
        self._credentials = credentials
        self._client: RegistryClient | None = None

    @classmethod
    def resolve(cls, registry: str | None, image: str | None, submission: Path) -> RegistryTarget:
        """From the run's options (`--registry`, `--image`) and the submission."""
        declared = declared_image(submission, image)
        target = cls(registry, declared, explicit_registry=bool(registry))
        target._credentials = resolve_credentials(target.registry)
        return target

    def __repr__(self) -> str:
        user = self._credentials.username if self._credentials else None
        return (f"RegistryTarget(registry={self.registry!r}, image={self.declared.text!r}, "
                f"source={self.declared.source!r}, user={user!r})")

    __str__ = __repr__

    @property
    def has_credentials(self) -> bool:
        return self._credentials is not None

    @property
    def image(self) -> str | None:
        """The reference as the student wrote it."""
        return self.declared.text

    @property
    def reference(self) -> ImageReference | None:
        """The declared reference, placed in the registry to ask; None when none is declared."""
        text = self.declared.text
        if not text:
            return None
        ref = parse_reference(text)
        if self.registry == ref.registry or not self.explicit_registry:
            return ref
        # `--registry` given: the path the student wrote, in that registry.
        path = ref.repository
        if ref.registry == DOCKER_HUB:
            path = path.removeprefix("library/")
        rest = (f":{ref.tag}" if ref.tag else "") + (f"@{ref.digest}" if ref.digest else "")
        return parse_reference(f"{self.registry}/{path}{rest}")

    def push_name(self, tag: str | None = None) -> str:
        """What the student would give `docker push`, optionally with another tag."""
        ref = self.reference
        if ref is None:
            return f"{_prefix(self.registry)}YOUR_USER/app:v1.0"
        name = ref.familiar.split("@", 1)[0]
        if ref.tag:
            name = name.rsplit(":", 1)[0]
        return f"{name}:{tag or ref.tag or 'latest'}"

    def repository_name(self) -> str:
        """The repository for messages: `127.0.0.1:5000/alice/app`, `alice/app (Docker Hub)`."""
        name = self.push_name().rsplit(":", 1)[0]
        return f"{name} (Docker Hub)" if self.registry == DOCKER_HUB else name

    def where(self) -> str:
        """The registry for messages: `Docker Hub (docker.io)` or `127.0.0.1:5000`."""
        return "Docker Hub (docker.io)" if self.registry == DOCKER_HUB else self.registry

    def client(self) -> RegistryClient:
        """One client per target (it caches Bearer tokens); closed when the target is dropped."""
        if self._client is None:
            self._client = RegistryClient(self.registry, self._credentials)
        return self._client

    def docker_auth(self) -> dict[str, Any] | None:
        """The `auth_config` for docker-py's pull; None without credentials."""
        c = self._credentials
        if c is None:
            return None
        if c.identity_token:
            return {"identitytoken": c.secret, "serveraddress": self.registry}
        return {"username": c.username, "password": c.secret, "serveraddress": self.registry}

    def close(self) -> None:
        if self._client is not None:
            self._client.close()
            self._client = None

    def __del__(self) -> None:
        with contextlib.suppress(Exception):
            self.close()


def _prefix(registry: str) -> str:
    return "" if registry == DOCKER_HUB else f"{registry}/"
