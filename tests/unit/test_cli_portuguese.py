"""`--lang pt` (or LABGRADE_LANG=pt) makes the command line speak Portuguese throughout, with
no Docker engine needed: usage mistakes, unknown labs and folders, `list`, argparse's own
errors, the batch's progress and the Ctrl-C message. Each message still says what to do next.
The commands that grade are in tests/integration/test_grading_cli_portuguese.py."""

from __future__ import annotations

import io
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from graders.batch.progress import Progress
from graders.batch.store import Record
from graders.cli.env import Env, ExitStatus
from graders.cli.main import main
from graders.i18n import Text
from graders.platforms.progress import ProgressLine
from graders.results import CheckResult, LabResult, Status
from graders.spec import load_lab
from tests.english_in_pt import english_in

ROOT = Path(__file__).resolve().parents[2]


def run(argv: list[str], environ: dict[str, str] | None = None) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    status = main(argv, Env(out, err, environ or {}))
    return status, out.getvalue(), err.getvalue()


def test_the_english_list_catches_english() -> None:
    """The list the tests below rely on does find the messages they replaced."""
    assert english_in("labgrade: interrupted; everything this run created was removed.")
    assert english_in("[1/3]  33%  1s elapsed, ETA 3s  ana: 100/100 passed")
    assert not english_in("labgrade: interrompido; tudo o que esta execução criou foi removido.")


def test_an_unknown_lab_is_explained_in_portuguese(tmp_path: Path) -> None:
    status, out, err = run(["check", "no-such-lab", str(tmp_path), "--lang", "pt"])
    assert status == ExitStatus.USAGE_OR_SPEC_ERROR and out == ""
    assert err.startswith("labgrade: Lab desconhecido 'no-such-lab'") and "`labgrade list`" in err
    assert english_in(err, str(ROOT / "labs"), "no-such-lab") == []


def test_a_missing_submission_folder_is_explained_in_portuguese(tmp_path: Path) -> None:
    missing = tmp_path / "nope"
    status, _, err = run(["grade", "day2-apache", str(missing)], {"LABGRADE_LANG": "pt"})
    assert status == ExitStatus.USAGE_OR_SPEC_ERROR
    assert "não existe" in err and "Indique a pasta" in err and err.count("\n") == 1
    assert english_in(err, str(missing)) == []


def test_english_stays_the_default(tmp_path: Path) -> None:
    _, _, err = run(["grade", "day2-apache", str(tmp_path / "nope")], {"LANG": "C"})
    assert "does not exist" in err


def test_list_in_portuguese() -> None:
    status, out, _ = run(["list", "--lang", "pt"])
    assert status == ExitStatus.SUCCESS
    apache = load_lab("day2-apache")
    line = next(ln for ln in out.splitlines() if ln.startswith("day2-apache "))
    assert f"{len(apache.checks)} verificações" in line and apache.title.pt in line
    lab_ids = [ln.split()[0] for ln in out.splitlines()]
    assert english_in(out, str(ROOT / "labs"), "./labs", *lab_ids) == []


def test_list_names_a_broken_lab_and_what_to_do_in_portuguese(tmp_path: Path) -> None:
    (tmp_path / "broken").mkdir()
    (tmp_path / "broken" / "lab.yaml").write_text("id: broken\ntitle: x\nchecks: []\npoints: -1\n")
    _, out, _ = run(["--labs", str(tmp_path), "list"], {"LABGRADE_LANG": "pt"})
    line = next(ln for ln in out.splitlines() if ln.startswith("broken "))
    assert "com erro:" in line and "corrija o lab.yaml" in line
    assert "`labgrade validate broken`" in line


@pytest.mark.parametrize("argv", [
    ["check", "--lang", "pt"],                              # a required argument is missing
    ["check", "day2-apache", "--lang=pt", "--json"],        # a flag without its value
    ["batch", "day2-apache", "x", "--out", "o", "--jobs", "two", "--lang", "pt"],
    ["grade", "--lang", "pt", "day2-apache", ".", "--registry", "a/b"],
])
def test_argparse_errors_in_portuguese_say_where_help_is(argv: list[str]) -> None:
    status, out, err = run(argv)
    assert status == ExitStatus.USAGE_OR_SPEC_ERROR and out == ""
    assert err.startswith("uso: labgrade") and ": erro: " in err
    assert f"Veja como usar com `labgrade {argv[0]} --help`." in err
    usage = err[:err.index(f"labgrade {argv[0]}: erro")]  # flag names, as typed
    command = f"labgrade {argv[0]}"  # a command's name is not prose
    assert english_in(err.replace(usage, ""), command, "a/b", "'two'", "HOST[:PORTA]") == [], err


def test_the_batch_refuses_bad_flags_in_portuguese() -> None:
    status, _, err = run(["batch", "day2-apache", "roster", "--out", "o", "--jobs", "0",
                          "--lang", "pt"])
    assert status == ExitStatus.USAGE_OR_SPEC_ERROR
    assert err == "labgrade: --jobs 0: use pelo menos 1 worker.\n"


