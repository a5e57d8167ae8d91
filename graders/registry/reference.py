"""Image references, parsed and normalised as Docker does, with naming advice for students.

Grammar (distribution/reference `reference.go`, `normalize.go`):

    reference  := name [ ":" tag ] [ "@" digest ]
    name       := [domain "/"] path-component ["/" path-component]*
    domain     := host [":" port]      (first component with "." or ":", or "localhost")
    path-component := [a-z0-9]+ ( ( [_.] | "__" | "-"+ ) [a-z0-9]+ )*
    tag        := [\\w][\\w.-]{0,127}
    digest     := algorithm ":" hex{32,}

`alice/app` is `docker.io/alice/app`, `app` is `docker.io/library/app`, `index.docker.io` is
`docker.io`. A first component with upper case but no "." or ":" (`Alice/app`) is read as a
namespace with upper case (what the student meant, and what the daemon rejects), not a host.

`parse_reference` never raises: it returns what it could read plus one `Violation` per problem,
for the naming check. `normalize` raises `InvalidReference` when the grammar is broken.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from graders.errors import GraderError
from graders.i18n import Text

DOCKER_HUB = "docker.io"
DOCKER_HUB_API = "registry-1.docker.io"
HUB_NAMES = (DOCKER_HUB, "index.docker.io", DOCKER_HUB_API)
"""Every name Docker Hub answers to."""
LOCAL_HOSTS = ("localhost", "127.0.0.1", "::1", "[::1]")

COMPONENT = re.compile(r"[a-z0-9]+(?:(?:[_.]|__|-+)[a-z0-9]+)*\Z")
_DOMAIN = re.compile(
    r"(?:localhost|(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])"
    r"(?:\.(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9]))*|\[[0-9a-fA-F:.]+\])(?::[0-9]+)?\Z"
)
TAG = re.compile(r"[\w][\w.-]{0,127}\Z", re.ASCII)
_DIGEST = re.compile(r"[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,}\Z")
_HEX64 = re.compile(r"[a-f0-9]{64}\Z")
NAME_MAX = 255


class InvalidReference(GraderError):
    exit_status = 2

    def __init__(self, reference: str, problems: list[str]) -> None:
        self.reference = reference
        self.problems = problems
        super().__init__(
            f"{reference!r} is not a valid image reference: {'; '.join(problems)}. "
            "Write it as namespace/name:version, for example alice/app:v1.0."
        )


@dataclass(frozen=True)
class Violation:
    code: str
    """One of: empty, invalid_name, uppercase, no_namespace, tag_missing, tag_latest,
    invalid_tag, invalid_digest, too_long, reserved."""
    message: Text
    grammar: bool
    """True when Docker itself rejects the reference (not just our naming convention)."""


@dataclass(frozen=True)
class ImageReference:
    original: str
    registry: str
    """`docker.io` for Docker Hub, else `host[:port]` as written."""
    repository: str
    """The path in the registry, `library/` added for official Docker Hub images."""
    tag: str | None
    digest: str | None
    violations: tuple[Violation, ...] = ()

    @property
    def valid(self) -> bool:
        """Docker accepts it (naming advice such as `latest` aside)."""
        return not any(v.grammar for v in self.violations)

    @property
    def name(self) -> str:
        return f"{self.registry}/{self.repository}"

    @property
    def reference(self) -> str:
        """What to ask the registry for: the digest when there is one, else the tag."""
        return self.digest or self.tag or "latest"

    @property
    def api_host(self) -> str:
        """The host that serves the HTTP API (`registry-1.docker.io` for Docker Hub)."""
        return api_host(self.registry)

    @property
    def familiar(self) -> str:
        """The short form `docker` prints: `alice/app:v1.0`, `busybox:1.35`."""
        repo = self.repository
        if self.registry == DOCKER_HUB:
            repo = repo.removeprefix("library/")
        else:
            repo = f"{self.registry}/{repo}"
        return (
            repo + (f":{self.tag}" if self.tag else "") + (f"@{self.digest}" if self.digest else "")
        )

    def __str__(self) -> str:
        return (
            self.name
            + (f":{self.tag}" if self.tag else "")
            + (f"@{self.digest}" if self.digest else "")
        )


def api_host(registry: str) -> str:
    return DOCKER_HUB_API if registry in (DOCKER_HUB, "index.docker.io") else registry


def is_local(registry: str) -> bool:
    host = registry.rsplit(":", 1)[0] if not registry.endswith("]") else registry
    return host in LOCAL_HOSTS or registry in LOCAL_HOSTS


def scheme_for(registry: str) -> str:
    """http for this machine (Docker's own insecure default), https anywhere else."""
    return "http" if is_local(registry) else "https"


def normalize(text: str) -> ImageReference:
    """Parse `text` or raise InvalidReference naming each grammar problem."""
    ref = parse_reference(text)
    if not ref.valid:
        raise InvalidReference(text, [v.message.en for v in ref.violations if v.grammar])
    return ref


def parse_reference(text: str) -> ImageReference:
    """Read `text` as leniently as possible and list every violation in pt and en."""
    out: list[Violation] = []
    s = text.strip()
    if not s:
        return ImageReference(text, DOCKER_HUB, "", None, None, (_v("empty", s),))
    rest, _, digest = s.partition("@")
    name, tag = rest, None
    slash = rest.rfind("/")
    colon = rest.rfind(":")
    if colon > slash:
        name, tag = rest[:colon], rest[colon + 1 :]
    first, sep, remainder = name.partition("/")
    if sep and (any(c in first for c in ".:") or first == "localhost"):
        registry, path = first, remainder
        if registry == "index.docker.io":
            registry = DOCKER_HUB
        if not _DOMAIN.match(registry):
            out.append(_v("invalid_name", registry))
    else:
        registry, path = DOCKER_HUB, name
    components = path.split("/")
    if any(c != c.lower() for c in components):
        out.append(_v("uppercase", path))
    bad = [c for c in components if not COMPONENT.match(c.lower())]
    if bad:
        out.append(_v("invalid_name", "/".join(bad) if any(bad) else path))
    if registry == DOCKER_HUB and len(components) == 1:
        path = f"library/{path}"
    if len(components) == 1:
        out.append(_v("no_namespace", path.split("/")[-1]))
    if _HEX64.match(path.removeprefix("library/")):
        out.append(_v("reserved", path))
    if len(name) > NAME_MAX:  # as written, like distribution's NameTotalLengthMax
        out.append(_v("too_long", str(NAME_MAX)))
    if tag is not None and not TAG.match(tag):
        out.append(_v("invalid_tag", tag))
    if digest and not _DIGEST.match(digest):
        out.append(_v("invalid_digest", digest))
    short = path.removeprefix("library/") if registry == DOCKER_HUB else f"{registry}/{path}"
    if tag is None and not digest:
        out.append(_v("tag_missing", short))
    elif tag == "latest":
        out.append(_v("tag_latest", short))
    return ImageReference(text, registry, path, tag, digest or None, tuple(out))


_MESSAGES: dict[str, tuple[bool, Text]] = {
    "empty": (True, Text("A referência da imagem está vazia.", "The image reference is empty.")),
    "invalid_name": (True, Text(
        "O nome {x!r} tem caracteres inválidos: use só letras minúsculas, dígitos e os "
        "separadores '.', '_', '__' ou '-' entre eles.",
        "The name {x!r} has invalid characters: use only lower-case letters, digits and the "
        "separators '.', '_', '__' or '-' between them.")),
    "uppercase": (True, Text(
        "O nome {x!r} tem letras maiúsculas; o Docker só aceita minúsculas. Use {low!r}.",
        "The name {x!r} has upper-case letters; Docker accepts only lower case. Use {low!r}.")),
    "no_namespace": (False, Text(
        "Falta o namespace: use seu_usuario/{x}:versão, não só {x}.",
        "The namespace is missing: use your_user/{x}:version, not just {x}.")),
    "tag_missing": (False, Text(
        "Falta a tag de versão: sem ela o Docker usa 'latest'. Use {x}:v1.0, por exemplo.",
        "The version tag is missing: without one Docker uses 'latest'. Use {x}:v1.0, say.")),
    "tag_latest": (False, Text(
        "A tag 'latest' não diz a versão: use uma versão explícita, como {x}:v1.0.",
        "The tag 'latest' does not name a version: use an explicit one, such as {x}:v1.0.")),
    "invalid_tag": (True, Text(
        "A tag {x!r} é inválida: comece com letra, dígito ou '_', depois só letras, dígitos, "
        "'_', '.' ou '-', até 128 caracteres.",
        "The tag {x!r} is invalid: start with a letter, digit or '_', then only letters, "
        "digits, '_', '.' or '-', up to 128 characters.")),
    "invalid_digest": (True, Text(
        "O digest {x!r} é inválido: o formato é sha256: seguido de 64 dígitos hexadecimais.",
        "The digest {x!r} is invalid: the form is sha256: followed by 64 hex digits.")),
    "too_long": (True, Text(
        "O nome completo passa de {x} caracteres.",
        "The full name is longer than {x} characters.")),
    "reserved": (True, Text(
        "{x!r} parece um ID de imagem (64 dígitos hexadecimais), reservado pelo Docker.",
        "{x!r} looks like an image ID (64 hex digits), which Docker reserves.")),
}  # fmt: skip


def _v(code: str, x: str) -> Violation:
    grammar, text = _MESSAGES[code]
    return Violation(code, text.format(x=x, low=x.lower()), grammar)
