"""Hostile submissions as build contexts (threat-model.md cases C1-C9): symbolic links out of
the submission, huge or crowded contexts, hostile file names, .dockerignore."""

from __future__ import annotations

import dataclasses
import os
import secrets
import time
from pathlib import Path

import pytest
from advkit import GOOD, INDEX, assert_case, labelled, run_grade, write_submission

from graders.backends import get_backend
from graders.engine.run import GradeOptions, grading_session

pytestmark = pytest.mark.docker


def test_c1_symlink_to_a_host_file_is_refused(adv_lab, tmp_path: Path, outside: Path) -> None:
    sub = write_submission(tmp_path / "s", {
        "index.html": INDEX, "secret": ("link", str(outside / "secret.txt")),
        "Dockerfile": GOOD.replace("EXPOSE", "COPY secret /www/secret.txt\nEXPOSE")})
    g = run_grade(adv_lab, sub)
    assert_case(g, within=10, score=0, says=("secret is a symbolic link that leads outside",
                                             "secret é um link simbólico"))
    assert g.result.build.duration_s == 0.0  # refused before anything was sent to Docker


def test_c1_relative_symlink_climbing_out_is_refused(adv_lab, tmp_path: Path) -> None:
    sub = write_submission(tmp_path / "s", {
        "index.html": INDEX, "docs/passwd": ("link", "../../../../../../../../etc/passwd"),
        "Dockerfile": GOOD})
    g = run_grade(adv_lab, sub)
    assert_case(g, within=10, score=0, says=("docs/passwd is a symbolic link",))
    assert "root:x:0:0" not in g.everything()


def test_c1_symlink_inside_the_submission_is_fine(adv_lab, tmp_path: Path) -> None:
    """Not over-refusing: a link that stays inside the submission builds as a link."""
    sub = write_submission(tmp_path / "s", {
        "index.html": INDEX, "alias.html": ("link", "index.html"),
        "Dockerfile": GOOD.replace("EXPOSE", "COPY alias.html /www/alias.html\nEXPOSE")})
    g = run_grade(adv_lab, sub)
    assert_case(g, within=30, score=100)


def test_c2_dockerfile_symlink_is_refused_unread(adv_lab, tmp_path: Path, outside: Path) -> None:
    sub = write_submission(tmp_path / "s", {
        "index.html": INDEX, "Dockerfile": ("link", str(outside / "hidden_tests.py"))})
    g = run_grade(adv_lab, sub)
    assert_case(g, within=10, score=0, says=("Dockerfile goes through Dockerfile, a symbolic link",
                                             "must be a real file"))


def test_c3_context_folder_symlink_is_refused(adv_lab, tmp_path: Path, outside: Path) -> None:
    lab = dataclasses.replace(adv_lab, build=dataclasses.replace(
        adv_lab.build, context="app", dockerfile="Dockerfile"))
    sub = write_submission(tmp_path / "s", {"Dockerfile": GOOD, "app": ("link", str(outside))})
    g = run_grade(lab, sub)
    assert_case(g, within=10, score=0, says=("goes through app, a symbolic link",))


def test_c4_huge_context_is_refused_before_sending(adv_lab, tmp_path: Path) -> None:
    sub = write_submission(tmp_path / "s", {"index.html": INDEX, "Dockerfile": GOOD})
    with open(sub / "video.bin", "wb") as f:  # 3 GB, sparse: nothing is really written
        f.truncate(3 * 1024**3)
    g = run_grade(adv_lab, sub)
    assert_case(g, within=5, score=0, says=("build context is over 8 MiB", "video.bin",
                                            ".dockerignore"))
    assert g.result.build.duration_s < 1.0


def test_c4_huge_file_left_out_by_dockerignore_is_fine(adv_lab, tmp_path: Path) -> None:
    sub = write_submission(tmp_path / "s", {"index.html": INDEX, "Dockerfile": GOOD,
                                            ".dockerignore": "*.bin\n"})
    with open(sub / "video.bin", "wb") as f:
        f.truncate(3 * 1024**3)
    g = run_grade(adv_lab, sub)
    assert_case(g, within=30, score=100)


def test_c5_crowded_context_is_refused_fast(adv_lab, tmp_path: Path) -> None:
    sub = write_submission(tmp_path / "s", {"index.html": INDEX, "Dockerfile": GOOD})
    (sub / "node_modules").mkdir()
    for i in range(3000):
        (sub / "node_modules" / f"m{i}.js").write_text("x")
    t0 = time.monotonic()
    g = run_grade(adv_lab, sub)
    assert_case(g, within=10, score=0, says=("more than 200 files",))
    assert time.monotonic() - t0 < 5


def test_c6_dockerignore_is_honoured(adv_lab, tmp_path: Path) -> None:
    """Files .dockerignore leaves out never reach the daemon, so never the image."""
    sub = write_submission(tmp_path / "s", {
        "index.html": INDEX, "notes.txt": "private notes", ".dockerignore": "notes.txt\n.git\n",
        ".git/config": "[core]\n", "Dockerfile": GOOD.replace("COPY index.html /www/index.html",
                                                              "COPY . /www/")})
    backend = get_backend("sdk")
    run_id = "advignore" + secrets.token_hex(4)
    with grading_session(adv_lab, sub, backend, GradeOptions(run_id=run_id)) as run:
        result = run.result()
        assert run.ctx.read_file("/www/index.html") == INDEX.encode()
        assert run.ctx.read_file("/www/notes.txt") is None
        assert run.ctx.stat("/www/.git") is None
        assert run.ctx.read_file("/www/.dockerignore") is not None  # Docker's own rule
    assert result.score == 100
    assert not any(labelled(run_id).values())


def test_c7_special_files_are_refused(adv_lab, tmp_path: Path) -> None:
    sub = write_submission(tmp_path / "s", {"index.html": INDEX, "Dockerfile": GOOD})
    os.mkfifo(sub / "pipe")
    g = run_grade(adv_lab, sub)
    assert_case(g, within=10, score=0, says=("pipe is a special file",))


def test_c8_hostile_file_names_are_only_data(adv_lab, tmp_path: Path) -> None:
    sub = write_submission(tmp_path / "s", {
        "index.html": INDEX, "new\nline.txt": "a", ";rm -rf ~": "b", "--help": "c",
        "$(touch pwned)": "d", "x" * 240: "e", "<testsuite>]]>&amp;": "f",
        "Dockerfile": GOOD.replace("COPY index.html /www/index.html", "COPY . /www/")})
    (sub / os.fsdecode(b"bad-\xff\xfe-utf8.bin")).write_bytes(b"g")
    g = run_grade(adv_lab, sub)
    assert_case(g, within=30, score=100)
    assert not (sub / "pwned").exists() and not Path("pwned").exists()
