"""The lesson's own Dockerfile, copied verbatim (`FROM debian:10`), is told why it fails.

Buster's packages have left deb.debian.org, so `apt-get update` gets a 404 for
dists/buster/Release and exits with 100. The test builds on a `debian:10` stand-in: the debian:12
stand-in with its apt sources pointed at buster on the same mirror, as the real debian:10 image
has them, so the 404 really comes from Debian's mirror (the only host contacted).
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from graders.engine.run import grade
from graders.results import Status
from graders.spec import load_lab

pytestmark = pytest.mark.docker

TAG = "debian:10"
MARK = "labgrade stand-in debian10"
STANDIN = f"""FROM debian:12
RUN : {MARK} \\
 && rm -f /etc/apt/sources.list.d/debian.sources \\
 && printf '%s\\n' \\
    'deb http://deb.debian.org/debian buster main' \\
    'deb http://deb.debian.org/debian-security buster/updates main' \\
    'deb http://deb.debian.org/debian buster-updates main' >/etc/apt/sources.list
"""
"""The real debian:10 image's sources.list, on the debian:12 stand-in."""

LESSON = """FROM debian:10
RUN apt-get update && apt-get install -y apache2 curl && apt-get clean
ENV APACHE_LOCK_DIR="/var/lock"
ENV APACHE_PID_FILE="/var/run/apache2.pid"
ENV APACHE_RUN_USER="www-data"
ENV APACHE_RUN_GROUP="www-data"
ENV APACHE_LOG_DIR="/var/log/apache2"
LABEL description="Webserver"
VOLUME [ "/var/www/html" ]
EXPOSE 80
ENTRYPOINT [ "/usr/sbin/apachectl" ]
CMD [ "-D", "FOREGROUND" ]
"""
"""The lesson's Dockerfile (DAY-2, "Imagem de Containers"), character for character."""


def _is_standin(client: Any, ref: str) -> bool:
    return any(MARK in (layer.get("CreatedBy") or "") for layer in client.api.history(ref))


@pytest.fixture
def debian10(docker_client: Any) -> Iterator[None]:
    """`debian:10`: a real one is used as it is; else the stand-in is built, tagged only where no
    image holds the tag, and untagged afterwards (a leftover stand-in of a killed run too)."""
    import docker.errors

    try:
        docker_client.images.get(TAG)
        ours = _is_standin(docker_client, TAG)
    except docker.errors.ImageNotFound:
        try:
            docker_client.images.get("debian:12")
        except docker.errors.ImageNotFound:
            pytest.fail("debian:12 is missing: run scripts/ensure-base-images.sh")
        image, _ = docker_client.images.build(fileobj=io.BytesIO(STANDIN.encode()), rm=True,
                                              forcerm=True, pull=False)
        try:
            docker_client.images.get(TAG)  # someone tagged one meanwhile: keep theirs
            ours = False
        except docker.errors.ImageNotFound:
            image.tag(TAG)
            ours = True
    yield
    if ours:
        docker_client.images.remove(TAG, noprune=False)


def test_lesson_dockerfile_is_told_debian10_is_end_of_life(
    debian10: None, backend: Any, no_leftovers: None, tmp_path: Path
) -> None:
    (tmp_path / "Dockerfile").write_text(LESSON)
    lab = load_lab("day2-apache")
    result = grade(lab, tmp_path, backend)
    assert result.build is not None and result.build.status is Status.FAILED
    assert "does not have a Release file" in (result.build.log_tail or "")
    explanation = result.build.explanation
    assert explanation is not None
    assert "failed with exit code 100" in explanation.en
    assert "Debian 10 (buster) is end-of-life" in explanation.en
    assert "FROM debian:12" in explanation.en and "archive.debian.org" in explanation.en
    assert "Debian 10 (buster) chegou ao fim do suporte" in explanation.pt
    assert "archive.debian.org" in explanation.pt
