"""graders.batch.repush without Docker: a re-pushed tag (threat G2) is noted, nothing else is."""

from __future__ import annotations

from datetime import datetime, timezone

from graders.batch import serial
from graders.batch.gradebook import summary_md
from graders.batch.repush import Change, annotate, changes
from graders.batch.store import Record
from graders.i18n import Lang, Text
from graders.results import CheckResult, LabResult, Status

A = "sha256:" + "a" * 64
B = "sha256:" + "b" * 64
REF = "student/app:v1.0"
FOUND = Text("A tag v1.0 está em x.", "Tag v1.0 is in x.")
GRADED_AT = datetime(2024, 5, 1, 14, 3, tzinfo=timezone.utc).timestamp()


def tag_check(actual: str | None, status: Status = Status.PASSED,
              check_id: str = "tag-pushed") -> CheckResult:
    digest = actual.rpartition("@")[2] if actual and "@" in actual else "unknown"
    return CheckResult(check_id, Text("Tag", "Tag"), "registry_tag", status,
                       25.0 if status is Status.PASSED else 0.0, 25.0, False, FOUND,
                       actual=actual, details=f"graded digest: {digest}")


def record(*checks: CheckResult, student: str = "ana", at: float = GRADED_AT) -> Record:
    other = CheckResult("multi-stage", Text("M", "M"), "stage_count", Status.PASSED, 10.0, 10.0,
                        False, Text("ok", "ok"))
    result = LabResult("day2-registry", Text("t", "t"), student, (other, *checks))
    return Record(student, result, "b1", at, "h", "/src")


def test_a_changed_digest_gets_the_note_in_both_languages() -> None:
    before = record(tag_check(f"{REF}@{A}"))
    now = record(tag_check(f"{REF}@{B}"), at=GRADED_AT + 3600)
    noted, found = annotate(now, before)
    assert found == [Change("ana", REF, A, B)]
    check = noted.result.checks[1]
    assert check.message.pt == (
        f"A tag v1.0 está em x. O digest de {REF} mudou desde a correção de 2024-05-01 14:03 UTC:"
        f" era {A}, agora é {B}.")
    assert check.message.en == (
        f"Tag v1.0 is in x. The digest of {REF} changed since it was graded on 2024-05-01 14:03"
        f" UTC: it was {A}, it is now {B}.")
    assert check.details == f"graded digest: {B}\ndigest of {REF} changed from {A} to {B}"
    assert (check.status, check.score) == (Status.PASSED, 25.0)  # a note, not a penalty
    assert noted.result.checks[0] == now.result.checks[0]
    assert A in found[0].line() and B in found[0].line() and "ana" in found[0].line()


def test_the_note_survives_the_store_and_reaches_the_summary() -> None:
    noted, _ = annotate(record(tag_check(f"{REF}@{B}"), at=GRADED_AT + 1),
                        record(tag_check(f"{REF}@{A}")))
    stored = Record("ana", serial.from_dict(serial.to_dict(noted.result)), "b2", 2.0)
    bia = record(tag_check(f"{REF}@{A}"), student="bia")
    assert changes([stored, bia]) == [Change("ana", REF, A, B)]
    titles: dict[Lang, str] = {"en": "## Tags pushed again", "pt": "## Tags enviadas de novo"}
    for lang, title in titles.items():
        md = summary_md([stored, bia], "day2-registry", Text("t", "t"), lang)
        assert title in md and f"**ana**: `{REF}` {A} → {B}" in md and "**bia**" not in md


def test_nothing_changed_gives_no_note_and_no_summary_section() -> None:
    cases = [
        (record(tag_check(f"{REF}@{A}")), record(tag_check(f"{REF}@{A}"))),  # same digest
        (record(tag_check(f"other/app:v1.0@{A}")), record(tag_check(f"{REF}@{B}"))),  # renamed
        (record(tag_check(f"{REF}@{A}", check_id="x")), record(tag_check(f"{REF}@{B}"))),
        (None, record(tag_check(f"{REF}@{B}"))),  # graded for the first time
        (record(tag_check(f"{REF}@{A}")),  # the tag is not there now
         record(tag_check("tags: 1.0", Status.FAILED))),
        (record(tag_check("repository not found", Status.FAILED)), record(tag_check(f"{REF}@{B}"))),
        (record(tag_check(REF)), record(tag_check(f"{REF}@{B}"))),  # digest unknown then
        (record(tag_check(f"{REF}@{A}", Status.ERROR)), record(tag_check(f"{REF}@{B}"))),
    ]
    for before, now in cases:
        assert annotate(now, before) == (now, []), (before, now)
    plain = [now for _, now in cases]
    assert changes(plain) == []
    assert "Tags pushed again" not in summary_md(plain, "day2-registry", Text("t", "t"), "en")
