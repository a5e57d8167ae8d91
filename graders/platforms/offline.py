"""Grading where no Docker engine answers (Gradescope's autograder, a laptop with Docker off).

The Dockerfile's static checks need no engine, so they are still graded; every check that
needed the image or a container becomes ERROR with one clear message instead of a traceback,
and the build is ERROR with the same explanation. Platforms then show a result that says what
went wrong (Gradescope's results.json, Classroom's `tests` array) rather than nothing.
"""

from __future__ import annotations

import dataclasses
from typing import Any, NoReturn

from graders.errors import BackendError, DockerUnavailable
from graders.i18n import Text
from graders.results import BuildInfo, LabResult, Status

NO_DOCKER = Text(
    "Não há um Docker engine neste ambiente de correção ({reason}), então a imagem não pôde "
    "ser construída nem executada. Não é culpa sua: avise o professor.",
    "There is no Docker engine in this grading environment ({reason}), so the image could not "
    "be built or run. This is not your fault: tell your instructor.",
)


class NoDockerBackend:
    """A backend whose every operation fails as `BackendError`, so the engine records an ERROR.

    (`DockerUnavailable` itself would abort the whole run, static checks included.)
    """

    name = "none"

    def __init__(self, reason: DockerUnavailable) -> None:
        self.reason = reason

    def __getattr__(self, operation: str) -> Any:
        def fail(*_args: Any, **_kwargs: Any) -> NoReturn:
            raise BackendError(operation, str(self.reason))

        return fail


def explain(result: LabResult, reason: DockerUnavailable) -> LabResult:
    """Replace the engine's generic crash text with the no-engine message, and drop tracebacks."""
    short = reason.reason or reason.host
    message = NO_DOCKER.format(reason=short)
    checks = tuple(
        dataclasses.replace(c, message=message, details=str(reason), hint=None)
        if c.status is Status.ERROR
        else c
        for c in result.checks
    )
    build = result.build
    if build.status is Status.ERROR or (build.status is Status.SKIPPED and result.errored):
        build = BuildInfo(Status.ERROR, build.duration_s, "", None, message)
    return dataclasses.replace(result, checks=checks, build=build)
