"""Checks on the running container, against a FakeContext (no Docker)."""

from __future__ import annotations

import http.client
from typing import Any

import pytest

from graders.backends.base import parse_docker_time
from graders.checks import container_running
from graders.checks.base import ExecResult, HttpResponse
from graders.checks.command import CommandCheck
from graders.checks.container_running import ContainerRunningCheck
from graders.checks.file import FileCheck
from graders.checks.http import HttpCheck
from graders.errors import SpecError
from tests.unit.fake_context import (
    FakeContext,
    directory,
    en,
    failed,
    passed,
    pt,
    symlink,
    text_file,
)
from tests.unit.test_image_checks import PASSWD

STARTED = "2024-05-01T12:00:00.123456789Z"
T0 = parse_docker_time(STARTED) or 0.0


# --- container_running --------------------------------------------------------------------
class Clock:
    """Replaces the check's clock and sleep; `sleeps` records how long it waited."""

    def __init__(self, now: float) -> None:
        self.now = now
        self.sleeps: list[float] = []

    def time(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    fake = Clock(T0 + 1.0)
    monkeypatch.setattr(container_running, "clock", fake.time)
    monkeypatch.setattr(container_running, "sleep", fake.sleep)
    return fake


def test_parse_docker_time() -> None:
    assert parse_docker_time("2024-05-01T12:00:00Z") == pytest.approx(1714564800.0)
    assert parse_docker_time(STARTED) == pytest.approx(1714564800.123456)
    assert parse_docker_time("2024-05-01T14:00:00.5+02:00") == pytest.approx(1714564800.5)
    assert parse_docker_time("0001-01-01T00:00:00Z") is None
    assert parse_docker_time(None) is None


def test_running_waits_until_after_seconds_since_start(clock: Clock) -> None:
    ctx = FakeContext(state={"Running": True, "StartedAt": STARTED})
    out = passed(ContainerRunningCheck(after=3).run(ctx))
    assert clock.sleeps == [pytest.approx(2.0)]
    assert "3 s" in out.message.en and "3 s" in out.message.pt
    clock.sleeps.clear()
    passed(ContainerRunningCheck(after=0.5).run(ctx))  # already long enough
    assert clock.sleeps == []


def test_stopped_container_says_exit_code_oom_and_logs(clock: Clock) -> None:
    state = {
        "Running": False,
        "StartedAt": STARTED,
        "FinishedAt": "2024-05-01T12:00:00.523456789Z",
        "ExitCode": 0,
        "OOMKilled": False,
    }
    logs = "".join(f"line {i}\n" for i in range(100)) + "AH00558: apache2: done\n"
    out = failed(ContainerRunningCheck(after=3).run(FakeContext(state=state, logs=logs)))
    assert clock.sleeps == []  # it already stopped: no waiting
    assert "exit code 0" in out.message.en and "código de saída 0" in out.message.pt
    assert "foreground" in out.message.en and "primeiro plano" in out.message.pt
    assert "code 0 after 0.4 s" in en(out.actual) and "AH00558" in en(out.actual)
    assert "código 0 após 0.4 s" in pt(out.actual) and "exited" not in pt(out.actual)
    assert "line 0\n" not in en(out.actual)
    assert "ExitCode: 0" in out.details and "AH00558" in out.details


def test_a_crash_reason_on_stderr_is_shown_even_after_noisy_stdout(clock: Clock) -> None:
    state = {"Running": False, "StartedAt": STARTED, "ExitCode": 3, "OOMKilled": False}
    ctx = FakeContext(state=state, logs="B" * 20_000 + "\n",
                      errors="noisy.sh: cannot open /etc/app.conf\n")
    out = failed(ContainerRunningCheck(after=3).run(ctx))
    assert "last stderr: noisy.sh: cannot open /etc/app.conf" in en(out.actual)
    assert "--- last stderr ---\nnoisy.sh: cannot open" in out.details
    assert "--- last stdout ---\n…BBB" in out.details and len(out.details) < 4500


def test_container_that_dies_while_waiting(clock: Clock) -> None:
    states = iter(
        [
            {"Running": True, "StartedAt": STARTED},
            {"Running": False, "StartedAt": STARTED, "ExitCode": 137, "OOMKilled": True},
        ]
    )

    class Dying(FakeContext):
        def container_state(self) -> dict[str, Any]:
            return next(states)

    out = failed(ContainerRunningCheck(after=3).run(Dying()))
    assert "OOMKilled" in out.message.en and "OOMKilled: true" in en(out.actual)
    assert "no output" in en(out.actual)


def test_never_started_and_validate() -> None:
    state = {"Running": False, "StartedAt": "0001-01-01T00:00:00Z", "Status": "created"}
    out = failed(ContainerRunningCheck().run(FakeContext(state=state)))
    assert en(out.actual) == "created"
    assert ContainerRunningCheck(after=-1).validate()
    assert ContainerRunningCheck(after=1000).validate()


# --- http ---------------------------------------------------------------------------------
PAGE = HttpResponse(200, {"content-type": "text/html; charset=utf-8"}, b"<h1>It works!</h1>\n")


def http_ctx(answer: HttpResponse | BaseException, **more: Any) -> FakeContext:
    return FakeContext(http={(80, "/"): answer}, **more)


def test_http_passes_with_status_body_and_headers_any_case() -> None:
    check = HttpCheck(port=80, body="It works", headers={"Content-Type": "^text/html"})
    ctx = http_ctx(PAGE)
    passed(check.run(ctx))
    assert ("http_get", 80, "/", 5.0) in ctx.calls


def test_http_wrong_status_says_what_came_back() -> None:
    body = b"<h1>Not Found</h1>" + b"x" * 500
    out = failed(HttpCheck(port=80).run(http_ctx(HttpResponse(404, {}, body))))
    assert en(out.expected) == "HTTP 200" and en(out.actual)
    assert en(out.actual).startswith("HTTP 404, body: '<h1>Not Found</h1>x")
    assert len(en(out.actual)) < 260  # first 200 characters of the body only


def test_http_body_and_header_mismatch() -> None:
    failed(HttpCheck(port=80, body="^Welcome").run(http_ctx(PAGE)))
    out = failed(HttpCheck(port=80, headers={"X-Powered-By": "PHP"}).run(http_ctx(PAGE)))
    assert en(out.actual) == "X-Powered-By absent"


@pytest.mark.parametrize(
    ("error", "words"),
    [
        (ConnectionRefusedError(111, "Connection refused"), "0.0.0.0"),
        (ConnectionResetError(104, "Connection reset by peer"), "0.0.0.0"),
        (http.client.RemoteDisconnected("closed"), "0.0.0.0"),
        (TimeoutError("timed out"), "5 s"),
        (http.client.BadStatusLine("SSH-2.0"), "not valid HTTP"),
    ],
)
def test_http_connection_problems_fail_clearly(error: BaseException, words: str) -> None:
    out = failed(HttpCheck(port=80).run(http_ctx(error)))
    assert words in out.message.en and type(error).__name__ in out.details


def test_http_port_not_published() -> None:
    stopped = FakeContext(ports={}, state={"Running": False, "ExitCode": 1})
    assert "not running" in failed(HttpCheck(port=80).run(stopped)).message.en
    with pytest.raises(SpecError):  # a lab without the port in run.ports: ours, not theirs
        HttpCheck(port=80).run(FakeContext(ports={}, state={"Running": True}))


@pytest.mark.parametrize(
    "fields",
    [
        {"port": 0},
        {"port": "80"},
        {"path": "index.html"},
        {"status": 99},
        {"body": "(("},
        {"headers": {"A": "[z-a]"}},
        {"timeout": 0},
    ],
)
def test_http_validate(fields: dict[str, Any]) -> None:
    assert HttpCheck(**fields).validate()


# --- file ---------------------------------------------------------------------------------
FILES = {
    "/etc/passwd": text_file(PASSWD),
    "/etc/group": text_file("root:x:0:\nwww-data:x:33:\napp:x:1000:\n"),
    "/app": directory(uid=1000, gid=1000),
    "/app/run.sh": text_file("#!/bin/sh\nexec apachectl -D FOREGROUND\n", mode=0o644, uid=1000),
    "/app/current": symlink("run.sh"),
    "/app/dangling": symlink("/nowhere"),
}


def file_check(**fields: Any) -> FileCheck:
    check = FileCheck(**fields)
    assert check.validate() == []
    return check


def test_file_message_style_for_permissions() -> None:
    ctx = FakeContext(files=FILES)
    out = failed(file_check(path="/app/run.sh", mode="0755").run(ctx))
    assert out.message.en == "/app/run.sh has incorrect permissions."
    assert (en(out.expected), en(out.actual)) == ("0755", "0644")
    assert not ctx.called("exec")


def test_file_passes_kind_mode_owner_group_contains() -> None:
    check = file_check(
        path="/app/run.sh",
        kind="file",
        mode="644",
        owner="app",
        group=0,
        contains="^exec apachectl",
    )
    passed(check.run(FakeContext(files=FILES)))
    passed(
        file_check(path="/app", kind="directory", owner="1000", group="app").run(
            FakeContext(files=FILES)
        )
    )


def test_file_reports_several_problems_at_once() -> None:
    check = file_check(path="/app/run.sh", mode="0755", owner="www-data")
    out = failed(check.run(FakeContext(files=FILES)))
    assert en(out.expected) == "mode: 0755; owner: www-data (33)"
    assert en(out.actual) == "mode: 0644; owner: app (1000)"
    assert pt(out.actual) == "permissões: 0644; dono: app (1000)"


def test_file_unknown_user_and_missing() -> None:
    out = failed(file_check(path="/app/run.sh", owner="nginx").run(FakeContext(files=FILES)))
    assert "nginx does not exist" in out.message.en
    out = failed(file_check(path="/app/nope").run(FakeContext(files=FILES)))
    assert en(out.actual) == "(absent)"


def test_file_kinds_and_symlinks() -> None:
    ctx = FakeContext(files=FILES)
    out = failed(file_check(path="/app", kind="file").run(ctx))
    assert (en(out.expected), en(out.actual)) == ("file", "directory")
    assert "arquivo" in out.message.pt
    assert (pt(out.expected), pt(out.actual)) == ("arquivo", "diretório")
    passed(file_check(path="/app/current", kind="symlink").run(ctx))
    passed(file_check(path="/app/current", kind="file", contains="apachectl").run(ctx))
    assert "broken" in failed(file_check(path="/app/dangling", kind="file").run(ctx)).message.en
    out = failed(file_check(path="/app", contains="x").run(ctx))
    assert "readable" in out.message.en


def test_file_contains_mismatch_shows_first_line() -> None:
    out = failed(file_check(path="/app/run.sh", contains="nginx").run(FakeContext(files=FILES)))
    assert en(out.actual) == "first line: #!/bin/sh"


@pytest.mark.parametrize(
    "fields",
    [
        {"path": "relative"},
        {"path": "/a", "mode": "0999"},
        {"path": "/a", "mode": "rwxr-xr-x"},
        {"path": "/a", "mode": 420},  # what YAML makes of an unquoted 0644
        {"path": "/a", "kind": "socket"},
        {"path": "/a", "contains": "("},
    ],
)
def test_file_validate(fields: dict[str, Any]) -> None:
    assert FileCheck(**fields).validate()


# --- command ------------------------------------------------------------------------------
def test_command_argv_and_shell_string() -> None:
    ctx = FakeContext(
        execs={
            ("php", "--version"): ExecResult(0, "PHP 8.2.7 (cli)\n", ""),
            ("/bin/sh", "-c", "php -m | grep -i pdo"): ExecResult(1, "", ""),
        }
    )
    passed(CommandCheck(exec=["php", "--version"], stdout=r"^PHP 8\.").run(ctx))
    assert ("exec", ("php", "--version"), 10.0) in ctx.calls
    out = failed(CommandCheck(exec="php -m | grep -i pdo").run(ctx))
    assert en(out.expected) == "exit code 0" and en(out.actual).startswith("exit code 1")
    assert "php -m | grep -i pdo" in out.message.en


def test_command_stdout_stderr_and_timeout() -> None:
    ctx = FakeContext(
        execs={("x",): ExecResult(0, "ok", "warning: y")}, exec_default=ExecResult(None, "", "")
    )
    failed(CommandCheck(exec=["x"], stdout="^fine").run(ctx))
    passed(CommandCheck(exec=["x"], stderr="warning").run(ctx))
    passed(CommandCheck(exec=["x"], exit_code=None, stdout="ok").run(ctx))
    out = failed(CommandCheck(exec=["sleep", "100"], timeout=2).run(ctx))
    assert "timed out after 2 s" in out.message.en and en(out.actual) == "timed out after 2 s"


@pytest.mark.parametrize(
    "fields",
    [
        {},
        {"exec": []},
        {"exec": ["a", ["b"]]},
        {"exec": "x", "stdout": "("},
        {"exec": "x", "exit_code": 256},
        {"exec": "x", "timeout": 0},
    ],
)
def test_command_validate(fields: dict[str, Any]) -> None:
    assert CommandCheck(**fields).validate()
