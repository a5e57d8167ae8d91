"""Checks on the built image's config and filesystem, against a FakeContext (no Docker)."""

from __future__ import annotations

from typing import Any

import pytest

from graders.checks.base import Check, Outcome
from graders.checks.image_cmd import ImageCmdCheck, shell_script, simple_command
from graders.checks.image_env import ImageEnvCheck
from graders.checks.image_exposed_ports import ImageExposedPortsCheck
from graders.checks.image_labels import ImageLabelsCheck
from graders.checks.image_user import ImageUserCheck
from graders.checks.image_volumes import ImageVolumesCheck
from graders.checks.image_workdir import ImageWorkdirCheck
from graders.checks.package import PackageCheck
from graders.dockerfile.parser import parse_dockerfile
from tests.unit.fake_context import FakeContext, en, failed, passed, text_file

PASSWD = "root:x:0:0:root:/root:/bin/bash\nwww-data:x:33:33::/var/www:/usr/sbin/nologin\n"
PASSWD += "app:x:1000:1000::/home/app:/bin/sh\n"


def run(check: Check, config: dict[str, Any] | None = None, **data: Any) -> Outcome:
    assert check.validate() == []
    return check.run(FakeContext(config=config or {}, **data))




# --- image_env ----------------------------------------------------------------------------
ONE_LINE = {"Env": ["PATH=/usr/bin", "APP_ENV=production", "APP_PORT=8080"]}
"""`ENV APP_ENV=production APP_PORT=8080`, and two ENV lines, give this same config."""


def test_env_passes_with_extra_variables_and_yaml_scalars() -> None:
    passed(run(ImageEnvCheck(env={"APP_ENV": "production", "APP_PORT": 8080}), ONE_LINE))


def test_env_reports_missing_and_wrong_at_once() -> None:
    check = ImageEnvCheck(env={"APP_ENV": "dev", "APP_PORT": "8080", "DB": "x"})
    out = failed(run(check, ONE_LINE))
    assert out.message.en == (
        "Image environment is wrong. Missing variables: DB. Wrong values for: APP_ENV."
    )
    assert "DB" in out.message.pt and "APP_ENV" in out.message.pt
    assert "APP_ENV=production" in en(out.actual) and "DB (unset)" in en(out.actual)
    assert "APP_PORT" not in en(out.expected)


def test_env_regex_and_later_entries_win() -> None:
    config = {"Env": ["V=1.0", "V=2.4.1"]}
    passed(run(ImageEnvCheck(env={"V": r"^2\.4"}, match="regex"), config))
    failed(run(ImageEnvCheck(env={"V": r"^1\."}, match="regex"), config))
    failed(run(ImageEnvCheck(env={"V": "2.4"}), config))  # exact by default


def test_env_validate() -> None:
    assert ImageEnvCheck(env={}).validate()
    assert ImageEnvCheck(env={"A": "("}, match="regex").validate()
    assert ImageEnvCheck(env={"A": "("}).validate() == []  # exact: not a regex
    assert ImageEnvCheck(env={"A": "1"}, match="glob").validate()


# --- image_labels -------------------------------------------------------------------------
LABELS = {"Labels": {"maintainer": "ana@example.com", "version": "1.2", "empty": ""}}


def test_labels_pass_with_extra_labels_and_empty_regex() -> None:
    passed(run(ImageLabelsCheck(labels={"maintainer": "@", "version": ""}), LABELS))


def test_labels_report_missing_empty_and_wrong() -> None:
    check = ImageLabelsCheck(labels={"version": r"^2\.", "empty": "", "author": ""})
    out = failed(run(check, LABELS))
    assert "version=1.2" in en(out.actual)
    assert "empty (empty)" in en(out.actual) and "author (unset)" in en(out.actual)
    failed(run(ImageLabelsCheck(labels={"a": ""}), {"Labels": None}))


def test_labels_validate() -> None:
    assert ImageLabelsCheck(labels={"v": "[unclosed"}).validate()
    assert ImageLabelsCheck(labels={"v": ["list"]}).validate()
    assert ImageLabelsCheck().validate()  # nothing asked
    assert ImageLabelsCheck(maintainer="(").validate()
    assert ImageLabelsCheck(maintainer="").validate() == []


