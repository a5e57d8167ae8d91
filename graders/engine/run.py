"""The grading engine: one submission of one lab in, one LabResult out.

Stages run in order (Dockerfile, build, image, container) and each check runs at the first
stage that gives it what it needs. A stage that fails skips the checks that needed it, with the
reason; the CLI, the pytest plugin and batch grading are thin front ends over `grade()`.
"""

from __future__ import annotations

import time
import traceback
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from graders.backends.base import (
    BuildOutcome,
    ContainerOptions,
    DockerBackend,
    is_engine_fault,
    run_image_tag,
)
from graders.backends.logcap import bounded_lines, tail_lines
from graders.checks.base import Need, Outcome
from graders.checks.skip import CheckSkipped
from graders.dockerfile.model import Dockerfile
from graders.engine.cleanup import (
    BuildLayers,
    RunLock,
    build_layers,
    cache_note,
    hangup_as_terminate,
    mark_kept,
    reap_in_background,
    run_labels,
    settle_run,
    sweep_run,
    trim_build,
)
from graders.engine.context import EngineContext
from graders.engine.intake import (
    Refusal,
    Refused,
    check_submission,
    context_archive,
    read_dockerfile,
)
from graders.engine.offline import NoEngine
from graders.engine.readiness import wait_ready_reason
from graders.engine.sandbox import (
    Limits,
    build_kill_note,
    build_options,
    host_config,
    pressure_note,
    resolve_limits,
    stopped_message,
)
from graders.errors import BackendError, DockerUnavailable, SpecError, UsageError
from graders.i18n import Text
from graders.results import BuildInfo, CheckResult, LabResult, Status
from graders.scoring import earned
from graders.spec import CheckSpec, Lab

Progress = Callable[[str], None]

CRASH = Text("O corretor falhou nesta verificação; avise o seu professor.",
             "The autograder failed on this check; contact your instructor.")


@dataclass(frozen=True)
class GradeOptions:
    keep: bool = False
    """Keep the built image (the container is always removed)."""
    build_timeout: float | None = None
    run_timeout: float | None = None
    include_hidden: bool = True
    """False for student self-checks: hidden checks are not even run."""
    live: bool = False
    """Run the lab's live checks against the engine's current state."""
    registry: str | None = None
    """The registry pushed images are looked up in (`--registry HOST[:PORT]`); None: Docker Hub,
    or the domain of the declared image."""
    image: str | None = None
    """The pushed image's reference (`--image`); None: the submission's labgrade.yaml `image:`."""
    run_id: str = field(default_factory=lambda: uuid.uuid4().hex[:12])
    network: str | None = None
    """The network the container publishes its ports from; None: Docker's default bridge.
    A batch worker gives its gradings a network of its own (graders/batch/network.py)."""


def grade(lab: Lab, submission: Path, backend: DockerBackend | NoEngine,
          options: GradeOptions | None = None, progress: Progress | None = None) -> LabResult:
    """Grade one submission. Student faults become FAILED results; harness faults become ERROR
    (with `NoEngine`, everything past the Dockerfile's checks)."""
    with grading_session(lab, submission, backend, options, progress) as session:
        return session.result()


