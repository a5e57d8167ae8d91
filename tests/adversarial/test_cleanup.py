"""Leaving nothing behind (threat-model.md case L10 and G-CLEAN): run labels, finally, signals,
the reaper and `labgrade clean`, and never touching a run that is still going.

The reaper's rules are tested first without Docker (a fake backend), then on the real engine
with a grading process killed by SIGKILL and one stopped by SIGTERM.
"""

from __future__ import annotations

import contextlib
import io
import os
import secrets
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
from advkit import GOOD, INDEX, LABS, labelled, slow_submission, start_labgrade, write_submission

from graders.backends.base import LABEL_RUN
from graders.engine import cleanup

BIN = Path(sys.executable).parent


# --- the rules, without Docker -----------------------------------------------------------------
class FakeBackend:
    name = "fake"

    def __init__(self, items: list[dict[str, Any]]) -> None:
        self.items = items
        self.removed: list[str] = []

    def list_labelled(self, label: str, images: bool = True) -> list[dict[str, Any]]:
        key, _, value = label.partition("=")
        assert key == LABEL_RUN
        return [dict(i) for i in self.items if not value or i["run"] == value]

    def remove_leftover(self, kind: str, ident: str) -> None:
        self.removed.append(ident)
        self.items = [i for i in self.items if i["id"] != ident]


def _item(kind: str, ident: str, run: str, age: float, keep: bool = False) -> dict[str, Any]:
    return {"kind": kind, "id": ident, "run": run, "created": time.time() - age, "keep": keep}


@pytest.fixture
def run_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("LABGRADE_RUN_DIR", str(tmp_path / "runs"))
    return tmp_path / "runs"


def test_reaper_rules(run_dir: Path) -> None:
    alive = cleanup.RunLock("alive").acquire()  # a concurrent run: lock held
    run_dir.joinpath("dead.lock").write_text("4242 0\n")  # a crashed run: lock left, not held
    backend = FakeBackend([
        _item("image", "img-dead", "dead", 5),
        _item("container", "c-dead", "dead", 5),
        _item("container", "c-alive", "alive", 99999),
        _item("container", "c-current", "current", 99999),
        _item("container", "c-unknown-new", "elsewhere", 60),
        _item("container", "c-unknown-old", "elsewhere-old", 7200),
        _item("image", "img-kept", "kept-run", 7200),
        _item("image", "img-forged-keep", "forger", 7200, keep=True),  # its own keep label
    ])
    cleanup.mark_kept("kept-run")  # graded with --keep
    try:
        assert cleanup.run_state("alive") == "alive"
        assert cleanup.run_state("dead") == "dead"
        assert cleanup.run_state("elsewhere") == "unknown"
        out = cleanup.reap(backend, current="current", grace=3600)
    finally:
        alive.release()
    # dead runs at once (containers before images), unknown ones only past the grace period
    assert backend.removed == ["c-dead", "c-unknown-old", "img-dead", "img-forged-keep"]
    assert {k.id for k in out.kept} == {"c-alive", "c-unknown-new", "img-kept"}
    assert not run_dir.joinpath("dead.lock").exists()  # its leftovers gone, so is its lock file
    assert cleanup.run_state("alive") == "unknown"  # a finished run leaves no lock file
    cleanup.reap(backend, grace=3600, include_kept=True)
    assert "img-kept" in backend.removed
    assert not cleanup.is_kept("kept-run")  # the mark goes with the image


def test_a_lock_dies_with_its_process(run_dir: Path) -> None:
    code = ("import os, sys, time; os.environ['LABGRADE_RUN_DIR'] = sys.argv[1];"
            "from graders.engine.cleanup import RunLock; RunLock('child').acquire();"
            "print('locked', flush=True); time.sleep(60)")
    child = subprocess.Popen([sys.executable, "-c", code, str(run_dir)], stdout=subprocess.PIPE,
                             text=True)
    try:
        assert child.stdout is not None and child.stdout.readline().strip() == "locked"
        assert cleanup.run_state("child") == "alive"
        child.kill()
        child.wait(10)
        assert cleanup.run_state("child") == "dead"
    finally:
        if child.poll() is None:
            child.kill()


