"""The result model: what every front end and reporter receives, and nothing else."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum

from graders.i18n import Lang, Shown, Text, in_lang


class Status(str, Enum):
    """A check's verdict. FAILED is the student's fault; ERROR is ours or the infrastructure's."""

    PASSED = "passed"
    FAILED = "failed"
    ERROR = "error"
    SKIPPED = "skipped"


@dataclass(frozen=True)
class CheckResult:
    """One graded check. `message` says what happened; `expected`/`actual` say it precisely."""

    check_id: str
    title: Text
    type: str
    status: Status
    score: float
    possible: float
    hidden: bool
    message: Text
    expected: Shown | None = None
    actual: Shown | None = None
    """Words are a `Text`; a literal value (a path, a port, a Dockerfile line) is a `str`."""
    hint: Text | None = None
    details: str = ""
    """Raw evidence for instructors: build log tail, stdout/stderr, a traceback on ERROR."""
    line: int | None = None
    """The Dockerfile line this check points to, when there is one."""
    live: bool = False
    duration_s: float = 0.0

    def feedback(self, lang: Lang) -> str:
        """What, expected, actual and hint, as one readable paragraph."""
        parts = [self.message(lang)]
        if self.status is not Status.PASSED:
            if self.expected is not None:
                head = "Esperado: " if lang == "pt" else "Expected: "
                parts.append(head + in_lang(self.expected, lang))
            if self.actual is not None:
                head = "Obtido: " if lang == "pt" else "Actual: "
                parts.append(head + in_lang(self.actual, lang))
            if self.hint is not None and self.status is Status.FAILED:
                parts.append(("Dica: " if lang == "pt" else "Hint: ") + self.hint(lang))
        return "\n".join(parts)


@dataclass(frozen=True)
class BuildInfo:
    """How the image build went. `status` is passed, failed (student), error (ours) or skipped."""

    status: Status
    duration_s: float = 0.0
    log_tail: str = ""
    image_id: str | None = None
    explanation: Text | None = None
    """A teacher's reading of the build failure, pointing to the Dockerfile line."""
    line: int | None = None


@dataclass(frozen=True)
class LabResult:
    """Everything graded for one submission of one lab."""

    lab: str
    title: Text
    submission: str
    checks: tuple[CheckResult, ...]
    build: BuildInfo = field(default_factory=lambda: BuildInfo(Status.SKIPPED))
    duration_s: float = 0.0
    run_id: str = ""

    @property
    def score(self) -> float:
        return round(sum(c.score for c in self.checks), 4)

    @property
    def possible(self) -> float:
        return round(sum(c.possible for c in self.checks), 4)

    @property
    def errored(self) -> bool:
        """Ours or the infrastructure's fault: a check errored, the build broke on our side,
        or nothing at all was graded."""
        return (self.build.status is Status.ERROR or not self.checks
                or any(c.status is Status.ERROR for c in self.checks))

    @property
    def passed_all_public(self) -> bool:
        return all(c.status is Status.PASSED for c in self.checks if not c.hidden)

    @property
    def status(self) -> Status:
        """ERROR when `errored`, PASSED at full score, else FAILED."""
        if self.errored:
            return Status.ERROR
        return Status.PASSED if self.score >= self.possible else Status.FAILED

    def visible(self) -> LabResult:
        """The same result with hidden checks removed, for student-facing outputs."""
        from dataclasses import replace

        return replace(self, checks=tuple(c for c in self.checks if not c.hidden))
