"""Instructor tests of day2-apache: probes that lab.yaml's check types do not make.

Each test is a check of the lab, graded by `labgrade grade`, batch, every platform format and
`pytest --lab` alike (docs/writing-checks.md, "Instructor tests in Python").
"""

import re

import pytest


def _document_root(block):
    """The DocumentRoot a configuration block sets, unquoted, without a trailing slash."""
    found = re.findall(r"^\s*DocumentRoot\s+\"?([^\"\s]+)", block, re.M | re.I)
    return found[-1].rstrip("/") if found else None


@pytest.mark.points(5)
def test_document_root(host):
    """The port-80 site serves /var/www/html (apache2ctl -S)"""
    shown = host.run("apache2ctl -S")
    out = shown.stdout + shown.stderr
    assert shown.rc == 0, f"apache2ctl -S exited with {shown.rc}: {out.strip()[-300:]}"
    # The virtual host answering on port 80, as Apache itself resolved it: (file:line).
    site = re.search(r"^\*:80\b.*?\((/[^:()]+):(\d+)\)", out, re.M | re.S)
    main = re.search(r'^Main DocumentRoot: "([^"]+)"', out, re.M)
    root = main.group(1).rstrip("/") if main else None
    if site:
        lines = host.file(site.group(1)).content_string.splitlines()[int(site.group(2)) - 1:]
        end = next((i for i, line in enumerate(lines) if "</VirtualHost" in line), len(lines))
        root = _document_root("\n".join(lines[:end])) or root
    assert root == "/var/www/html", "the site on port 80 does not serve /var/www/html"
