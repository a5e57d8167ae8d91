"""`labgrade batch --registry` on the registry lab, against the embedded registry on 127.0.0.1:
full marks, then a tag pushed again with other content (threat G2) is named on a regrade."""

from __future__ import annotations

import contextlib
import json
import shutil
import sqlite3
import subprocess
import sys
import uuid
from pathlib import Path
from typing import Any

import pytest
from registry_support import free_port, has_registry_binary, need

from graders.registry import server
from graders.registry.client import RegistryClient
from graders.spec import labs_root, load_lab

pytestmark = [pytest.mark.docker, pytest.mark.registry, pytest.mark.slow]
LAB = load_lab("day2-registry")
SOLUTION = LAB.root / "solution"
CLI = [sys.executable, "-c", "from graders.cli.main import run; run()", "--labs", str(labs_root())]
TAG = "v1.0"


def labgrade(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*CLI, *args], capture_output=True, text=True, timeout=900)


def build_and_push(client: Any, folder: Path, tags: list[str], token: str) -> tuple[str, str]:
    """Build `folder`, tag it as each of `tags` (`host:port/repo:tag`) and push them: (image id,
    the pushed manifest digest). The `org.labgrade.` label makes the image new (never a cached
    image someone else may own) and is one registry_matches ignores."""
    image, _ = client.images.build(path=str(folder), rm=True, forcerm=True, pull=False,
                                   network_mode="none", labels={"org.labgrade.test": token})
    digests = set()
    for ref in tags:
        repository, _, tag = ref.rpartition(":")
        image.tag(repository, tag)
        for line in client.images.push(repository, tag, stream=True, decode=True):
            assert "error" not in line, line
            digests.add((line.get("aux") or {}).get("Digest"))
    digests.discard(None)
    assert len(digests) == 1, digests
    return image.id, digests.pop()


def local_tags(client: Any, prefix: str) -> set[str]:
    return {t for i in client.api.images() for t in i.get("RepoTags") or () if t.startswith(prefix)}


def tag_check(out: Path, student: str) -> dict[str, Any]:
    result = json.loads((out / "students" / student / "result.json").read_text())
    check: dict[str, Any] = next(c for c in result["checks"] if c["id"] == "tag-pushed")
    return check


def test_batch_with_registry_then_a_repushed_tag_is_named(
        tmp_path: Path, docker_client: Any, no_leftovers: None,
        monkeypatch: pytest.MonkeyPatch) -> None:
    need(has_registry_binary(), "docker-registry/htpasswd missing: ensure-registry-binary.sh")
    need({"golang:1.19", "busybox:1.35"} <= local_tags(docker_client, ""),
         "base images missing: ensure-base-images.sh")
    for var in ("LABGRADE_REGISTRY", "LABGRADE_REGISTRY_AUTH", "LABGRADE_REGISTRY_USER",
                "LABGRADE_REGISTRY_PASSWORD"):
        monkeypatch.delenv(var, raising=False)  # the batch runs in a child process
    port, state = free_port(), tmp_path / "registry"
    address = f"127.0.0.1:{port}"
    roster, out = tmp_path / "roster", tmp_path / "out"
    for student in ("ana", "bia"):  # each declares, and pushes, her own repository
        shutil.copytree(SOLUTION, roster / student)
        (roster / student / "labgrade.yaml").write_text(f"image: {student}/app:{TAG}\n")
    refs = {s: f"{address}/{s}/app:{TAG}" for s in ("ana", "bia")}
    token = uuid.uuid4().hex[:12]
    batch = ["batch", LAB.id, str(roster), "--out", str(out), "--registry", address,
             "--jobs", "1", "--lang", "en"]
    images: list[str] = []
    server.up(port=port, state_dir=state)
    try:
        image, first = build_and_push(docker_client, SOLUTION, list(refs.values()), token)
        images.append(image)
        done = labgrade(*batch)
        assert done.returncode == 0, done.stdout + done.stderr
        assert "2 graded now" in done.stdout
        book = (out / "gradebook.csv").read_text().splitlines()
        assert book[1:] == ["ana,100,100,10,20,25,25,20,passed",
                            "bia,100,100,10,20,25,25,20,passed"], book
        assert tag_check(out, "ana")["actual"] == f"ana/app:{TAG}@{first}"
        assert "pushed again" not in done.stderr
        assert "Tags pushed again" not in (out / "summary.md").read_text()

        # Ana pushes other content under the same tag; nothing in her folder changes.
        changed = tmp_path / "changed"
        shutil.copytree(SOLUTION, changed)
        with (changed / "Dockerfile").open("a") as f:
            f.write('LABEL course.revision="2"\n')
        image, second = build_and_push(docker_client, changed, [refs["ana"]], token)
        images.append(image)
        with RegistryClient(address) as registry:  # what the registry itself now says
            assert registry.head_manifest("ana/app", TAG) == second != first
            assert registry.head_manifest("bia/app", TAG) == first

        done = labgrade(*batch, "--force")
        assert "2 graded now" in done.stdout, done.stdout + done.stderr
        assert (f"labgrade: ana: ana/app:{TAG} was pushed again since the previous grading: "
                f"{first} -> {second}") in done.stderr.splitlines()
        assert "bia" not in "".join(x for x in done.stderr.splitlines() if "pushed again" in x)
        check = tag_check(out, "ana")
        assert check["status"] == "passed" and check["actual"] == f"ana/app:{TAG}@{second}"
        assert (f"The digest of ana/app:{TAG} changed since it was graded on ") in \
            check["message"]
        assert f"it was {first}, it is now {second}." in check["message"]
        assert "changed" not in tag_check(out, "bia")["message"]
        record = json.loads((out / "students" / "ana" / "record.json").read_text())
        assert f"agora é {second}." in next(c for c in record["result"]["checks"]
                                            if c["check_id"] == "tag-pushed")["message"]["pt"]
        summary = (out / "summary.md").read_text()
        assert "## Tags pushed again" in summary
        assert f"**ana**: `ana/app:{TAG}` {first} → {second}" in summary
        assert "**bia**" not in summary.split("## Tags pushed again")[1]
        with contextlib.closing(sqlite3.connect(out / "labgrade.sqlite")) as db:
            stored = [json.loads(r[0]) for r in db.execute(
                "SELECT result FROM results WHERE student = 'ana' ORDER BY graded_at")]
        assert len(stored) == 2
        notes = [next(c for c in r["checks"] if c["check_id"] == "tag-pushed")["message"]
                 for r in stored]
        assert "O digest" not in notes[0]["pt"]
        assert f"era {first}, agora é {second}." in notes[1]["pt"]
        assert f"it was {first}, it is now {second}." in notes[1]["en"]
    finally:
        server.down(state)
        import docker.errors

        for ref in refs.values():
            with contextlib.suppress(docker.errors.NotFound):
                docker_client.images.remove(ref, noprune=True)  # the build cache stays, as
        for image in images:                                    # for labgrade's own builds
            with contextlib.suppress(docker.errors.NotFound):
                docker_client.images.remove(image, noprune=True)
    assert local_tags(docker_client, f"{address}/") == set()
    present = {i["Id"] for i in docker_client.api.images(all=True)}
    assert not present & set(images)
