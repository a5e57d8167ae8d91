"""Live checks on the real engine: each state set up with plain `docker` commands, right and wrong.

The apache image is built once per module from labs/day2-apache/solution as `apache_server:v1.0`
(a cached build). Containers publish on 127.0.0.1 only, on free high ports, under unique names;
every container, tag, volume and network a test makes is removed after it. The last test runs
`labgrade check day2-apache <solution> --live` and compares the engine before and after.
"""

from __future__ import annotations

import contextlib
import http.client
import io
import json
import os
import shutil
import subprocess
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from graders.backends.base import LABEL_RUN
from graders.checks.base import Outcome
from graders.checks.live_container import LiveContainerCheck
from graders.checks.live_http import LiveHttpCheck
from graders.checks.live_image import LiveImageCheck
from graders.checks.live_login import LiveLoginCheck
from graders.checks.live_tag import LiveTagCheck
from graders.cli.env import Env, ExitStatus
from graders.cli.main import main
from graders.engine.context import EngineContext
from graders.spec import load_lab
from tests.conftest import require_docker, run_tags
from tests.integration.registry_support import free_port, has_registry_binary, need
from tests.unit.fake_context import en

pytestmark = pytest.mark.docker
LAB = load_lab("day2-apache").root
IMAGE = "apache_server:v1.0"


def docker(*args: str, check: bool = True, stdin: str | None = None) -> str:
    proc = subprocess.run(
        ["docker", *args], capture_output=True, text=True, input=stdin, timeout=600, check=False
    )
    if check and proc.returncode != 0:
        raise AssertionError(f"docker {' '.join(args)} failed: {proc.stderr.strip()}")
    return proc.stdout.strip()


@pytest.fixture(scope="module")
def apache_image() -> Iterator[str]:
    """`docker build -t apache_server:v1.0 labs/day2-apache/solution`; restored or removed after."""
    require_docker()
    before = docker("image", "inspect", "--format", "{{.Id}}", IMAGE, check=False) or None
    docker("build", "-q", "-t", IMAGE, str(LAB / "solution"))
    yield docker("image", "inspect", "--format", "{{.Id}}", IMAGE)
    if before:
        docker("tag", before, IMAGE, check=False)
    else:
        docker("rmi", IMAGE, check=False)


