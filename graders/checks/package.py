"""`package`: a distribution package is (not) installed in the built image.

Outside-in: the package database is read from the host (`ctx.read_file`) and parsed here;
nothing runs inside the image, so it works on images without a shell.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import ClassVar

from graders.checks._common import decode, regex_problems
from graders.checks._pattern import pattern_text
from graders.checks.base import Check, CheckContext, Need, Outcome
from graders.i18n import Shown, Text

DB_LIMIT = 16 << 20
"""Bytes of a package database read at most (a large Debian image has a few MiB)."""
DPKG_STATUS = "/var/lib/dpkg/status"
DPKG_STATUS_D = "/var/lib/dpkg/status.d/"
"""One file per package, as in distroless images."""
APK_INSTALLED = "/lib/apk/db/installed"
NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9+._-]*$")
NOT_INSTALLED = Text("(não instalado)", "(not installed)")


def dpkg_installed(text: str) -> dict[str, str]:
    """`{package: version}` of the packages whose Status says installed (not config-files)."""
    found: dict[str, str] = {}
    for paragraph in re.split(r"\n\s*\n", text):
        fields: dict[str, str] = {}
        for line in paragraph.splitlines():
            key, sep, value = line.partition(":")
            if sep and not line[:1].isspace():
                fields[key.strip()] = value.strip()
        status = fields.get("Status", "").split()
        if "Package" in fields and status[-1:] == ["installed"]:
            found[fields["Package"]] = fields.get("Version", "")
    return found


def apk_installed(text: str) -> dict[str, str]:
    """`{package: version}` from Alpine's installed database (`P:` and `V:` lines)."""
    found: dict[str, str] = {}
    for paragraph in re.split(r"\n\s*\n", text):
        fields = dict(line.split(":", 1) for line in paragraph.splitlines() if line[1:2] == ":")
        if "P" in fields:
            found[fields["P"]] = fields.get("V", "")
    return found


@dataclass(frozen=True)
class PackageCheck(Check):
    """A dpkg (Debian, Ubuntu) or apk (Alpine) package is installed, or is not.

    A Debian package removed but not purged (`deinstall ok config-files`) counts as not installed.

    ```yaml
    - id: apache-installed
      type: package
      name: apache2
      version: '^2\\.4\\.'
    ```
    """

    name: str = ""
    """The package name as the package manager knows it."""
    version: str | None = None
    """A regex searched in the installed version (e.g. `2.4.57-2`); only with installed: true."""
    installed: bool = True
    """False: the package must not be installed."""

    type_name: ClassVar[str] = "package"
    need: ClassVar[Need] = Need.IMAGE
    default_title: ClassVar[Text] = Text("Pacote instalado", "Package installed")
    default_hint: ClassVar[Text | None] = Text(
        "Instale com apt-get install -y (Debian/Ubuntu) ou apk add (Alpine) em um RUN.",
        "Install it with apt-get install -y (Debian/Ubuntu) or apk add (Alpine) in a RUN.",
    )

    def validate(self) -> list[str]:
        problems = regex_problems("version", self.version)
        if not isinstance(self.name, str) or not NAME.match(self.name):
            problems.append(f"name: {self.name!r} is not a package name")
        if self.version is not None and not self.installed:
            problems.append("version: only allowed with installed: true")
        return problems

    def _database(self, ctx: CheckContext) -> tuple[str, dict[str, str]] | None:
        status = ctx.read_file(DPKG_STATUS, DB_LIMIT)
        own = ctx.read_file(DPKG_STATUS_D + self.name, 1 << 20)
        if status is not None or own is not None:
            found = dpkg_installed(decode(status or b""))
            found.update(dpkg_installed(decode(own or b"")))
            return DPKG_STATUS, found
        data = ctx.read_file(APK_INSTALLED, DB_LIMIT)
        if data is not None:
            return APK_INSTALLED, apk_installed(decode(data))
        return None

    def run(self, ctx: CheckContext) -> Outcome:
        database = self._database(ctx)
        if database is None:
            return Outcome.fail(
                Text(
                    f"A imagem não tem base de dados de pacotes; não dá para saber se {self.name} "
                    "está instalado.",
                    f"The image has no package database; cannot tell whether {self.name} is "
                    "installed.",
                ),
                expected=Text(f"{DPKG_STATUS} ou {APK_INSTALLED}",
                              f"{DPKG_STATUS} or {APK_INSTALLED}"),
                actual=Text("(nenhum dos dois existe)", "(neither exists)"),
            )
        path, found = database
        version = found.get(self.name)
        actual: Shown = f"{self.name} {version}" if version is not None else NOT_INSTALLED
        if not self.installed:
            if version is None:
                return Outcome.ok(
                    Text(f"{self.name} não está instalado.", f"{self.name} is not installed.")
                )
            return Outcome.fail(
                Text(
                    f"{self.name} está instalado e não deveria.",
                    f"{self.name} is installed and should not be.",
                ),
                expected=NOT_INSTALLED,
                actual=actual,
                details=f"read from {path}",
            )
        if version is None:
            return Outcome.fail(
                Text(f"{self.name} não está instalado.", f"{self.name} is not installed."),
                expected=self._wanted(),
                actual=actual,
                details=f"read from {path}",
            )
        if self.version is not None and not re.search(self.version, version):
            return Outcome.fail(
                Text(
                    f"{self.name} está instalado em outra versão.",
                    f"{self.name} is installed in another version.",
                ),
                expected=self._wanted(),
                actual=actual,
            )
        return Outcome.ok(Text(f"{actual} instalado.", f"{actual} installed."), actual=actual)

    def _wanted(self) -> Shown:
        if not self.version:
            return self.name
        version = pattern_text(self.version, part=Text('versão com "{v}"', 'version with "{v}"'),
                               start=Text('versão começando com "{v}"',
                                          'version starting with "{v}"'))
        return Text(f"{self.name}, ", f"{self.name}, ") + version
