"""Fixtures for the reporter tests; the results themselves are built in `samples.py`."""

from __future__ import annotations

import pytest

from graders.results import LabResult

from .samples import make_crash, make_empty, make_hostile, make_many, make_rich


@pytest.fixture
def rich() -> LabResult:
    return make_rich()


@pytest.fixture(scope="session")
def hostile() -> LabResult:
    return make_hostile()


@pytest.fixture
def crash() -> LabResult:
    return make_crash()


@pytest.fixture
def empty() -> LabResult:
    return make_empty()


@pytest.fixture(scope="session")
def many() -> LabResult:
    return make_many()