def maintained(check: ImageLabelsCheck, labels: dict[str, str], author: str = "") -> Outcome:
    config = {"Labels": labels}
    return run(check, config, inspect={"Config": config, "Author": author})


@pytest.mark.parametrize(("labels", "author"), [({"maintainer": "Ana <ana@example.com>"}, ""),
                                                ({}, "Ana <ana@example.com>")],
                         ids=["LABEL maintainer", "MAINTAINER"])
def test_a_maintainer_is_either_spelling_the_lesson_teaches(labels: dict[str, str],
                                                            author: str) -> None:
    out = passed(maintained(ImageLabelsCheck(maintainer="@"), labels, author))
    assert "ana@example.com" in out.message.en and "ana@example.com" in out.message.pt
    # a lab that asks for the label itself still gets only the label
    strict = maintained(ImageLabelsCheck(labels={"maintainer": ""}), labels, author)
    assert strict.passed == bool(labels)


def test_no_maintainer_or_a_wrong_one_says_which_spellings_count() -> None:
    out = failed(maintained(ImageLabelsCheck(maintainer=""), {"description": "x"}))
    assert "LABEL maintainer" in en(out.expected) and "MAINTAINER" in en(out.expected)
    assert "mantenedor" in out.message.pt
    wrong = failed(maintained(ImageLabelsCheck(maintainer="@"), {}, "Ana"))
    assert wrong.actual == "MAINTAINER Ana" and "/@/" not in wrong.message.en
    assert en(wrong.expected) == 'maintainer: containing "@"'
    both = ImageLabelsCheck(maintainer="", labels={"description": ""})
    assert "description" in en(failed(maintained(both, {}, "Ana")).actual)


# --- image_exposed_ports ------------------------------------------------------------------
PORTS: dict[str, Any] = {"ExposedPorts": {"80/tcp": {}, "53/udp": {}}}


@pytest.mark.parametrize("ports", [[80], ["80"], ["80/tcp"], ["80/TCP"], [80, "53/udp"]])
def test_ports_equivalent_spellings(ports: list[int | str]) -> None:
    passed(run(ImageExposedPortsCheck(ports=ports), PORTS))


def test_ports_missing_and_exactly() -> None:
    out = failed(run(ImageExposedPortsCheck(ports=[80, 443]), PORTS))
    assert "443/tcp" in out.message.en and en(out.actual) == "53/udp, 80/tcp"
    out = failed(run(ImageExposedPortsCheck(ports=[80], exactly=True), PORTS))
    assert "53/udp" in out.message.en and "53/udp" in out.message.pt
    failed(run(ImageExposedPortsCheck(ports=["53/tcp"]), PORTS))  # udp is not tcp
    assert failed(run(ImageExposedPortsCheck(ports=[80]), {})).actual == "—"


@pytest.mark.parametrize("bad", [[0], [70000], ["http"], ["80/icmp"], [True], [], "80"])
def test_ports_validate(bad: Any) -> None:
    assert ImageExposedPortsCheck(ports=bad).validate()


# --- image_volumes ------------------------------------------------------------------------
def test_volumes_trailing_slash_and_missing() -> None:
    config: dict[str, Any] = {"Volumes": {"/var/www/html/": {}, "/data": {}}}
    passed(run(ImageVolumesCheck(volumes=["/var/www/html"]), config))
    passed(run(ImageVolumesCheck(volumes=["/data/"]), config))
    out = failed(run(ImageVolumesCheck(volumes=["/logs", "/data"]), config))
    assert "/logs" in out.message.en and "/data" not in out.message.en
    assert ImageVolumesCheck(volumes=["relative"]).validate()


# --- image_cmd -----------------------------------------------------------------------------
APACHE = ["apachectl", "-D", "FOREGROUND"]
SPLIT = {"Entrypoint": ["apachectl"], "Cmd": ["-D", "FOREGROUND"]}
CMD_ONLY = {"Cmd": APACHE}
SHELL_CMD = {"Cmd": ["/bin/sh", "-c", "apachectl -D FOREGROUND"]}
SHELL_ENTRY = {"Entrypoint": ["/bin/sh", "-c", "apachectl -D FOREGROUND"], "Cmd": ["x"]}