@contextmanager
def grading_session(lab: Lab, submission: Path, backend: DockerBackend | NoEngine,
                    options: GradeOptions | None = None,
                    progress: Progress | None = None) -> Iterator[GradingRun]:
    """Grade, then keep the image and container until the block ends (for extra checks such
    as an instructor's pytest tests); everything is removed on the way out, Ctrl-C included."""
    opts = options or GradeOptions()
    specs = [c for c in lab.checks if opts.include_hidden or not c.hidden]
    specs = [c for c in specs if opts.live or not c.live]
    say = progress or (lambda _msg: None)
    if isinstance(backend, NoEngine):  # nothing to build, run, lock or clean up
        run = GradingRun(lab, submission.resolve(), None, opts, say)
        run.specs = specs
        run.without_engine(specs, backend)
        yield run
        return
    run = GradingRun(lab, submission.resolve(), backend, opts, say)
    run.specs = specs
    with hangup_as_terminate():  # SIGHUP (terminal closed, ssh dropped) cleans up as SIGTERM
        lock = run.lock = RunLock(opts.run_id).acquire()  # alive, for other runs' reapers
        reaper = reap_in_background(backend, opts.run_id)  # crashed runs' leftovers
        try:
            try:
                run.all(specs)
            except (UsageError, DockerUnavailable, SpecError):
                raise
            except Exception:  # a harness crash is never silent and never a quiet 0
                done = {r.check_id for r in run.results}
                run.results += [_crash(s, traceback.format_exc()) for s in specs
                                if s.id not in done]
                if run.build.status is Status.SKIPPED:
                    run.build = BuildInfo(Status.ERROR)
            yield run
        except KeyboardInterrupt:  # Ctrl-C, SIGTERM, SIGHUP: Docker may still finish things
            run.interrupted = True
            raise
        finally:
            run.cleanup()
            reaper.join()
            lock.release()


