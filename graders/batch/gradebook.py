"""The class's results as a gradebook (CSV), statistics and a Markdown summary. Pure functions
of the stored records: the same records always give the same bytes (resume and merge rely on it).
"""

from __future__ import annotations

import csv
import io
import statistics
from collections.abc import Sequence
from dataclasses import dataclass

from graders.batch.repush import changes
from graders.batch.store import Record
from graders.i18n import Lang, Text
from graders.reporters._text import md_escape, one_line, sanitize
from graders.reporters.base import fmt_points
from graders.results import Status

BINS = 10

L: dict[str, Text] = {
    "title": Text("Resumo da turma", "Class summary"),
    "students": Text("estudantes", "students"),
    "mean": Text("média", "mean"),
    "median": Text("mediana", "median"),
    "full": Text("nota máxima", "full marks"),
    "errored": Text("com erro", "errored"),
    "dist": Text("Distribuição das notas", "Score distribution"),
    "score": Text("Nota (%)", "Score (%)"),
    "checks": Text("Taxa de acerto por verificação", "Pass rate per check"),
    "check": Text("Verificação", "Check"),
    "points": Text("Pontos", "Points"),
    "passed": Text("Passaram", "Passed"),
    "rate": Text("Taxa", "Rate"),
    "avg": Text("Pontos médios", "Mean points"),
    "errors": Text("Entregas com erro", "Errored submissions"),
    "no_errors": Text("Nenhuma entrega com erro.", "No submission errored."),
    "rate_note": Text("Entregas com erro ficam fora das estatísticas, do gráfico e das taxas.",
                      "Errored submissions are left out of the statistics, chart and rates."),
    "student": Text("Estudante", "Student"),
    "why": Text("Motivo", "Why"),
    "gradebook": Text("Notas", "Gradebook"),
    "status": Text("Situação", "Status"),
    "repushed": Text("Tags enviadas de novo", "Tags pushed again"),
    "repushed_note": Text("A tag destes estudantes aponta para outro digest desde a correção "
                          "anterior: a imagem corrigida agora não é a de antes.",
                          "These students' tag names another digest since their previous "
                          "grading: the image graded now is not the one graded before."),
}


@dataclass(frozen=True)
class CheckStat:
    id: str
    title: Text
    possible: float
    passed: int
    graded: int
    mean_points: float

    @property
    def rate(self) -> float:
        return self.passed / self.graded if self.graded else 0.0


@dataclass(frozen=True)
class Stats:
    count: int
    mean: float
    median: float
    possible: float
    full_marks: int
    histogram: tuple[int, ...]
    """Students per tenth of the maximum: [0, 10) ... [90, 100]. Mean, median and histogram
    leave errored submissions out: their 0 says nothing about the student."""
    checks: tuple[CheckStat, ...]
    errored: tuple[tuple[str, str], ...]
    """(student, why) for every submission whose result is an ERROR."""


def check_columns(records: Sequence[Record]) -> list[tuple[str, Text, float]]:
    """Every check id in lab order (the first result listing it), with its title and points."""
    seen: dict[str, tuple[str, Text, float]] = {}
    for rec in records:
        for c in rec.result.checks:
            seen.setdefault(c.check_id, (c.check_id, c.title, c.possible))
    return list(seen.values())


def percent(rec: Record) -> float:
    r = rec.result
    return 100.0 * r.score / r.possible if r.possible else 0.0


def error_reason(rec: Record) -> str:
    """One line: the batch's own reason, or the last line of the engine's traceback."""
    if rec.error:
        lines = rec.error.strip().splitlines()
        return sanitize(one_line(lines[0] if lines else "error"))[:300]
    bad = [c for c in rec.result.checks if c.status is Status.ERROR and c.details.strip()]
    if not bad:
        return "the build failed on the grader's side" if rec.result.checks else "no check ran"
    return sanitize(f"{bad[0].check_id}: {one_line(bad[0].details.strip().splitlines()[-1])}")[:300]


