"""Errors labgrade raises. Catch `GraderError` to catch everything.

`GraderError` means labgrade itself, a lab spec or the infrastructure is at fault. A student's
mistake is never an exception: it is a `FAILED` check result.

Each error may carry its message in both languages (a `Text`); `str(e)` is the English one (logs,
tracebacks) and `e.message(lang)` what the command line prints in the user's language.
"""

from __future__ import annotations

from pathlib import Path

from graders.i18n import Lang, Text


class GraderError(Exception):
    """Root of every labgrade error; catch this to catch everything."""

    exit_status = 3

    def __init__(self, message: str | Text = "") -> None:
        self.text = message if isinstance(message, Text) else Text.same(message)
        super().__init__(self.text.en)

    def message(self, lang: Lang) -> str:
        return self.text(lang)


class UsageError(GraderError):
    """The command line asks for something that cannot be done (unknown lab, missing folder)."""

    exit_status = 2


LAB_SPEC = Text("especificação do lab", "lab spec")


class SpecError(GraderError):
    """A lab.yaml is invalid. The message names the file, the field path and what is allowed."""

    exit_status = 2

    def __init__(self, message: str | Text, *, file: Path | str | None = None,
                 field: str = "") -> None:
        self.file = str(file) if file else None
        self.field = field
        reason = message if isinstance(message, Text) else Text.same(message)
        self.reason = reason.en
        where = Text.same(self.file) if self.file else LAB_SPEC
        if field:
            where += Text.same(f": {field}")
        super().__init__(where + Text.same(": ") + reason)


def docker_host() -> str:
    """The engine address Docker's clients use here: DOCKER_HOST, else the default socket."""
    import os

    return os.environ.get("DOCKER_HOST", "unix:///var/run/docker.sock")


NO_DAEMON = Text(
    "Não foi possível falar com o Docker em {host}{reason}. O Docker está rodando? Inicie o "
    "Docker Desktop ou rode `sudo systemctl start docker`, ou defina DOCKER_HOST; confira com "
    "`docker info`.",
    "Cannot reach the Docker daemon at {host}{reason}. Is Docker running? Start Docker Desktop "
    "or `sudo systemctl start docker`, or set DOCKER_HOST; check with `docker info`.",
)


class DockerUnavailable(GraderError):
    """No Docker engine answers."""

    exit_status = 3

    def __init__(self, host: str, reason: str = "") -> None:
        self.host = host
        self.reason = reason
        super().__init__(NO_DAEMON.format(host=host, reason=f" ({reason})" if reason else ""))


BACKEND_FAILED = Text("Docker: {operation} falhou: {detail}", "Docker {operation} failed: {detail}")


class BackendError(GraderError):
    """A Docker operation failed for a reason that is not the student's fault."""

    exit_status = 3

    def __init__(self, operation: str, detail: str) -> None:
        self.operation = operation
        self.detail = detail
        super().__init__(BACKEND_FAILED.format(operation=operation, detail=detail))
