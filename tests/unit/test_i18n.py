"""graders.i18n.Text: one message in both languages."""

from __future__ import annotations

from graders.i18n import Text, in_lang, join_shown


def test_join_puts_the_separator_between_texts_in_both_languages() -> None:
    parts = [Text("um", "one"), Text("dois", "two"), Text("três", "three")]
    assert Text.same("; ").join(parts) == Text("um; dois; três", "one; two; three")
    assert Text(" e ", " and ").join(parts[:2]) == Text("um e dois", "one and two")
    assert Text.same("\n").join([]) == Text("", "")


def test_join_shown_stays_a_literal_until_words_join() -> None:
    assert join_shown(", ", ["80", "443"]) == "80, 443"
    words = join_shown("\n", ["COPY a b", Text("nada", "nothing")])
    assert words == Text("COPY a b\nnada", "COPY a b\nnothing")


def test_in_lang_renders_words_and_keeps_literals() -> None:
    assert in_lang(Text("parado", "stopped"), "pt") == "parado"
    assert in_lang("/app", "pt") == "/app"
