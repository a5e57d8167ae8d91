"""A check that finds its own precondition absent says so by raising `CheckSkipped`."""

from __future__ import annotations

from graders.i18n import Text


class CheckSkipped(Exception):
    """Raised from `Check.run` when the check cannot judge (the engine's stages skip most such
    checks before they run; an instructor's pytest test can also skip itself). The engine
    records SKIPPED with `reason`, no points earned."""

    def __init__(self, reason: Text) -> None:
        super().__init__(reason.en)
        self.reason = reason
