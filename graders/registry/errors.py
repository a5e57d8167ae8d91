"""Errors from the embedded registry and the registry client.

Every message ends with the next step. No message, attribute or repr ever carries a credential:
URLs are shown without user info or query string (a redirect's query may hold a signed token).
"""

from __future__ import annotations

from urllib.parse import urlsplit, urlunsplit

from graders.errors import GraderError


def safe_url(url: str) -> str:
    """`url` without user info, query or fragment, for messages."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return "<unparseable URL>"
    host = parts.hostname or ""
    if ":" in host:
        host = f"[{host}]"
    netloc = host + (f":{parts.port}" if parts.port else "")
    return urlunsplit((parts.scheme, netloc, parts.path, "", ""))


class RegistryError(GraderError):
    """Something about a registry (ours or a remote one) went wrong. Not a student's mistake."""

    exit_status = 3


# --- the embedded registry ------------------------------------------------------------------


class RegistryBinaryMissing(RegistryError):
    def __init__(self, binary: str) -> None:
        self.binary = binary
        super().__init__(
            f"The registry program {binary} is not installed. Run "
            "`scripts/ensure-registry-binary.sh` (it installs Debian's docker-registry and "
            "apache2-utils), then try again."
        )


class RegistryPortInUse(RegistryError):
    def __init__(self, port: int) -> None:
        self.port = port
        super().__init__(
            f"Port {port} on 127.0.0.1 is already in use by another program, so the registry "
            f"cannot listen there. Pick another port (`labgrade registry up --port {port + 1}`), "
            f"or find what holds it with `ss -ltnp 'sport = :{port}'` and stop it."
        )


class RegistryConflict(RegistryError):
    """Our registry is already up, but with other settings than the ones asked for."""

    def __init__(self, running: str, asked: str) -> None:
        self.running = running
        self.asked = asked
        super().__init__(
            f"The embedded registry is already running ({running}), not as asked ({asked}). "
            "Run `labgrade registry down` first; what was pushed is kept."
        )


class RegistryStartFailed(RegistryError):
    def __init__(self, reason: str, log: str, log_tail: str = "") -> None:
        self.reason = reason
        self.log = log
        self.log_tail = log_tail
        tail = f"\nLast lines of the log:\n{log_tail}" if log_tail else ""
        super().__init__(
            f"The embedded registry did not start: {reason}. See the log at {log}.{tail}"
        )


# --- the client ---------------------------------------------------------------------------


class RegistryUnreachable(RegistryError):
    def __init__(self, url: str, reason: str) -> None:
        self.url = safe_url(url)
        self.reason = reason
        super().__init__(
            f"Cannot reach the registry at {self.url} ({reason}). Is it running? For the "
            "embedded one try `labgrade registry status`; otherwise check the address."
        )


class RegistryAuthError(RegistryError):
    def __init__(self, registry: str, reason: str) -> None:
        self.registry = registry
        self.reason = reason
        super().__init__(
            f"Not allowed into the registry {registry}: {reason}. Log in with "
            f"`docker login {registry}`, or set LABGRADE_REGISTRY_USER and "
            "LABGRADE_REGISTRY_PASSWORD, then try again."
        )


class RegistryNotFound(RegistryError):
    """The repository, manifest or blob does not exist, or is private to us (`code` is then
    INSUFFICIENT_SCOPE, as Docker Hub answers for both). Checks turn this into a FAILED result."""

    exit_status = 1

    def __init__(self, registry: str, what: str, code: str = "") -> None:
        self.registry = registry
        self.what = what
        self.code = code
        private = code == "INSUFFICIENT_SCOPE"
        super().__init__(
            f"{what} was not found in {registry}"
            + (" (or it is private and these credentials may not read it)" if private else "")
            + (f" ({code})" if code and not private else "")
            + ". Check the name and tag, and that the image was pushed (`docker push ...`)"
            + (", and that the repository is public." if private else ".")
        )


class RegistryResponseError(RegistryError):
    def __init__(self, url: str, status: int, detail: str = "") -> None:
        self.url = safe_url(url)
        self.status = status
        self.detail = detail
        hint = (
            "The registry is rate-limiting us; wait a few minutes and grade again."
            if status == 429
            else "Try again later; if it persists, check the registry's logs."
        )
        super().__init__(
            f"The registry answered HTTP {status} for {self.url}"
            + (f": {detail}" if detail else "")
            + f". {hint}"
        )


class RedirectRefused(RegistryError):
    def __init__(self, url: str) -> None:
        self.url = safe_url(url)
        super().__init__(
            f"Refused to follow the registry's redirect to {self.url}: only HTTPS hosts and "
            "this machine are allowed. Check the registry's storage redirect settings."
        )


class UnsupportedManifest(RegistryError):
    def __init__(self, media_type: str, reference: str) -> None:
        self.media_type = media_type
        self.reference = reference
        super().__init__(
            f"{reference} has a manifest of type {media_type or 'unknown'}, which labgrade does "
            "not read (it reads Docker schema 2, OCI manifests, manifest lists and OCI indexes). "
            "Push the image again with a current Docker (`docker push`)."
        )


class PlatformNotFound(RegistryError):
    exit_status = 1

    def __init__(self, reference: str, platform: str, available: list[str]) -> None:
        self.reference = reference
        self.platform = platform
        self.available = available
        super().__init__(
            f"{reference} has no image for {platform}; it has: "
            f"{', '.join(available) or 'none'}. Build and push for {platform} "
            f"(`docker buildx build --platform {platform} --push ...`)."
        )


class DigestMismatch(RegistryError):
    def __init__(self, url: str, expected: str, actual: str) -> None:
        self.url = safe_url(url)
        self.expected = expected
        self.actual = actual
        super().__init__(
            f"Content from {self.url} has digest {actual}, expected {expected}. The registry or "
            "a proxy altered it; try again, and check the registry's storage."
        )


class CredentialsError(RegistryError):
    """The Docker config or a credential helper could not be read."""

    exit_status = 2

    def __init__(self, source: str, reason: str) -> None:
        self.source = source
        self.reason = reason
        super().__init__(
            f"Cannot read registry credentials from {source}: {reason}. Fix it, or run "
            "`docker login` again, or set LABGRADE_REGISTRY_USER and LABGRADE_REGISTRY_PASSWORD."
        )
