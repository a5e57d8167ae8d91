"""pytest plugin: `pytest --lab LAB --submission DIR` (work in progress)."""

from __future__ import annotations

import pytest


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("graders")
    group.addoption("--lab", default=None, help="grade this lab (an id under labs/ or a folder)")
    group.addoption("--submission", default=None, help="the submission folder to grade")
