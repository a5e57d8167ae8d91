"""Lab day2-registry end to end: validate against the embedded registry with and without auth,
reusing a running registry, an unreachable registry (ERROR, never FAILED), the `registry` CLI,
and no credential in any output, log or report.
"""

from __future__ import annotations

import base64
import glob
import io
import json
import secrets
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from registry_support import free_port, has_registry_binary, need

from graders.cli.env import Env, ExitStatus
from graders.cli.formats import FORMAT_FLAGS
from graders.cli.main import main
from graders.registry import server
from graders.registry.client import RegistryClient
from graders.samples import prepared
from graders.spec import load_lab

pytestmark = [pytest.mark.docker, pytest.mark.registry]
LAB = load_lab("day2-registry")
SOLUTION = LAB.root / "solution"


def run(argv: list[str], environ: dict[str, str] | None = None) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    status = main(argv, Env(out, err, environ or {}))
    return status, out.getvalue(), err.getvalue()


def repo_tags(client: object) -> set[str]:
    """Every local tag, in one API call (listing Image objects inspects each one, which races
    with other runs removing theirs)."""
    return {t for i in client.api.images() for t in i.get("RepoTags") or ()}  # type: ignore[attr-defined]


def our_state() -> dict[str, set[str]]:
    """What grading this lab creates: temp folders, tags, registry processes, containers (only
    ours: other runs may share the engine, so `no_leftovers`' engine-wide view is not used)."""
    import docker

    client = docker.from_env()
    tags = {t for t in repo_tags(client) if t.startswith("127.0.0.1:")}
    containers = {c["Id"] for c in client.api.containers(all=True)
                  if str(c.get("Image", "")).startswith(("127.0.0.1:", f"labgrade/{LAB.id}:"))}
    client.close()
    procs = set()
    for cmdline in glob.glob("/proc/[0-9]*/cmdline"):
        try:
            argv = Path(cmdline).read_bytes().split(b"\0")
        except OSError:
            continue
        if any(b"labgrade-registry-" in a for a in argv) and b"serve" in argv:
            procs.add(cmdline)
    folders = set(glob.glob(f"{tempfile.gettempdir()}/labgrade-registry-*"))
    return {"tags": tags, "processes": procs, "folders": folders, "containers": containers}