class GradingRun:
    """The state of one grading run, so that cleanup knows what to remove."""

    def __init__(self, lab: Lab, submission: Path, backend: DockerBackend | None,
                 opts: GradeOptions, say: Progress) -> None:
        self.lab, self.submission, self.backend = lab, submission, backend
        self.opts, self.say = opts, say
        self.labels = run_labels(opts.run_id, lab.id)
        self.limits: Limits = resolve_limits(lab.run.limits if lab.run else None)
        self.refusal: Refusal | None = None
        self.not_ready: Text | None = None
        self.tag = run_image_tag(lab.id, opts.run_id)
        self.dockerfile: Dockerfile | None = None
        self.ctx = EngineContext(backend, submission, None, opts, self.limits)
        self.built = False
        self.image_removed = False
        self.layers: BuildLayers | None = None
        """The layers this run's build committed, when over the cache budget: removed at the end."""
        self.interrupted = False
        self.lock: RunLock | None = None
        self.results: list[CheckResult] = []
        self.specs: list[CheckSpec] = []
        self.started_at = time.monotonic()
        self.build = BuildInfo(Status.SKIPPED)
        self.run_started = time.monotonic()

    def result(self) -> LabResult:
        order = {spec.id: i for i, spec in enumerate(self.specs)}
        results = sorted(self.results, key=lambda r: order[r.check_id])
        return LabResult(self.lab.id, self.lab.title, str(self.submission), tuple(results),
                         self.build, round(time.monotonic() - self.started_at, 3), self.opts.run_id)

    def all(self, specs: list[CheckSpec]) -> None:
        by_need = self._dockerfile_stage(specs)
        results = self.results
        needs_image = by_need[Need.IMAGE] + by_need[Need.CONTAINER]
        if self.lab.build is not None and needs_image:
            self.build = self._build()
        image_reason = None if self.build.status is Status.PASSED else \
            _no_image(self.build, self.refusal)
        if needs_image and image_reason is None:
            image_reason = self._create_container()
        results += self._stage(by_need[Need.IMAGE], image_reason)
        container_reason = image_reason or (self._start() if by_need[Need.CONTAINER] else None)
        results += self._stage(by_need[Need.CONTAINER], container_reason, runtime=True)
        results += self._stage(by_need[Need.LIVE], None)

    @property
    def docker(self) -> DockerBackend:
        """The engine; only the Dockerfile's stage runs without one (`without_engine`)."""
        if self.backend is None:
            raise DockerUnavailable("", "this run was told there is no engine")
        return self.backend

    def without_engine(self, specs: list[CheckSpec], engine: NoEngine) -> None:
        """Grade the Dockerfile's checks; every other check, and the build, is ERROR saying
        that no engine answers (ours, never the student's)."""
        self._dockerfile_stage(specs)
        message = engine.message
        self.results += [_crash(spec, str(engine.reason), message=message)
                         for spec in specs if spec.need is not Need.DOCKERFILE]
        if self.lab.build is not None and any(s.need is not Need.DOCKERFILE for s in specs):
            self.build = BuildInfo(Status.ERROR, explanation=message)

    def _dockerfile_stage(self, specs: list[CheckSpec]) -> dict[Need, list[CheckSpec]]:
        """Intake and the checks that read the Dockerfile alone; the specs by what they need."""
        check_submission(self.submission)
        by_need = {need: [s for s in specs if s.need == need] for need in Need}
        if self.lab.build is not None:
            intake = read_dockerfile(self.submission, self.lab.build.dockerfile, self.limits)
            self.dockerfile, self.refusal = intake.dockerfile, intake.refusal
            self.ctx.dockerfile_read(intake.dockerfile)
        missing = self._dockerfile_missing()
        if missing is not None:
            self.results += [_failed(spec, missing) for spec in by_need[Need.DOCKERFILE]]
        else:
            self.results += self._stage(by_need[Need.DOCKERFILE], None)
        return by_need

    # --- stages ----------------------------------------------------------------------------
    @staticmethod
    def _build_time_left(deadline: float, t0: float) -> float:
        """What the build may take once intake has taken its share of the deadline, to a tenth
        of a second: the usual few milliseconds of intake leave the lab's own figure ("took
        longer than 5 s"), a slow intake shows as less."""
        return max(1.0, round(deadline - (time.monotonic() - t0), 1))

    def _dockerfile_missing(self) -> Text | None:
        if self.refusal is not None and self.refusal.dockerfile:
            return self.refusal.reason
        if self.lab.build is None or self.dockerfile is not None:
            return None
        return Text(f"Não há {self.lab.build.dockerfile} na entrega.",
                    f"There is no {self.lab.build.dockerfile} in the submission.")

    def _build(self) -> BuildInfo:
        spec = self.lab.build
        assert spec is not None
        if self.refusal is not None:
            return _refused(self.refusal)
        if self.dockerfile is None:
            return BuildInfo(Status.FAILED, explanation=self._dockerfile_missing())
        self.say("build")
        t0 = time.monotonic()
        wall0 = time.time()
        deadline = self.opts.build_timeout or spec.timeout  # intake counts against it too
        limits: dict[str, Any] = build_options(self.limits)  # RUN steps' memory, CPU, network
        try:
            with context_archive(self.submission, spec, self.limits,
                                 budget=deadline) as archive:
                allowed = self._build_time_left(deadline, t0)
                outcome = self.docker.build(archive.path, archive.dockerfile, self.tag,
                                             buildargs=spec.args, target=spec.target,
                                             timeout=allowed,
                                             on_step=self.lock.note_step if self.lock else None,
                                             **limits)
        except Refused as r:  # checked before anything is sent to Docker
            self.refusal = r.refusal
            return _refused(r.refusal)
        duration = round(time.monotonic() - t0, 3)
        log = tail_lines(outcome.log)
        note = self._measure_cache(outcome, wall0)
        if note:
            log = f"{log}\n{note}" if log else note
        if outcome.ok:
            self.built = True
            if self.opts.keep:
                mark_kept(self.opts.run_id)
            self.ctx.image_built(self.tag)
            return BuildInfo(Status.PASSED, duration, log, outcome.image_id)
        text, line = _explain(outcome, self.dockerfile, self.limits, allowed)
        return BuildInfo(Status.FAILED, duration, log, None, text, line)

    def _measure_cache(self, outcome: BuildOutcome, started: float) -> str | None:
        """The disk this build's own layers take, passed or failed; over the lab's cache
        budget (`run.limits.build_cache`), they are removed when the run ends, and the build
        log says so. Never raises: a note, not a reason to grade differently."""
        try:
            layers = build_layers(self.docker, outcome.steps, outcome.image_id, started,
                                  self.limits.build_cache)
        except Exception:
            return None
        if layers is None or not layers.over:
            return None
        kept = self.opts.keep and outcome.ok
        if not kept:
            self.layers = layers
        return cache_note(layers, kept)

    def _create_container(self) -> Text | None:
        run = self.lab.run
        options = ContainerOptions(
            image=self.tag, labels=self.labels, ports=run.ports if run else (),
            env=run.env if run else {}, command=run.command if run else None,
            host_config=host_config(self.limits), network=self.opts.network)
        self.ctx.container_created(self.docker.create_container(options))
        return None

    def _start(self) -> Text | None:
        assert self.ctx.container_id is not None and self.lab.run is not None
        self.say("run")
        try:
            self.docker.start_container(self.ctx.container_id)
        except BackendError as e:
            if is_engine_fault(e.detail):
                raise  # Docker's networking or storage broke: an ERROR, not the student's
            # Docker refused to start it (say, an ENTRYPOINT that does not exist): the
            # container check reads why from its state; the others are skipped as not running.
            return None
        self.ctx.container_started()
        self.run_started = time.monotonic()
        self.say("ready")
        self.not_ready = wait_ready_reason(self.ctx, self.lab.run.ready)
        return None

    def _stage(self, specs: list[CheckSpec], reason: Text | None,
               runtime: bool = False) -> list[CheckResult]:
        results = []
        budget = (self.opts.run_timeout or (self.lab.run.timeout if self.lab.run else 0)) or None
        if runtime:  # the others run inside container_running's window, which ends `after`
            # seconds from the start; it waits out what is left last (`result()` keeps the
            # lab's order in the report)
            specs = sorted(specs, key=lambda s: s.check.judges_stopped_container)
        for spec in specs:
            if reason is not None:
                results.append(_skipped(spec, reason))
                continue
            if runtime and budget and time.monotonic() - self.run_started > budget:
                results.append(_skipped(spec, Text(
                    f"O tempo de execução de {budget:g} s acabou antes desta verificação.",
                    f"The run time limit of {budget:g} s ran out before this check.")))
                continue
            skip = self._not_running(spec) if runtime else None
            results.append(_skipped(spec, skip) if skip else self._one(spec, runtime))
        return results

    def _not_running(self, spec: CheckSpec) -> Text | None:
        if spec.check.judges_stopped_container:
            return None
        state = self.ctx.container_state()
        if state.get("Running"):
            return None
        return stopped_message(state, self.limits)  # OOM-killed, killed by a signal, exit code

    def _one(self, spec: CheckSpec, runtime: bool = False) -> CheckResult:
        self.say(f"check {spec.id}")
        t0 = time.monotonic()
        try:
            outcome = spec.check.run(self.ctx)
        except CheckSkipped as s:
            return _skipped(spec, s.reason)
        except Exception as e:  # an error may carry `feedback` (Text) and `details` (str)
            return _crash(spec, getattr(e, "details", None) or traceback.format_exc(),
                          time.monotonic() - t0, getattr(e, "feedback", None))
        if runtime and not outcome.passed:
            ready = None if spec.check.judges_stopped_container else self.not_ready
            notes = [n for n in (ready, self._pressure()) if n is not None]
            if notes:
                outcome = replace(outcome, message=Text.same(" ").join([outcome.message, *notes]))
        return _result(spec, outcome, time.monotonic() - t0)

    def _pressure(self) -> Text | None:
        """Whether the running container is at its process or memory limit (sampled once,
        when a runtime check first fails), so that the student reads why."""
        if not hasattr(self, "_pressure_note"):
            self._pressure_note: Text | None = None
            try:
                if self.ctx.container_state().get("Running"):
                    stats = self.docker.stats(self.ctx.container_id or "")
                    self._pressure_note = pressure_note(stats, self.limits)
            except Exception:  # a note, never a reason to fail the check differently
                pass
        return self._pressure_note

    def cleanup(self) -> None:
        """Remove the container (with its volumes) and, unless kept, the image, then anything
        else still labelled with this run. Never raises; a second Ctrl-C or SIGTERM during
        cleanup does not stop it half way (it is re-raised once everything is removed)."""
        interrupted: BaseException | None = None
        for action in (self._remove_container, self._remove_image, self._sweep,
                       self._trim_cache):
            try:
                action()
            except KeyboardInterrupt as e:
                interrupted = e
            except Exception:
                pass
        if interrupted is not None:
            raise interrupted

    def _sweep(self) -> None:
        if self.interrupted:
            settle_run(self.docker, self.opts.run_id, keep_images=self.opts.keep)
        else:
            # A run that removed its one image tag itself has no image left to look for (and
            # a listing of every image on the engine is the costliest call of the sweep).
            sweep_run(self.docker, self.opts.run_id,
                      keep_images=self.opts.keep or self.image_removed)

    def _trim_cache(self) -> None:
        if self.layers is not None:
            trim_build(self.docker, self.layers)

    def _remove_container(self) -> None:
        if self.ctx.container_id:
            self.docker.remove_container(self.ctx.container_id)

    def _remove_image(self) -> None:
        """The run's one image tag, built or not (a build cut short may have been tagged as
        we hung up)."""
        if not self.opts.keep:
            self.docker.remove_image(self.tag)
            self.image_removed = True


