"""Errors labgrade raises. Catch `GraderError` to catch everything.

`GraderError` means labgrade itself, a lab spec or the infrastructure is at fault. A student's
mistake is never an exception: it is a `FAILED` check result.
"""

from __future__ import annotations

from pathlib import Path


class GraderError(Exception):
    """Root of every labgrade error; catch this to catch everything."""

    exit_status = 3


class UsageError(GraderError):
    """The command line asks for something that cannot be done (unknown lab, missing folder)."""

    exit_status = 2


class SpecError(GraderError):
    """A lab.yaml is invalid. The message names the file, the field path and what is allowed."""

    exit_status = 2

    def __init__(self, message: str, *, file: Path | str | None = None, field: str = "") -> None:
        self.file = str(file) if file else None
        self.field = field
        self.reason = message
        where = self.file or "lab spec"
        if field:
            where = f"{where}: {field}"
        super().__init__(f"{where}: {message}")


def docker_host() -> str:
    """The engine address Docker's clients use here: DOCKER_HOST, else the default socket."""
    import os

    return os.environ.get("DOCKER_HOST", "unix:///var/run/docker.sock")


class DockerUnavailable(GraderError):
    """No Docker engine answers."""

    exit_status = 3

    def __init__(self, host: str, reason: str = "") -> None:
        self.host = host
        self.reason = reason
        super().__init__(
            f"Cannot reach the Docker daemon at {host}"
            + (f" ({reason})" if reason else "")
            + ". Is Docker running? Start Docker Desktop or `sudo systemctl start docker`, or set "
            "DOCKER_HOST; check with `docker info`."
        )


class BackendError(GraderError):
    """A Docker operation failed for a reason that is not the student's fault."""

    exit_status = 3

    def __init__(self, operation: str, detail: str) -> None:
        self.operation = operation
        self.detail = detail
        super().__init__(f"Docker {operation} failed: {detail}")
