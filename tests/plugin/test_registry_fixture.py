"""The plugin's `registry` fixture: an instructor's test asks the embedded registry what the
student pushed, found as the registry checks find it (`--lab-registry`, `--lab-image`,
labgrade.yaml, credentials from $LABGRADE_REGISTRY_USER/_PASSWORD), and never shows a secret."""

from __future__ import annotations

import base64
import contextlib
import os
import secrets
import shutil
import socket
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from graders.registry import server

BASE = "busybox:1.35"
LAB_YAML = """\
id: reg-lab
title: {pt: "Enviar a imagem", en: "Push the image"}
build:
  dockerfile: Dockerfile
checks:
  - id: tag-pushed
    type: registry_tag
    points: 10
    tag: v1.0
"""


def need(ok: bool, reason: str) -> None:
    """Skip when `ok` is false; under CI, fail (as tests/integration/registry_support.need)."""
    __tracebackhide__ = True
    if not ok:
        if os.environ.get("CI"):
            pytest.fail(f"{reason} (CI is set, so this is a failure, not a skip)")
        pytest.skip(reason)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def make_lab(root: Path, instructor_tests: str, image: str | None) -> tuple[Path, Path]:
    """A one-check lab (registry_tag v1.0) with the instructor's test file, and a submission
    that declares `image` in its labgrade.yaml (none when `image` is None)."""
    lab = root / "labs" / "reg-lab"
    lab.mkdir(parents=True)
    (lab / "lab.yaml").write_text(LAB_YAML)
    (lab / "test_pushed.py").write_text(instructor_tests)
    submission = root / "submission"
    submission.mkdir()
    (submission / "Dockerfile").write_text(f"FROM {BASE}\n")
    if image is not None:
        (submission / "labgrade.yaml").write_text(f"image: {image}\n")
    return lab, submission


