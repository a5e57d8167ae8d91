"""Helpers shared by the live check types: image names, port fields and the fix commands.

A live check's message ends with the exact command that fixes the state, in the form the
course teaches (`docker run -p 8080:80 -d --name apache apache_server:v1.0`).
"""

from __future__ import annotations

import difflib
import re

from graders.i18n import Text
from graders.registry.reference import DOCKER_HUB, parse_reference

PORT_MAP = re.compile(r"^(\d{1,5}):(\d{1,5})$")


def familiar(ref: str) -> str:
    """`ref` as `docker image ls` names it, with the tag: `debian` -> `debian:latest`,
    `docker.io/library/x:1` -> `x:1`, `localhost:5000/a/b:1` unchanged."""
    parsed = parse_reference(ref)
    repo = repository_of(ref)
    if parsed.digest and not parsed.tag:
        return f"{repo}@{parsed.digest}"
    return f"{repo}:{parsed.tag or 'latest'}"


def repository_of(ref: str) -> str:
    """The repository part of `ref` in its short form: `alice/app:v1` -> `alice/app`."""
    parsed = parse_reference(ref)
    if parsed.registry == DOCKER_HUB:
        return parsed.repository.removeprefix("library/")
    return f"{parsed.registry}/{parsed.repository}"


def ref_problems(field: str, ref: object) -> list[str]:
    """Problems with an image reference field (it must be one Docker accepts)."""
    if not isinstance(ref, str) or not ref.strip():
        return [f"{field}: expected an image reference such as apache_server:v1.0, got {ref!r}"]
    parsed = parse_reference(ref)
    return [f"{field}: {v.message.en}" for v in parsed.violations if v.grammar]


def port_maps(values: object) -> list[tuple[int, int]] | None:
    """`["8080:80"]` as `[(8080, 80)]`; None when any entry is not `HOST:CONTAINER`."""
    if not isinstance(values, list | tuple):
        return None
    out = []
    for value in values:
        match = PORT_MAP.match(str(value))
        if not match or isinstance(value, bool):
            return None
        host, cport = int(match.group(1)), int(match.group(2))
        if not (0 < host < 65536 and 0 < cport < 65536):
            return None
        out.append((host, cport))
    return out


def run_command(name: str, image: str, ports: list[tuple[int, int]]) -> str:
    """The course's `docker run -p 8080:80 -d --name apache apache_server:v1.0`."""
    publish = "".join(f"-p {host}:{cport} " for host, cport in ports)
    return f"docker run {publish}-d --name {name} {image}"


def close_matches(wanted: str, candidates: list[str], n: int = 3) -> list[str]:
    """The candidates that look like a typo of `wanted`, best first."""
    return difflib.get_close_matches(wanted, candidates, n=n, cutoff=0.75)


def listing(items: list[str], limit: int = 8) -> str:
    """`a, b, c` (or `a, b, ... (12 in all)`)."""
    shown = ", ".join(items[:limit])
    return shown + (f", ... ({len(items)})" if len(items) > limit else "")


def fix(command: str) -> Text:
    """` Corrija com: CMD` / ` Fix it with: CMD`."""
    return Text(f" Corrija com: {command}", f" Fix it with: {command}")


def join(parts: list[Text], sep: str = "; ") -> Text:
    out = Text("", "")
    for i, part in enumerate(parts):
        out = out + (Text(sep, sep) if i else Text("", "")) + part
    return out
