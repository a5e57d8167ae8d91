"""Every check type's failures read as Portuguese, with no raw regex, in every student-facing
format of a `--lang pt` run (issue 14). No Docker: the checks run on FakeContext; the same
scan runs over every lab's samples on real Docker in tests/integration/test_lab_samples.py."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from graders.backends.base import ExecResult, HttpResponse
from graders.checks.add_vs_copy import AddVsCopyCheck
from graders.checks.base import Check, Outcome
from graders.checks.base_image import BaseImageCheck
from graders.checks.command import CommandCheck
from graders.checks.container_running import ContainerRunningCheck
from graders.checks.copy_from import CopyFromCheck
from graders.checks.dockerfile_instruction import DockerfileInstructionCheck
from graders.checks.exec_form import ExecFormCheck
from graders.checks.file import FileCheck
from graders.checks.http import HttpCheck
from graders.checks.image_cmd import ImageCmdCheck
from graders.checks.image_env import ImageEnvCheck
from graders.checks.image_exposed_ports import ImageExposedPortsCheck
from graders.checks.image_labels import ImageLabelsCheck
from graders.checks.image_size import ImageSizeCheck
from graders.checks.image_user import ImageUserCheck
from graders.checks.image_volumes import ImageVolumesCheck
from graders.checks.image_workdir import ImageWorkdirCheck
from graders.checks.named_stage import NamedStageCheck
from graders.checks.package import PackageCheck
from graders.checks.path_absent import PathAbsentCheck
from graders.checks.run_output import RunOutputCheck
from graders.checks.stage_count import StageCountCheck
from graders.checks.workdir_absolute import WorkdirAbsoluteCheck
from graders.i18n import Text
from graders.results import BuildInfo, CheckResult, LabResult, Status
from tests.portuguese import english_in, regexes_in
from tests.unit.dockerfiles import SEED_APACHE, SEED_MULTISTAGE
from tests.unit.dockerfiles import run as on_dockerfile
from tests.unit.fake_context import FakeContext, directory, text_file
from tests.unit.test_image_size_checks import GOLANG_FS, TOOLCHAIN, ImageContext

STOPPED = {"Running": False, "Status": "exited", "ExitCode": 0, "OOMKilled": False,
           "StartedAt": "2024-01-01T00:00:00Z", "FinishedAt": "2024-01-01T00:00:00.4Z"}
PAGE = HttpResponse(404, {"Content-Type": "text/html"}, b"<h1>Not Found</h1>")
DPKG = "Package: curl\nStatus: install ok installed\nVersion: 7.88\n\n"
SHELL_FORM = SEED_APACHE.replace('ENTRYPOINT [ "/usr/sbin/apachectl" ]\nCMD [ "-D", "FOREGROUND" ]',
                                 "CMD apachectl -D FOREGROUND")
assert SHELL_FORM != SEED_APACHE

Case = Callable[[], Outcome]
CASES: dict[str, Case] = {
    "container stopped": lambda: ContainerRunningCheck(after=3).run(
        FakeContext(state=STOPPED, logs="AH00558: could not reliably determine")),
    "container never started": lambda: ContainerRunningCheck(after=0).run(
        FakeContext(state={"Running": False, "Status": "created"})),
    "http status and body": lambda: HttpCheck(port=80, status=200, body="(?i)apache").run(
        FakeContext(http={(80, "/"): PAGE})),
    "http refused": lambda: HttpCheck(port=80).run(
        FakeContext(http={(80, "/"): ConnectionRefusedError(111, "Connection refused")})),
    "http header": lambda: HttpCheck(port=80, headers={"Server": "^Apache"}).run(
        FakeContext(http={(80, "/"): HttpResponse(200, {}, b"ok")})),
    "command": lambda: CommandCheck(exec=["php", "-v"], stdout=r"^PHP 8\.").run(
        FakeContext(execs={("php", "-v"): ExecResult(0, "PHP 7.4", "")})),
    "command timeout": lambda: CommandCheck(exec=["sleep", "9"], timeout=1).run(
        FakeContext(execs={("sleep", "9"): ExecResult(None, "", "")})),
    "file missing": lambda: FileCheck(path="/app/run.sh", kind="file").run(FakeContext()),
    "file wrong": lambda: FileCheck(path="/app", kind="directory", mode="0750",
                                    contains="^x$").run(
        FakeContext(files={"/app": directory(mode=0o755)})),
    "file content": lambda: FileCheck(path="/a.txt", contains=r"Hello\s+World").run(
        FakeContext(files={"/a.txt": text_file("")})),
    "package missing": lambda: PackageCheck(name="apache2").run(
        FakeContext(files={"/var/lib/dpkg/status": text_file(DPKG)})),
    "package version": lambda: PackageCheck(name="curl", version=r"^8\.").run(
        FakeContext(files={"/var/lib/dpkg/status": text_file(DPKG)})),
    "package installed": lambda: PackageCheck(name="curl", installed=False).run(
        FakeContext(files={"/var/lib/dpkg/status": text_file(DPKG)})),
    "no package database": lambda: PackageCheck(name="curl").run(FakeContext()),
    "path present": lambda: PathAbsentCheck(paths=TOOLCHAIN).run(
        ImageContext(files=GOLANG_FS)),
    "run output": lambda: RunOutputCheck(stdout=r"^Hello, \w+!$", exit_code=0).run(
        ImageContext(config={"Cmd": ["/app/hello"]}, runs={None: ExecResult(1, "Hi\n", "")})),
    "run output killed": lambda: RunOutputCheck(equals="Hello").run(
        ImageContext(config={"Cmd": ["/app/hello"]}, runs={None: ExecResult(None, "", "")})),
    "cmd shell form": lambda: ImageCmdCheck(effective=True, exec_form=True,
                                            matches=r"apache2ctl\b").run(
        FakeContext(config={"Cmd": ["/bin/sh", "-c", "apache2ctl -D FOREGROUND"]})),
    "cmd none": lambda: ImageCmdCheck(matches="^httpd").run(FakeContext(config={})),
    "cmd mismatch": lambda: ImageCmdCheck(matches=r"(^|/)hello( |$)").run(
        FakeContext(config={"Cmd": ["/bin/sh"]})),
    "env": lambda: ImageEnvCheck(env={"APP_HOME": "/srv/app", "MODE": "^prod"},
                                 match="regex").run(FakeContext(config={"Env": ["MODE=dev"]})),
    "ports": lambda: ImageExposedPortsCheck(ports=[80], exactly=True).run(
        FakeContext(config={"ExposedPorts": {"8080/tcp": {}}})),
    "labels": lambda: ImageLabelsCheck(labels={"description": "(?i)apache", "vendor": ""}).run(
        FakeContext(config={"Labels": {"vendor": ""}})),
    "maintainer": lambda: ImageLabelsCheck(maintainer="@").run(
        FakeContext(config={"Labels": {"maintainer": "Ana"}})),
    "no maintainer": lambda: ImageLabelsCheck(maintainer="").run(FakeContext(config={})),
    "size": lambda: ImageSizeCheck(min_mb=1, max_mb=20).run(
        FakeContext(inspect={"Size": 800_000_000})),
    "user": lambda: ImageUserCheck(not_root=True).run(FakeContext(config={"User": ""})),
    "other user": lambda: ImageUserCheck(user="app").run(FakeContext(config={"User": ""})),
    "volumes": lambda: ImageVolumesCheck(volumes=["/data"]).run(FakeContext(config={})),
    "workdir": lambda: ImageWorkdirCheck(workdir="/srv/app").run(FakeContext(config={})),
    "base image": lambda: on_dockerfile(BaseImageCheck(
        image=r"^(docker\.io/)?(library/)?debian$", pinned=True), "FROM ubuntu:latest\n"),
    "base image tag": lambda: on_dockerfile(BaseImageCheck(tag="^12"), "FROM debian:10\n"),
    "base image banned": lambda: on_dockerfile(BaseImageCheck(none_of=["^golang$"]),
                                               "FROM golang:1.19\n"),
    "instruction regex": lambda: on_dockerfile(DockerfileInstructionCheck(
        instruction="RUN", args=r"\bapt(-get)?\s+clean"), "FROM debian:12\nRUN true\n"),
    "instruction form": lambda: on_dockerfile(DockerfileInstructionCheck(
        instruction="CMD", form="exec"), SHELL_FORM),
    "instruction absent": lambda: on_dockerfile(DockerfileInstructionCheck(
        instruction="EXPOSE", present=False), SEED_APACHE),
    "exec form": lambda: on_dockerfile(ExecFormCheck(), SHELL_FORM),
    "add vs copy": lambda: on_dockerfile(AddVsCopyCheck(), "FROM debian:12\nADD a.txt /a\n"),
    "copy from typo": lambda: on_dockerfile(CopyFromCheck(), SEED_MULTISTAGE),
    "copy from missing": lambda: on_dockerfile(CopyFromCheck(required=True), "FROM scratch\n"),
    "named stage": lambda: on_dockerfile(NamedStageCheck(), SEED_MULTISTAGE.replace(
        " as build", "").replace("--from=buildando", "--from=0")),
    "stage count": lambda: on_dockerfile(StageCountCheck(min=2), "FROM scratch\n"),
    "workdir relative": lambda: on_dockerfile(WorkdirAbsoluteCheck(),
                                              "FROM debian:12\nWORKDIR app\n"),
}


def as_result(name: str, outcome: Outcome, check: type[Check] | None = None) -> LabResult:
    """A one-check lab result from a failed outcome, as the engine would make it."""
    assert not outcome.passed, outcome
    result = CheckResult(name.replace(" ", "-"), Text("Verificação", "Check"), "t", Status.FAILED,
                         0.0, 10.0, False, outcome.message, outcome.expected, outcome.actual,
                         Text("Corrija.", "Fix it."), outcome.details, outcome.line)
    return LabResult("lab", Text("Laboratório", "Lab"), "", (result,),
                     BuildInfo(Status.PASSED))


@pytest.mark.parametrize("name", sorted(CASES))
def test_a_failure_reads_as_portuguese_with_no_regex(name: str) -> None:
    result = as_result(name, CASES[name]())
    shown = result.checks[0].feedback("pt")
    assert english_in(result) == {}, shown
    assert regexes_in(result) == {}, shown


def test_the_scan_finds_english_and_regexes() -> None:
    """The scan is not blind: the old English Expected line and a raw pattern are found."""
    bad = as_result("old", Outcome.fail(Text("Falhou.", "Failed."),
                                        expected="running after 3 s",
                                        actual=r"=~ (apache2?ctl|apache2)\b.*-D ?FOREGROUND"))
    assert set(english_in(bad)) >= {"table", "markdown", "json", "junit", "gradescope"}
    assert "running after" in english_in(bad)["table"]
    assert set(regexes_in(bad)) >= {"table", "markdown", "json", "classroom", "junit"}
