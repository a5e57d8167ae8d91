"""The day2-multistage checks as plain pytest-testinfra tests (see conftest.py for the
fixtures). The final image's command exits at once, so the file checks run in a second
container kept up with `sleep` (testinfra needs a running container with a shell)."""

from __future__ import annotations

import re
from typing import Any

import pytest

GO_PATHS = ["/usr/local/go", "/usr/lib/go", "/usr/bin/go", "/usr/local/bin/go"]


def _froms(dockerfile: str) -> list[str]:
    return re.findall(r"(?im)^\s*FROM\s+(.*)$", dockerfile)


def test_two_stages(dockerfile: str) -> None:
    assert len(_froms(dockerfile)) >= 2


def test_build_stage_named(dockerfile: str) -> None:
    assert any(re.search(r"(?i)\sAS\s+build\s*$", f) for f in _froms(dockerfile))


def test_copy_from_stage(dockerfile: str) -> None:
    stages = {m.lower() for f in _froms(dockerfile) for m in re.findall(r"(?i)\sAS\s+(\S+)", f)}
    sources = re.findall(r"(?im)^\s*COPY\s.*--from=(\S+)", dockerfile)
    assert sources and all(s.lower() in stages for s in sources)


def test_final_base_not_golang(dockerfile: str) -> None:
    image = next(w for w in _froms(dockerfile)[-1].split() if not w.startswith("--"))
    assert not re.match(r"^(docker\.io/)?(library/)?golang$", re.split(r"[:@]", image)[0])


def test_prints_hello(local: Any, image: str) -> None:
    run = local.run("timeout 15 docker run --rm --network none %s", image)
    assert run.rc == 0
    assert run.stdout.strip() == "Hello, World!"


@pytest.mark.parametrize("path", GO_PATHS)
def test_no_go_toolchain(shell_container: Any, path: str) -> None:
    assert not shell_container.file(path).exists


def test_no_versioned_go(shell_container: Any) -> None:
    assert shell_container.run("ls -d /usr/lib/go-*").rc != 0


def test_under_20mb(image_config: dict[str, Any]) -> None:
    assert image_config["Size"] <= 20_000_000


def test_runs_the_binary(image_config: dict[str, Any]) -> None:
    config = image_config["Config"]
    command = " ".join((config["Entrypoint"] or []) + (config["Cmd"] or []))
    assert re.search(r"(^|/)hello( |$)", command)
