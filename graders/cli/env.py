"""The CLI's environment: streams and variables, injectable so tests can capture them."""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import IntEnum
from typing import TextIO

from graders.i18n import Lang, default_lang


class ExitStatus(IntEnum):
    SUCCESS = 0
    CHECKS_FAILED = 1
    USAGE_OR_SPEC_ERROR = 2
    INFRA_ERROR = 3
    INTERRUPTED = 130


@dataclass
class Env:
    stdout: TextIO = field(default_factory=lambda: sys.stdout)
    stderr: TextIO = field(default_factory=lambda: sys.stderr)
    environ: Mapping[str, str] = field(default_factory=lambda: dict(os.environ))

    @property
    def color(self) -> bool:
        """Colour only on a terminal, and never when NO_COLOR is set."""
        tty = bool(getattr(self.stdout, "isatty", lambda: False)())
        return tty and "NO_COLOR" not in self.environ

    def lang(self, chosen: str | None = None) -> Lang:
        """The user's language, for students and instructors alike: `--lang` when given, else
        LABGRADE_LANG, else the locale (graders.i18n.default_lang); English by default."""
        if chosen in ("pt", "en"):
            return "pt" if chosen == "pt" else "en"
        return default_lang(self.environ)

    def out(self, text: str = "") -> None:
        print(text, file=self.stdout)

    def err(self, text: str) -> None:
        print(text, file=self.stderr)
