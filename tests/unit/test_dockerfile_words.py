"""Words inside instructions (ENV/LABEL pairs, quoting, expansion), image refs, --from targets."""

from __future__ import annotations

import pytest

from graders.dockerfile.parser import parse_dockerfile
from graders.dockerfile.refs import copy_from_target, parse_image_ref
from graders.dockerfile.words import key_values, process_word
from tests.unit.dockerfiles import SEED_MULTISTAGE


@pytest.mark.parametrize(
    ("line", "pairs"),
    [
        (
            "ENV A=1 B=\"two words\" C='x y' D=a\\ b",
            [("A", "1"), ("B", "two words"), ("C", "x y"), ("D", "a b")],
        ),
        ('ENV E="q\\"x" F=\'s\\\'', [("E", 'q"x'), ("F", "s\\")]),
        (
            "ENV OLD some   value \"quoted\" 'single' x\\ y",
            [("OLD", "some   value quoted single x y")],
        ),
        ("ENV P=", [("P", "")]),
        (
            'LABEL "com.example.vendor"="ACME Inc" version=1.0',
            [("com.example.vendor", "ACME Inc"), ("version", "1.0")],
        ),
        ("LABEL legacy value with spaces", [("legacy", "value with spaces")]),
        ("ARG A=1 B", [("A", "1"), ("B", "")]),
    ],
)
def test_key_values(line: str, pairs: list[tuple[str, str]]) -> None:
    df = parse_dockerfile(f"FROM a:1\n{line}\n")
    assert key_values(df.instructions[1]) == pairs
    assert df.problems == ()


def test_key_values_expand_from_env_like_docker() -> None:
    df = parse_dockerfile(
        "FROM a:1\nENV G=$A-x H=${A}y I=\"${B}\" J='$A' K=\\$A L=${NOPE:-def} M=${A:+alt} N=$NOPE\n"
    )
    instr = df.instructions[1]
    assert dict(key_values(instr, {"A": "1", "B": "two words"})) == {
        "G": "1-x",
        "H": "1y",
        "I": "two words",
        "J": "$A",
        "K": "$A",
        "L": "def",
        "M": "alt",
        "N": "",
    }
    assert dict(key_values(instr))["H"] == "${A}y"


def test_key_values_with_backtick_escape() -> None:
    df = parse_dockerfile("# escape=`\nFROM a:1\nENV P=C:\\dir Q=a` b\n")
    assert key_values(df.instructions[1]) == [("P", "C:\\dir"), ("Q", "a b")]


def test_env_without_equals_is_a_problem() -> None:
    df = parse_dockerfile("FROM a:1\nENV A=1 B\nLABEL lonely\n")
    assert [p.line for p in df.problems] == [2, 3]


def test_process_word_edge_cases() -> None:
    assert process_word("a$") == "a$"
    assert process_word("$1x", {}) == "x"
    assert process_word('"a\\b"') == "a\\b"  # in double quotes \ escapes only " $ and \


@pytest.mark.parametrize(
    ("ref", "repo", "tag", "digest", "pinned"),
    [
        ("debian", "debian", None, None, False),
        ("debian:latest", "debian", "latest", None, False),
        ("debian:12", "debian", "12", None, True),
        ("localhost:5000/team/app", "localhost:5000/team/app", None, None, False),
        (
            "docker.io/library/debian:12@sha256:ab",
            "docker.io/library/debian",
            "12",
            "sha256:ab",
            True,
        ),
        ("debian@sha256:ab", "debian", None, "sha256:ab", True),
        ("scratch", "scratch", None, None, True),
    ],
)
def test_parse_image_ref(
    ref: str, repo: str, tag: str | None, digest: str | None, pinned: bool
) -> None:
    parsed = parse_image_ref(ref)
    assert (parsed.repository, parsed.tag, parsed.digest, parsed.pinned) == (
        repo,
        tag,
        digest,
        pinned,
    )
    assert str(parsed) == ref


def test_copy_from_targets() -> None:
    df = parse_dockerfile(
        SEED_MULTISTAGE + "COPY --from=0 /a /b\nCOPY --from=1 /a /b\nCOPY --from=5 /a /b\n"
        "COPY --from=nginx:1.25 /a /b\nCOPY --from=later /a /b\nCOPY /a /b\nFROM x:1 AS later\n"
    )
    copies = [copy_from_target(c, df) for c in df.find("COPY")]
    seed, zero, one, five, image, later, plain = copies[1:]
    assert seed is not None
    assert (seed.problem, seed.suggestion, seed.image) == ("unknown_name", "build", "buildando")
    assert zero is not None and zero.ok and zero.stage == 0
    assert one is not None and one.problem == "current"
    assert five is not None and five.problem == "out_of_bounds"
    assert image is not None and image.ok and image.image == "nginx:1.25"
    assert later is not None and later.problem == "later_stage"
    assert plain is None
