"""Live checks on a fake engine: verdicts and the wording of both languages, with no Docker."""

from __future__ import annotations

import base64
import json
import os
import stat
from pathlib import Path
from typing import Any
from unittest.mock import MagicMock

import pytest

from graders.backends.live import (
    Binding,
    LiveContainer,
    LiveEngine,
    LiveImage,
    container_from_inspect,
    live_view,
)
from graders.checks.base import HttpResponse, Outcome
from graders.checks.live_container import LiveContainerCheck
from graders.checks.live_http import LiveHttpCheck
from graders.checks.live_image import LiveImageCheck
from graders.checks.live_login import LiveLoginCheck
from graders.checks.live_tag import LiveTagCheck
from graders.registry.credentials import LoginState, client_login
from tests.unit.fake_context import en
from tests.unit.fake_live import IMAGE, IMAGE_ID, RUN, Ctx, FakeLive, container


def run(check: Any, live: FakeLive) -> Outcome:
    problems = check.validate()
    assert problems == [], problems
    outcome: Outcome = check.run(Ctx(live))
    return outcome


def says(outcome: Outcome, pt: str, en: str) -> None:
    __tracebackhide__ = True
    assert pt in outcome.message.pt, outcome.message.pt
    assert en in outcome.message.en, outcome.message.en


# --- live_image ---------------------------------------------------------------------------------


def test_image_present() -> None:
    out = run(LiveImageCheck(image=IMAGE), FakeLive({IMAGE_ID: ("docker.io/library/" + IMAGE,)}))
    assert out.passed
    says(out, "apache_server:v1.0 existe localmente", "apache_server:v1.0 exists locally")


def test_image_wrong_tag_lists_the_repositorys_tags() -> None:
    live = FakeLive({IMAGE_ID: ("apache_server:latest", "apache_server:v1"), "sha256:b": ("x:1",)})
    out = run(LiveImageCheck(image=IMAGE), live)
    assert not out.passed
    says(out, "Você quis dizer apache_server:latest?", "Did you mean apache_server:latest?")
    says(out, "apache_server:latest, apache_server:v1", "apache_server:latest, apache_server:v1")
    says(
        out,
        "Corrija com: docker tag apache_server:latest apache_server:v1.0",
        "Fix it with: docker tag apache_server:latest apache_server:v1.0",
    )
    assert en(out.expected) == IMAGE and "x:1" not in en(out.actual)


def test_image_typo_in_the_repository() -> None:
    out = run(LiveImageCheck(image=IMAGE), FakeLive({IMAGE_ID: ("apache-server:v1.0",)}))
    says(out, "Você quis dizer apache-server:v1.0?", "Did you mean apache-server:v1.0?")


def test_image_missing_names_the_build() -> None:
    out = run(LiveImageCheck(image=IMAGE), FakeLive({"sha256:b": ("busybox:1.35",)}))
    assert not out.passed
    says(out, "Não há imagem apache_server:v1.0", "There is no image apache_server:v1.0")
    says(out, "docker build -t apache_server:v1.0 .", "docker build -t apache_server:v1.0 .")


def test_image_validate() -> None:
    assert LiveImageCheck(image="").validate()
    assert LiveImageCheck(image="Apache:v1").validate()
    assert LiveImageCheck(image="apache", context="").validate()


# --- live_container -----------------------------------------------------------------------------


def apache_live(*containers: LiveContainer) -> FakeLive:
    return FakeLive({IMAGE_ID: (IMAGE,)}, list(containers))


CHECK = LiveContainerCheck(name="apache", image=IMAGE, ports=["8080:80"])


def test_container_right() -> None:
    out = run(CHECK, apache_live(container()))
    assert out.passed
    assert en(out.actual) == "running, image apache_server:v1.0, detached, ports 8080->80/tcp"


def test_container_missing_names_the_run_command() -> None:
    out = run(CHECK, apache_live())
    says(
        out,
        "Não há contêiner chamado apache. Corrija com: " + RUN,
        "There is no container named apache. Fix it with: " + RUN,
    )