def compute(records: Sequence[Record]) -> Stats:
    recs = sorted(records, key=lambda r: r.student)
    fine = [r for r in recs if r.status is not Status.ERROR]  # an error's 0 is no score
    scores = [r.result.score for r in fine]
    hist = [0] * BINS
    for r in fine:
        hist[min(BINS - 1, int(percent(r) // (100 / BINS)))] += 1
    checks = []
    for cid, title, possible in check_columns(recs):
        got = [c for r in fine for c in r.result.checks if c.check_id == cid]
        checks.append(CheckStat(cid, title, possible, sum(c.status is Status.PASSED for c in got),
                                len(got), statistics.fmean(c.score for c in got) if got else 0.0))
    return Stats(
        count=len(recs),
        mean=statistics.fmean(scores) if scores else 0.0,
        median=statistics.median(scores) if scores else 0.0,
        possible=max((r.result.possible for r in recs), default=0.0),
        full_marks=sum(r.full_marks for r in recs),
        histogram=tuple(hist),
        checks=tuple(checks),
        errored=tuple((r.student, error_reason(r)) for r in recs if r.status is Status.ERROR))


FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
"""Cells a spreadsheet would run as a formula (OWASP CSV injection)."""


def csv_cell(text: str) -> str:
    """A cell no spreadsheet runs: text starting with = + - @, a tab or CR gets a leading `'`
    (OWASP's advice); numbers are left alone. A line break inside becomes `\\r`/`\\n`, so a
    cell never splits a row for a reader that ignores quotes."""
    if text.startswith(FORMULA_START):
        try:
            float(text)
        except ValueError:
            text = "'" + text
    return text.replace("\r", "\\r").replace("\n", "\\n")


def gradebook_csv(records: Sequence[Record]) -> str:
    """student, score, max, one column per check id (its points), status; sorted by student."""
    recs = sorted(records, key=lambda r: r.student)
    ids = [cid for cid, _, _ in check_columns(recs)]
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow([csv_cell(c) for c in ("student", "score", "max", *ids, "status")])
    for rec in recs:
        points = {c.check_id: fmt_points(c.score) for c in rec.result.checks}
        w.writerow([csv_cell(c) for c in (
            rec.student, fmt_points(rec.result.score), fmt_points(rec.result.possible),
            *(points.get(cid, "") for cid in ids), rec.status.value)])
    return buf.getvalue()


def headline(s: Stats, lang: Lang) -> str:
    return (f"{s.count} {L['students'](lang)} · {L['mean'](lang)} {fmt_points(s.mean)}/"
            f"{fmt_points(s.possible)} · {L['median'](lang)} {fmt_points(s.median)} · "
            f"{L['full'](lang)} {s.full_marks} · {L['errored'](lang)} {len(s.errored)}")


def bin_label(i: int) -> str:
    step = 100 // BINS
    return f"{i * step}-{100 if i == BINS - 1 else (i + 1) * step - 1}"


def summary_md(records: Sequence[Record], lab: str, title: Text, lang: Lang) -> str:
    s = compute(records)
    out = [f"# {lab}: {md_escape(title(lang))}", "", f"**{L['title'](lang)}**: "
           f"{headline(s, lang)}", "", L["rate_note"](lang), "", f"## {L['dist'](lang)}", "",
           f"| {L['score'](lang)} | {L['students'](lang)} | |", "| --- | ---: | --- |"]
    top = max(s.histogram, default=0) or 1
    out += [f"| {bin_label(i)} | {n} | {'█' * round(20 * n / top)} |"
            for i, n in enumerate(s.histogram)]
    out += ["", f"## {L['checks'](lang)}", "",
            f"| {L['check'](lang)} | {L['points'](lang)} | {L['passed'](lang)} | "
            f"{L['rate'](lang)} | {L['avg'](lang)} |", "| --- | ---: | ---: | ---: | ---: |"]
    out += [f"| `{c.id}` {md_escape(c.title(lang))} | {fmt_points(c.possible)} | "
            f"{c.passed}/{c.graded} | {100 * c.rate:.0f}% | {fmt_points(c.mean_points)} |"
            for c in s.checks]
    out += ["", f"## {L['errors'](lang)}", ""]
    out += [f"- **{md_escape(who)}**: {md_escape(why)}" for who, why in s.errored] or \
        [L["no_errors"](lang)]
    repushed = changes(sorted(records, key=lambda r: r.student))
    if repushed:
        out += ["", f"## {L['repushed'](lang)}", "", L["repushed_note"](lang), ""]
        out += [f"- **{md_escape(c.student)}**: `{c.reference}` {c.old} → {c.new}"
                for c in repushed]
    return "\n".join(out) + "\n"
