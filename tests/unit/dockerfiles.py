"""Dockerfiles from the course material (shared/seeds, day 2), as students copy them.

The multi-stage example keeps the course's typo, `COPY --from=buildando` for a stage named
`build`: the mistake the `copy_from` check and the build-error explanations exist for.
`run(check, text)` runs a Dockerfile check on a text through the smallest context there is.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

from graders.checks.base import Check, Outcome
from graders.dockerfile.model import Dockerfile
from graders.dockerfile.parser import parse_dockerfile

SEED_APACHE = """\
FROM debian:10
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

SEED_MULTISTAGE = """\
FROM golang:1.18 as build
WORKDIR /app
COPY . ./
RUN go mod init hello
RUN go build -o /app/hello

FROM alpine:3.15.9
COPY --from=buildando /app/hello /app/hello
CMD ["/app/hello"]
"""


@dataclasses.dataclass
class Ctx:
    """The smallest context a Dockerfile check needs: `.dockerfile` and `.submission`."""

    dockerfile: Dockerfile | None
    submission: Path = Path("/nonexistent")


def run(check: Check, text: str | None) -> Outcome:
    """Validate `check`, run it on `text` (None: no Dockerfile), and check both languages."""
    assert check.validate() == []
    outcome = check.run(Ctx(parse_dockerfile(text) if text is not None else None))  # type: ignore[arg-type]
    assert outcome.message.pt and outcome.message.en
    assert outcome.message.pt != outcome.message.en
    return outcome
