"""Moved to graders.backends.logcap (the sdk backend caps build logs with it); re-exported."""

from graders.backends.logcap import HEAD, TAIL, CappedLog, bounded_lines, tail_lines

__all__ = ["HEAD", "TAIL", "CappedLog", "bounded_lines", "tail_lines"]
