"""Fixtures shared by the registry tests of this folder."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from registry_support import Images, need


@pytest.fixture
def images() -> Iterator[Images]:
    """Builds small busybox images to push; removes them afterwards."""
    imgs = Images()
    need(imgs.base_present(), "busybox:1.35 missing: run scripts/ensure-base-images.sh")
    yield imgs
    imgs.cleanup()
