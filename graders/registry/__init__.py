"""Registries: the embedded registry (`server`), an HTTP API v2 client, references, credentials."""

from graders.registry.client import Ping, RegistryClient
from graders.registry.credentials import Credentials, is_logged_in, resolve_credentials
from graders.registry.errors import RegistryError, RegistryNotFound
from graders.registry.manifest import Manifest
from graders.registry.reference import ImageReference, Violation, normalize, parse_reference
from graders.registry.server import RegistryStatus

__all__ = [
    "Credentials",
    "ImageReference",
    "Manifest",
    "Ping",
    "RegistryClient",
    "RegistryError",
    "RegistryNotFound",
    "RegistryStatus",
    "Violation",
    "is_logged_in",
    "normalize",
    "parse_reference",
    "resolve_credentials",
]
