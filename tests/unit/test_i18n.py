"""graders.i18n.Text: one message in both languages."""

from __future__ import annotations

from graders.i18n import Text


def test_join_puts_the_separator_between_texts_in_both_languages() -> None:
    parts = [Text("um", "one"), Text("dois", "two"), Text("três", "three")]
    assert Text.same("; ").join(parts) == Text("um; dois; três", "one; two; three")
    assert Text(" e ", " and ").join(parts[:2]) == Text("um e dois", "one and two")
    assert Text.same("\n").join([]) == Text("", "")
