"""`labgrade batch` and `merge` on the real engine: a 40-student class, killed and resumed,
sharded and merged, one student who hangs, and the summary page rendered by Chromium."""

from __future__ import annotations

import collections
import csv
import io
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
import zlib
from pathlib import Path
from typing import Any

import pytest

from graders.spec import labs_root, load_lab
from tests.conftest import run_tags

pytestmark = [pytest.mark.docker, pytest.mark.slow]
LAB = load_lab("day2-apache")
SAMPLES = [s for s in LAB.samples if not s.setup]
CLI = [sys.executable, "-c", "from graders.cli.main import run; run()", "--labs", str(labs_root())]
CLASS = 40


def labgrade(*args: str, timeout: float = 600) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*CLI, *args], capture_output=True, text=True, timeout=timeout)


def make_roster(root: Path, count: int) -> dict[str, float]:
    """`count` students, each a copy of one of the lab's samples; returns their expected score."""
    expected = {}
    for i in range(count):
        sample = SAMPLES[i % len(SAMPLES)]
        student = f"student{i + 1:02d}"
        shutil.copytree(LAB.root / sample.path, root / student)
        expected[student] = sample.score
    return expected


def rows(path: Path) -> list[list[str]]:
    return list(csv.reader(io.StringIO(path.read_text())))


def graded_count(db: Path) -> int:
    if not db.exists():
        return 0
    try:
        con = sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=1)
        try:
            return int(con.execute("SELECT count(*) FROM results").fetchone()[0])
        finally:
            con.close()
    except sqlite3.Error:
        return 0


