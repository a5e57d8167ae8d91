"""explain_build_failure on real Docker 20.10 build logs (tests/unit/fixtures/build_logs)."""

from __future__ import annotations

from pathlib import Path

import pytest

from graders.dockerfile.build_errors import explain_build_failure
from graders.dockerfile.parser import parse_dockerfile
from graders.i18n import Text
from tests.unit.dockerfiles import SEED_MULTISTAGE

FIXTURES = Path(__file__).parent / "fixtures" / "build_logs"

CASES = [
    # case, line, words in English, words in Portuguese
    ("unknown_instruction", 2, "RUNN (line 2) is not a Dockerfile instruction. Did you mean RUN?",
     "Você quis dizer RUN?"),
    ("cmd_without_space", 2, "A space is missing after CMD", "Falta um espaço entre CMD"),
    ("heredoc_classic_builder", 2, "Line 3 belongs to the heredoc (<<) at line 2",
     "não conhece heredocs"),
    ("json_not_strings", 2, "syntax error (line 2): when using JSON array syntax",
     "erro de sintaxe (linha 2)"),
    ("env_without_equals", 2, "can't find = in \"B\"", "erro de sintaxe"),
    ("from_manifest_unknown", 1, "127.0.0.1:5999/debian:99 (line 1) does not exist",
     "não existe (ou é privada)"),
    ("from_pull_denied", 1, "does not exist (or is private)", "confira o nome e a tag"),
    ("from_registry_unreachable", 1, "its registry did not answer", "o registry não respondeu"),
    ("from_docker_hub_offline", 1, "The base image nosuchimage:1 (line 1) is not on this machine",
     "não está nesta máquina"),
    ("from_invalid_reference", 1, "Debian:12 (line 1) is not a valid image name",
     "use minúsculas"),
    ("from_blank_arg", 2, "FROM (line 2) names no image: the ARG", "ARG NOME=debian"),
    ("copy_missing_file", 3, "app.py is not in the build context", "não está no contexto"),
    ("add_missing_archive", 2, "ADD (line 2): site.tar.gz is not in the build context",
     "excluído pelo .dockerignore"),
    ("copy_outside_context", 2, "../secret.txt is outside the build context",
     "fora do contexto do build"),
    ("run_exit_code", 2, "The RUN at line 2 failed with exit code 1: echo building",
     "O RUN da linha 2 falhou com código de saída 1"),
    ("run_command_not_found", 2, "Command curl does not exist in the image",
     "O comando curl não existe"),
    ("run_apt_unable_to_locate", 2, "apt-get cannot find package apache3",
     "não encontrou o pacote apache3"),
    ("run_apt_release_gone", 2, "Debian 10 (buster) is end-of-life: its packages left the Debian "
     "mirror (http://deb.debian.org/debian/dists/buster/Release answers 404), so apt-get update "
     "fails. Use a maintained release, FROM debian:12; or, if you really need Debian 10, point "
     "apt's sources (/etc/apt/sources.list) at archive.debian.org",
     "O Debian 10 (buster) chegou ao fim do suporte"),
    ("go_compile_error", 5, "Go compile error at main.go:6: undefined: fmt.Printn",
     "Erro de compilação Go em main.go:6"),
    ("copy_from_current_stage", 8, "COPY --from=1 (line 8): points to its own stage",
     "próprio estágio"),
    ("copy_from_out_of_bounds", 8, "there is no stage 5 before this line", "os índices começam"),
    ("copy_from_undefined_stage", 8,
     "COPY --from=buildando (line 8): there is no stage buildando before this line, so Docker "
     "tried to pull an image named buildando and failed. Did you mean build?",
     "Você quis dizer build?"),
    ("copy_from_unreachable_image", 8, "the image 127.0.0.1:1/buildando could not be pulled",
     "não pôde ser obtida"),
    ("copy_from_denied_image", 8, "could not be pulled (denied)", "não pôde ser obtida"),
]  # fmt: skip


def test_every_fixture_has_a_case() -> None:
    assert {p.stem for p in FIXTURES.glob("*.log")} == {c[0] for c in CASES}


@pytest.mark.parametrize(("case", "line", "en", "pt"), CASES, ids=[c[0] for c in CASES])
def test_real_logs(case: str, line: int, en: str, pt: str) -> None:
    log = (FIXTURES / f"{case}.log").read_text()
    dockerfile = parse_dockerfile((FIXTURES / f"{case}.Dockerfile").read_text())
    text, found = explain_build_failure(log, dockerfile)
    assert en in text.en
    assert pt in text.pt
    assert found == line


