"""What a student reads in a Portuguese run, in every student-facing format, and the English
phrases and raw regexes that must not be in it (issue 14).

`english_in(result)` renders a result with `--lang pt` as the table (and each check's feedback
paragraph), Markdown, JSON, Classroom, Gradescope, PrairieLearn and JUnit do, keeps the text
a student reads (not JSON keys, enum values or XML markup), takes out the evidence that is the
student's own (the build log, Dockerfile lines, quoted output, the submission's path) and
returns what still reads as English or as a regex.
"""

from __future__ import annotations

import html
import json
import re
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from typing import Any

from graders.reporters.classroom import classroom_dict
from graders.reporters.gradescope import gradescope_dict
from graders.reporters.json_report import result_dict
from graders.reporters.junit import JunitReporter
from graders.reporters.markdown import MarkdownReporter
from graders.reporters.prairielearn import PrairieLearnReporter
from graders.reporters.table import TableReporter
from graders.results import LabResult

ENGLISH = (
    "expected", "actual", "hint", "score", "not installed", "unset", "running after",
    "exited", "exit code", "not pushed", "exec form", "shell form", "container", "stopped",
    "missing", "found", "seconds", "absent", "empty", "answer", "body", "killed", "output",
    "none", "nothing", "neither", "should", "does not", "is not", "could not", "cannot",
    "the", "and", "with", "within", "after", "before", "not", "only", "line", "passed",
    "failed", "skipped", "error", "image", "stage", "file", "folder", "directory", "running",
    "created", "credentials", "version", "first", "declared", "repository", "pushed",
    "layers", "size", "user", "mode", "owner", "group", "content", "matches", "starting",
    "containing", "your", "name", "see", "check", "instructions",
    "foreground", "detached", "ports", "logged", "unreadable", "token",
)
"""Words and phrases that are English only. A word Portuguese shares (tag, build log as
"log", an instruction name such as RUN or USER in capitals) is matched as a whole word and
case-sensitively in lower case, so `USER` and `CMD` (Dockerfile syntax) do not count."""
ENGLISH_RE = re.compile(r"\b(" + "|".join(re.escape(w) for w in ENGLISH) + r")\b")
REGEX_RE = re.compile(
    r"=~"  # our old "matches" operator
    r"|\\[bdswBDSW]"  # character classes and word boundaries
    r"|\(\?[aiLmsux]+\)|\(\?[=!<]"  # inline flags, look-arounds
    r"|(?<![\w/])\^\S*\$(?!\w)"  # an anchored ^...$
    r"|/[^/\s]*[\^$|()?+\\][^/\s]*/"  # a /pattern/ with regex syntax in it
)
QUOTED_RE = re.compile(r"'(?:[^'\\\n]|\\.)*'|\"(?:[^\"\\\n]|\\.)*\"")
"""A quoted value: the student's output, a body, an example command; the same in both."""
DOCKERFILE_LINE_RE = re.compile(r"[\w./-]+:\d+(?::\d+)?: [^\n]*")
"""`Dockerfile:5: RUN ...`, `hello.go:6: syntax error: ...`: a file's line, or a tool's message
about one, quoted as it is."""
MD_ESCAPE_RE = re.compile(r"\\([\\`*_{}\[\]()#+\-.!|~:<>])")
SHARED = ("multi-stage", "build", "labgrade")
"""Terms Portuguese uses as they are (Docker's own words)."""
ARGV_RE = re.compile(r"\[[^\]\n]*\]")
"""An argv as JSON (`["/app/hello"]`): a literal value."""
COMMAND_RE = re.compile(r"\b(docker|apt-get|apt|rm|apachectl|httpd)\b(?:[^\n;.]|\.(?=\S))*")
"""A command line to type, the same in both languages."""
URL_RE = re.compile(r"\bhttps?://\S+|\S+\.(?:md|yaml|yml|conf|html|txt|sh)\b")
PATH_RE = re.compile(r"(?<![\w/])/[\w.*-]+(?:/[\w.*-]*)*")
"""An absolute path (/etc/group, /srv/app): a literal."""


