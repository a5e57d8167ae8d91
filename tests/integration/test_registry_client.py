"""The registry client against the REAL local registry (Debian's Distribution 2.8) on 127.0.0.1.

Images come from `docker push` (Docker schema 2) and from the client's own uploads (an OCI
manifest, an OCI index and a Docker manifest list PUT through the API). Auth is tested with
htpasswd (Basic) and with Distribution's `auth: token:` behind a token service the test runs
(Bearer; the JWTs are RS256, signed with a throw-away key made by openssl).
"""

from __future__ import annotations

import base64
import logging
import shutil
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from registry_support import (
    Images,
    OwnRegistry,
    PaginatingProxy,
    TokenServer,
    free_port,
    has_registry_binary,
    index_body,
    need,
    push_image_by_api,
    token_registry_config,
)

from graders.registry import manifest as mf
from graders.registry import server
from graders.registry.client import RegistryClient
from graders.registry.credentials import Credentials
from graders.registry.errors import (
    PlatformNotFound,
    RegistryAuthError,
    RegistryError,
    RegistryNotFound,
)

pytestmark = [pytest.mark.registry]
REPO = "student/app"
TAGS = ["v1.0", "v1", "v2", "v3", "v4"]


@dataclass
class Pushed:
    address: str
    port: int
    digest: str
    label: str
    image: Any
    images: Images


@pytest.fixture(scope="module")
def registry(tmp_path_factory: pytest.TempPathFactory) -> Iterator[int]:
    need(
        has_registry_binary(), "docker-registry/htpasswd missing: scripts/ensure-registry-binary.sh"
    )
    state = tmp_path_factory.mktemp("open-registry")
    st = server.up(port=free_port(), state_dir=state)
    assert st.port is not None
    yield st.port
    server.down(state)


@pytest.fixture(scope="module")
def pushed(registry: int) -> Iterator[Pushed]:
    """student/app with 5 tags and two more repositories, pushed by the Docker engine."""
    images = Images()
    try:
        need(images.base_present(), "busybox:1.35 missing: run scripts/ensure-base-images.sh")
        repo = f"localhost:{registry}/{REPO}"
        label = uuid.uuid4().hex
        image = images.build(f"{repo}:{TAGS[0]}", label, extra='ENV GREETING="hello"\n')
        digest = images.push(repo, TAGS[0])
        for tag in TAGS[1:]:
            images.tag(image, repo, tag)
            images.push(repo, tag)
        for other in ("student/other", "student/third"):
            images.tag(image, f"localhost:{registry}/{other}", "1")
            images.push(f"localhost:{registry}/{other}", "1")
        yield Pushed(f"localhost:{registry}", registry, digest, label, image, images)
    finally:
        images.cleanup()


@pytest.mark.docker
def test_ping_and_a_pushed_schema2_manifest(pushed: Pushed) -> None:
    client = RegistryClient(pushed.address)
    ping = client.ping()
    assert (ping.status, ping.auth_scheme) == (200, None)
    m = client.manifest(REPO, "v1.0")
    assert m.media_type == mf.DOCKER_MANIFEST and not m.is_index
    assert m.digest == pushed.digest == m.header_digest
    # The same digest the engine recorded: the "pushed correctly" proof.
    local = pushed.images.client.images.get(pushed.image.id).attrs
    assert f"{pushed.address}/{REPO}@{m.digest}" in local["RepoDigests"]
    config = client.image_config(REPO, "v1.0")
    assert config["config"]["Labels"]["org.labgrade.test"] == pushed.label
    assert "GREETING=hello" in config["config"]["Env"]
    assert config["config"]["Cmd"] == local["Config"]["Cmd"]
    assert len(m.layers) == len(local["RootFS"]["Layers"])
    assert client.image_manifest(REPO, "v1.0").digest == m.digest  # no index to pick from
    assert client.head_manifest(REPO, "v1.0") == m.digest
    assert m.config is not None
    assert mf.sha256_digest(client.blob(REPO, m.config.digest)) == m.config.digest


@pytest.mark.docker
def test_tag_and_catalog_pagination(pushed: Pushed, caplog: pytest.LogCaptureFixture) -> None:
    client = RegistryClient(pushed.address)
    assert sorted(client.tags(REPO)) == sorted(TAGS)
    # Catalog: Distribution 2.8 paginates it for real (n and Link).
    caplog.set_level(logging.DEBUG, logger="graders.registry")
    repos = client.catalog(page_size=2)
    assert {REPO, "student/other", "student/third"} <= set(repos)
    assert len(repos) == len(set(repos))
    pages = [r for r in caplog.records if "/v2/_catalog" in r.getMessage()]
    assert len(pages) >= 2, [r.getMessage() for r in pages]
    # Tags: through a proxy that paginates the real registry's answer (see PaginatingProxy).
    proxy = PaginatingProxy(pushed.port)
    try:
        via_proxy = RegistryClient(f"127.0.0.1:{proxy.port}")
        assert via_proxy.tags(REPO, page_size=2) == sorted(TAGS)
        assert len(proxy.tag_requests) == 3  # 2 + 2 + 1
        assert proxy.tag_requests[0].endswith("?n=2")
        assert "last=" in proxy.tag_requests[1]
    finally:
        proxy.close()


