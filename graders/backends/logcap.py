"""Logs kept within a fixed size: the head and the tail, with a marker where the middle went."""

from __future__ import annotations

HEAD = 16 * 1024
TAIL = 48 * 1024


class CappedLog:
    """Accumulates text, keeping the first HEAD and the last TAIL characters."""

    def __init__(self, head: int = HEAD, tail: int = TAIL) -> None:
        self.head_limit, self.tail_limit = head, tail
        self.head = ""
        self.tail = ""
        self.dropped = 0

    def write(self, text: str) -> None:
        if len(self.head) < self.head_limit:
            room = self.head_limit - len(self.head)
            self.head += text[:room]
            text = text[room:]
        if not text:
            return
        self.tail += text
        if len(self.tail) > self.tail_limit:
            cut = len(self.tail) - self.tail_limit
            self.dropped += cut
            self.tail = self.tail[cut:]

    def text(self) -> str:
        if not self.dropped:
            return self.head + self.tail
        return f"{self.head}\n[... {self.dropped} characters left out ...]\n{self.tail}"


def tail_lines(text: str, lines: int = 30, chars: int = 4000) -> str:
    """The last `lines` lines of `text`, at most `chars` characters."""
    return "\n".join(text.rstrip("\n").splitlines()[-lines:])[-chars:]


def bounded_lines(text: str, lines: int = 200, width: int = 500) -> str:
    """The last `lines` lines with each clipped to `width` characters: what a log parser is
    given, so that no regex over a student's output can take quadratic time on one huge
    line (a 48 KB line of letters made one such regex take 13 s)."""
    kept = text.rstrip("\n").splitlines()[-lines:]
    return "\n".join(line if len(line) <= width else line[:width] + " [...]" for line in kept)