def _strings(value: Any, keys: frozenset[str]) -> Iterator[str]:
    """The string values under `keys`, anywhere in a JSON document."""
    if isinstance(value, dict):
        for key, item in value.items():
            if key in keys and isinstance(item, str):
                yield item
            else:
                yield from _strings(item, keys)
    elif isinstance(value, list):
        for item in value:
            yield from _strings(item, keys)


def _junit_text(xml: str) -> Iterator[str]:
    for el in ET.fromstring(xml).iter():
        if el.tag == "testcase":
            yield el.get("name", "").split(": ", 1)[-1]  # after the check id
        if el.tag in ("failure", "error", "skipped"):
            yield el.get("message", "")
            yield el.text or ""


def renderings(result: LabResult) -> dict[str, str]:
    """What a student reads of `result` in a Portuguese run, per format."""
    lang = "pt"
    texts = {
        "table": TableReporter(width=1000).render(result, lang),  # no wrapping
        "feedback": "\n".join(c.feedback(lang) for c in result.visible().checks),
        "markdown": MarkdownReporter().render(result, lang),
        "json": "\n".join(_strings(result_dict(result, lang, student_view=True), frozenset(
            {"title", "message", "expected", "actual", "hint", "explanation"}))),
        "classroom": "\n".join(_strings(classroom_dict(result, lang), frozenset(
            {"name", "message"}))),
        "gradescope": "\n".join(_strings(gradescope_dict(result, lang), frozenset(
            {"name", "output"}))),
        "prairielearn": "\n".join(_strings(json.loads(
            PrairieLearnReporter().render(result, lang)), frozenset(
            {"name", "message", "output", "gradable"}))),
        "junit": "\n".join(_junit_text(JunitReporter(student_view=True).render(result, lang))),
    }
    return texts


def _plain(text: str) -> str:
    """Markdown's escapes and line breaks undone, so every format reads alike."""
    return html.unescape(MD_ESCAPE_RE.sub(r"\1", text.replace("<br>", "\n")))


def _evidence(result: LabResult) -> str:
    """The tools' and the student's own output, whitespace collapsed: the build log and each
    check's `details` (where a check keeps whole the container output it quotes)."""
    raw = "\n".join([result.build.log_tail, *(c.details for c in result.checks)])
    return " ".join(_plain(raw).split())


def _without_log(text: str, result: LabResult) -> str:
    """`text` without what it quotes of the evidence: a whole line (a fenced build log), or
    the end of a line ("last stderr: <the container's last line>")."""
    evidence = _evidence(result)
    kept = []
    for line in _plain(text).splitlines():
        flat = " ".join(line.split())
        starts = [0] + [m.end() for m in re.finditer(r"[\s…]", flat)]
        for i in starts:  # the longest quoted end of the line, cut at a word
            end = flat[i:]
            if end and (i == 0 or len(end) >= 12) and end in evidence:
                flat = flat[:i]
                break
        kept.append(flat)
    return "\n".join(kept)


def _without_evidence(text: str, result: LabResult) -> str:
    """`text` without what is the student's own or a literal value (same in both languages):
    the build log and the container's output a check quotes (`_without_log`), quoted values,
    Dockerfile lines, commands, paths, the check ids and the submission."""
    text = _without_log(text, result)
    for term in SHARED:
        text = text.replace(term, " ")
    for c in result.checks:
        text = text.replace(c.check_id, " ")
    for literal in (result.submission, result.lab):
        if literal:
            text = text.replace(literal, " ")
    for pattern in (DOCKERFILE_LINE_RE, QUOTED_RE, ARGV_RE, URL_RE, COMMAND_RE, PATH_RE):
        text = pattern.sub(" ", text)
    return text


def english_in(result: LabResult) -> dict[str, list[str]]:
    """Per format, the English phrases left in the Portuguese rendering (none is right)."""
    found = {}
    for name, text in renderings(result).items():
        words = sorted(set(ENGLISH_RE.findall(_without_evidence(text, result))))
        if words:
            found[name] = words
    return found


def regexes_in(result: LabResult) -> dict[str, list[str]]:
    """Per format, the raw regex syntax shown (none is right); the build log is left out."""
    found = {}
    for name, text in renderings(result).items():
        text = DOCKERFILE_LINE_RE.sub(" ", _without_log(text, result))
        hits = sorted({m.group(0) for m in REGEX_RE.finditer(text)})
        if hits:
            found[name] = hits
    return found
