"""Re-pushed tags (threat G2): a tag is mutable, a digest is not.

A student can push `app:v1.0` again after grading, with other content. The `registry_tag` check
records what it graded as `actual = "<repository>:<tag>@<digest>"`. On a regrade, `annotate()`
compares that with the student's previous record: when the same reference now names another
digest, the check's message says so (both languages) and its details carry a line that
`changes()` reads back for the class summary. Another reference (a renamed image) is no re-push.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timezone

from graders.batch.store import Record
from graders.i18n import Lang, Text
from graders.results import CheckResult, Status

CHECK_TYPE = "registry_tag"
DIGEST = re.compile(r"[a-z0-9]+:[0-9a-f]{32,}")
_D = DIGEST.pattern
NOTE = Text("O digest de {ref} mudou desde a correção de {when}: era {old}, agora é {new}.",
            "The digest of {ref} changed since it was graded on {when}: it was {old}, "
            "it is now {new}.")
DETAIL = "digest of {ref} changed from {old} to {new}"
DETAIL_LINE = re.compile(rf"^digest of ([\w./:-]+) changed from ({_D}) to ({_D})$", re.MULTILINE)


@dataclass(frozen=True)
class Change:
    student: str
    reference: str
    """`<repository>:<tag>`, as the check graded it."""
    old: str
    new: str

    def line(self, lang: Lang = "en") -> str:
        """One line for the batch's stderr."""
        return PUSHED_AGAIN.format(student=self.student, ref=self.reference, old=self.old,
                                   new=self.new)(lang)


PUSHED_AGAIN = Text(
    "labgrade: {student}: {ref} foi enviado de novo desde a correção anterior: {old} -> {new}",
    "labgrade: {student}: {ref} was pushed again since the previous grading: {old} -> {new}",
)


def pinned(check: CheckResult) -> tuple[str, str] | None:
    """(reference, digest) graded by a registry_tag check that found its tag, else None."""
    if (check.type != CHECK_TYPE or check.status is not Status.PASSED
            or not isinstance(check.actual, str) or not check.actual):
        return None
    ref, at, digest = check.actual.rpartition("@")
    return (ref, digest) if at and ref and DIGEST.fullmatch(digest) else None


def annotate(record: Record, previous: Record | None) -> tuple[Record, list[Change]]:
    """The record with a note on every registry_tag check whose reference now names another
    digest than in `previous` (the same check id), and those changes."""
    if previous is None:
        return record, []
    before = {c.check_id: p for c in previous.result.checks if (p := pinned(c)) is not None}
    when = datetime.fromtimestamp(previous.graded_at, timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    checks: list[CheckResult] = []
    found: list[Change] = []
    for check in record.result.checks:
        now, then = pinned(check), before.get(check.check_id)
        if now is not None and then is not None and now[0] == then[0] and now[1] != then[1]:
            change = Change(record.student, now[0], then[1], now[1])
            note = NOTE.format(ref=change.reference, when=when, old=change.old, new=change.new)
            detail = DETAIL.format(ref=change.reference, old=change.old, new=change.new)
            check = replace(check, message=check.message + Text.same(" ") + note,
                            details="\n".join(filter(None, (check.details, detail))))
            found.append(change)
        checks.append(check)
    if not found:
        return record, []
    return replace(record, result=replace(record.result, checks=tuple(checks))), found


def changes(records: Sequence[Record]) -> list[Change]:
    """The re-pushes noted in these records (by `annotate`, when they were graded)."""
    return [Change(rec.student, *m.groups())
            for rec in records for c in rec.result.checks if c.type == CHECK_TYPE
            for m in DETAIL_LINE.finditer(c.details)]
