"""The batch's progress line: redrawn in place on a terminal, one line per student elsewhere;
messages (`say`) stay on screen either way."""

from __future__ import annotations

import io

from graders.batch.progress import Progress


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def screen(raw: str) -> list[str]:
    """What a terminal shows: `\\r\\033[K` clears the line being drawn."""
    lines = [""]
    for part in raw.split("\n"):
        lines[-1] = part.split("\r\033[K")[-1]
        lines.append("")
    return [ln for ln in lines if ln]


def test_on_a_terminal_messages_stay_and_the_progress_line_is_redrawn() -> None:
    out = Terminal()
    p = Progress(2, out)
    p.say("labgrade: grading 2 submission(s)")
    p._show(p.line())
    p.say("labgrade: ana: ana/app:v1.0 was pushed again")
    p._show(p.line())
    p.close()
    shown = screen(out.getvalue())
    assert shown[:2] == ["labgrade: grading 2 submission(s)",
                         "labgrade: ana: ana/app:v1.0 was pushed again"]
    assert len(shown) == 3 and shown[2].startswith("[0/2]")


def test_in_a_log_every_line_is_kept() -> None:
    out = io.StringIO()
    p = Progress(1, out)
    p.say("one")
    p.say("two")
    assert out.getvalue() == "one\ntwo\n"