@pytest.mark.parametrize("config", [SPLIT, CMD_ONLY], ids=["entrypoint+cmd", "cmd"])
def test_effective_accepts_both_ways_of_running_apache(config: dict[str, Any]) -> None:
    passed(run(ImageCmdCheck(effective=True, exec_form=True, equals=list(APACHE)), config))
    passed(run(ImageCmdCheck(effective=True, matches="^apachectl -D FOREGROUND$"), config))


def test_exact_argv_without_effective() -> None:
    passed(run(ImageCmdCheck(equals=list(APACHE)), CMD_ONLY))
    out = failed(run(ImageCmdCheck(equals=list(APACHE)), SPLIT))
    assert en(out.actual) == '["-D", "FOREGROUND"]'
    out = failed(run(ImageCmdCheck(equals=list(APACHE)), {"Entrypoint": APACHE}))
    assert en(out.actual) == "(none)" and "CMD" in out.message.en


@pytest.mark.parametrize("config", [SHELL_CMD, SHELL_ENTRY], ids=["cmd", "entrypoint"])
def test_exec_form_rejects_the_shell_wrapper(config: dict[str, Any]) -> None:
    out = failed(run(ImageCmdCheck(effective=True, exec_form=True), config))
    assert "shell" in out.message.en and "shell" in out.message.pt
    assert out.message.en.startswith("ENTRYPOINT" if "Entrypoint" in config else "CMD")
    assert en(out.expected) and en(out.expected).endswith('["apachectl", "-D", "FOREGROUND"]')
    assert en(out.actual) and en(out.actual).startswith('["/bin/sh", "-c"')
    # without exec_form the shell form wraps the same command
    passed(run(ImageCmdCheck(effective=True, equals=list(APACHE)), config))


def test_exec_form_only_and_unset() -> None:
    passed(run(ImageCmdCheck(exec_form=True), CMD_ONLY))
    failed(run(ImageCmdCheck(exec_form=True), {}))
    passed(run(ImageCmdCheck(equals=[]), {"Entrypoint": APACHE}))  # [] asserts no CMD


def test_shell_helpers() -> None:
    assert shell_script(["/bin/bash", "-o", "pipefail", "-c", "run it"]) == "run it"
    assert shell_script(["apachectl", "-c", "x"]) is None
    assert simple_command("exec nginx -g 'daemon off;'") == ["nginx", "-g", "daemon off;"]
    assert simple_command("cd /app && ./run") is None
    assert simple_command("echo 'unclosed") is None


def test_argv_validate() -> None:
    assert ImageCmdCheck().validate()  # nothing to check
    assert ImageCmdCheck(matches="(").validate()
    assert ImageCmdCheck(equals="apachectl -D FOREGROUND").validate()  # type: ignore[arg-type]


# --- image_user ---------------------------------------------------------------------------
PASSWD_FILES = {"/etc/passwd": text_file(PASSWD)}


@pytest.mark.parametrize("user", ["", "root", "0", "0:0", "root:root"])
def test_not_root_rejects_root(user: str) -> None:
    out = failed(run(ImageUserCheck(not_root=True), {"User": user}, files=PASSWD_FILES))
    assert "root" in out.message.en and "root" in out.message.pt


def test_not_root_resolves_uid_zero_names() -> None:
    files = {"/etc/passwd": text_file("toor:x:0:0::/:/bin/sh\n")}
    failed(run(ImageUserCheck(not_root=True), {"User": "toor"}, files=files))
    passed(run(ImageUserCheck(not_root=True), {"User": "app"}, files=PASSWD_FILES))
    passed(run(ImageUserCheck(not_root=True), {"User": "1000"}))  # no /etc/passwd needed


@pytest.mark.parametrize("actual", ["app", "1000", "app:app", "app:1000"])
def test_user_name_uid_equivalence(actual: str) -> None:
    passed(run(ImageUserCheck(user="app"), {"User": actual}, files=PASSWD_FILES))