def test_labels() -> None:
    """Containers carry run, lab and creation time; a graded image is tagged with both ids."""
    from graders.backends.base import run_image_tag

    assert cleanup.run_labels("r1", "lab", created=10) == {
        LABEL_RUN: "r1", cleanup.LABEL_LAB: "lab", "org.labgrade.created": "10"}
    assert run_image_tag("lab", "r1") == "labgrade/lab:r1"
    tagged = cleanup.Leftover("image", "labgrade/day2-apache:r1", "r1", 0.0)
    assert str(tagged) == "image labgrade/day2-apache:r1 (run r1)"  # a tag in full
    container = cleanup.Leftover("container", "ab" * 32, "r1", 0.0)
    assert str(container) == "container abababababab (run r1)"  # an id as docker ps shows it


def test_sigterm_becomes_keyboard_interrupt() -> None:
    with pytest.raises(KeyboardInterrupt), cleanup.signals_as_interrupt():
        os.kill(os.getpid(), signal.SIGTERM)
        time.sleep(5)
    assert signal.getsignal(signal.SIGTERM) in (signal.SIG_DFL, signal.default_int_handler) or \
        callable(signal.getsignal(signal.SIGTERM))


def test_cleanup_finishes_despite_a_second_interrupt() -> None:
    """Ctrl-C during cleanup: the image and the sweep still run, then the interrupt goes on."""
    from graders.engine.run import GradeOptions, GradingRun
    from graders.spec import load_lab

    calls: list[str] = []

    class Backend:
        name = "fake"

        def remove_container(self, _id: str) -> None:
            calls.append("container")
            raise KeyboardInterrupt

        def remove_image(self, _ref: str) -> None:
            calls.append("image")

        def list_labelled(self, label: str, images: bool = True) -> list[dict[str, Any]]:
            calls.append("sweep")
            return []

    run = GradingRun(load_lab("adv-busybox", LABS), Path("."), Backend(),  # type: ignore[arg-type]
                     GradeOptions(), lambda _m: None)
    run.ctx.container_id, run.built = "c", True
    with pytest.raises(KeyboardInterrupt):
        run.cleanup()
    assert calls == ["container", "image", "sweep"]


def test_the_reaper_removes_the_build_steps_a_dead_run_wrote_down(run_dir: Path) -> None:
    """Build-step containers have no label; a run writes their ids into its lock file."""
    alive = cleanup.RunLock("alive").acquire()
    alive.note_step("aaaaaaaaaaaa")
    run_dir.joinpath("dead.lock").write_text("4242 0\nstep bbbbbbbbbbbb\nstep cccccccccccc\n")
    backend = FakeBackend([_item("container", "bbbbbbbbbbbb", "", 0),
                           _item("container", "aaaaaaaaaaaa", "", 0)])
    try:
        out = cleanup.reap(backend, grace=3600)
        assert "step aaaaaaaaaaaa" in alive.path.read_text()  # alive: not touched
    finally:
        alive.release()
    assert backend.removed == ["bbbbbbbbbbbb", "cccccccccccc"]  # the fake cannot tell "gone"
    assert [x.id for x in out.removed] == ["bbbbbbbbbbbb", "cccccccccccc"]
    assert not run_dir.joinpath("dead.lock").exists()


class LateCommitBackend(FakeBackend):
    """Docker committing the last build step after we hung up: the run's image shows up
    only on the second listing, after a first sweep found nothing."""

    def __init__(self) -> None:
        super().__init__([])
        self.listings = 0

    def list_labelled(self, label: str, images: bool = True) -> list[dict[str, Any]]:
        self.listings += 1
        if self.listings == 2:
            self.items.append(_item("image", "sha256:late", "r1", 0))
        return super().list_labelled(label)


def test_an_interrupted_run_waits_for_what_docker_finishes_late() -> None:
    once = LateCommitBackend()
    cleanup.sweep_run(once, "r1")
    once.list_labelled(f"{LABEL_RUN}=r1")  # the late commit lands after the only sweep
    assert once.items and once.removed == []

    settled = LateCommitBackend()
    assert cleanup.settle_run(settled, "r1", quiet=0.3, poll=0.05) == []
    assert settled.removed == ["sha256:late"] and settled.items == []