def _result(spec: CheckSpec, outcome: Outcome, duration: float) -> CheckResult:
    score = earned(spec.points, outcome.passed, outcome.fraction)
    status = Status.PASSED if outcome.passed and score >= spec.points else Status.FAILED
    return CheckResult(spec.id, spec.title, spec.type, status, score, spec.points, spec.hidden,
                       outcome.message, spec.expected or outcome.expected, outcome.actual,
                       spec.hint, outcome.details, outcome.line, spec.live, round(duration, 3))


def _skipped(spec: CheckSpec, reason: Text) -> CheckResult:
    return CheckResult(spec.id, spec.title, spec.type, Status.SKIPPED, 0.0, spec.points,
                       spec.hidden, reason, hint=spec.hint, live=spec.live)


def _failed(spec: CheckSpec, reason: Text) -> CheckResult:
    return CheckResult(spec.id, spec.title, spec.type, Status.FAILED, 0.0, spec.points,
                       spec.hidden, reason, hint=spec.hint, live=spec.live)


def _crash(spec: CheckSpec, trace: str, duration: float = 0.0,
           message: Text | None = None) -> CheckResult:
    return CheckResult(spec.id, spec.title, spec.type, Status.ERROR, 0.0, spec.points,
                       spec.hidden, message if isinstance(message, Text) else CRASH,
                       details=trace, live=spec.live,
                       duration_s=round(duration, 3))