class Student:
    """What a student did with Docker in one test, undone afterwards (errors ignored)."""

    def __init__(self) -> None:
        self.containers: list[str] = []
        self.tags: list[str] = []
        self.procs: list[subprocess.Popen[bytes]] = []

    @staticmethod
    def name(what: str) -> str:
        return f"lglive-{what}-{uuid.uuid4().hex[:8]}"

    def run(self, name: str, *options: str, image: str = IMAGE) -> None:
        self.containers.append(name)
        docker("run", *options, "--name", name, image)

    def run_attached(self, name: str, port: int) -> None:
        """`docker run -p 127.0.0.1:PORT:80 --name NAME IMAGE` without -d, in the background."""
        self.containers.append(name)
        self.procs.append(
            subprocess.Popen(
                ["docker", "run", "-p", f"127.0.0.1:{port}:80", "--name", name, IMAGE],
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
        )
        for _ in range(100):
            if docker("inspect", "--format", "{{.State.Running}}", name, check=False) == "true":
                return
            time.sleep(0.1)
        raise AssertionError(f"{name} did not start")

    def tag(self, source: str, target: str) -> None:
        self.tags.append(target)
        docker("tag", source, target)

    def cleanup(self) -> None:
        for name in self.containers:
            docker("rm", "-f", "-v", name, check=False)
        for proc in self.procs:
            with contextlib.suppress(subprocess.TimeoutExpired):
                proc.wait(10)
        for tag in self.tags:
            docker("rmi", tag, check=False)


@pytest.fixture
def student(apache_image: str) -> Iterator[Student]:
    """Other work may share the engine, so leftovers are found by name, not by a global diff."""
    done = Student()
    try:
        yield done
    finally:
        done.cleanup()
    names = docker("ps", "-a", "--format", "{{.Names}}").splitlines()
    assert not set(done.containers) & set(names), "a test container was left behind"


@pytest.fixture
def ctx(backend: Any) -> EngineContext:
    return EngineContext(backend, LAB / "solution", None)


def answers(port: int, timeout: float = 30) -> None:
    """Wait until Apache answers on 127.0.0.1:`port`."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
        try:
            conn.request("GET", "/")
            if conn.getresponse().status:
                return
        except OSError:
            time.sleep(0.2)
        finally:
            conn.close()
    raise AssertionError(f"nothing answered on 127.0.0.1:{port}")


def says(outcome: Outcome, *parts: str) -> None:
    __tracebackhide__ = True
    for part in parts:
        assert part in outcome.message.en, outcome.message.en
    assert outcome.message.pt and outcome.message.pt != outcome.message.en


def container_check(name: str, port: int) -> LiveContainerCheck:
    return LiveContainerCheck(name=name, image=IMAGE, ports=[f"{port}:80"])


def http_check(name: str, port: int) -> LiveHttpCheck:
    return LiveHttpCheck(port=port, body="(?i)apache", container=name, image=IMAGE)


# --- images -------------------------------------------------------------------------------------


def test_image_built_wrong_tag_and_missing(student: Student, ctx: EngineContext) -> None:
    assert LiveImageCheck(image=IMAGE).run(ctx).passed
    repo = Student.name("img")
    student.tag(IMAGE, f"{repo}:latest")
    wrong = LiveImageCheck(image=f"{repo}:v1.0").run(ctx)
    assert not wrong.passed
    says(wrong, f"Did you mean {repo}:latest?", f"docker tag {repo}:latest {repo}:v1.0")
    missing = LiveImageCheck(image=f"{repo}-none:v1.0").run(ctx)
    says(missing, f"There is no image {repo}-none:v1.0", f"docker build -t {repo}-none:v1.0 .")


# --- containers and the page --------------------------------------------------------------------


def test_container_right_and_page_answers(student: Student, ctx: EngineContext) -> None:
    name, port = Student.name("ok"), free_port()
    student.run(name, "-p", f"127.0.0.1:{port}:80", "-d")
    answers(port)
    outcome = container_check(name, port).run(ctx)
    assert outcome.passed, outcome.message.en
    assert en(outcome.actual) == f"running, image {IMAGE}, detached, ports {port}->80/tcp"
    page = http_check(name, port).run(ctx)
    assert page.passed, page.message.en
    assert en(page.actual).startswith("HTTP 200")


def test_container_stopped(student: Student, ctx: EngineContext) -> None:
    name, port = Student.name("stopped"), free_port()
    student.run(name, "-p", f"127.0.0.1:{port}:80", "-d")
    docker("stop", "-t", "1", name)
    outcome = container_check(name, port).run(ctx)
    says(outcome, "is stopped (exited", f"Fix it with: docker start {name}")
    assert "rm -f" not in outcome.message.en
    says(
        http_check(name, port).run(ctx), f"the container {name} is stopped", f"docker start {name}"
    )


def test_wrong_port_mapping(student: Student, ctx: EngineContext) -> None:
    name, port, other = Student.name("port"), free_port(), free_port()
    student.run(name, "-p", f"127.0.0.1:{other}:80", "-d")
    outcome = container_check(name, port).run(ctx)
    run = f"docker run -p {port}:80 -d --name {name} {IMAGE}"
    says(
        outcome,
        f"port 80 is published on host port {other}, not {port}",
        f"docker rm -f {name} && {run}",
    )
    assert f"{other}->80/tcp" in en(outcome.actual)
    says(http_check(name, port).run(ctx), f"does not publish -p {port}:80")


def test_wrong_name(student: Student, ctx: EngineContext) -> None:
    name, port = Student.name("right"), free_port()
    wrong = Student.name("wrong")
    student.run(wrong, "-p", f"127.0.0.1:{port}:80", "-d")
    outcome = container_check(name, port).run(ctx)
    says(
        outcome,
        f"There is no container named {name}",
        f"Did you mean {wrong}?",
        f"docker rename {wrong} {name}",
    )


def test_not_detached(student: Student, ctx: EngineContext) -> None:
    name, port = Student.name("attached"), free_port()
    student.run_attached(name, port)
    outcome = container_check(name, port).run(ctx)
    says(outcome, "was started without -d", f"docker rm -f {name} && docker run -p {port}:80 -d")


def test_wrong_image(student: Student, ctx: EngineContext) -> None:
    name, port = Student.name("busybox"), free_port()
    student.run(name, "-p", f"127.0.0.1:{port}:80", "-d", image="busybox:1.35")
    docker("wait", name)  # busybox's sh ends at once without a terminal
    outcome = container_check(name, port).run(ctx)
    says(outcome, f"was created from busybox:1.35, not {IMAGE}", "is stopped")


# --- login and tags -----------------------------------------------------------------------------


def test_not_logged_in_with_a_fresh_config(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, ctx: EngineContext
) -> None:
    monkeypatch.setenv("DOCKER_CONFIG", str(tmp_path))
    outcome = LiveLoginCheck().run(ctx)
    says(outcome, "Docker is not logged in to Docker Hub", "Fix it with: docker login")
    assert str(tmp_path / "config.json") in en(outcome.actual)


@pytest.mark.registry
def test_login_and_logout_on_a_local_registry(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, ctx: EngineContext
) -> None:
    need(has_registry_binary(), "the registry binary is missing: scripts/ensure-registry-binary.sh")
    from graders.registry import server

    secret = uuid.uuid4().hex
    port = free_port()
    registry = f"127.0.0.1:{port}"
    config = tmp_path / "docker-config"
    monkeypatch.setenv("DOCKER_CONFIG", str(config))
    server.up(port, ("student", secret), tmp_path / "registry")
    try:
        check = LiveLoginCheck(registry=registry)
        says(check.run(ctx), f"Fix it with: docker login {registry}")
        docker(
            "--config",
            str(config),
            "login",
            registry,
            "-u",
            "student",
            "--password-stdin",
            stdin=secret,
        )
        outcome = check.run(ctx)
        assert outcome.passed, outcome.message.en
        assert not any(secret in str(v) or "student" in str(v) for v in vars(outcome).values())
        docker("--config", str(config), "logout", registry)
        assert not check.run(ctx).passed
    finally:
        server.down(tmp_path / "registry")


def test_tag_for_push(student: Student, ctx: EngineContext) -> None:
    repo = Student.name("app").replace("-", "")
    check = LiveTagCheck(repository=repo, tag="v1.0")
    says(check.run(ctx), f"No local image is named YOUR_USER/{repo}:v1.0")
    student.tag(IMAGE, f"{repo}:v1.0")
    says(check.run(ctx), "without the namespace", f"docker tag {repo}:v1.0 YOUR_USER/{repo}:v1.0")
    student.tag(IMAGE, f"alice/{repo}:1.0")
    says(
        check.run(ctx),
        f"Did you mean alice/{repo}:1.0?",
        f"docker tag alice/{repo}:1.0 alice/{repo}:v1.0",
    )
    student.tag(IMAGE, f"alice/{repo}:v1.0")
    assert check.run(ctx).passed
    assert not LiveTagCheck(repository=repo, tag="v1.0", namespace="bob").run(ctx).passed


# --- labgrade check --live changes nothing of the student's ---------------------------------------


STUDENT_IMAGES = {IMAGE, "busybox:1.35", "debian:12", "golang:1.19"}


def students(name: str) -> bool:
    """Whether a container, volume, network or image tag is part of the student's state as the
    tests set it up. Other work may share this engine, so outside CI only these are compared;
    with CI set (an engine of its own) every object is."""
    return bool(os.environ.get("CI")) or "lglive-" in name or name in STUDENT_IMAGES


def engine_snapshot(client: Any) -> dict[str, Any]:
    """The student's containers, images, volumes and networks (ids, names, states). Objects
    with labgrade's labels are left out: they are labgrade's own, checked by run id below."""
    api = client.api

    def keep(item: dict[str, Any], *names: str) -> bool:
        labgrades = any(k.startswith("org.labgrade.") for k in item.get("Labels") or {})
        return not labgrades and any(students(n.lstrip("/")) for n in names)

    containers = {}
    for summary in api.containers(all=True):
        if keep(summary, *summary.get("Names") or []):
            with contextlib.suppress(Exception):  # gone meanwhile
                d = api.inspect_container(summary["Id"])
                state = d["State"]
                containers[d["Id"]] = (
                    d["Name"],
                    d["Image"],
                    state["Status"],
                    state["StartedAt"],
                    state["FinishedAt"],
                    d["RestartCount"],
                )
    images = {
        i["Id"]: sorted(i.get("RepoTags") or [])
        for i in api.images()
        if keep(i, *(i.get("RepoTags") or ["<none>:<none>"]))
    }
    volumes = {
        v["Name"]: v.get("Mountpoint")
        for v in api.volumes().get("Volumes") or []
        if keep(v, v["Name"])
    }
    networks = {n["Id"]: (n["Name"], n["Driver"]) for n in api.networks() if keep(n, n["Name"])}
    return {"containers": containers, "images": images, "volumes": volumes, "networks": networks}


def live_lab(root: Path, name: str, port: int) -> Path:
    """A copy of day2-apache whose live checks expect container `name` on host `port`."""
    lab = root / "day2-apache"
    shutil.copytree(LAB, lab)
    data = yaml.safe_load((lab / "lab.yaml").read_text(encoding="utf-8"))
    for check in data["checks"]:
        if check["type"] == "live_container":
            check.update(name=name, ports=[f"{port}:80"])
        elif check["type"] == "live_http":
            check.update(port=port, container=name)
    (lab / "lab.yaml").write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return root


def test_check_live_leaves_the_student_state_identical(
    student: Student, docker_client: Any, tmp_path: Path
) -> None:
    name, port = Student.name("apache"), free_port()
    student.run(name, "-p", f"127.0.0.1:{port}:80", "-d")
    stopped = Student.name("stopped")
    student.containers.append(stopped)
    docker("create", "--name", stopped, "busybox:1.35")
    volume, network = Student.name("vol"), Student.name("net")
    docker("volume", "create", volume)
    docker("network", "create", network)
    argv = [
        "--labs",
        str(live_lab(tmp_path / "labs", name, port)),
        "check",
        "day2-apache",
        str(LAB / "solution"),
        "--live",
        "--lang",
        "en",
        "--json",
        str(tmp_path / "r.json"),
    ]
    out, err = io.StringIO(), io.StringIO()
    try:
        answers(port)
        before = engine_snapshot(docker_client)
        assert {name, stopped} <= {c[0].lstrip("/") for c in before["containers"].values()}
        assert volume in before["volumes"] and IMAGE in str(before["images"])
        status = main(argv, Env(out, err, {}))
        after = engine_snapshot(docker_client)
    finally:
        docker("volume", "rm", volume, check=False)
        docker("network", "rm", network, check=False)
    report = json.loads((tmp_path / "r.json").read_text())
    live = {c["id"]: c["status"] for c in report["checks"] if c["type"].startswith("live_")}
    expected = ("live-image-built", "live-container-apache", "live-page-8080")
    assert live == dict.fromkeys(expected, "passed"), out.getvalue()
    assert status == ExitStatus.SUCCESS, out.getvalue() + err.getvalue()
    # A student's check: visible checks plus the live ones (hidden checks are not run).
    from graders.spec import load_lab

    spec = load_lab("day2-apache")
    possible = sum(c.points for c in spec.checks if not c.hidden)
    assert report["score"] == report["max_score"] == possible
    for kind in before:
        assert after[kind] == before[kind], f"{kind} changed"
    assert not labelled(docker_client, f"{LABEL_RUN}={report['run_id']}"), "labgrade left these"


def labelled(client: Any, label: str) -> list[str]:
    """Everything that carries `label`: containers, volumes, networks, images."""
    api, only = client.api, {"label": label}
    return (
        [c["Id"] for c in api.containers(all=True, filters=only)]
        + [v["Name"] for v in api.volumes(filters=only).get("Volumes") or []]
        + [n["Id"] for n in api.networks(filters=only)]
        + [i["Id"] for i in api.images(all=True, filters=only)]
        + run_tags(client, label.partition("=")[2])
    )
