"""day2-apache's own checks on the spellings students write: the meaning is graded, not one way
of writing it. The checks are read from labs/day2-apache/lab.yaml."""

from __future__ import annotations

import pytest

from graders.spec import load_lab
from tests.unit.dockerfiles import run

LAB = load_lab("day2-apache")
CHECKS = {c.id: c for c in LAB.checks}
INSTALL = "apt-get update && apt-get install -y apache2 curl"


@pytest.mark.parametrize("run_line", [
    f"RUN {INSTALL} && apt-get clean",
    "RUN apt update && apt install -y apache2 curl && apt clean",
    f"RUN {INSTALL} && rm -rf /var/lib/apt/lists/*",
    f"RUN {INSTALL} && rm -fr /var/lib/apt/lists/*",
    f"RUN {INSTALL} && rm -r -f /var/lib/apt/lists/*",
    f"RUN {INSTALL} && rm -Rf /var/lib/apt/lists",
    f"RUN {INSTALL} && rm -rf /tmp/* /var/lib/apt/lists/*",
    f'RUN {INSTALL} && rm --recursive --force "/var/lib/apt/lists"/*',
    f"RUN {INSTALL} && apt-get autoclean",
    f"RUN {INSTALL} && apt-get -y clean",
    "RUN apt-get update && apt-get install -y --no-install-recommends apache2 curl \\\n"
    " && apt-get clean",
    "RUN apt-get update \\\n && apt-get install -y apache2 curl \\\n && apt-get \\\n    clean",
    f"RUN {INSTALL}\nRUN apt-get clean",
    "RUN <<EOF\napt-get update\napt-get install -y apache2 curl\napt-get clean\nEOF",
])  # fmt: skip
def test_cleaning_apt_passes_however_it_is_written(run_line: str) -> None:
    outcome = run(CHECKS["apt-cache-cleaned"].check, f"FROM debian:12\n{run_line}\n")
    assert outcome.passed, outcome.message.en


@pytest.mark.parametrize("run_line", [
    f"RUN {INSTALL}",
    f"RUN {INSTALL} && ls /var/lib/apt/lists",
    f"RUN {INSTALL} && echo apt-get clean-up later",
    f"RUN {INSTALL} && apt-get autoremove",
])  # fmt: skip
def test_not_cleaning_apt_fails(run_line: str) -> None:
    assert not run(CHECKS["apt-cache-cleaned"].check, f"FROM debian:12\n{run_line}\n").passed
