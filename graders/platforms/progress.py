"""The live progress line of `labgrade check`: what the grader is doing while the student waits.

On a terminal it is one line on stderr, rewritten in place with a spinner and the seconds spent
in the current stage (a build can take minutes; a frozen line looks like a hang). Anywhere else
(a CI log, a pipe) each stage is one plain line, and checks are not listed one by one.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Mapping
from types import TracebackType
from typing import TextIO

from graders.i18n import Lang, Text

STAGES: dict[str, Text] = {
    "build": Text("construindo a imagem", "building the image"),
    "run": Text("iniciando o contêiner", "starting the container"),
    "ready": Text("esperando o contêiner ficar pronto", "waiting for the container to be ready"),
}
CHECKING = Text("verificando: {title}", "checking: {title}")
SPINNER = "⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏"
CLEAR = "\r\x1b[K"


def is_tty(stream: TextIO, environ: Mapping[str, str] | None = None) -> bool:
    """True when `stream` is a terminal that understands `\\r` and erase-line."""
    term = (environ or {}).get("TERM", "")
    return bool(getattr(stream, "isatty", lambda: False)()) and term != "dumb"


class ProgressLine:
    """A progress callback for `graders.engine.run.grade` (`"build"`, `"run"`, `"check <id>"` ...).

    Use it as a context manager: on a terminal a ticker thread redraws the line every
    `tick` seconds, and leaving the block erases the line, on Ctrl-C too.
    """

    def __init__(self, stream: TextIO, lang: Lang, tty: bool, tick: float = 0.1,
                 titles: Mapping[str, Text] | None = None) -> None:
        self.stream, self.lang, self.tty, self.tick = stream, lang, tty, tick
        self.titles = titles or {}
        """Each check's title by id: the line names the check as the results table does."""
        self._text = ""
        self._since = time.monotonic()
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._frame = 0

    def __call__(self, step: str) -> None:
        if step in STAGES:
            text = STAGES[step](self.lang)
        elif step.startswith("check "):
            if not self.tty:
                return  # one line per check would drown a CI log
            check_id = step.removeprefix("check ")
            title = self.titles.get(check_id)
            text = CHECKING.format(title=title(self.lang) if title else check_id)(self.lang)
        else:
            text = step
        with self._lock:
            if step in STAGES or not self._text:
                self._since = time.monotonic()
            self._text = text
        if self.tty:
            self._draw()
        else:
            self.stream.write(f"… {text}\n")
            self.stream.flush()

    def _draw(self) -> None:
        with self._lock:
            if not self._text:
                return
            self._frame = (self._frame + 1) % len(SPINNER)
            elapsed = int(time.monotonic() - self._since)
            seconds = f" ({elapsed} s)" if elapsed else ""
            self.stream.write(f"{CLEAR}{SPINNER[self._frame]} {self._text}{seconds}")
            self.stream.flush()

    def _run(self) -> None:
        while not self._stop.wait(self.tick):
            self._draw()

    def __enter__(self) -> ProgressLine:
        if self.tty:
            self._thread = threading.Thread(target=self._run, name="labgrade-progress", daemon=True)
            self._thread.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=1)
        with self._lock:
            if self.tty and self._text:
                self.stream.write(CLEAR)
                self.stream.flush()
            self._text = ""