def test_settling_gives_up_after_its_limit() -> None:
    class Stuck(FakeBackend):
        def remove_leftover(self, kind: str, ident: str) -> None:
            raise RuntimeError("image is in use")

    stuck = Stuck([_item("image", "sha256:busy", "r1", 0)])
    t0 = time.monotonic()
    left = cleanup.settle_run(stuck, "r1", quiet=0.2, limit=0.5, poll=0.05)
    assert [x.id for x in left] == ["sha256:busy"] and time.monotonic() - t0 < 2


# --- on the real engine --------------------------------------------------------------------------
@pytest.mark.docker
def test_l10_sigkill_mid_run_then_the_reaper(tmp_path: Path) -> None:
    from graders.backends import get_backend

    run_dir = Path(os.environ["LABGRADE_RUN_DIR"])
    sub = slow_submission(tmp_path / "s")
    proc, run_id = start_labgrade(["grade", "adv-busybox", str(sub)], run_dir)
    assert cleanup.run_state(run_id) == "alive"
    proc.kill()  # SIGKILL: no finally, no handler
    proc.wait(10)
    left = labelled(run_id)
    out, err = proc.communicate()
    assert left["containers"] and left["images"], f"{left}\n{out}\n{err}"
    assert cleanup.run_state(run_id) == "dead"
    t0 = time.monotonic()
    out = cleanup.reap(get_backend("sdk"), label=f"{LABEL_RUN}={run_id}")
    print(f"L10 reaper removed {len(out.removed)} leftovers in {time.monotonic() - t0:.2f} s")
    assert not any(labelled(run_id).values())
    assert not (run_dir / f"{run_id}.lock").exists()


@pytest.mark.docker
def test_sigterm_mid_run_cleans_up(tmp_path: Path) -> None:
    run_dir = Path(os.environ["LABGRADE_RUN_DIR"])
    sub = slow_submission(tmp_path / "s")
    proc, run_id = start_labgrade(["grade", "adv-busybox", str(sub)], run_dir)
    t0 = time.monotonic()
    proc.send_signal(signal.SIGTERM)
    _out, err = proc.communicate(timeout=30)
    print(f"SIGTERM: the grading process ended in {time.monotonic() - t0:.2f} s")
    assert proc.returncode == 130, err
    assert "interrupted" in err
    assert not any(labelled(run_id).values())
    assert not (run_dir / f"{run_id}.lock").exists()


@pytest.mark.docker
def test_a_running_grading_is_never_reaped(tmp_path: Path) -> None:
    from graders.backends import get_backend

    run_dir = Path(os.environ["LABGRADE_RUN_DIR"])
    sub = slow_submission(tmp_path / "s")
    proc, run_id = start_labgrade(["grade", "adv-busybox", str(sub)], run_dir)
    try:
        out = cleanup.reap(get_backend("sdk"), grace=0, label=f"{LABEL_RUN}={run_id}")
        assert not out.removed and out.kept
        assert labelled(run_id)["containers"]
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.communicate(timeout=30)
    assert not any(labelled(run_id).values())


@pytest.mark.docker
def test_unknown_runs_wait_for_the_grace_period(docker_client: Any) -> None:
    from graders.backends import get_backend

    run_id = "advunknown" + secrets.token_hex(4)
    c = docker_client.containers.create("busybox:1.35", ["true"], network_mode="none",
                                        labels=cleanup.run_labels(run_id, "adv-busybox"))
    try:
        scope = f"{LABEL_RUN}={run_id}"
        assert not cleanup.reap(get_backend("sdk"), grace=3600, label=scope).removed
        assert labelled(run_id)["containers"]
        assert cleanup.reap(get_backend("sdk"), grace=0, label=scope).removed
        assert not any(labelled(run_id).values())
    finally:
        with contextlib.suppress(Exception):
            c.remove(force=True)


