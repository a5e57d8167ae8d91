"""A DockerBackend made of plain data, to unit-test the engine's stages without Docker.

    backend = FakeBackend(build_ok=False)          # the build fails, as a student's would
    backend = FakeBackend(running=False)           # the container exits at once
    backend = FakeBackend(start_error=RuntimeError("boom"))   # a harness crash

Every call is recorded in `backend.calls` as `(method, first argument)`, and what the engine
created but did not remove is left in `backend.containers` / `backend.images`.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from graders.backends.base import BuildOutcome, ContainerOptions
from graders.checks.base import ExecResult


@dataclass
class FakeBackend:
    build_ok: bool = True
    running: bool = True
    exit_code: int = 0
    start_error: Exception | None = None
    name: str = "fake"
    calls: list[tuple[str, str]] = field(default_factory=list)
    images: set[str] = field(default_factory=set)
    containers: set[str] = field(default_factory=set)

    def _call(self, method: str, arg: object = "") -> None:
        self.calls.append((method, str(arg)))

    def version(self) -> str:
        return "fake"

    def build(self, context: Path, dockerfile: str, tag: str, **_options: Any) -> BuildOutcome:
        self._call("build", tag)
        if not self.build_ok:
            return BuildOutcome(False, None, "Step 2/2 : RUN false\nexit code: 1",
                                "The command '/bin/sh -c false' returned a non-zero code: 1")
        self.images.add(tag)
        return BuildOutcome(True, "sha256:" + "a" * 64, "Successfully built")

    def inspect_image(self, ref: str) -> dict[str, Any]:
        self._call("inspect_image", ref)
        return {"Id": "sha256:" + "a" * 64, "Config": {"Env": ["A=1"]}, "Size": 1}

    def remove_image(self, ref: str) -> None:
        self._call("remove_image", ref)
        self.images.discard(ref)

    def create_container(self, options: ContainerOptions) -> str:
        self._call("create_container", options.image)
        self.containers.add("c1")
        return "c1"

    def start_container(self, container_id: str) -> None:
        self._call("start_container", container_id)
        if self.start_error is not None:
            raise self.start_error

    def inspect_container(self, container_id: str) -> dict[str, Any]:
        state = {"Running": self.running, "Status": "running" if self.running else "exited",
                 "ExitCode": 0 if self.running else self.exit_code, "OOMKilled": False,
                 "StartedAt": "2026-01-01T00:00:00Z", "FinishedAt": "2026-01-01T00:00:01Z"}
        return {"Id": container_id, "State": state, "NetworkSettings": {"Ports": {}}}

    def logs(self, container_id: str, limit: int, stream: str = "all") -> str:
        return ""

    def archive(self, container_id: str, path: str
                ) -> tuple[Iterator[bytes], dict[str, Any]] | None:
        return None

    def exec(self, container_id: str, argv: list[str], timeout: float,
             limit: int) -> ExecResult:
        return ExecResult(0, "", "")

    def put_archive(self, container_id: str, path: str, data: bytes) -> None:
        pass

    def stats(self, container_id: str) -> dict[str, Any]:
        return {}

    def run_once(self, image: str, command: list[str] | None, **_options: Any) -> ExecResult:
        return ExecResult(0, "", "")

    def remove_container(self, container_id: str) -> None:
        self._call("remove_container", container_id)
        self.containers.discard(container_id)

    def list_labelled(self, label: str, images: bool = True) -> list[dict[str, Any]]:
        return []

    def create_network(self, name: str, labels: Mapping[str, str]) -> str:
        return name

    def remove_leftover(self, kind: str, ident: str) -> bool:
        return False

    def image_layer(self, ref: str) -> dict[str, Any] | None:
        return None

    def remove_layer(self, image_id: str) -> bool:
        return False
