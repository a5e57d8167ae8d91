"""The reporter contract, and what every format shares: verdicts, points, labels, hidden checks.

A reporter turns one finished `LabResult` into the text of one format. It never runs checks,
never decides a score and never reads anything but the result it is given.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import ClassVar, Protocol, runtime_checkable

from graders.i18n import Lang, Text
from graders.results import CheckResult, LabResult, Status

GRADER_NAME = "labgrade"


@runtime_checkable
class Reporter(Protocol):
    """One output format. Options (student view, colour, ...) are the class's dataclass fields."""

    name: ClassVar[str]

    def render(self, result: LabResult, lang: Lang) -> str:
        """The whole output for one graded submission."""
        ...


@runtime_checkable
class MultiReporter(Reporter, Protocol):
    """A format with a combined form for many results (a batch, or several labs)."""

    def render_many(self, results: Sequence[LabResult], lang: Lang) -> str:
        """One document holding every result, in order."""
        ...


def grader_version() -> str:
    from graders import __version__

    return __version__


def fmt_points(value: float) -> str:
    """2.0 -> "2", 0.849 -> "0.85": points as people write them."""
    return format(round(value, 2), "g")


def fmt_score(score: float, possible: float) -> str:
    """`"7.5/10"`: a score out of what was possible."""
    return f"{fmt_points(score)}/{fmt_points(possible)}"


STATUS_LABEL: dict[Status, Text] = {
    Status.PASSED: Text("passou", "passed"),
    Status.FAILED: Text("falhou", "failed"),
    Status.ERROR: Text("erro", "error"),
    Status.SKIPPED: Text("ignorada", "skipped"),
}
STATUS_EMOJI: dict[Status, str] = {
    Status.PASSED: "✅",
    Status.FAILED: "❌",
    Status.ERROR: "⚠️",
    Status.SKIPPED: "⏭️",
}

LABELS: dict[str, Text] = {
    "score": Text("Nota", "Score"),
    "points": Text("Pontos", "Points"),
    "check": Text("Verificação", "Check"),
    "status": Text("Situação", "Status"),
    "expected": Text("Esperado", "Expected"),
    "actual": Text("Obtido", "Actual"),
    "hint": Text("Dica", "Hint"),
    "line": Text("Linha do Dockerfile", "Dockerfile line"),
    "build": Text("Build da imagem", "Image build"),
    "build_log": Text("Final do log do build", "End of the build log"),
    "details": Text("Detalhes", "Details"),
    "to_fix": Text("O que corrigir", "What to fix"),
    "grader_errors": Text("Erros do corretor (não seus)", "Grader errors (not yours)"),
    "hidden": Text("Verificações ocultas", "Hidden checks"),
    "lab_error": Text(
        "Parte da correção não pôde ser feita (erro do corretor, não seu). Avise o professor.",
        "Part of the grading could not run (a grader error, not yours). Tell your instructor.",
    ),
    "hidden_error": Text(
        "Uma verificação oculta não pôde ser executada. Avise o professor.",
        "A hidden check could not run. Tell your instructor.",
    ),
    "no_checks": Text("Nenhuma verificação foi corrigida.", "No check was graded."),
    "omitted": Text(
        "{n} verificação(ões) omitida(s) para caber no limite de tamanho.",
        "{n} check(s) left out to fit the size limit.",
    ),
}


def label(key: str, lang: Lang, **values: object) -> str:
    text = LABELS[key]
    return (text.format(**values) if values else text)(lang)


@dataclass(frozen=True)
class HiddenSummary:
    """All hidden checks folded into one line: points count, titles and messages stay secret."""

    count: int
    score: float
    possible: float
    status: Status

    def title(self, lang: Lang) -> str:
        return label("hidden", lang)

    def message(self, lang: Lang) -> str:
        points = fmt_score(self.score, self.possible)
        if self.status is Status.ERROR:
            return label("hidden_error", lang) + f" ({points})"
        return Text(
            "{n} verificação(ões) oculta(s): {p} pontos.", "{n} hidden check(s): {p} points."
        ).format(n=self.count, p=points)(lang)


def hidden_summary(result: LabResult) -> HiddenSummary | None:
    """The hidden checks as one `HiddenSummary`, or None when the lab has none."""
    hidden = [c for c in result.checks if c.hidden]
    if not hidden:
        return None
    if any(c.status is Status.ERROR for c in hidden):
        status = Status.ERROR
    elif all(c.status is Status.PASSED for c in hidden):
        status = Status.PASSED
    else:
        status = Status.FAILED
    return HiddenSummary(
        count=len(hidden),
        score=round(sum(c.score for c in hidden), 4),
        possible=round(sum(c.possible for c in hidden), 4),
        status=status,
    )


def shown_checks(result: LabResult, student_view: bool) -> tuple[CheckResult, ...]:
    """The checks whose own text may be shown: all of them, or the visible ones for students."""
    if not student_view:
        return result.checks
    return tuple(c for c in result.checks if not c.hidden)


def unique_ids(checks: Sequence[CheckResult]) -> list[str]:
    """Check ids made unique (`id`, `id#2`, ...): several formats key entries by name."""
    seen: dict[str, int] = {}
    out: list[str] = []
    for check in checks:
        n = seen.get(check.check_id, 0) + 1
        seen[check.check_id] = n
        out.append(check.check_id if n == 1 else f"{check.check_id}#{n}")
    return out