@pytest.fixture
def clean_env(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    need(has_registry_binary(), "docker-registry/htpasswd missing: ensure-registry-binary.sh")
    import docker

    client = docker.from_env()
    present = repo_tags(client)
    client.close()
    need({"golang:1.19", "busybox:1.35"} <= present, "base images missing: ensure-base-images.sh")
    for var in ("LABGRADE_REGISTRY", "LABGRADE_REGISTRY_AUTH", "LABGRADE_REGISTRY_USER",
                "LABGRADE_REGISTRY_PASSWORD"):
        monkeypatch.delenv(var, raising=False)
    before = our_state()
    yield
    after = our_state()
    assert {k: after[k] - before[k] for k in after} == {k: set() for k in after}


def test_validate_without_auth(clean_env: None) -> None:
    status, out, err = run(["validate", "day2-registry"])
    assert status == ExitStatus.SUCCESS, out + err
    assert "7 of 7 samples scored as expected." in out


def test_validate_with_auth_leaks_nothing(clean_env: None, monkeypatch: pytest.MonkeyPatch,
                                          capfd: pytest.CaptureFixture[str]) -> None:
    password = "pw-" + secrets.token_hex(12)
    monkeypatch.setenv("LABGRADE_REGISTRY_AUTH", f"grader:{password}")
    status, out, err = run(["-v", "validate", "day2-registry"])
    assert status == ExitStatus.SUCCESS, out + err
    captured = capfd.readouterr()
    assert_no_secret(password, "grader", [out, err, captured.out, captured.err])


def test_validate_reusing_a_running_registry(clean_env: None, tmp_path: Path,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    st = server.up(port=free_port(), state_dir=tmp_path / "registry")
    try:
        monkeypatch.setenv("LABGRADE_REGISTRY", f"127.0.0.1:{st.port}")
        status, out, err = run(["validate", "day2-registry"])
        assert status == ExitStatus.SUCCESS, out + err
        with RegistryClient(f"127.0.0.1:{st.port}") as c:  # every pushed manifest was deleted
            assert all(not c.tags(repo) for repo in c.catalog())
    finally:
        server.down(tmp_path / "registry")


def assert_no_secret(password: str, user: str, texts: list[str]) -> None:
    basic = base64.b64encode(f"{user}:{password}".encode()).decode()
    for text in texts:
        assert password not in text
        assert basic not in text


def test_no_credential_in_any_output_log_or_report(
        clean_env: None, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        caplog: pytest.LogCaptureFixture, capfd: pytest.CaptureFixture[str]) -> None:
    password = "pw-" + secrets.token_hex(12)
    monkeypatch.setenv("LABGRADE_REGISTRY_AUTH", f"grader:{password}")
    caplog.set_level("DEBUG")
    texts: list[str] = []
    for sample in LAB.samples:
        if sample.path not in ("solution", "submissions/wrong_tag", "submissions/older_image"):
            continue
        with prepared(LAB, sample) as options:
            assert options.registry is not None
            port = options.registry.rsplit(":", 1)[1]
            for command in ("grade", "check"):
                reports = tmp_path / f"{Path(sample.path).name}-{command}"
                flags = [a for f in FORMAT_FLAGS for a in (f"--{f}", str(reports / f))]
                status, out, err = run(["-v", command, "day2-registry", str(LAB.root / sample.path),
                                        "--registry", options.registry, *flags])
                assert status in (ExitStatus.SUCCESS, ExitStatus.CHECKS_FAILED), out + err
                texts += [out, err] + [p.read_text() for p in reports.iterdir()]
            if sample.path == "solution":
                report = json.loads((tmp_path / "solution-grade" / "json").read_text())
                assert report["score"] == 100, report
            texts += [Path(p).read_text() for p in glob.glob(
                f"{tempfile.gettempdir()}/labgrade-registry-*/registry.log")
                if f":{port}" in Path(p).read_text()]
    captured = capfd.readouterr()
    texts += [caplog.text, captured.out, captured.err]
    assert len(texts) > 20
    assert_no_secret(password, "grader", texts)


def test_wrong_password_and_unreachable_registry_are_errors(
        clean_env: None, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    secret = "right-" + secrets.token_hex(8)
    st = server.up(port=free_port(), auth=("grader", secret), state_dir=tmp_path / "registry")
    try:
        wrong = "wrong-" + secrets.token_hex(8)
        monkeypatch.setenv("LABGRADE_REGISTRY_USER", "grader")
        monkeypatch.setenv("LABGRADE_REGISTRY_PASSWORD", wrong)
        status, out, err = run(["-v", "grade", "day2-registry", str(SOLUTION), "--registry",
                                f"127.0.0.1:{st.port}", "--json", str(tmp_path / "r.json"),
                                "--lang", "en"])
        report = (tmp_path / "r.json").read_text()
        assert status == ExitStatus.INFRA_ERROR, out + err
        tag = next(c for c in json.loads(report)["checks"] if c["id"] == "tag-pushed")
        assert tag["status"] == "error" and "Not allowed into the registry" in tag["message"]
        assert_no_secret(wrong, "grader", [out, err, report])
        assert_no_secret(secret, "grader", [out, err, report, st.log.read_text()])
    finally:
        server.down(tmp_path / "registry")
    closed = free_port()  # nothing listens there
    status, out, _ = run(["grade", "day2-registry", str(SOLUTION), "--registry",
                          f"127.0.0.1:{closed}", "--json", str(tmp_path / "closed.json"),
                          "--lang", "en"])
    assert status == ExitStatus.INFRA_ERROR
    checks = json.loads((tmp_path / "closed.json").read_text())["checks"]
    assert {c["id"]: c["status"] for c in checks} == {
        "multi-stage": "passed", "image-name": "passed", "tag-pushed": "error",
        "pushed-matches": "error", "pushed-runs": "error"}
    assert all("Cannot reach the registry" in c["message"] for c in checks
               if c["status"] == "error")


def test_docker_hub_by_default_unreachable_is_an_error(clean_env: None, tmp_path: Path,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    # Whatever this machine's network, Docker Hub is made unreachable through a dead proxy.
    closed = free_port()
    for var in ("HTTPS_PROXY", "https_proxy"):
        monkeypatch.setenv(var, f"http://127.0.0.1:{closed}")
    monkeypatch.delenv("NO_PROXY", raising=False)
    monkeypatch.delenv("no_proxy", raising=False)
    status, out, _ = run(["grade", "day2-registry", str(SOLUTION), "--lang", "en",
                          "--json", str(tmp_path / "hub.json")])
    assert status == ExitStatus.INFRA_ERROR, out
    checks = json.loads((tmp_path / "hub.json").read_text())["checks"]
    assert [c["status"] for c in checks if c["type"].startswith("registry_")] == ["error"] * 3
    for check in (c for c in checks if c["status"] == "error"):
        assert "Could not ask the registry Docker Hub (docker.io)" in check["message"]
        assert "not a mistake in your submission" in check["message"]


def test_registry_cli_up_status_down(clean_env: None, tmp_path: Path) -> None:
    import docker

    secret = "cli-" + secrets.token_hex(8)
    port, state = free_port(), str(tmp_path / "registry")
    environ = {"LABGRADE_REGISTRY_PASSWORD": secret}
    try:
        status, out, err = run(["registry", "up", "--port", str(port), "--auth", "student",
                                "--state", state], environ)
        assert status == ExitStatus.SUCCESS, err
        assert f"localhost:{port}" in out and "login required for student" in out
        assert f"docker login localhost:{port} -u student" in out
        status, out2, _ = run(["registry", "status", "--state", state])
        assert status == ExitStatus.SUCCESS and f"localhost:{port}" in out2
        client = docker.from_env()
        assert client.login("student", secret, registry=f"localhost:{port}", reauth=True)
        with pytest.raises(docker.errors.APIError):
            client.login("student", "nope", registry=f"localhost:{port}", reauth=True)
        client.close()
        files = [p for p in Path(state).rglob("*") if p.is_file() and p.name != "htpasswd"]
        assert_no_secret(secret, "student", [out, out2, err] + [p.read_text(errors="replace")
                                                              for p in files])
    finally:
        status, out, _ = run(["registry", "down", "--state", state])
    assert status == ExitStatus.SUCCESS and "stopped" in out
    assert run(["registry", "status", "--state", state])[0] == ExitStatus.CHECKS_FAILED