@pytest.mark.parametrize(("extra", "says"), [
    ([], "não existe. Indique uma pasta com uma pasta por estudante"),  # no such roster
    (["--deadline", "friday"], "não é um horário ISO 8601; tente --deadline 2024-"),
    (["--shard", "3/2"], "use K/N com 1 <= K <= N"),
])
def test_batch_usage_errors_in_portuguese(tmp_path: Path, extra: list[str], says: str) -> None:
    roster, out = tmp_path / "no-roster", tmp_path / "out"
    status, _, err = run(["batch", "day2-apache", str(roster), "--out", str(out), *extra],
                         {"LABGRADE_LANG": "pt"})
    assert status == ExitStatus.USAGE_OR_SPEC_ERROR and says in err and err.count("\n") == 1
    assert english_in(err, str(roster), "friday", "3/2", "ISO") == [], err


def test_merge_of_a_missing_folder_in_portuguese(tmp_path: Path) -> None:
    status, _, err = run(["merge", str(tmp_path / "shard1"), "--out", str(tmp_path / "all"),
                          "--lang", "pt"])
    assert status == ExitStatus.USAGE_OR_SPEC_ERROR
    assert "não é uma pasta; indique as pastas --out do `labgrade batch`" in err
    assert english_in(err, str(tmp_path / "shard1"), "labgrade batch") == [], err


def test_batch_progress_in_portuguese() -> None:
    lab = load_lab("day2-apache")
    check = lab.checks[0]
    result = LabResult(lab.id, lab.title, "ana", (CheckResult(
        check.id, check.title, check.type, Status.FAILED, 0.0, 10.0, False, Text.same("")),))
    out = io.StringIO()
    progress = Progress(2, out, "pt")
    progress.tick(Record("ana", result, "b1", time.time(), "h", "folder"))
    line = out.getvalue()
    assert line.startswith("[1/2]  50%") and "decorridos, faltam" in line and "falhou" in line
    assert english_in(line) == []


def test_progress_off_a_terminal_in_portuguese() -> None:
    """Off a terminal (CI logs, pipes) each stage is one line; checks are not listed."""
    err = io.StringIO()
    titles = {c.id: c.title for c in load_lab("day2-apache").checks}
    with ProgressLine(err, "pt", tty=False, titles=titles) as progress:
        for step in ("build", "run", "ready", "check keeps-running"):
            progress(step)
    assert err.getvalue().splitlines() == [
        "… construindo a imagem", "… iniciando o contêiner",
        "… esperando o contêiner ficar pronto"]


def test_progress_on_a_terminal_shows_the_check_title_in_portuguese() -> None:
    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    err = Terminal()
    lab = load_lab("day2-apache")
    titles: dict[str, Text] = {c.id: c.title for c in lab.checks}
    with ProgressLine(err, "pt", tty=True, tick=60, titles=titles) as progress:
        progress("check keeps-running")
    assert f"verificando: {titles['keeps-running'].pt}" in err.getvalue()
    assert "keeps-running" not in err.getvalue()


def test_sigterm_says_interrupted_in_portuguese(tmp_path: Path) -> None:
    """SIGTERM (as Ctrl-C) during `check --watch`: the last line says, in Portuguese, that
    everything was removed and how to start again; the exit status is 130."""
    (tmp_path / "Dockerfile").write_text("FROM debian:12\n")
    env = {**os.environ, "PYTHONPATH": str(ROOT), "LABGRADE_LANG": "pt",
           "DOCKER_HOST": f"unix://{tmp_path}/no-engine.sock"}  # no grading: only watching
    proc = subprocess.Popen([sys.executable, "-c", "from graders.cli.main import run; run()",
                             "check", "day2-apache", str(tmp_path), "--watch", "--poll", "0.2"],
                            env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    assert proc.stderr is not None
    try:
        waited = ""
        while "Observando" not in waited:  # graded once (no engine), now watching
            line = proc.stderr.readline()
            assert line, "labgrade ended before watching"
            waited += line
        proc.send_signal(signal.SIGTERM)
        _, rest = proc.communicate(timeout=30)
    finally:
        proc.kill()
    assert proc.returncode == ExitStatus.INTERRUPTED
    last = rest.strip().splitlines()[-1]
    assert last.startswith("labgrade: interrompido;") and "Rode o mesmo comando" in last
    watching = waited.strip().splitlines()[-1]
    assert english_in(f"{watching}\n{last}", str(tmp_path)) == []


def test_a_repushed_tag_is_reported_in_portuguese() -> None:
    from graders.batch.repush import Change

    old, new = "sha256:" + "a" * 64, "sha256:" + "b" * 64
    line = Change("ana", "ana/app:v1.0", old, new).line("pt")
    assert line == f"labgrade: ana: ana/app:v1.0 foi enviado de novo desde a correção anterior: " \
                   f"{old} -> {new}"
    assert english_in(line, "ana/app:v1.0", old, new) == []