def test_root_points_at_the_dockerfile_line_that_decides_it() -> None:
    text = "FROM busybox:1.35 AS base\nUSER app\nFROM base\nUSER root\nCMD [\"x\"]\n"
    out = failed(run(ImageUserCheck(not_root=True), {"User": "root"}, files=PASSWD_FILES,
                     dockerfile=parse_dockerfile(text)))
    assert out.line == 4 and "Dockerfile:4: USER root" in out.message.en
    none = failed(run(ImageUserCheck(not_root=True), {"User": ""},
                      dockerfile=parse_dockerfile("FROM busybox:1.35\nCMD [\"x\"]\n")))
    assert none.line == 1 and "no USER" in none.message.en and "USER" in none.message.pt
    # the image is what counts: a USER from a variable or an earlier stage is resolved by Docker
    passed(run(ImageUserCheck(not_root=True), {"User": "app"}, files=PASSWD_FILES,
               dockerfile=parse_dockerfile("FROM a:1\nARG U=app\nUSER $U\n")))


def test_user_wrong_and_validate() -> None:
    out = failed(run(ImageUserCheck(user="app"), {"User": "www-data"}, files=PASSWD_FILES))
    assert (en(out.expected), en(out.actual)) == ("app", "www-data")
    failed(run(ImageUserCheck(user="app"), {}, files=PASSWD_FILES))
    assert ImageUserCheck().validate()
    assert ImageUserCheck(user="app", not_root=True).validate()


# --- image_workdir ------------------------------------------------------------------------
def test_workdir() -> None:
    passed(run(ImageWorkdirCheck(workdir="/app"), {"WorkingDir": "/app/"}))
    passed(run(ImageWorkdirCheck(workdir="/"), {"WorkingDir": ""}))
    out = failed(run(ImageWorkdirCheck(workdir="/app"), {"WorkingDir": "/srv"}))
    assert (en(out.expected), en(out.actual)) == ("/app", "/srv")
    assert ImageWorkdirCheck(workdir="app").validate()


# --- package ------------------------------------------------------------------------------
DPKG = """Package: apache2
Status: install ok installed
Version: 2.4.57-2
Description: Apache HTTP Server
 a continuation line: with a colon

Package: vim
Status: deinstall ok config-files
Version: 2:9.0.1378-2

Package: curl
Status: hold ok installed
Version: 7.88.1-10
"""
APK = "C:Q1abc=\nP:nginx\nV:1.24.0-r7\nA:x86_64\n\nP:musl\nV:1.2.4-r2\n"


def dpkg_ctx(**more: Any) -> dict[str, Any]:
    return {"files": {"/var/lib/dpkg/status": text_file(DPKG)}, **more}


def test_package_dpkg_installed_and_version() -> None:
    ctx = FakeContext(**dpkg_ctx())
    out = passed(PackageCheck(name="apache2", version=r"^2\.4\.").run(ctx))
    assert en(out.actual) == "apache2 2.4.57-2"
    assert not ctx.called("exec")  # read from the host, never inside the container
    passed(run(PackageCheck(name="curl"), **dpkg_ctx()))  # held packages are installed
    out = failed(run(PackageCheck(name="apache2", version="^2\\.2"), **dpkg_ctx()))
    assert "2.4.57-2" in en(out.actual)


def test_package_config_files_only_is_not_installed() -> None:
    failed(run(PackageCheck(name="vim"), **dpkg_ctx()))
    passed(run(PackageCheck(name="vim", installed=False), **dpkg_ctx()))
    out = failed(run(PackageCheck(name="apache2", installed=False), **dpkg_ctx()))
    assert "apache2" in out.message.pt and en(out.actual) == "apache2 2.4.57-2"


def test_package_alpine_and_distroless_and_no_database() -> None:
    apk = {"/lib/apk/db/installed": text_file(APK)}
    passed(run(PackageCheck(name="nginx", version="^1\\.24"), files=apk))
    failed(run(PackageCheck(name="apache2"), files=apk))
    distroless = {
        "/var/lib/dpkg/status.d/libc6": text_file(
            "Package: libc6\nStatus: install ok installed\nVersion: 2.36-9\n"
        )
    }
    passed(run(PackageCheck(name="libc6"), files=distroless))
    out = failed(run(PackageCheck(name="gcc", installed=False)))
    assert "package database" in out.message.en and "pacotes" in out.message.pt


def test_package_validate() -> None:
    assert PackageCheck(name="").validate()
    assert PackageCheck(name="../etc/passwd").validate()
    assert PackageCheck(name="x", version="(").validate()
    assert PackageCheck(name="x", version="1", installed=False).validate()
