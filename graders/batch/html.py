"""summary.html: one self-contained page (inline CSS and SVG, no script, nothing fetched):
the score distribution, the pass rate of every check, the errored submissions, the gradebook."""

from __future__ import annotations

import math
from collections.abc import Sequence
from html import escape

from graders.batch.gradebook import BINS, L, Stats, bin_label, compute, headline, percent
from graders.batch.store import Record
from graders.i18n import Lang, Text
from graders.reporters.base import fmt_points, fmt_score

CSS = """
body{font:15px/1.45 system-ui,-apple-system,'Segoe UI',Roboto,sans-serif;margin:0;
 background:#f5f6f8;color:#1d2330}
main{max-width:1080px;margin:0 auto;padding:24px}
h1{font-size:24px;margin:0 0 4px}h2{font-size:18px;margin:0 0 12px}
.sub{color:#5b6475;margin-bottom:18px}
.cards{display:flex;gap:12px;flex-wrap:wrap;margin-bottom:18px}
.card{background:#fff;border-radius:10px;padding:10px 16px;box-shadow:0 1px 3px #0002;
 min-width:110px}.card b{display:block;font-size:22px}.card span{color:#5b6475;font-size:13px}
.row{display:flex;gap:18px;flex-wrap:wrap}.panel{background:#fff;border-radius:10px;
 padding:16px 18px;box-shadow:0 1px 3px #0002;margin-bottom:18px;flex:1;min-width:440px}
table{border-collapse:collapse;width:100%;font-size:14px}
td,th{padding:4px 8px;border-bottom:1px solid #e6e8ee;text-align:left}
td.n{text-align:right;font-variant-numeric:tabular-nums}
.err{color:#b3261e}.ok{color:#1b7f3b}.note{color:#5b6475;font-size:13px}
svg text{font-family:inherit}
"""


def _histogram(s: Stats, lang: Lang) -> str:
    w, h, left, bottom, top = 470, 230, 34, 36, 14
    bar_w = (w - left - 8) / BINS
    step = max(1, math.ceil(max(s.histogram, default=0) / 4))
    peak = 4 * step  # the axis top: whole students on every gridline
    parts = [f'<svg viewBox="0 0 {w} {h}" width="100%" role="img" '
             f'aria-label="{escape(L["dist"](lang))}">']
    for k in range(5):  # gridlines
        y = top + (h - top - bottom) * k / 4
        value = step * (4 - k)
        parts.append(f'<line x1="{left}" x2="{w - 4}" y1="{y:.1f}" y2="{y:.1f}" stroke="#e6e8ee"/>'
                     f'<text x="{left - 6}" y="{y + 4:.1f}" font-size="11" text-anchor="end" '
                     f'fill="#5b6475">{value:g}</text>')
    for i, n in enumerate(s.histogram):
        bh = (h - top - bottom) * n / peak
        x, y = left + i * bar_w + 3, h - bottom - bh
        hue = int(120 * i / (BINS - 1))
        parts.append(f'<rect x="{x:.1f}" y="{y:.1f}" width="{bar_w - 6:.1f}" height="{bh:.1f}" '
                     f'rx="3" fill="hsl({hue},62%,48%)"><title>{bin_label(i)}%: {n}</title></rect>')
        if n:
            parts.append(f'<text x="{x + (bar_w - 6) / 2:.1f}" y="{y - 4:.1f}" font-size="12" '
                         f'text-anchor="middle" font-weight="600">{n}</text>')
        parts.append(f'<text x="{x + (bar_w - 6) / 2:.1f}" y="{h - bottom + 16}" font-size="11" '
                     f'text-anchor="middle" fill="#5b6475">{bin_label(i)}</text>')
    parts.append(f'<text x="{(w + left) / 2}" y="{h - 4}" font-size="12" text-anchor="middle" '
                 f'fill="#5b6475">{escape(L["score"](lang))}</text></svg>')
    return "".join(parts)