@pytest.mark.docker
def test_a_graded_image_is_known_by_its_tag_not_its_labels(docker_client: Any) -> None:
    """A Dockerfile can forge our run label, not our tag; a cached image may be old, its tag
    not; removing the tag leaves an image that has other names."""
    from graders.backends import get_backend
    from graders.backends.base import run_image_tag

    backend, nonce = get_backend("sdk"), secrets.token_hex(4)
    run, victim = "advtag" + nonce, "advvictim" + nonce
    dockerfile = f"FROM busybox:1.35\nLABEL {LABEL_RUN}={victim}\n".encode()
    forged = docker_client.images.build(fileobj=io.BytesIO(dockerfile), tag=f"advforged:{nonce}",
                                        rm=True)[0]
    tag = run_image_tag("adv-busybox", run)
    docker_client.api.tag(forged.id, *tag.split(":"))
    try:
        assert not [x for x in backend.list_labelled(f"{LABEL_RUN}={victim}")
                    if x["kind"] == "image"]
        [mine] = [x for x in backend.list_labelled(f"{LABEL_RUN}={run}") if x["kind"] == "image"]
        assert mine["id"] == tag and mine["run"] == run
        assert mine["created"] > time.time() - 60  # when it was tagged, not built
        assert [x["id"] for x in backend.list_labelled("org.labgrade.lab=adv-busybox")
                if x["kind"] == "image" and x["run"] == run] == [tag]
        assert backend.remove_leftover("image", tag)
        assert not labelled(run)["images"]
        assert docker_client.images.get(f"advforged:{nonce}").id == forged.id  # only untagged
    finally:
        for ref in (tag, f"advforged:{nonce}"):
            with contextlib.suppress(Exception):
                docker_client.api.remove_image(ref, force=True)


@pytest.mark.docker
def test_kept_images_survive_the_reaper_not_clean(adv_lab, tmp_path: Path) -> None:
    from graders.backends import get_backend
    from graders.engine.run import GradeOptions, grade

    sub = write_submission(tmp_path / "s", {"index.html": INDEX, "Dockerfile": GOOD})
    run_id = "advkeep" + secrets.token_hex(4)
    result = grade(adv_lab, sub, get_backend("sdk"), GradeOptions(run_id=run_id, keep=True))
    assert result.score == 100
    assert labelled(run_id)["images"] and not labelled(run_id)["containers"]
    scope = f"{LABEL_RUN}={run_id}"
    assert not cleanup.reap(get_backend("sdk"), grace=0, label=scope).removed
    assert cleanup.reap(get_backend("sdk"), grace=0, label=scope, include_kept=True).removed
    assert not any(labelled(run_id).values())


