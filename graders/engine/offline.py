"""Grading where no Docker engine answers (Gradescope's autograder, a laptop with Docker off).

The engine is told so (`NoEngine` in place of a backend): the Dockerfile's checks are still
graded, and every check that needs the image, a container or the student's engine is ERROR with
one clear message (not the student's fault), as is the build. Platforms then show a result that
says what went wrong (Gradescope's results.json, Classroom's `tests` array) rather than nothing.
"""

from __future__ import annotations

from dataclasses import dataclass

from graders.errors import DockerUnavailable
from graders.i18n import Text

NO_DOCKER = Text(
    "Não há um Docker engine neste ambiente de correção ({reason}), então a imagem não pôde "
    "ser construída nem executada. Não é culpa sua: avise o professor.",
    "There is no Docker engine in this grading environment ({reason}), so the image could not "
    "be built or run. This is not your fault: tell your instructor.",
)


@dataclass(frozen=True)
class NoEngine:
    """Given to the engine in place of a backend when no Docker engine answers."""

    reason: DockerUnavailable

    @property
    def message(self) -> Text:
        return NO_DOCKER.format(reason=self.reason.reason or self.reason.host)