def test_container_wrong_name_suggests_a_rename() -> None:
    out = run(CHECK, apache_live(container("apache2")))
    says(out, "Você quis dizer apache2?", "Did you mean apache2?")
    says(out, "docker rename apache2 apache", "docker rename apache2 apache")


def test_container_stopped_only_needs_a_start() -> None:
    out = run(CHECK, apache_live(container(status="exited", exit_code=137)))
    says(
        out,
        "está parado (exited, código de saída 137). Corrija com: docker start apache",
        "is stopped (exited, exit code 137). Fix it with: docker start apache",
    )


def test_container_wrong_port_reports_what_is_mapped() -> None:
    out = run(CHECK, apache_live(container(ports=((8081, "80/tcp"),))))
    says(
        out,
        "a porta 80 está publicada na porta 8081 do host, não na 8080",
        "port 80 is published on host port 8081, not 8080",
    )
    says(out, f"docker rm -f apache && {RUN}", f"docker rm -f apache && {RUN}")
    assert "8081->80/tcp" in en(out.actual)


def test_container_host_port_to_the_wrong_container_port() -> None:
    out = run(CHECK, apache_live(container(ports=((8080, "8080/tcp"),))))
    says(
        out,
        "a porta 8080 do host leva à porta 8080/tcp do contêiner, não à 80",
        "host port 8080 goes to container port 8080/tcp, not 80",
    )


def test_container_every_problem_in_one_message() -> None:
    c = container(status="exited", detached=False, ports=(), image="debian:12", image_id="sha256:d")
    out = run(CHECK, apache_live(c))
    says(out, "está parado", "is stopped")
    says(
        out,
        "foi criado a partir de debian:12, não de apache_server:v1.0",
        "was created from debian:12, not apache_server:v1.0",
    )
    says(out, "(falta -p 8080:80)", "(-p 8080:80 is missing)")
    says(out, "foi iniciado sem -d", "was started without -d")
    assert out.message.en.count("Fix it with") == 1
    says(out, f"docker rm -f apache && {RUN}", f"docker rm -f apache && {RUN}")


def test_container_older_build_and_removed_image() -> None:
    out = run(CHECK, apache_live(container(image_id="sha256:old")))
    says(out, "roda um build antigo de apache_server:v1.0", "runs an older build of")
    out = run(CHECK, FakeLive({}, [container()]))
    says(out, "essa imagem não existe mais localmente", "that image no longer exists locally")


def test_container_detached_can_be_turned_off() -> None:
    check = LiveContainerCheck(name="apache", image=IMAGE, ports=["8080:80"], detached=False)
    assert run(check, apache_live(container(detached=False))).passed


def test_container_validate() -> None:
    assert LiveContainerCheck(name="").validate()
    assert LiveContainerCheck(name="a", ports=["8080"]).validate()
    assert LiveContainerCheck(name="a", ports=["8080:99999"]).validate()
    assert LiveContainerCheck(name="a", detached="yes").validate()  # type: ignore[arg-type]


# --- live_http ----------------------------------------------------------------------------------

HTTP = LiveHttpCheck(port=8080, body="(?i)apache", container="apache", image=IMAGE)


def test_http_right() -> None:
    live = apache_live(container())
    live.http[(8080, "/")] = HttpResponse(200, {}, b"<h1>Apache2 Debian Default Page</h1>")
    out = run(HTTP, live)
    assert out.passed
    says(
        out, "http://127.0.0.1:8080/ respondeu HTTP 200", "http://127.0.0.1:8080/ answered HTTP 200"
    )


def test_http_wrong_status_and_body() -> None:
    live = apache_live(container())
    live.http[(8080, "/")] = HttpResponse(404, {}, b"nope")
    says(run(HTTP, live), "respondeu HTTP 404, não 200", "answered HTTP 404, not 200")
    live.http[(8080, "/")] = HttpResponse(200, {}, b"nginx")
    says(run(HTTP, live), "não é a esperada", "is not the expected one")


