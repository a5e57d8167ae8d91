"""The parser reads tricky Dockerfiles the way the real engine does.

Each case is built (classic builder, no cache) and the image's inspected Config (Cmd,
Entrypoint, Env, Labels, ExposedPorts) is compared with what the parsed model says Docker will
set. Dockerfiles the engine refuses are compared on the line and text of its parse error.
"""

from __future__ import annotations

import contextlib
import io
import os
import re
import tarfile
from collections.abc import Iterator
from typing import Any

import pytest

from graders.dockerfile.model import Dockerfile, Stage
from graders.dockerfile.parser import parse_dockerfile
from graders.dockerfile.words import key_values, parse_words, process_word, shell_words

docker = pytest.importorskip("docker")

pytestmark = pytest.mark.docker

BASE = "busybox:1.35"


@pytest.fixture(scope="module")
def client() -> Iterator[Any]:
    """A Docker client; skips without an engine, but fails when CI is set."""
    try:
        c = docker.from_env()
        c.ping()
        c.images.get(BASE)
    except Exception as exc:
        if os.environ.get("CI"):
            pytest.fail(f"no Docker engine (or no {BASE}) in CI: {exc}")
        pytest.skip(f"no Docker engine or no {BASE}: {exc}")
    yield c
    c.close()


def build(client: Any, text: str, buildargs: dict[str, str] | None = None) -> dict[str, Any] | str:
    """The built image's Config, or the engine's error text. Every image made is removed."""
    buf = io.BytesIO()
    data = text.encode()
    with tarfile.open(fileobj=buf, mode="w") as tar:
        info = tarfile.TarInfo("Dockerfile")
        info.size = len(data)
        tar.addfile(info, io.BytesIO(data))
    buf.seek(0)
    made: list[str] = []
    image, error = None, ""
    try:
        for chunk in client.api.build(
            fileobj=buf,
            custom_context=True,
            rm=True,
            forcerm=True,
            nocache=True,
            decode=True,
            buildargs=buildargs or {},
        ):
            made += re.findall(r"^ ---> ([0-9a-f]{12})$", chunk.get("stream", ""), re.M)
            image = chunk.get("aux", {}).get("ID", image)
            error = chunk.get("error", error)
    except docker.errors.APIError as exc:
        error = str(exc.explanation)
    try:
        if image:
            return dict(client.api.inspect_image(image)["Config"])
        return error
    finally:
        base = client.images.get(BASE).id.split(":")[1][:12]
        for ref in [image, *reversed(made)]:
            if ref and ref != base:
                with contextlib.suppress(docker.errors.APIError):
                    client.api.remove_image(ref)


def expected_config(df: Dockerfile, base: dict[str, Any], args: dict[str, str]) -> dict[str, Any]:
    """What the model says Docker sets, replaying the final stage (and those it is FROM)."""
    final = df.final_stage
    assert final is not None
    cfg: dict[str, Any] = {}
    for stage in reversed(df.ancestry(final)):
        cfg = replay(stage, cfg or dict(base), args, df.global_args)
    return cfg


def replay(
    stage: Stage, start: dict[str, Any], build_args: dict[str, str], meta: dict[str, str]
) -> dict[str, Any]:
    env = dict(e.split("=", 1) for e in start.get("Env") or [])
    labels = dict(start.get("Labels") or {})
    ports = dict(start.get("ExposedPorts") or {})
    cmd, entrypoint, cmd_set = start.get("Cmd"), start.get("Entrypoint"), False
    args: dict[str, str] = {}
    shell = ["/bin/sh", "-c"]
    for instr in stage.instructions:
        scope = {**args, **env}
        if instr.keyword == "ARG":
            declared = dict(key_values(instr, scope))
            for word in parse_words(instr.value):
                name = process_word(word.partition("=")[0])
                default = declared[name] if "=" in word else meta.get(name, "")
                args[name] = build_args.get(name, default)  # a bare ARG reuses the global one
        elif instr.keyword == "ENV":
            env.update(key_values(instr, scope))
        elif instr.keyword == "LABEL":
            labels.update(key_values(instr, scope))
        elif instr.keyword == "EXPOSE":
            for word in shell_words(instr.value):
                port = process_word(word, scope)
                ports[port if "/" in port else f"{port}/tcp"] = {}
        elif instr.keyword in ("CMD", "ENTRYPOINT"):
            argv = list(instr.json_args) if instr.json_args is not None else [*shell, instr.value]
            if instr.keyword == "CMD":
                cmd, cmd_set = argv, True
            else:
                entrypoint = argv
                cmd = cmd if cmd_set else None  # Docker: ENTRYPOINT resets an inherited CMD
        elif instr.keyword == "SHELL" and instr.json_args:
            shell = list(instr.json_args)
    return {
        "Cmd": cmd, "Entrypoint": entrypoint, "Env": [f"{k}={v}" for k, v in env.items()],
        "Labels": labels or None, "ExposedPorts": ports or None,
    }  # fmt: skip


