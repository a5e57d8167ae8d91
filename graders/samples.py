"""Preparing a lab sample for grading: options, and any outside state the sample declares."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from graders.engine import GradeOptions
from graders.spec import Lab, Sample


@contextmanager
def prepared(lab: Lab, sample: Sample) -> Iterator[GradeOptions]:
    """Grade options for a sample. Samples with `setup:` (registry state) are prepared by the
    feature that owns that state; a lab without such samples needs nothing."""
    yield GradeOptions()
