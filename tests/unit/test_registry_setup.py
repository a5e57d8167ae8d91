"""Sample `setup: registry:` parsing, in-process credentials and the `registry` CLI, no Docker."""

from __future__ import annotations

import argparse
import dataclasses
import io
from pathlib import Path
from typing import Any

import pytest

from graders.cli.env import Env, ExitStatus
from graders.cli.main import main
from graders.cli.registry_cmd import registry_address
from graders.errors import SpecError
from graders.registry.credentials import Credentials, provided, resolve_credentials
from graders.samples import _parse, registry_setup
from graders.spec import Lab, Sample, load_lab

LAB = load_lab("day2-registry")


def sample(setup: dict[str, Any]) -> Sample:
    return Sample("solution", 100, {"registry": setup})


def parse(setup: dict[str, Any]) -> Any:
    return _parse(LAB, sample(setup), setup)


def test_every_sample_of_the_lab_has_registry_state() -> None:
    for s in LAB.samples:
        setup = registry_setup(LAB, s)
        assert setup is not None
        parse(setup)  # valid


def test_labs_without_registry_need_no_setup() -> None:
    apache = load_lab("day2-apache")
    assert all(registry_setup(apache, s) is None for s in apache.samples)


def test_push_defaults(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("LABGRADE_REGISTRY_AUTH", raising=False)
    pushes, auth, image = parse({"push": [{}, {"image": "x/y:1", "build": "images/older"}]})
    assert [p.image for p in pushes] == ["student/app:v1.0", "x/y:1"]  # lab's registry: section
    assert pushes[0].folder == (LAB.root / "solution").resolve()
    assert pushes[1].folder == (LAB.root / "images/older").resolve()
    assert auth is None and image is None
    _, auth, _ = parse({"auth": True})
    assert auth is not None and auth[0] == "student" and len(auth[1]) >= 20


@pytest.mark.parametrize(("setup", "field"), [
    ({"pushh": []}, "samples[0].setup.registry"),
    ({"push": {"image": "a/b:1"}}, "samples[0].setup.registry.push"),
    ({"push": [{"image": "localhost:5000/a/b:1"}]}, "samples[0].setup.registry.push[0].image"),
    ({"push": [{"image": "A/b"}]}, "samples[0].setup.registry.push[0].image"),
    ({"push": [{"image": "a/b:1", "build": "../.."}]}, "samples[0].setup.registry.push[0].build"),
    ({"auth": "yes"}, "samples[0].setup.registry.auth"),
])
def test_bad_setup_is_a_spec_error(setup: dict[str, Any], field: str) -> None:
    with pytest.raises(SpecError) as info:
        parse(setup)
    assert info.value.field == field


def test_auth_from_environment_is_never_echoed(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LABGRADE_REGISTRY_AUTH", "only-a-secret")
    with pytest.raises(SpecError) as info:
        parse({})
    assert "only-a-secret" not in str(info.value)
    monkeypatch.setenv("LABGRADE_REGISTRY_AUTH", "ta:pa:ss")
    assert parse({})[1] == ("ta", "pa:ss")


def test_provided_credentials_win_and_go_away(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LABGRADE_REGISTRY_USER", "env")
    monkeypatch.setenv("LABGRADE_REGISTRY_PASSWORD", "env-pw")
    creds = Credentials("sample", "sample-pw", "test")
    with provided("127.0.0.1:5999", creds):
        assert resolve_credentials("127.0.0.1:5999") is creds
        assert resolve_credentials("127.0.0.1:6000").username == "env"  # type: ignore[union-attr]
    assert resolve_credentials("127.0.0.1:5999").username == "env"  # type: ignore[union-attr]


@pytest.mark.parametrize(("value", "address"), [
    ("localhost:5000", "localhost:5000"), ("http://127.0.0.1:5000/", "127.0.0.1:5000"),
    ("docker.io", "docker.io"), ("index.docker.io", "docker.io"), ("ghcr.io", "ghcr.io"),
])
def test_registry_address(value: str, address: str) -> None:
    assert registry_address(value) == address


@pytest.mark.parametrize("value", ["", "a b", "x/y", "localhost:5000/ns"])
def test_registry_address_rejects(value: str) -> None:
    with pytest.raises(argparse.ArgumentTypeError):
        registry_address(value)


def run(argv: list[str]) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    status = main(argv, Env(out, err, {}))
    return status, out.getvalue(), err.getvalue()


def test_registry_status_and_down_when_nothing_runs(tmp_path: Path) -> None:
    status, out, _ = run(["registry", "status", "--state", str(tmp_path)])
    assert status == ExitStatus.CHECKS_FAILED and "not running" in out
    status, out, _ = run(["registry", "down", "--state", str(tmp_path)])
    assert status == ExitStatus.SUCCESS and "nothing to stop" in out


def test_registry_up_refuses_bad_auth_and_port(tmp_path: Path) -> None:
    assert run(["registry", "up", "--port", "0", "--state", str(tmp_path)])[0] == 2
    status, _, err = run(["registry", "up", "--auth", "bob", "--state", str(tmp_path)])
    assert status == ExitStatus.USAGE_OR_SPEC_ERROR and "LABGRADE_REGISTRY_PASSWORD" in err


def test_grade_flags_reach_the_options() -> None:
    from graders.cli.main import build_parser

    args = build_parser().parse_args(["grade", "day2-registry", ".", "--registry",
                                      "localhost:5000", "--image", "a/b:1"])
    assert (args.registry, args.image) == ("localhost:5000", "a/b:1")
    from graders.engine.run import GradeOptions

    names = {f.name for f in dataclasses.fields(GradeOptions)}
    assert {"registry", "image"} <= names
    assert isinstance(LAB, Lab)
