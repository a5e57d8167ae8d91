"""Why `apt-get update` found no Release file: usually a Debian release that left the mirror.

`FROM debian:10`, as older lessons write it, builds a system whose apt sources name `buster`.
Once a release reaches its end of life its packages move from deb.debian.org to
archive.debian.org, and the mirror answers 404 for `dists/buster/Release`; apt-get update then
prints, and exits with 100 (measured on Docker 20.10, tests/unit/fixtures/build_logs/):

    Err:4 http://deb.debian.org/debian buster Release
      404  Not Found [IP: ... 80]
    E: The repository 'http://deb.debian.org/debian buster Release' does not have a Release file.
"""

from __future__ import annotations

import re

from graders.i18n import Text

NO_RELEASE = re.compile(
    r"The repository '(\S+) (\S+?)(?:/\S*)? Release' does not have a Release file"
)

RETIRED = {
    "squeeze": "6",
    "wheezy": "7",
    "jessie": "8",
    "stretch": "9",
    "buster": "10",
}
"""Debian releases past their end of life, whose packages are only on archive.debian.org."""


def explain_missing_release(output: str) -> Text | None:
    """What to do when the RUN's output says a repository has no Release file (else None)."""
    match = NO_RELEASE.search(output)
    if match is None:
        return None
    url, suite = match.groups()
    version = RETIRED.get(suite)
    if version is not None:
        return Text(
            "\nO Debian {v} ({s}) chegou ao fim do suporte: seus pacotes saíram do espelho "
            "do Debian ({u}/dists/{s}/Release responde 404), então o apt-get update falha. "
            "Use uma versão mantida, FROM debian:12; ou, se precisar mesmo do Debian {v}, "
            "aponte as fontes do apt (/etc/apt/sources.list) para archive.debian.org antes do "
            "apt-get update.",
            "\nDebian {v} ({s}) is end-of-life: its packages left the Debian mirror "
            "({u}/dists/{s}/Release answers 404), so apt-get update fails. Use a maintained "
            "release, FROM debian:12; or, if you really need Debian {v}, point apt's sources "
            "(/etc/apt/sources.list) at archive.debian.org before apt-get update.",
        ).format(v=version, s=suite, u=url)
    return Text(
        "\nO repositório {u} {s} não tem arquivo Release: o nome da versão ({s}) está errado "
        "ou ela não está mais nesse espelho. Confira a imagem do FROM e as fontes do apt.",
        "\nThe repository {u} {s} has no Release file: the release name ({s}) is wrong or it "
        "is no longer on that mirror. Check the FROM image and apt's sources.",
    ).format(u=url, s=suite)