def _no_image(build: BuildInfo, refusal: Refusal | None = None) -> Text:
    if build.status is Status.SKIPPED:
        return Text("Este laboratório não constrói imagem.", "This lab builds no image.")
    if refusal is not None:
        return Text("A imagem não foi construída: a entrega foi recusada. ",
                    "The image was not built: the submission was refused. ") + refusal.reason
    return Text("A imagem não foi construída: veja o log do build.",
                "The image did not build: see the build log.")


def _refused(refusal: Refusal) -> BuildInfo:
    """A submission refused at intake: the build is FAILED (the student's), nothing was sent.

    Nothing was built, so there is no build log: the reason, in both languages, is the
    explanation (a log line would be in one language whatever the reader's)."""
    return BuildInfo(Status.FAILED, 0.0, "", None, refusal.reason, refusal.line)


def _explain(outcome: BuildOutcome, dockerfile: Dockerfile | None,
             limits: Limits | None = None, allowed: float = 0.0) -> tuple[Text, int | None]:
    if outcome.timed_out:  # the deadline is ours: said from the number, not Docker's words
        return Text(f"O build foi interrompido: levou mais de {allowed:g} s.",
                    f"The build was stopped: {outcome.error}."), None
    killed = build_kill_note(outcome.error, limits)
    if killed is not None:
        return killed, None
    log = bounded_lines(outcome.log)  # the student's output: never a huge line to a regex
    from graders.dockerfile.build_errors import explain_build_failure

    return explain_build_failure(log, dockerfile)