def test_oci_manifest_and_oci_index(registry: int) -> None:
    client = RegistryClient(f"127.0.0.1:{registry}")
    label = uuid.uuid4().hex
    amd, amd_size = push_image_by_api(client, "student/oci", "amd64-only", "amd64", label)
    arm, arm_size = push_image_by_api(client, "student/oci", "arm64-only", "arm64", label)
    m = client.manifest("student/oci", "amd64-only")
    assert m.media_type == mf.OCI_MANIFEST and m.digest == amd == m.header_digest
    assert client.image_config("student/oci", "amd64-only")["config"]["Labels"] == {
        "org.labgrade.test": label
    }
    index = index_body(
        mf.OCI_INDEX,
        [(arm, arm_size, mf.OCI_MANIFEST, "linux/arm64"),
         (amd, amd_size, mf.OCI_MANIFEST, "linux/amd64")],
    )  # fmt: skip
    index_digest = client.put_manifest("student/oci", "multi", index, mf.OCI_INDEX)
    top = client.manifest("student/oci", "multi")
    assert top.media_type == mf.OCI_INDEX and top.is_index and top.digest == index_digest
    assert top.platforms == ["linux/arm64", "linux/amd64"]
    chosen = client.image_manifest("student/oci", "multi")
    assert chosen.digest == amd and chosen.index_digest == index_digest
    assert client.image_manifest("student/oci", "multi", "linux/arm64").digest == arm
    assert client.image_config("student/oci", "multi", "linux/arm64")["architecture"] == "arm64"
    assert client.manifest("student/oci", index_digest).digest == index_digest  # by digest
    with pytest.raises(PlatformNotFound) as exc:
        client.image_manifest("student/oci", "multi", "linux/s390x")
    assert exc.value.available == ["linux/arm64", "linux/amd64"]


@pytest.mark.docker
def test_docker_manifest_list_over_a_pushed_image(pushed: Pushed) -> None:
    client = RegistryClient(pushed.address)
    pushed_manifest = client.manifest(REPO, "v1.0")
    arm, arm_size = push_image_by_api(client, REPO, "arm64", "arm64", "x", oci=False)
    assert client.manifest(REPO, "arm64").media_type == mf.DOCKER_MANIFEST
    body = index_body(
        mf.DOCKER_LIST,
        [(arm, arm_size, mf.DOCKER_MANIFEST, "linux/arm64"),
         (pushed.digest, len(pushed_manifest.body), mf.DOCKER_MANIFEST, "linux/amd64")],
    )  # fmt: skip
    list_digest = client.put_manifest(REPO, "multi", body, mf.DOCKER_LIST)
    top = client.manifest(REPO, "multi")
    assert top.media_type == mf.DOCKER_LIST and top.digest == list_digest
    chosen = client.image_manifest(REPO, "multi")
    assert chosen.digest == pushed.digest and chosen.index_digest == list_digest
    config = client.image_config(REPO, "multi")
    assert config["config"]["Labels"]["org.labgrade.test"] == pushed.label


@pytest.mark.docker
def test_not_found_is_distinct_and_actionable(pushed: Pushed) -> None:
    client = RegistryClient(pushed.address)
    with pytest.raises(RegistryNotFound) as exc:
        client.tags("student/never-pushed")
    assert exc.value.code == "NAME_UNKNOWN" and "docker push" in str(exc.value)
    with pytest.raises(RegistryNotFound) as exc:
        client.manifest(REPO, "v9.9")
    assert exc.value.code == "MANIFEST_UNKNOWN" and f"{REPO}:v9.9" in str(exc.value)
    assert client.head_manifest(REPO, "v9.9") is None
    with pytest.raises(RegistryNotFound):
        client.blob(REPO, "sha256:" + "0" * 64)


@pytest.fixture(scope="module")
def auth_registry(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[int, str]]:
    need(
        has_registry_binary(), "docker-registry/htpasswd missing: scripts/ensure-registry-binary.sh"
    )
    state = tmp_path_factory.mktemp("auth-registry")
    password = "basic-" + uuid.uuid4().hex
    st = server.up(port=free_port(), auth=("student", password), state_dir=state)
    assert st.port is not None
    yield st.port, password
    server.down(state)


def test_basic_auth(auth_registry: tuple[int, str], monkeypatch: pytest.MonkeyPatch) -> None:
    port, password = auth_registry
    address = f"localhost:{port}"
    assert RegistryClient(address).ping().auth_scheme == "basic"
    with pytest.raises(RegistryAuthError) as exc:
        RegistryClient(address).tags(REPO)
    assert f"docker login {address}" in str(exc.value)
    with pytest.raises(RegistryAuthError):
        RegistryClient(address, Credentials("student", "wrong")).tags(REPO)
    client = RegistryClient(address, Credentials("student", password))
    assert client.ping(authenticate=True).auth_scheme == "basic"
    digest, _ = push_image_by_api(client, REPO, "v1.0", "amd64", "basic")
    assert client.tags(REPO) == ["v1.0"]
    assert client.manifest(REPO, "v1.0").digest == digest
    monkeypatch.setenv("LABGRADE_REGISTRY_USER", "student")
    monkeypatch.setenv("LABGRADE_REGISTRY_PASSWORD", password)
    assert RegistryClient.connect(address).image_config(REPO, "v1.0")["architecture"] == "amd64"


