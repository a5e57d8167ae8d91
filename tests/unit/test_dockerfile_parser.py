"""The Dockerfile parser: every rule measured against Docker (see test_parser_vs_docker.py)."""

from __future__ import annotations

from pathlib import Path

import pytest

from graders.dockerfile.model import Dockerfile, Instruction
from graders.dockerfile.parser import load_dockerfile, parse_dockerfile
from graders.dockerfile.refs import copy_from_target
from graders.dockerfile.words import key_values
from tests.unit.dockerfiles import SEED_MULTISTAGE


def only(df: Dockerfile, keyword: str) -> Instruction:
    found = df.find(keyword)
    assert len(found) == 1, found
    return found[0]


def test_lines_are_one_based_and_blank_lines_and_comments_are_skipped() -> None:
    df = parse_dockerfile("# a comment\n\nFROM debian:12\n\n  # indented comment\nRUN true\n")
    assert [(i.keyword, i.line, i.end_line) for i in df.instructions] == [
        ("FROM", 3, 3),
        ("RUN", 6, 6),
    ]
    assert df.problems == ()


def test_continuations_join_lines_keep_spacing_and_skip_comments_and_empty_lines() -> None:
    df = parse_dockerfile("FROM debian:12\nRUN apt-get update \\\n  # why\n\n    && true\nCMD x\n")
    run = only(df, "RUN")
    assert run.value == "apt-get update     && true"
    assert (run.line, run.end_line) == (2, 5)
    assert only(df, "CMD").line == 6
    assert "# why" in run.raw


def test_trailing_continuation_on_the_last_line_is_dropped() -> None:
    assert only(parse_dockerfile("FROM a:1\nRUN echo c\\"), "RUN").value == "echo c"


def test_escape_directive_backtick() -> None:
    df = parse_dockerfile("# escape=`\nFROM debian:12\nRUN echo a `\n  b\nRUN dir C:\\\n")
    assert df.directives == {"escape": "`"}
    runs = df.find("RUN")
    assert [r.value for r in runs] == ["echo a   b", "dir C:\\"]
    assert runs[0].escape == "`"


@pytest.mark.parametrize(
    ("head", "applies"),
    [
        ("# syntax=docker/dockerfile:1\n# escape=`\n", True),
        ("# escape=`\n# syntax=docker/dockerfile:1\n", True),
        ("\n# escape=`\n", False),  # a blank line ends the directives
        ("# foo=bar\n# escape=`\n", False),  # so does any other comment
        ("FROM x:1\n# escape=`\n", False),
    ],
)
def test_directives_count_only_at_the_top(head: str, applies: bool) -> None:
    df = parse_dockerfile(head + "FROM debian:12\nENV A=a `\n  B=b\n")
    env = df.find("ENV")
    if applies:
        assert env[0].value == "A=a   B=b"
        assert df.problems == ()
    else:
        assert "escape" not in df.directives
        assert any("can't find =" in p.message for p in df.problems)


def test_syntax_directive_is_recorded() -> None:
    df = parse_dockerfile("# syntax=docker/dockerfile:1.4\nFROM debian:12\n")
    assert df.directives["syntax"] == "docker/dockerfile:1.4"


def test_crlf_and_bom() -> None:
    df = parse_dockerfile('\ufeffFROM debian:12\r\nENV A=1 \\\r\n  B="x y"\r\nCMD echo hi\r\n')
    assert [i.keyword for i in df.instructions] == ["FROM", "ENV", "CMD"]
    assert df.stages[0].base == "debian:12"
    assert key_values(only(df, "ENV")) == [("A", "1"), ("B", "x y")]
    assert only(df, "CMD").value == "echo hi"


def test_load_dockerfile_decodes_leniently(tmp_path: Path) -> None:
    path = tmp_path / "Dockerfile"
    path.write_bytes(b"\xef\xbb\xbfFROM debian:12\r\nLABEL author=Jos\xe9\r\n")
    df = load_dockerfile(path)
    assert df is not None
    assert df.path == str(path)
    assert only(df, "LABEL").value == "author=Jos\ufffd"
    assert load_dockerfile(tmp_path / "missing") is None
    assert load_dockerfile(tmp_path) is None


def test_heredocs_run_and_copy() -> None:
    text = (
        "FROM debian:12\n"
        "RUN <<EOF\napt-get update\nrm -rf /var/lib/apt/lists/*\nEOF\n"
        'COPY <<-"END" /etc/motd\n\thello\n\tEND\n'
        "RUN cat <<A && cat <<B\na\nA\nb\nB\n"
        'CMD ["x"]\n'
    )
    df = parse_dockerfile(text)
    runs = df.find("RUN")
    assert runs[0].heredocs == ("apt-get update\nrm -rf /var/lib/apt/lists/*\n",)
    assert (runs[0].line, runs[0].end_line) == (2, 5)
    copy = only(df, "COPY")
    assert copy.heredocs == ("\thello\n",)
    assert copy.line == 6
    assert runs[1].heredocs == ("a\n", "b\n")
    assert only(df, "CMD").line == 14
    assert df.problems == ()


def test_heredocs_off_reads_like_the_classic_builder() -> None:
    df = parse_dockerfile("FROM busybox:1.35\nRUN <<EOF\necho hi\nEOF\n", heredocs=False)
    assert [(p.line, p.message) for p in df.problems] == [
        (3, "unknown instruction: ECHO"),
        (4, "unknown instruction: EOF"),
    ]


def test_heredoc_not_in_json_form_and_unterminated() -> None:
    df = parse_dockerfile('FROM a:1\nRUN ["cat", "<<EOF"]\nRUN <<EOF\necho\n')
    assert df.find("RUN")[0].heredocs == ()
    assert [p.message for p in df.problems] == ["unterminated heredoc EOF"]