@pytest.mark.docker
def test_labgrade_clean_removes_a_crashed_runs_leftovers(docker_client: Any,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    from graders.cli.env import Env
    from graders.cli.main import main

    run_id = "advcrashed" + secrets.token_hex(4)
    run_dir = Path(os.environ["LABGRADE_RUN_DIR"])
    run_dir.mkdir(parents=True, exist_ok=True)
    (run_dir / f"{run_id}.lock").write_text("1 0\n")  # its process is gone: lock not held
    docker_client.containers.create("busybox:1.35", ["true"], network_mode="none",
                                    labels=cleanup.run_labels(run_id, "adv-busybox"))
    monkeypatch.setenv("LABGRADE_REAP_GRACE", str(10 * 365 * 86400))  # only dead runs here
    lines: list[str] = []
    env = Env()
    monkeypatch.setattr(env, "out", lines.append)
    assert main(["clean"], env) == 0
    assert any(run_id in line for line in lines), lines
    assert not any(labelled(run_id).values())


@pytest.mark.docker
def test_a_build_names_its_step_containers_to_the_run(tmp_path: Path) -> None:
    """The ids the lock file gets are the build's own step containers, as Docker printed them."""
    from graders.backends import get_backend

    nonce = secrets.token_hex(6)  # no cache: every step runs in a container
    sub = write_submission(tmp_path / "s", {"Dockerfile": f"FROM busybox:1.35\nRUN echo {nonce}\n"
                                                          f"ENV N={nonce}\nLABEL n={nonce}\n"
                                                          "CMD [\"true\"]\n"})
    steps: list[str] = []
    backend = get_backend("sdk")
    outcome = backend.build(sub, "Dockerfile", f"labgrade-test/steps:{nonce}", buildargs={},
                            target=None, timeout=60, on_step=steps.append)
    try:
        assert outcome.ok, outcome.log
        assert len(steps) == 4  # RUN, ENV, LABEL and CMD each ran in a container
        assert all(f"Running in {s}" in outcome.log for s in steps)
    finally:
        backend.remove_image(f"labgrade-test/steps:{nonce}")


@pytest.mark.docker
def test_clean_removes_a_step_container_a_killed_build_left(
        docker_client: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    """The case seen in development: a build killed with its RUN step still up. Here the
    leftover is made by hand (Docker removes most of them itself, unpredictably)."""
    from graders.cli.env import Env
    from graders.cli.main import main

    step = docker_client.containers.create("busybox:1.35", ["sleep", "1"], network_mode="none")
    bystander = docker_client.containers.create("busybox:1.35", ["true"], network_mode="none")
    run_id = "advsteps" + secrets.token_hex(4)
    run_dir = Path(os.environ["LABGRADE_RUN_DIR"])
    run_dir.mkdir(parents=True, exist_ok=True)
    (run_dir / f"{run_id}.lock").write_text(f"1 0\nstep {step.id[:12]}\n")  # a dead run
    monkeypatch.setenv("LABGRADE_REAP_GRACE", str(10 * 365 * 86400))
    lines: list[str] = []
    env = Env()
    monkeypatch.setattr(env, "out", lines.append)
    try:
        assert main(["clean"], env) == 0
        assert any(step.id[:12] in line for line in lines), lines
        ids = {c.id for c in docker_client.containers.list(all=True)}
        assert step.id not in ids and bystander.id in ids  # only what the run wrote down
        assert not (run_dir / f"{run_id}.lock").exists()
    finally:
        for c in (step, bystander):
            with contextlib.suppress(Exception):
                c.remove(force=True)


@pytest.mark.docker
def test_a_killed_build_step_takes_its_anonymous_volume_with_it(docker_client: Any) -> None:
    """A build step after VOLUME runs in a container with an anonymous volume; the step a
    stopped build leaves is removed with it."""
    from graders.backends import get_backend
    from graders.backends.logcap import CappedLog

    image, _ = docker_client.images.build(
        fileobj=io.BytesIO(b"FROM busybox:1.35\nVOLUME /data\n"), rm=True, forcerm=True,
        network_mode="none", labels={LABEL_RUN: "advvolume" + secrets.token_hex(4)})
    step = docker_client.containers.create(image.id, ["true"], network_mode="none")
    try:
        [volume] = [m["Name"] for m in docker_client.api.inspect_container(step.id)["Mounts"]]
        log = CappedLog()
        log.write(f" ---> Running in {step.id[:12]}\n")
        get_backend("sdk")._kill_build_step(log)
        assert step.id not in {c.id for c in docker_client.containers.list(all=True)}
        assert volume not in {v.name for v in docker_client.volumes.list()}
    finally:
        with contextlib.suppress(Exception):
            step.remove(force=True, v=True)
        docker_client.images.remove(image.id, force=True)


def test_a_grading_reaps_in_the_background_and_waits_for_it(
        run_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The start-of-run reaper overlaps the grading, but is over when the grading is."""
    import dataclasses
    import threading

    from graders.checks.base import Need
    from graders.engine.run import grade
    from graders.spec import load_lab

    monkeypatch.setattr(cleanup, "_reaped_in_process", False)
    run_dir.mkdir(parents=True)
    run_dir.joinpath("dead.lock").write_text("4242 0\n")

    class SlowListing(FakeBackend):
        def list_labelled(self, label: str, images: bool = True) -> list[dict[str, Any]]:
            if label == LABEL_RUN:  # the reaper's listing, not the run's own sweep
                time.sleep(0.5)
            return super().list_labelled(label)

    backend = SlowListing([_item("container", "c-dead", "dead", 5)])
    lab = load_lab("day2-instructions")
    static = tuple(c for c in lab.checks if c.need is Need.DOCKERFILE)
    result = grade(dataclasses.replace(lab, checks=static), lab.root / "solution", backend)
    assert result.score == result.possible > 0
    assert backend.removed == ["c-dead"]
    assert not [t for t in threading.enumerate() if t.name == "labgrade-reaper"]
