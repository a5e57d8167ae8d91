"""Instructor tests of day2-apache: probes that lab.yaml's check types do not make.

Each test is a check of the lab, graded by `labgrade grade`, batch, every platform format and
`pytest --lab` alike (docs/writing-checks.md, "Instructor tests in Python").
"""

import pytest


@pytest.mark.points(5)
def test_document_root(host):
    """DocumentRoot is /var/www/html (apache2ctl -S)"""
    shown = host.run("apache2ctl -S")
    assert shown.rc == 0, f"apache2ctl -S exited with {shown.rc}: {shown.stderr.strip()[-300:]}"
    roots = [line.strip() for line in (shown.stdout + shown.stderr).splitlines()
             if "DocumentRoot" in line]
    assert roots == ['Main DocumentRoot: "/var/www/html"'], "the DocumentRoot apache2ctl -S shows"
