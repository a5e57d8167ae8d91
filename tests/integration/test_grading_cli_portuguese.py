"""`--lang pt` on the commands that grade, on the real engine: `check` with its progress off a
terminal, a submission refused before building, `validate` and the batch's last lines hold no
English (tests/english_in_pt.py). The checks' own Expected/Actual wording is graded elsewhere:
the submissions here fail only checks whose feedback is their title and hint."""

from __future__ import annotations

import io
import os
from pathlib import Path

import pytest

from graders.cli.env import Env, ExitStatus
from graders.cli.main import main
from tests.english_in_pt import english_in

pytestmark = pytest.mark.docker

LAB = """\
id: tiny-pt
title: {pt: "Um lab pequeno", en: "A small lab"}
points: 100
build: {dockerfile: Dockerfile, context: ., timeout: 120}
checks:
  - id: has-cmd
    type: dockerfile_instruction
    points: 50
    title: {pt: "Tem um CMD", en: "Has a CMD"}
    hint: {pt: "Acrescente um CMD.", en: "Add a CMD."}
    instruction: CMD
  - id: exposes-80
    type: image_exposed_ports
    points: 50
    title: {pt: "Expõe a porta 80", en: "Exposes port 80"}
    hint: {pt: "Acrescente EXPOSE 80.", en: "Add EXPOSE 80."}
    ports: [80]
samples:
  - {path: solution, score: 100, fails: []}
  - {path: submissions/no_cmd, score: 50, fails: [has-cmd]}
  - {path: submissions/scored_wrong, score: 100, fails: []}
"""
SOLUTION = 'FROM busybox:1.35\nEXPOSE 80\nCMD ["true"]\n'
NO_CMD = "FROM busybox:1.35\nEXPOSE 80\n"


@pytest.fixture
def labs(tmp_path: Path) -> Path:
    """A folder of labs holding one small lab: a static check and an image check, busybox."""
    lab = tmp_path / "labs" / "tiny-pt"
    for folder, dockerfile in (("solution", SOLUTION), ("submissions/no_cmd", NO_CMD),
                               ("submissions/scored_wrong", NO_CMD)):
        (lab / folder).mkdir(parents=True)
        (lab / folder / "Dockerfile").write_text(dockerfile)
    (lab / "lab.yaml").write_text(LAB)
    return tmp_path / "labs"


def run(argv: list[str]) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()  # not terminals: progress as plain lines
    status = main(argv, Env(out, err, {"LABGRADE_LANG": "pt"}))
    return status, out.getvalue(), err.getvalue()


def test_check_and_its_progress_in_portuguese(labs: Path) -> None:
    submission = labs / "tiny-pt" / "submissions" / "no_cmd"
    status, out, err = run(["--labs", str(labs), "check", "tiny-pt", str(submission),
                            "--lang", "pt"])
    assert status == ExitStatus.CHECKS_FAILED
    assert err.splitlines() == ["… construindo a imagem"]
    assert "Tem um CMD" in out and "Dica: Acrescente um CMD." in out
    assert english_in(out + err, str(submission), "tiny-pt") == [], out


def test_a_refused_submission_is_explained_in_portuguese(labs: Path, tmp_path: Path) -> None:
    submission = tmp_path / "escapes"
    submission.mkdir()
    (submission / "Dockerfile").write_text(SOLUTION)
    os.symlink("/etc/passwd", submission / "link")  # out of the folder: refused at intake
    status, out, err = run(["--labs", str(labs), "check", "tiny-pt", str(submission)])
    assert status == ExitStatus.CHECKS_FAILED
    assert "Build da imagem: falhou" in out and "link simbólico" in out
    assert "refused before building" not in out
    assert english_in(out + err, str(submission), "tiny-pt", "/etc/passwd") == [], out


def test_validate_in_portuguese(labs: Path) -> None:
    status, out, err = run(["--labs", str(labs), "validate", "tiny-pt", "--lang", "pt"])
    assert status == ExitStatus.CHECKS_FAILED  # scored_wrong scores 50, not 100
    lines = out.splitlines()
    assert lines[0].startswith("ok   tiny-pt") and "esperado 100" in lines[0]
    assert lines[2].startswith("ERRO tiny-pt") and "submissions/scored_wrong" in lines[2]
    assert lines[-1].startswith("2 de 3 amostras tiveram a nota esperada. Veja as linhas ERRO")
    assert english_in(out + err, "tiny-pt", "solution", "submissions/no_cmd",
                      "submissions/scored_wrong") == [], out


def test_batch_summary_and_progress_in_portuguese(labs: Path, tmp_path: Path) -> None:
    roster = tmp_path / "class"
    for student, dockerfile in (("ana", SOLUTION), ("bia", NO_CMD)):
        (roster / student).mkdir(parents=True)
        (roster / student / "Dockerfile").write_text(dockerfile)
    out_dir = tmp_path / "out"
    argv = ["--labs", str(labs), "batch", "tiny-pt", str(roster), "--out", str(out_dir),
            "-j", "1", "--lang", "pt"]
    status, out, err = run(argv)
    assert status == ExitStatus.SUCCESS
    assert out.splitlines()[0].startswith("2 estudante(s): 2 corrigido(s) agora, 0 sem mudança")
    assert "labgrade: corrigindo 2 entrega(s) de tiny-pt" in err and "decorridos" in err
    assert "bia: 50/100 falhou" in err
    names = (str(roster), str(out_dir), "tiny-pt", "ana", "bia")
    assert english_in(out + err, *names) == [], out + err
    status, out, err = run(argv)  # again: nothing changed
    assert "toda entrega já foi corrigida" in err
    assert english_in(out + err, *names) == [], out + err
