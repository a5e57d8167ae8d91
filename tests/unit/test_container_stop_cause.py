"""A container that stopped because its service failed is told the service's own error line,
not only an exit code: an Apache config error must not read like "runs in the background"."""

from __future__ import annotations

from graders.checks.container_running import ContainerRunningCheck
from tests.unit.fake_context import FakeContext

STOPPED = {"Running": False, "StartedAt": "2024-05-01T12:00:00.1Z",
           "FinishedAt": "2024-05-01T12:00:00.2Z", "OOMKilled": False}
# Apache 2.4 on debian:12, `apachectl -D FOREGROUND` with a misspelled directive (measured).
APACHE_CONFIG_ERROR = (
    "/usr/sbin/apachectl: 99: ulimit: error setting limit (Operation not permitted)\n"
    "Setting ulimit failed. See README.Debian for more information.\n"
    "AH00526: Syntax error on line 226 of /etc/apache2/apache2.conf:\n"
    "Invalid command 'ServerNmae', perhaps misspelled or defined by a module not included in "
    "the server configuration\n"
)


def test_a_failed_service_is_quoted_from_its_error_line() -> None:
    ctx = FakeContext(state={**STOPPED, "ExitCode": 1}, errors=APACHE_CONFIG_ERROR)
    out = ContainerRunningCheck(after=3).run(ctx)
    assert not out.passed
    said = ("AH00526: Syntax error on line 226 of /etc/apache2/apache2.conf: Invalid command "
            "'ServerNmae', perhaps misspelled")
    assert "The main process failed; its error: " + said in out.message.en
    assert "O processo principal falhou; seu erro: " + said in out.message.pt
    assert "foreground" not in out.message.en


def test_a_crash_quotes_its_last_error_line_and_a_clean_exit_quotes_nothing() -> None:
    crash = "Traceback (most recent call last):\n  File \"app.py\", line 1\nValueError: bad port\n"
    out = ContainerRunningCheck(after=3).run(
        FakeContext(state={**STOPPED, "ExitCode": 1}, errors=crash))
    assert out.message.en.endswith("its error: ValueError: bad port")
    out = ContainerRunningCheck(after=3).run(
        FakeContext(state={**STOPPED, "ExitCode": 0}, errors="AH00558: error-free, detached\n"))
    assert "its error" not in out.message.en and "foreground" in out.message.en
