"""The report formats `grade` and `check` write, one --FLAG each (read by main and grading)."""

from __future__ import annotations

FORMAT_FLAGS = ("json", "junit", "markdown", "classroom", "gradescope", "prairielearn")
PLATFORM_FLAGS = ("classroom", "gradescope", "prairielearn")
"""Formats a grading platform reads: once `grade` has written one, it exits 0."""