@pytest.fixture
def hermetic(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """No registry setting or login of the machine's: an empty Docker config, no env."""
    for var in ("LABGRADE_REGISTRY", "LABGRADE_REGISTRY_AUTH", "LABGRADE_REGISTRY_USER",
                "LABGRADE_REGISTRY_PASSWORD"):
        monkeypatch.delenv(var, raising=False)
    config = tmp_path / "docker-config"
    config.mkdir()
    monkeypatch.setenv("DOCKER_CONFIG", str(config))


@pytest.fixture
def pushed(hermetic: None, tmp_path: Path,
           monkeypatch: pytest.MonkeyPatch) -> Iterator[dict[str, Any]]:
    """The embedded registry with a login on a free port, and busybox:1.35 pushed to it as
    student/app:v1.0; the tag and the registry are removed whatever happens."""
    need(os.access(server.BINARY, os.X_OK) and shutil.which("htpasswd") is not None,
         "docker-registry/htpasswd missing: scripts/ensure-registry-binary.sh")
    import docker
    import docker.errors

    client = docker.from_env(timeout=120)
    try:
        base = client.images.get(BASE)
    except docker.errors.ImageNotFound:
        client.close()
        need(False, f"{BASE} missing: scripts/ensure-base-images.sh")
        raise
    password = "pw-" + secrets.token_hex(12)
    port = free_port()
    state = tmp_path / "registry"
    address = f"127.0.0.1:{port}"
    repository = f"{address}/student/app"
    tagged = False
    try:
        server.up(port=port, auth=("grader", password), state_dir=state)
        base.tag(repository, "v1.0")
        tagged = True
        auth = {"username": "grader", "password": password, "serveraddress": address}
        digest = ""
        for line in client.images.push(repository, "v1.0", stream=True, decode=True,
                                       auth_config=auth):
            assert "error" not in line and "errorDetail" not in line, line
            digest = (line.get("aux") or {}).get("Digest", digest)
        assert digest.startswith("sha256:")
        monkeypatch.setenv("LABGRADE_REGISTRY_USER", "grader")  # where the checks read it
        monkeypatch.setenv("LABGRADE_REGISTRY_PASSWORD", password)
        yield {"address": address, "digest": digest, "password": password,
               "layers": base.attrs["RootFS"]["Layers"], "cmd": base.attrs["Config"]["Cmd"]}
    finally:
        if tagged:
            with contextlib.suppress(docker.errors.APIError):
                client.images.remove(f"{repository}:v1.0")  # only our tag: busybox stays
        client.close()
        server.down(state)


INSTRUCTOR_TESTS = """\
import pytest

@pytest.mark.points(5)
def test_tag_pushed(registry):
    assert registry.registry == {address!r}
    assert registry.repository == "student/app"
    assert registry.tag == "v1.0"
    assert str(registry.reference) == {address!r} + "/student/app:v1.0"
    assert "v1.0" in registry.tags()

@pytest.mark.points(5)
def test_digest_and_config(registry):
    assert registry.digest() == {digest!r}
    assert registry.manifest().digest == {digest!r}
    config = registry.config()
    assert config["config"]["Cmd"] == {cmd!r}
    assert config["rootfs"]["diff_ids"] == {layers!r}

@pytest.mark.points(2)
def test_an_absent_tag_is_none(registry):
    assert registry.digest("v2.0") is None

@pytest.mark.points(3)
def test_v2_pushed(registry):
    registry.config("v2.0")

@pytest.mark.points(0)
def test_shows_no_secret(registry):
    import base64

    shown = f"{{registry!r}} {{registry.client!r}} {{registry.target!r}}"
    assert shown.startswith("PushedImage('{address}/student/app:v1.0')"), shown
    assert "user='grader'" in shown  # the user name may show; the password never does
    assert {password!r} not in shown
    assert base64.b64encode(("grader:" + {password!r}).encode()).decode() not in shown
"""


@pytest.mark.docker
@pytest.mark.registry
def test_instructor_test_reads_what_was_pushed(
        pytester: pytest.Pytester, tmp_path: Path, pushed: dict[str, Any]) -> None:
    """labgrade.yaml declares student/app:v1.0, `--lab-registry` says where: the check and the
    instructor's tests see the same tag, digest and config, behind the registry's login."""
    lab, submission = make_lab(tmp_path, INSTRUCTOR_TESTS.format(**pushed), "student/app:v1.0")
    result = pytester.runpytest("--lab", str(lab), "--submission", str(submission),
                                "--lab-registry", pushed["address"], "-rA")
    out = result.stdout.str()
    result.assert_outcomes(passed=5, failed=1)  # the check, 4 instructor tests; v2.0 fails
    assert f"labgrade: lab reg-lab, submission {submission}" in out
    assert f"registry {pushed['address']}" in out
    assert "labgrade score: 22/25" in out  # 10 + 5 + 5 + 2 of 10 + 5 + 5 + 2 + 3
    assert (f"Nothing was pushed as {pushed['address']}/student/app:v2.0: push it "
            f"with docker push {pushed['address']}/student/app:v2.0") in out
    assert "fixtures defined as instance methods" not in out  # pytest 9's deprecation
    basic = base64.b64encode(f"grader:{pushed['password']}".encode()).decode()
    for text in (out, result.stderr.str()):
        assert pushed["password"] not in text
        assert basic not in text


@pytest.mark.docker
@pytest.mark.registry
def test_lab_image_names_the_registry(
        pytester: pytest.Pytester, tmp_path: Path, pushed: dict[str, Any]) -> None:
    """No labgrade.yaml: `--lab-image` gives the reference, and its domain is the registry."""
    lab, submission = make_lab(tmp_path, INSTRUCTOR_TESTS.format(**pushed), None)
    result = pytester.runpytest("--lab", str(lab), "--submission", str(submission),
                                "--lab-image", f"{pushed['address']}/student/app:v1.0")
    result.assert_outcomes(passed=5, failed=1)
    assert "labgrade score: 22/25" in result.stdout.str()


@pytest.mark.docker
@pytest.mark.registry
def test_a_refused_login_is_an_error_not_a_failure(
        pytester: pytest.Pytester, tmp_path: Path, pushed: dict[str, Any],
        monkeypatch: pytest.MonkeyPatch) -> None:
    """A wrong password: the check and every test using the fixture ERROR (not the
    student's fault), and the wrong password shows nowhere."""
    wrong = "wrong-" + secrets.token_hex(8)
    monkeypatch.setenv("LABGRADE_REGISTRY_PASSWORD", wrong)
    lab, submission = make_lab(tmp_path, INSTRUCTOR_TESTS.format(**pushed), "student/app:v1.0")
    result = pytester.runpytest("--lab", str(lab), "--submission", str(submission),
                                "--lab-registry", pushed["address"])
    result.assert_outcomes(errors=6)
    out = result.stdout.str()
    assert f"Could not ask the registry {pushed['address']}" in out
    assert "labgrade score: 0/25" in out
    assert wrong not in out + result.stderr.str()


NO_IMAGE_TESTS = """\
import pytest

@pytest.mark.points(5)
def test_pushed(registry):
    assert registry.tags()
"""


@pytest.mark.docker
def test_no_declared_image_skips_and_scores_zero(
        pytester: pytest.Pytester, tmp_path: Path, hermetic: None) -> None:
    """Without an image, the registry check FAILS (the student's to fix) and the instructor's
    test is skipped with the reason; its points are still part of the total, none earned.
    Nothing is asked of any registry."""
    lab, submission = make_lab(tmp_path, NO_IMAGE_TESTS, None)
    result = pytester.runpytest("--lab", str(lab), "--submission", str(submission), "-rs",
                                "--lab-registry", f"127.0.0.1:{free_port()}")
    result.assert_outcomes(failed=1, skipped=1)
    out = result.stdout.str()
    assert "the submission declares no pushed image" in out
    assert "labgrade score: 0/15" in out


@pytest.mark.docker
def test_unreachable_registry_is_an_error_not_a_failure(
        pytester: pytest.Pytester, tmp_path: Path, hermetic: None) -> None:
    """Nothing listens on the port: the check and the fixture ERROR, as the checks do."""
    lab, submission = make_lab(tmp_path, NO_IMAGE_TESTS, "student/app:v1.0")
    address = f"127.0.0.1:{free_port()}"
    result = pytester.runpytest("--lab", str(lab), "--submission", str(submission),
                                "--lab-registry", address)
    result.assert_outcomes(errors=2)
    assert f"Could not ask the registry {address}" in result.stdout.str()
    assert "labgrade score: 0/15" in result.stdout.str()


def test_lab_registry_is_checked_as_grade_registry(pytester: pytest.Pytester,
                                                   tmp_path: Path) -> None:
    lab, submission = make_lab(tmp_path, NO_IMAGE_TESTS, None)
    result = pytester.runpytest("--lab", str(lab), "--submission", str(submission),
                                "--lab-registry", "http://127.0.0.1:5000/v2/")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    assert "is not a registry address" in result.stderr.str()