@pytest.mark.parametrize(
    ("state", "pt", "en"),
    [
        (
            (),
            "não há contêiner apache. Corrija com: " + RUN,
            "there is no container apache. Fix it with: " + RUN,
        ),
        (
            (container(status="exited"),),
            "está parado (exited). Corrija com: docker start apache",
            "is stopped (exited). Fix it with: docker start apache",
        ),
        (
            (container(ports=((9090, "80/tcp"),)),),
            "não publica -p 8080:80",
            "does not publish -p 8080:80",
        ),
        (
            (container(),),
            "o servidor dentro dele não escuta na porta 80",
            "the server inside does not listen on port 80",
        ),
    ],
)
def test_http_silence_is_explained(state: tuple[LiveContainer, ...], pt: str, en: str) -> None:
    out = run(HTTP, apache_live(*state))
    assert not out.passed and "ConnectionRefusedError" in out.details
    says(
        out, "Nada responde em http://127.0.0.1:8080/", "Nothing answers at http://127.0.0.1:8080/"
    )
    says(out, pt, en)


def test_http_validate() -> None:
    assert LiveHttpCheck(port=0).validate()
    assert LiveHttpCheck(path="x").validate()
    assert LiveHttpCheck(body="(").validate()
    assert LiveHttpCheck(image="Bad:Ref").validate()


# --- live_login ---------------------------------------------------------------------------------


def test_login_states(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    auth = base64.b64encode(b"alice:pw").decode()
    hub = {"auths": {"https://index.docker.io/v1/": {"auth": auth}}}
    monkeypatch.setenv("DOCKER_CONFIG", str(write_config(tmp_path / "yes", hub)))
    out = run(LiveLoginCheck(), FakeLive())
    assert out.passed
    says(out, "O Docker tem login em Docker Hub", "Docker is logged in to Docker Hub")
    monkeypatch.setenv("DOCKER_CONFIG", str(tmp_path / "none"))
    out = run(LiveLoginCheck(), FakeLive())
    says(
        out,
        "não tem login em Docker Hub. Corrija com: docker login",
        "is not logged in to Docker Hub. Fix it with: docker login",
    )
    out = run(LiveLoginCheck(registry="localhost:5000"), FakeLive())
    says(
        out, "Corrija com: docker login localhost:5000", "Fix it with: docker login localhost:5000"
    )
    gone = write_config(tmp_path / "gone", {"credsStore": "gone"})
    monkeypatch.setenv("DOCKER_CONFIG", str(gone))
    says(run(LiveLoginCheck(), FakeLive()), "Não foi possível ler o login",
         "Could not read the login")
    assert LiveLoginCheck(registry="a/b").validate()


def write_config(folder: Path, data: dict[str, Any]) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "config.json").write_text(json.dumps(data))
    return folder


SECRET = "s3cr3t-t0ken"