@pytest.fixture
def token_registry(tmp_path: Path) -> Iterator[tuple[int, TokenServer]]:
    need(has_registry_binary(), "docker-registry missing: scripts/ensure-registry-binary.sh")
    need(shutil.which("openssl") is not None, "openssl missing: apt-get install openssl")
    tokens = TokenServer(tmp_path, "bob", "bearer-" + uuid.uuid4().hex)
    port = free_port()
    reg = OwnRegistry(
        tmp_path / "reg", token_registry_config(tmp_path / "data", port, tokens), port
    )
    yield port, tokens
    reg.close()
    tokens.close()


def test_bearer_token_flow(token_registry: tuple[int, TokenServer]) -> None:
    port, tokens = token_registry
    address = f"127.0.0.1:{port}"
    assert RegistryClient(address).ping().auth_scheme == "bearer"
    client = RegistryClient(address, Credentials("bob", tokens._password))
    digest, _ = push_image_by_api(client, REPO, "v1.0", "amd64", "bearer")
    assert client.tags(REPO) == ["v1.0"]
    assert client.manifest(REPO, "v1.0").digest == digest
    assert client.image_config(REPO, "v1.0")["config"]["Labels"]["org.labgrade.test"] == "bearer"
    scopes = [r["query"].get("scope", [""])[0] for r in tokens.requests]
    assert f"repository:{REPO}:pull,push" in scopes and f"repository:{REPO}:pull" in scopes
    assert all(r["basic"] for r in tokens.requests)  # credentials go to the realm, as Basic
    assert all(r["query"]["service"] == [tokens.service] for r in tokens.requests)
    before = len(tokens.requests)
    client.tags(REPO)
    client.manifest(REPO, "v1.0")
    assert len(tokens.requests) == before  # cached per scope
    tokens.private.add("student/private")
    with pytest.raises(RegistryNotFound) as private:
        client.tags("student/private")
    assert private.value.code == "INSUFFICIENT_SCOPE" and "private" in str(private.value)
    with pytest.raises(RegistryAuthError, match="token service refused the credentials"):
        RegistryClient(address, Credentials("bob", "wrong")).tags(REPO)
    with pytest.raises(RegistryAuthError, match="anonymous"):
        RegistryClient(address).tags(REPO)


def test_no_credential_in_any_message_repr_or_log(
    auth_registry: tuple[int, str],
    token_registry: tuple[int, TokenServer],
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    basic_port, basic_password = auth_registry
    token_port, tokens = token_registry
    texts: list[str] = []

    def record(obj: object) -> None:
        texts.extend([str(obj), repr(obj)])
        if isinstance(obj, BaseException):
            texts.extend(str(a) for a in obj.args)
            texts.extend(str(v) for v in vars(obj).values())

    good_basic = Credentials("student", basic_password)
    good_bearer = Credentials("bob", tokens._password)
    for creds in (good_basic, good_bearer):
        record(creds)
    basic = RegistryClient(f"localhost:{basic_port}", good_basic)
    bearer = RegistryClient(f"127.0.0.1:{token_port}", good_bearer)
    push_image_by_api(bearer, REPO, "v1.0", "amd64", "leak-test")
    push_image_by_api(basic, "student/leak", "v1.0", "amd64", "leak-test")
    for client in (basic, bearer):
        record(client)
        record(client._tokens)
        record(client.manifest(REPO if client is bearer else "student/leak", "v1.0"))
    wrong = "wrong-" + uuid.uuid4().hex
    wrong_basic = RegistryClient(f"localhost:{basic_port}", Credentials("student", wrong))
    wrong_bearer = RegistryClient(f"127.0.0.1:{token_port}", Credentials("bob", wrong))
    failing: list[Callable[[], object]] = [
        lambda: wrong_basic.tags(REPO),
        lambda: wrong_bearer.tags(REPO),
        lambda: basic.manifest("student/leak", "nope"),
        lambda: bearer.manifest(REPO, "nope"),
        lambda: bearer.tags("student/other-repo"),
    ]
    for call in failing:
        with pytest.raises(RegistryError) as exc:
            call()
        record(exc.value)
        record(exc.getrepr())
    texts.append(caplog.text)
    secrets = {basic_password, tokens._password, wrong, *tokens.issued}
    for user, pw in (("student", basic_password), ("bob", tokens._password), ("bob", wrong)):
        secrets.add(base64.b64encode(f"{user}:{pw}".encode()).decode())
    assert tokens.issued, "the bearer flow issued no token"
    blob = "\n".join(texts)
    for secret in secrets:
        assert secret not in blob
    assert caplog.records, "nothing was logged, so the log check proves nothing"