def _check_bars(s: Stats, lang: Lang) -> str:
    row, label_w, w = 26, 230, 470
    h = row * len(s.checks) + 8
    parts = [f'<svg viewBox="0 0 {w} {h}" width="100%" role="img" '
             f'aria-label="{escape(L["checks"](lang))}">']
    for i, c in enumerate(s.checks):
        y = 4 + i * row
        full = w - label_w - 48
        colour = "#1b7f3b" if c.rate >= 0.8 else "#d08700" if c.rate >= 0.5 else "#c62828"
        name = c.id if len(c.id) <= 30 else c.id[:29] + "…"
        parts.append(
            f'<text x="{label_w - 8}" y="{y + 16}" font-size="12" text-anchor="end">'
            f'{escape(name)}<title>{escape(c.title(lang))}</title></text>'
            f'<rect x="{label_w}" y="{y + 3}" width="{full}" height="{row - 8}" rx="3" '
            f'fill="#eceef3"/><rect x="{label_w}" y="{y + 3}" width="{full * c.rate:.1f}" '
            f'height="{row - 8}" rx="3" fill="{colour}"><title>{c.passed}/{c.graded}</title>'
            f'</rect><text x="{label_w + full + 6}" y="{y + 16}" font-size="12">'
            f'{100 * c.rate:.0f}%</text>')
    return "".join(parts) + "</svg>"


def _cards(s: Stats, lang: Lang) -> str:
    items = [(str(s.count), L["students"](lang)),
             (fmt_score(s.mean, s.possible), L["mean"](lang)),
             (fmt_points(s.median), L["median"](lang)), (str(s.full_marks), L["full"](lang)),
             (str(len(s.errored)), L["errored"](lang))]
    return '<div class="cards">' + "".join(
        f'<div class="card"><b>{escape(v)}</b><span>{escape(k)}</span></div>'
        for v, k in items) + "</div>"


def _errors(s: Stats, lang: Lang) -> str:
    if not s.errored:
        return f'<p class="ok">{escape(L["no_errors"](lang))}</p>'
    rows = "".join(f'<tr><td>{escape(who)}</td><td class="err">{escape(why)}</td></tr>'
                   for who, why in s.errored)
    return (f'<table><tr><th>{escape(L["student"](lang))}</th><th>{escape(L["why"](lang))}</th>'
            f"</tr>{rows}</table>")


def _gradebook(records: Sequence[Record], lang: Lang) -> str:
    rows = "".join(
        f'<tr><td>{escape(r.student)}</td><td class="n">{fmt_points(r.result.score)}/'
        f'{fmt_points(r.result.possible)}</td><td class="n">{percent(r):.0f}%</td>'
        f'<td class="{"err" if r.status.value == "error" else ""}">{r.status.value}</td></tr>'
        for r in sorted(records, key=lambda r: r.student))
    return (f'<details><summary>{escape(L["gradebook"](lang))} ({len(records)})</summary>'
            f'<table><tr><th>{escape(L["student"](lang))}</th><th>{escape(L["points"](lang))}'
            f'</th><th>%</th><th>{escape(L["status"](lang))}</th></tr>{rows}</table></details>')


def summary_html(records: Sequence[Record], lab: str, title: Text, lang: Lang) -> str:
    s = compute(records)
    head = f"{escape(lab)}: {escape(title(lang))}"
    return (
        f'<!DOCTYPE html>\n<html lang="{"pt-BR" if lang == "pt" else "en"}"><head>'
        f'<meta charset="utf-8"><meta name="viewport" content="width=device-width">'
        f"<title>{head} · labgrade</title><style>{CSS}</style></head><body><main>"
        f'<h1>{head}</h1><div class="sub">{escape(L["title"](lang))} · '
        f"{escape(headline(s, lang))}</div>{_cards(s, lang)}"
        f'<div class="row"><section class="panel"><h2>{escape(L["dist"](lang))}</h2>'
        f'{_histogram(s, lang)}<p class="note">{escape(L["rate_note"](lang))}</p></section>'
        f'<section class="panel"><h2>{escape(L["checks"](lang))}</h2>'
        f"{_check_bars(s, lang)}</section></div>"
        f'<section class="panel"><h2>{escape(L["errors"](lang))} ({len(s.errored)})</h2>'
        f"{_errors(s, lang)}</section><section class=\"panel\">{_gradebook(records, lang)}"
        f"</section></main></body></html>\n")