def test_client_login_reads_config_without_the_secret(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    auth = base64.b64encode(f"alice:{SECRET}".encode()).decode()
    monkeypatch.setenv(
        "DOCKER_CONFIG",
        str(
            write_config(
                tmp_path / "in",
                {
                    "auths": {
                        "localhost:5000": {"auth": auth},
                        "https://index.docker.io/v1/": {"auth": auth},
                    }
                },
            )
        ),
    )
    for registry in ("localhost:5000", "docker.io"):
        state = client_login(registry)
        assert state == LoginState(True, tmp_path / "in" / "config.json", "config.json auths")
        out = LiveLoginCheck(registry=registry).run(Ctx(FakeLive()))  # type: ignore[arg-type]
        assert out.passed
        assert all(SECRET not in str(v) and "alice" not in str(v) for v in vars(out).values())
    assert not client_login("example.com").logged_in
    monkeypatch.setenv("DOCKER_CONFIG", str(tmp_path / "empty"))
    assert client_login("docker.io") == LoginState(False, tmp_path / "empty" / "config.json")


def test_client_login_through_a_credential_helper(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    helper = tmp_path / "bin" / "docker-credential-fake"
    helper.parent.mkdir()
    helper.write_text('#!/bin/sh\n[ "$1" = list ] && echo \'{"localhost:5000": "alice"}\'\n')
    helper.chmod(helper.stat().st_mode | stat.S_IXUSR)
    monkeypatch.setenv("PATH", f"{helper.parent}{os.pathsep}{os.environ['PATH']}")
    monkeypatch.setenv("DOCKER_CONFIG", str(write_config(tmp_path / "c", {"credsStore": "fake"})))
    assert client_login("localhost:5000").via == "docker-credential-fake"
    assert not client_login("docker.io").logged_in
    monkeypatch.setenv("DOCKER_CONFIG", str(write_config(tmp_path / "d", {"credsStore": "gone"})))
    state = client_login("docker.io")
    assert not state.logged_in and "not installed" in state.problem


# --- live_tag -----------------------------------------------------------------------------------

TAG = LiveTagCheck(repository="app", tag="v1.0")


def test_tag_any_namespace() -> None:
    out = run(TAG, FakeLive({"sha256:1": ("alice/app:v1.0",)}))
    assert out.passed
    says(out, "alice/app:v1.0 está pronta para o docker push", "alice/app:v1.0 is ready")
    fixed = LiveTagCheck(repository="app", tag="v1.0", namespace="bob")
    assert not run(fixed, FakeLive({"sha256:1": ("alice/app:v1.0",)})).passed
    assert not run(TAG, FakeLive({"sha256:1": ("library/app:v1.0", "a/b/app:v1.0")})).passed


def test_tag_other_version() -> None:
    out = run(TAG, FakeLive({"sha256:1": ("alice/app:1.0",)}))
    says(
        out,
        "Você quis dizer alice/app:1.0? A tag deve ser v1.0",
        "Did you mean alice/app:1.0? The tag must be v1.0",
    )
    says(out, "docker tag alice/app:1.0 alice/app:v1.0", "docker tag alice/app:1.0 alice/app:v1.0")


def test_tag_without_namespace() -> None:
    out = run(TAG, FakeLive({"sha256:1": ("app:v1.0",)}))
    says(out, "app:v1.0 existe, mas sem o namespace", "app:v1.0 exists, but without the namespace")
    says(out, "docker tag app:v1.0 SEU_USUARIO/app:v1.0", "docker tag app:v1.0 YOUR_USER/app:v1.0")


def test_tag_missing_and_local_registry() -> None:
    out = run(TAG, FakeLive({"sha256:1": ("busybox:1.35",)}))
    says(
        out,
        "Nenhuma imagem local se chama SEU_USUARIO/app:v1.0",
        "No local image is named YOUR_USER/app:v1.0",
    )
    local = LiveTagCheck(repository="hello", tag="v1.0", namespace="", registry="localhost:5000")
    assert run(local, FakeLive({"sha256:1": ("localhost:5000/hello:v1.0",)})).passed
    assert not run(local, FakeLive({"sha256:1": ("hello:v1.0",)})).passed


def test_without_a_registry_of_their_own_login_and_tag_follow_the_graded_one() -> None:
    """`--registry localhost:5000`: the student practises with the embedded registry, so the
    login and the push name the lab asks for are those of localhost:5000."""
    out = LiveLoginCheck().run(Ctx(FakeLive(), registry="localhost:5000"))  # type: ignore[arg-type]
    says(out, "não tem login em localhost:5000", "is not logged in to localhost:5000")
    says(out, "docker login localhost:5000", "docker login localhost:5000")
    pushed = FakeLive({"sha256:1": ("localhost:5000/alice/app:v1.0",)})
    hub_only = FakeLive({"sha256:1": ("alice/app:v1.0",)})
    assert TAG.run(Ctx(pushed, registry="localhost:5000")).passed  # type: ignore[arg-type]
    assert not TAG.run(Ctx(hub_only, registry="localhost:5000")).passed  # type: ignore[arg-type]
    assert TAG.run(Ctx(hub_only, registry="docker.io")).passed  # type: ignore[arg-type]
    hub = LiveLoginCheck(registry="docker.io").run(Ctx(FakeLive(), registry="localhost:5000"))  # type: ignore[arg-type]
    says(hub, "não tem login em Docker Hub", "is not logged in to Docker Hub")  # stated: kept


def test_tag_validate() -> None:
    assert LiveTagCheck(repository="").validate()
    assert LiveTagCheck(repository="App").validate()
    assert LiveTagCheck(repository="app", tag="-x").validate()
    assert LiveTagCheck(repository="app", namespace="Bad").validate()
    assert LiveTagCheck(repository="app", registry="a/b").validate()


# --- the engine wrapper -------------------------------------------------------------------------

READ_ONLY = {"images", "inspect_image", "containers", "inspect_container"}


def test_engine_only_reads() -> None:
    client = MagicMock()
    client.api.images.return_value = [
        {"Id": "sha256:1", "RepoTags": [IMAGE]},
        {"Id": "sha256:2", "RepoTags": ["<none>:<none>"]},
    ]
    client.api.inspect_image.return_value = {"Id": "sha256:1"}
    client.api.containers.return_value = [{"Id": "c1"}]
    client.api.inspect_container.return_value = {
        "Id": "c1",
        "Name": "/apache",
        "Config": {},
        "State": {"Status": "running"},
    }
    engine = LiveEngine(client)
    assert engine.images() == [LiveImage("sha256:1", (IMAGE,))]
    assert engine.image_id(IMAGE) == "sha256:1"
    assert engine.container("apache") is not None
    assert engine.container("apach") is None  # inspect matched something else: not this name
    assert [c.name for c in engine.containers()] == ["apache"]
    called = {name for name, _args, _kwargs in client.api.method_calls}
    assert called <= READ_ONLY, called
    assert not client.method_calls or {c[0] for c in client.method_calls} <= {
        f"api.{n}" for n in READ_ONLY
    }
    assert not any(
        hasattr(LiveEngine, verb)
        for verb in (
            "remove",
            "stop",
            "start",
            "kill",
            "tag",
            "create",
            "pull",
            "push",
            "prune",
            "run",
        )
    )


def test_container_from_inspect() -> None:
    running = container_from_inspect(
        {
            "Id": "c1",
            "Name": "/apache",
            "Image": IMAGE_ID,
            "Config": {"Image": IMAGE, "AttachStdout": False, "AttachStderr": False, "Tty": True},
            "State": {"Status": "running", "ExitCode": 0},
            "HostConfig": {"PortBindings": {"80/tcp": [{"HostIp": "", "HostPort": ""}]}},
            "NetworkSettings": {
                "Ports": {"80/tcp": [{"HostIp": "0.0.0.0", "HostPort": "49153"}], "443/tcp": None}
            },
        }
    )
    assert running.detached and running.running
    assert running.bindings == (Binding("80/tcp", "0.0.0.0", 49153),)
    assert str(running.bindings[0]) == "0.0.0.0:49153->80/tcp"
    stopped = container_from_inspect(
        {
            "Name": "/apache",
            "Config": {"AttachStdout": True, "AttachStderr": True},
            "State": {"Status": "exited", "ExitCode": 137},
            "HostConfig": {
                "PortBindings": {"80/tcp": [{"HostIp": "127.0.0.1", "HostPort": "8080"}]}
            },
            "NetworkSettings": {"Ports": {}},
        }
    )
    assert not stopped.detached and stopped.exit_code == 137
    assert stopped.bindings == (Binding("80/tcp", "127.0.0.1", 8080),)


def test_live_view_prefers_the_context() -> None:
    fake = FakeLive()
    assert live_view(Ctx(fake)) is fake
    assert isinstance(live_view(object()), LiveEngine)