def test_json_and_shell_form() -> None:
    df = parse_dockerfile(
        'FROM a:1\nCMD ["a", "b"] c\nENTRYPOINT [\'a\', \'b\']\nRUN [ "x" ]\n'
        'SHELL ["/bin/bash", "-c"]\nCMD []\nHEALTHCHECK --interval=5s CMD ["curl", "-f", "x"]\n'
    )
    cmd, entry = df.find("CMD")[0], only(df, "ENTRYPOINT")
    assert cmd.json_args == ("a", "b")  # like Go's json.Decoder: trailing text ignored
    assert cmd.exec_form
    assert entry.json_args is None  # single quotes are not JSON: shell form
    assert not entry.exec_form
    assert only(df, "RUN").json_args == ("x",)
    assert only(df, "SHELL").json_args == ("/bin/bash", "-c")
    assert df.find("CMD")[1].json_args == ()
    health = only(df, "HEALTHCHECK")
    assert health.flags == {"interval": "5s"}
    assert health.json_args == ("curl", "-f", "x")


def test_json_array_of_non_strings_is_a_problem() -> None:
    df = parse_dockerfile('FROM a:1\nCMD [1, "b"]\n')
    assert df.problems[0].line == 2
    assert "strings only" in df.problems[0].message


def test_unknown_instructions_are_problems_and_parsing_goes_on() -> None:
    df = parse_dockerfile('FROM a:1\nCMD["x"]\nRUNN make\nEXPOSE 80\n')
    assert [(p.line, p.message) for p in df.problems] == [
        (2, 'unknown instruction: CMD["X"]'),
        (3, "unknown instruction: RUNN"),
    ]
    assert [i.keyword for i in df.instructions] == ["FROM", "EXPOSE"]


def test_keywords_are_case_insensitive_and_stage_names_lower_cased() -> None:
    df = parse_dockerfile("from golang:1.19 as Build\nfrom BUILD\ncopy --from=Build /a /b\n")
    assert [s.name for s in df.stages] == ["build", None]
    assert df.stages[1].base_stage == 0
    assert df.stage_named("BUILD") is df.stages[0]
    target = copy_from_target(only(df, "COPY"), df)
    assert target is not None
    assert target.stage == 0


def test_stages_indexes_and_instructions() -> None:
    df = parse_dockerfile(SEED_MULTISTAGE)
    assert [(s.index, s.name, s.base, s.line) for s in df.stages] == [
        (0, "build", "golang:1.18", 1),
        (1, None, "alpine:3.15.9", 7),
    ]
    assert [i.keyword for i in df.stages[1].instructions] == ["FROM", "COPY", "CMD"]
    assert df.final_stage is df.stages[1]
    assert [i.line for i in df.find("RUN", stage=0)] == [4, 5]
    assert df.find("RUN", stage=-1) == []
    assert df.select_stages("final") == [df.stages[1]]
    assert df.select_stages("first") == [df.stages[0]]
    assert df.select_stages("any") == list(df.stages)
    assert df.select_stages("build") == [df.stages[0]]
    assert df.select_stages("1") == [df.stages[1]]
    assert df.select_stages("nope") == []


def test_flags_are_split_off_the_value() -> None:
    df = parse_dockerfile(
        "FROM --platform=linux/amd64 debian:12 AS b\n"
        'COPY --from=b --chown="app:app" --link a /b\n'
        "RUN --mount=type=cache,target=/x --mount=type=tmpfs,target=/t make\n"
        "COPY -- --weird /x\n"
    )
    frm, copy = df.instructions[0], df.find("COPY")[0]
    assert frm.flags == {"platform": "linux/amd64"}
    assert df.stages[0].base == "debian:12"
    assert copy.flags == {"from": "b", "chown": "app:app", "link": "true"}
    assert copy.value == "a /b"
    assert copy.text == "--from=b --chown=app:app --link a /b"
    run = only(df, "RUN")
    assert run.flag_words == ("--mount=type=cache,target=/x", "--mount=type=tmpfs,target=/t")
    assert run.value == "make"
    assert df.find("COPY")[1].value == "--weird /x"


def test_arg_substitution_in_from() -> None:
    text = (
        "ARG IMG=busybox\nARG TAG\nARG FULL=${IMG}:1.35\n"
        "FROM ${IMG}:${TAG:-1.35} AS base\nFROM $FULL\nFROM ${MISSING:-debian}:12\n"
    )
    df = parse_dockerfile(text)
    assert [s.base for s in df.stages] == ["busybox:1.35", "busybox:1.35", "debian:12"]
    assert df.global_args == {"IMG": "busybox", "TAG": "", "FULL": "busybox:1.35"}
    assert [i.stage for i in df.find("ARG")] == [-1, -1, -1]


def test_build_args_override_declared_args_only() -> None:
    text = "ARG TAG=12\nFROM debian:${TAG}\nFROM ${UNDECLARED:-busybox}:1.35\n"
    df = parse_dockerfile(text, "Dockerfile", build_args={"TAG": "11", "UNDECLARED": "x"})
    assert [s.base for s in df.stages] == ["debian:11", "busybox:1.35"]


def test_from_problems() -> None:
    df = parse_dockerfile("FROM a b\nFROM c AS 1bad\nENV X=1\n")
    messages = [p.message for p in df.problems]
    assert messages[0] == "FROM requires either one or three arguments"
    assert "invalid name for build stage" in messages[1]
    df = parse_dockerfile("RUN true\nFROM a:1\n")
    assert df.problems[0].line == 1