CASES = {
    "crlf_and_bom": '\ufeffFROM busybox:1.35\r\nENV A=1 \\\r\n  B="x y"\r\nCMD echo hi\r\n',
    "continuations": (
        "FROM busybox:1.35\nENV A=1 \\\n# comment\n   # indented comment\n\n  B=2\n"
        'LABEL description="multi\\\n line" x=y \\\n'
    ),
    "escape_backtick": (
        "# syntax=docker/dockerfile:1\n# escape=`\nFROM busybox:1.35\nENV WIN=C:\\dir A=a `\n"
        "  B=b\nLABEL q=a` b\n"
    ),
    "env_forms": (
        "FROM busybox:1.35\n"
        'ENV A=1 B="two words" C=\'x y\' D=a\\ b E="q\\"x" F=\'s\\\'\n'
        "ENV OLD some   value \"quoted\" 'single' x\\ y\n"
        "ENV G=$A-x H=${A}y I=\"${B}\" J='$A' K=\\$A L=${NOPE:-def} M=${A:+alt} N=${NOPE}\n"
        "ENV OLD2 $A and ${B}\nENV P=\n"
        'LABEL "com.example.vendor"="ACME Inc" version=1.0 empty="" from.env=$A\n'
        "LABEL legacy value with spaces\n"
        "EXPOSE 80 443/tcp 53/udp ${PORT:-8080}\n"
    ),
    "json_and_shell_forms": (
        "FROM busybox:1.35\nCMD [\"a\", \"b\"] trailing\nENTRYPOINT ['sh', '-c']\n"
    ),
    "cmd_then_entrypoint": 'FROM busybox:1.35\nCMD ["x"]\nENTRYPOINT ["/bin/sh", "-c"]\n',
    "empty_json_and_shell_cmd": 'FROM busybox:1.35\nENTRYPOINT ["env"]\nCMD []\n',
    "shell_instruction": 'FROM busybox:1.35\nSHELL ["/bin/sh", "-ec"]\nCMD echo hi\n',
    "arg_in_from_and_stages": (
        "ARG IMG=busybox\nARG TAG\nARG UNUSED=zzz\nFROM ${IMG}:${TAG:-1.35} AS Base\n"
        "ARG IMG\nARG TAG\nENV SEEN_IMG=${IMG} SEEN_TAG=x${TAG}x SEEN_UNUSED=x${UNUSED}x\n"
        "LABEL first=yes\nFROM BASE\nLABEL stage=second\n"
    ),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_config_matches_the_engine(client: Any, name: str) -> None:
    text = CASES[name]
    df = parse_dockerfile(text)
    assert df.problems == ()
    config = build(client, text)
    assert isinstance(config, dict), config
    base = dict(client.api.inspect_image(df.ancestry(df.stages[-1])[-1].base)["Config"])
    expected = expected_config(df, base, {})
    for key, value in expected.items():
        assert config.get(key) == value, key


def test_build_args_override_arg_in_from(client: Any) -> None:
    text = CASES["arg_in_from_and_stages"]
    args = {"TAG": "1.35", "IMG": "busybox"}
    df = parse_dockerfile(text, build_args=args)
    assert df.stages[0].base == "busybox:1.35"
    config = build(client, text, args)
    assert isinstance(config, dict), config
    base = dict(client.api.inspect_image(BASE)["Config"])
    assert config["Env"] == expected_config(df, base, args)["Env"]
    assert "SEEN_TAG=x1.35x" in config["Env"]


@pytest.mark.parametrize(
    ("text", "heredocs"),
    [
        ("FROM busybox:1.35\nRUN <<EOF\necho hi\nEOF\n", False),  # the classic builder
        ('FROM busybox:1.35\nCMD["sh"]\n', True),
        ("FROM busybox:1.35\nRUNN true\n", True),
        ("FROM busybox:1.35\nCMD [1, 2]\n", True),
        ("\n# escape=`\nFROM busybox:1.35\nENV A=a `\n  B=b\n", True),
        ("FROM busybox:1.35\nENV A=1 B\n", True),
    ],
)
def test_parse_errors_match_the_engine(client: Any, text: str, heredocs: bool) -> None:
    problem = parse_dockerfile(text, heredocs=heredocs).problems[0]
    error = build(client, text)
    assert isinstance(error, str)
    at_line = re.match(r"dockerfile parse error line (\d+): (.*)", error)
    if at_line:
        assert (problem.line, problem.message) == (int(at_line.group(1)), at_line.group(2))
    else:
        assert error == f"failed to parse Dockerfile: {problem.message}"
