"""The day2-apache checks as plain pytest-testinfra tests (see conftest.py for the fixtures)."""

from __future__ import annotations

import os
import re
import time
import urllib.request
from typing import Any

import pytest

AFTER = float(os.environ.get("BENCH_AFTER", "3"))
"""The lab's `after: 3` (still running 3 s after it started); benchmarks/run.py's nowait mode
sets 0."""
APACHE_ENV = {
    "APACHE_LOCK_DIR": "/var/lock",
    "APACHE_PID_FILE": "/var/run/apache2.pid",
    "APACHE_RUN_USER": "www-data",
    "APACHE_RUN_GROUP": "www-data",
    "APACHE_LOG_DIR": "/var/log/apache2",
}


def test_base_image(dockerfile: str) -> None:
    image = re.findall(r"(?im)^\s*FROM\s+(\S+)", dockerfile)[-1]
    assert re.match(r"^(docker\.io/)?(library/)?debian:[^:]+$", image)
    assert not image.endswith(":latest")


def test_apt_cache_cleaned(dockerfile: str) -> None:
    assert re.search(r"(?im)^\s*RUN\s.*(apt-get (clean|autoclean)|rm -rf? +/var/lib/apt/lists)",
                     dockerfile)


@pytest.mark.parametrize("name", ["apache2", "curl"])
def test_package_installed(host: Any, name: str) -> None:
    assert host.package(name).is_installed


def test_apache_env(image_config: dict[str, Any]) -> None:
    env = dict(e.split("=", 1) for e in image_config["Config"]["Env"] or [])
    assert {k: env.get(k) for k in APACHE_ENV} == APACHE_ENV


def test_description_label(image_config: dict[str, Any]) -> None:
    assert "description" in (image_config["Config"]["Labels"] or {})


def test_html_volume(image_config: dict[str, Any]) -> None:
    assert "/var/www/html" in (image_config["Config"]["Volumes"] or {})


def test_exposes_80(image_config: dict[str, Any]) -> None:
    assert "80/tcp" in (image_config["Config"]["ExposedPorts"] or {})


def test_foreground_exec_form(image_config: dict[str, Any], dockerfile: str) -> None:
    config = image_config["Config"]
    command = " ".join((config["Entrypoint"] or []) + (config["Cmd"] or []))
    assert re.search(r"(apache2?ctl|apache2)\b.*-D ?FOREGROUND", command)
    last = re.findall(r"(?im)^\s*(?:CMD|ENTRYPOINT)\s+(.*)$", dockerfile)
    assert all(x.strip().startswith("[") for x in last)


def test_keeps_running(local: Any, web: dict[str, Any]) -> None:
    time.sleep(max(0.0, AFTER - (time.time() - web["started"])))
    assert local.docker(web["id"]).is_running


def test_serves_http(web: dict[str, Any]) -> None:
    with urllib.request.urlopen(web["url"], timeout=5) as response:
        assert response.status == 200
        assert re.search(r"(?i)apache", response.read().decode("utf-8", "replace"))