@pytest.fixture(scope="module")
def full_run(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """An uninterrupted batch of the whole class with --jobs 2 (the reference gradebook)."""
    root = tmp_path_factory.mktemp("batch")
    expected = make_roster(root / "roster", CLASS)
    t0 = time.monotonic()
    done = labgrade("batch", LAB.id, str(root / "roster"), "--out", str(root / "full"),
                    "--jobs", "2", "--lang", "en")
    seconds = time.monotonic() - t0
    assert done.returncode == 0, done.stdout + done.stderr
    print(f"\n40-student batch, --jobs 2: {seconds:.1f} s")
    return {"root": root, "out": root / "full", "expected": expected, "seconds": seconds}


def test_the_class_scores_what_the_samples_say(full_run: dict[str, Any]) -> None:
    book = rows(full_run["out"] / "gradebook.csv")
    assert book[0][:3] == ["student", "score", "max"] and book[0][-1] == "status"
    assert len(book) == CLASS + 1
    got = {r[0]: float(r[1]) for r in book[1:]}
    assert got == full_run["expected"]
    for name in ("junit.xml", "summary.md", "summary.html", "labgrade.sqlite"):
        assert (full_run["out"] / name).stat().st_size > 0
    assert len(list((full_run["out"] / "students").glob("*/result.json"))) == CLASS


def of_batch(client: Any, batch_id: str) -> list[str]:
    """Containers and images whose run id says they come from this batch."""
    def ours(labels: dict[str, str] | None) -> bool:
        return (labels or {}).get("org.labgrade.run", "").startswith(batch_id[:6])

    api = client.api  # listings only: no inspect that races with other removals
    return ([f"container {c['Id'][:12]}" for c in api.containers(all=True) if ours(c["Labels"])]
            + [f"image {i['Id'][7:19]}" for i in api.images(all=True) if ours(i["Labels"])]
            + [f"image {t}" for t in run_tags(client, batch_id[:6], prefix=True)])


def test_killed_halfway_then_resumed_gives_the_same_gradebook(
        full_run: dict[str, Any], docker_client: Any, no_leftovers: None) -> None:
    out, db = full_run["root"] / "killed", full_run["root"] / "killed" / "labgrade.sqlite"
    with tempfile.TemporaryFile() as log:
        proc = subprocess.Popen([*CLI, "batch", LAB.id, str(full_run["root"] / "roster"),
                                 "--out", str(out), "--jobs", "2", "--lang", "en"],
                                stdout=log, stderr=log)
        deadline = time.monotonic() + 300
        while graded_count(db) < CLASS // 2 and proc.poll() is None:
            assert time.monotonic() < deadline, "the batch made no progress"
            time.sleep(0.1)
        proc.send_signal(signal.SIGKILL)
        proc.wait()
    kept = graded_count(db)
    assert CLASS // 2 <= kept < CLASS, "killed too late to test a resume"
    with sqlite3.connect(db) as con:
        killed = con.execute("SELECT run_id FROM runs").fetchone()[0]
    # Its workers got SIGTERM from the kernel and removed what they were grading with.
    deadline = time.monotonic() + 30
    while of_batch(docker_client, killed) and time.monotonic() < deadline:
        time.sleep(0.5)
    assert of_batch(docker_client, killed) == []
    t0 = time.monotonic()
    done = labgrade("batch", LAB.id, str(full_run["root"] / "roster"), "--out", str(out),
                    "--jobs", "2", "--lang", "en")
    print(f"\nresume of {CLASS - kept} students: {time.monotonic() - t0:.1f} s")
    assert done.returncode == 0, done.stdout + done.stderr
    assert f"{CLASS - kept} graded now, {kept} unchanged and kept" in done.stdout
    assert (out / "gradebook.csv").read_text() == (full_run["out"] / "gradebook.csv").read_text()
    con = sqlite3.connect(db)
    assert con.execute("SELECT count(*), count(DISTINCT student) FROM results").fetchone() == \
        (CLASS, CLASS)  # nothing finished was graded twice
    assert [r[0] for r in con.execute("SELECT status FROM runs ORDER BY started_at")] == \
        ["running", "finished"]  # the killed run never got to say it ended
    con.close()


def test_shards_merged_equal_the_unsharded_gradebook(full_run: dict[str, Any],
                                                      tmp_path: Path) -> None:
    students = sorted(full_run["expected"])[:12]
    for s in students:
        shutil.copytree(full_run["root"] / "roster" / s, tmp_path / "roster" / s)
    shards = [subprocess.Popen([*CLI, "batch", LAB.id, str(tmp_path / "roster"), "--out",
                                str(tmp_path / f"shard{k}"), "--shard", f"{k}/2", "--jobs", "1",
                                "--lang", "en"], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
              for k in (1, 2)]  # as two runners of a CI matrix would
    for p in shards:
        assert p.wait(timeout=600) == 0, p.communicate()
    parts = [{r[0] for r in rows(tmp_path / f"shard{k}" / "gradebook.csv")[1:]} for k in (1, 2)]
    assert parts[0] and parts[1] and not parts[0] & parts[1]
    assert parts[0] | parts[1] == set(students)
    done = labgrade("merge", str(tmp_path / "shard1"), str(tmp_path / "shard2"),
                    "--out", str(tmp_path / "merged"), "--lang", "en")
    assert done.returncode == 0, done.stdout + done.stderr
    full = rows(full_run["out"] / "gradebook.csv")
    assert rows(tmp_path / "merged" / "gradebook.csv") == \
        [full[0]] + [r for r in full[1:] if r[0] in students]
    assert (tmp_path / "merged" / "junit.xml").read_text().count("<testsuite ") == 12


def test_a_hanging_submission_costs_only_its_own_grade(tmp_path: Path,
                                                       no_leftovers: None) -> None:
    (tmp_path / "roster" / "sleeper").mkdir(parents=True)
    (tmp_path / "roster" / "sleeper" / "Dockerfile").write_text(
        "FROM debian:12\nRUN sleep 600\n")
    shutil.copytree(LAB.root / "submissions" / "fails_expose", tmp_path / "roster" / "zoe")
    done = labgrade("batch", LAB.id, str(tmp_path / "roster"), "--out", str(tmp_path / "out"),
                    "--jobs", "2", "--timeout", "15", "--lang", "en")
    assert done.returncode == 3, done.stdout + done.stderr  # an errored student: exit 3
    assert "errored: sleeper: grading took longer than 15 s" in done.stdout
    book = {r[0]: r for r in rows(tmp_path / "out" / "gradebook.csv")[1:]}
    assert book["zoe"][1] == "95" and book["zoe"][-1] == "failed"
    assert book["sleeper"][1] == "0" and book["sleeper"][-1] == "error"
    assert "sleeper" in (tmp_path / "out" / "summary.html").read_text()


# --- summary.html in a real browser ---------------------------------------------------------
def chromium() -> str:
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    if found is None:
        message = "chromium is not installed (apt-get install -y chromium)"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    return found


def screenshot(page: Path, png: Path) -> None:
    with tempfile.TemporaryDirectory() as profile:
        subprocess.run([chromium(), "--headless", "--no-sandbox", "--disable-gpu",
                        "--disable-quic", "--no-first-run", "--disable-background-networking",
                        "--disable-component-update", "--disable-sync",
                        f"--user-data-dir={profile}", f"--screenshot={png}",
                        "--window-size=1200,900", page.as_uri()],
                       check=True, capture_output=True, timeout=120)


def png_pixels(data: bytes) -> tuple[int, int, list[tuple[int, int, int]]]:
    """Decode an 8-bit RGB or RGBA PNG with the standard library: width, height, RGB pixels."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    pos, idat, width = 8, b"", 0
    while pos < len(data):
        length, kind = int.from_bytes(data[pos:pos + 4], "big"), data[pos + 4:pos + 8]
        body = data[pos + 8:pos + 8 + length]
        if kind == b"IHDR":
            width, height, depth, colour = (int.from_bytes(body[0:4], "big"),
                                            int.from_bytes(body[4:8], "big"), body[8], body[9])
            assert depth == 8 and colour in (2, 6) and body[12] == 0, "unexpected PNG format"
        elif kind == b"IDAT":
            idat += body
        pos += 12 + length
    channels = 3 if colour == 2 else 4
    raw, stride = zlib.decompress(idat), width * channels
    prev, pixels = bytearray(stride), []
    for y in range(height):
        start = y * (stride + 1)
        kind, line = raw[start], bytearray(raw[start + 1:start + 1 + stride])
        for i in range(stride):
            a = line[i - channels] if i >= channels else 0
            b, c = prev[i], prev[i - channels] if i >= channels else 0
            if kind == 1:
                line[i] = (line[i] + a) & 255
            elif kind == 2:
                line[i] = (line[i] + b) & 255
            elif kind == 3:
                line[i] = (line[i] + (a + b) // 2) & 255
            elif kind == 4:
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                line[i] = (line[i] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
        pixels += [tuple(line[x:x + 3]) for x in range(0, stride, channels)]  # type: ignore[misc]
        prev = line
    return width, height, pixels


def test_summary_html_renders_in_headless_chromium(full_run: dict[str, Any],
                                                   tmp_path: Path) -> None:
    png = tmp_path / "summary.png"
    screenshot(full_run["out"] / "summary.html", png)
    width, height, pixels = png_pixels(png.read_bytes())
    assert (width, height) == (1200, 900)
    grey = [(r * 299 + g * 587 + b * 114) // 1000 for r, g, b in pixels]
    mean = sum(grey) / len(grey)
    variance = sum((v - mean) ** 2 for v in grey) / len(grey)
    background = collections.Counter(pixels).most_common(1)[0][0]
    assert variance > 100, f"the page looks blank (variance {variance:.1f})"
    assert sum(p != background for p in pixels) > len(pixels) // 20
    # The charts are there: saturated green and red bars, not only text.
    saturated = [p for p in pixels if max(p) - min(p) > 100]
    assert sum(g > r and g > b for r, g, b in saturated) > 2000
    assert sum(r > g and r > b for r, g, b in saturated) > 500