def test_run_failure_shows_the_last_lines_without_colour_codes() -> None:
    log = (FIXTURES / "run_exit_code.log").read_text()
    assert "\x1b[91m" in log
    text, _ = explain_build_failure(log, None)
    assert text.en.endswith("Last lines:\nls: /nope: No such file or directory\nbuilding")
    assert "\x1b" not in text.en + text.pt


def test_without_a_dockerfile_lines_come_from_the_error() -> None:
    text, line = explain_build_failure((FIXTURES / "unknown_instruction.log").read_text(), None)
    assert line == 2 and "RUN?" in text.en
    text, line = explain_build_failure((FIXTURES / "copy_missing_file.log").read_text(), None)
    assert line is None and "app.py is not in the build context" in text.en


@pytest.mark.parametrize(
    "error",
    [
        # Docker Hub, online, legacy builder (docker/cli#1559, #2496)
        "invalid from flag value buildando: pull access denied for buildando, repository does not "
        "exist or may require 'docker login': denied: requested access to the resource is denied",
    ],
)
def test_docker_hub_copy_from_texts(error: str) -> None:
    log = "Step 7/8 : COPY --from=buildando /app/hello /app/hello\n" + error + "\n"
    text, line = explain_build_failure(log, parse_dockerfile(SEED_MULTISTAGE))
    assert line == 8
    assert "Did you mean build?" in text.en


def test_docker_hub_base_image_texts() -> None:
    log = (
        "Step 1/2 : FROM debain:12\npull access denied for debain, repository does not exist or "
        "may require 'docker login': denied: requested access to the resource is denied\n"
    )
    text, line = explain_build_failure(log, parse_dockerfile("FROM debain:12\nRUN true\n"))
    assert line == 1
    assert text.en.startswith("The base image debain:12 (line 1) does not exist (or is private)")


def test_buildkit_run_failure_and_unknown_errors() -> None:
    log = (
        '#5 [2/2] RUN false\n#5 ERROR: process "/bin/sh -c false" did not complete '
        "successfully: exit code: 1\n"
    )
    text, _ = explain_build_failure(log, None)
    assert "failed with exit code 1: false" in text.en
    text, line = explain_build_failure("Step 2/2 : RUN x\nsomething odd\n", None)
    assert (text.en, line) == ("The build failed: something odd", None)
    assert explain_build_failure("", None) == (Text("O build falhou.", "The build failed."), None)


def test_the_untouched_starter_is_told_it_has_no_instructions_yet() -> None:
    """The starter has only comments: 'syntax error' would blame the student for a file they
    have not started."""
    labs = Path(__file__).resolve().parents[2] / "labs"
    starter = labs / "day2-apache" / "starter" / "Dockerfile"
    df = parse_dockerfile(starter.read_text(encoding="utf-8"))
    text, line = explain_build_failure(
        "failed to parse Dockerfile: file with no instructions", df)
    assert "no instructions yet" in text.en and "ainda não tem instruções" in text.pt
    assert "syntax error" not in text.en and line is None


def test_a_missing_release_file_is_told_apart_from_a_missing_package() -> None:
    """After a failed update every package is unknown: the missing Release file is the cause."""
    log = (
        "Step 2/2 : RUN apt-get update; apt-get install -y apache2\n"
        "E: The repository 'http://deb.debian.org/debian stretch Release' does not have a "
        "Release file.\nE: Unable to locate package apache2\n"
        "The command '/bin/sh -c apt-get update; apt-get install -y apache2' returned a "
        "non-zero code: 100\n"
    )
    text, _ = explain_build_failure(log, None)
    assert "Debian 9 (stretch) is end-of-life" in text.en
    assert "cannot find package" not in text.en


def test_an_unknown_release_name_is_not_called_end_of_life() -> None:
    log = (
        "Step 2/2 : RUN apt-get update\n"
        "E: The repository 'http://deb.debian.org/debian bookwrom Release' does not have a "
        "Release file.\nThe command '/bin/sh -c apt-get update' returned a non-zero code: 100\n"
    )
    text, _ = explain_build_failure(log, None)
    assert "release name (bookwrom) is wrong" in text.en
    assert "nome da versão (bookwrom) está errado" in text.pt
    assert "end-of-life" not in text.en
