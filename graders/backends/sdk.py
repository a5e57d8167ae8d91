"""The default backend: the docker SDK (docker-py). docker errors are translated here, once."""

from __future__ import annotations

import base64
import contextlib
import dataclasses
import json
import re
import time
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import Any, cast

import docker
import docker.errors
import requests.exceptions
import urllib3.exceptions

from graders.backends.base import (
    LABEL_CREATED,
    LABEL_KEEP,
    LABEL_LAB,
    LABEL_RUN,
    RUN_REPOSITORY,
    BuildOutcome,
    ContainerOptions,
    ExecResult,
    PullRefused,
    build_cpuset,
    is_engine_fault,
    parse_docker_time,
)
from graders.backends.client import FAILURES, connect, settings
from graders.backends.live import LiveEngine, LiveView
from graders.backends.logcap import CappedLog
from graders.errors import BackendError


class SdkBackend:
    name = "sdk"

    def __init__(self, timeout: float = 120.0, base_url: str | None = None) -> None:
        # Connection settings from the environment (DOCKER_HOST, TLS), or an explicit engine:
        # batch grading spreads its workers over several engines with --docker-host.
        self._connect = settings(base_url)
        self.client = connect(timeout, base_url)
        self._version: str | None = None  # the engine's own version, asked for when needed

    def version(self) -> str:
        if self._version is None:
            try:
                self._version = str(self.client.version().get("Version", "?"))
            except FAILURES:
                return "?"
        return self._version

    def build(self, context: Path, dockerfile: str, tag: str, *, buildargs: Mapping[str, str],
              target: str | None, timeout: float,
              container_limits: Mapping[str, int] | None = None, network_mode: str | None = None,
              cpus: float | None = None,
              on_step: Callable[[str], None] | None = None) -> BuildOutcome:
        """`_build`, with the step images the stream named (however much of the log is kept)."""
        steps: list[str] = []
        outcome = self._build(context, dockerfile, tag, buildargs=buildargs, target=target,
                              timeout=timeout, container_limits=container_limits,
                              network_mode=network_mode, cpus=cpus, on_step=on_step,
                              steps=steps)
        return dataclasses.replace(outcome, steps=tuple(steps[-STEPS_KEPT:]))

    def _build(self, context: Path, dockerfile: str, tag: str, *, buildargs: Mapping[str, str],
               target: str | None, timeout: float,
               container_limits: Mapping[str, int] | None, network_mode: str | None,
               cpus: float | None, on_step: Callable[[str], None] | None,
               steps: list[str]) -> BuildOutcome:
        """Build with the wall-clock `timeout`; the build log is kept (capped) as feedback.

        `context` is a folder, or a tar archive of one (what graders.engine.intake sends: the
        checked files only). `container_limits` (memory, memswap, cpushares), `network_mode` and
        `cpus` (a cpuset of that many CPUs) apply to every RUN step's container
        (graders.engine.sandbox.build_options).
        """
        log = CappedLog()
        deadline = time.monotonic() + timeout
        # A client of its own, so that closing it on timeout drops the connection and Docker
        # cancels the build (the classic builder stops when its client goes away: measured,
        # the RUN step's container is gone within a second).
        api = docker.APIClient(version=self.client.api.api_version, timeout=max(1, int(timeout)),
                               **self._connect)
        limits: dict[str, Any] = dict(container_limits or {})
        cpuset = build_cpuset(cpus, self._ncpu()) if cpus else None
        if cpuset:
            limits["cpusetcpus"] = cpuset
        image_id = None
        stream = None
        archive = open(context, "rb") if context.is_file() else None  # noqa: SIM115
        source: dict[str, Any] = ({"fileobj": archive, "custom_context": True} if archive
                                  else {"path": str(context)})
        try:
            stream = api.build(**source, dockerfile=dockerfile, tag=tag,
                               buildargs=dict(buildargs), target=target,
                               rm=True, forcerm=True, decode=True, timeout=max(1, int(timeout)),
                               container_limits=cast(Any, limits or None),
                               network_mode=network_mode)
            ran = -1  # where, in the chunk, the first step that ran started; -1: none yet
            for chunk in stream:
                if "stream" in chunk:
                    text = str(chunk["stream"])
                    log.write(text)
                    if ran < 0 and (first := RUNNING_IN.search(text)):
                        ran = first.start()
                    if ran >= 0:  # before it, every step came from the cache: not this
                        steps += STEP_IMAGE.findall(text[ran:])  # build's layers (and no
                        ran = 0                                 # student output yet)
                    if on_step is not None:
                        for step in RUNNING_IN.findall(str(chunk["stream"])):
                            on_step(step)
                if "error" in chunk:
                    log.write(str(chunk["error"]) + "\n")
                    if is_engine_fault(str(chunk["error"])):
                        raise BackendError("build", str(chunk["error"]).strip())
                    # Read to the end before hanging up: the daemon removes the failed step's
                    # container afterwards, and closing now cancels that (measured: a failed
                    # RUN step's container was left behind, Exited (2), on every grading).
                    for _rest in stream:
                        if time.monotonic() > deadline:
                            break
                    return BuildOutcome(False, None, log.text(), str(chunk["error"]).strip())
                aux = chunk.get("aux")
                if isinstance(aux, dict) and "ID" in aux:
                    image_id = str(aux["ID"])
                if time.monotonic() > deadline:
                    self._kill_build_step(log)
                    return _timed_out(log, timeout)
        except (requests.exceptions.ReadTimeout, urllib3.exceptions.ReadTimeoutError):
            self._kill_build_step(log)
            return _timed_out(log, timeout)
        except docker.errors.APIError as e:
            # The daemon refused the request itself: a bad Dockerfile path, a context problem.
            if e.status_code is not None and 400 <= e.status_code < 500:
                log.write(str(e.explanation or e) + "\n")
                return BuildOutcome(False, None, log.text(), str(e.explanation or e))
            raise BackendError("build", _short(e)) from e
        except FAILURES as e:
            raise BackendError("build", _short(e)) from e
        except BaseException:  # Ctrl-C, SIGTERM: the step's container must not outlive us
            self._kill_build_step(log)
            raise
        finally:
            if stream is not None:
                stream.close()
            api.close()
            if archive is not None:
                archive.close()
        if image_id is None:
            try:
                image_id = str(self.client.images.get(tag).id)
            except docker.errors.ImageNotFound:
                return BuildOutcome(False, None, log.text(), "the build produced no image")
        return BuildOutcome(True, image_id, log.text())

    def _ncpu(self) -> int:
        if not hasattr(self, "_ncpu_cache"):
            try:
                self._ncpu_cache = int(self.client.info().get("NCPU") or 1)
            except FAILURES:
                self._ncpu_cache = 1
        return self._ncpu_cache

    def _kill_build_step(self, log: CappedLog) -> None:
        """Force-remove the RUN step's container of a build we gave up on. The classic builder
        is meant to stop it when the client goes away, and does for a `sleep`; but measured
        with a fork bomb in a RUN step, the container was still up two minutes later. Its id
        is in the build log ("---> Running in <id>"), the only place Docker names it."""
        found = RUNNING_IN.findall(log.text())
        if not found:
            return
        # Already gone, or being removed by the daemon itself: either is fine. Its anonymous
        # volumes go with it (a step after VOLUME has one: seen left behind by killed batches).
        with contextlib.suppress(BackendError):
            self.remove_leftover("container", found[-1])

    def inspect_image(self, ref: str) -> dict[str, Any]:
        try:
            return dict(self.client.api.inspect_image(ref))
        except docker.errors.DockerException as e:
            raise BackendError("image inspect", _short(e)) from e

    def remove_image(self, ref: str) -> None:
        self.remove_leftover("image", ref)

    def create_container(self, options: ContainerOptions) -> str:
        host_config = dict(options.host_config)
        ports = {f"{p}/tcp": ("127.0.0.1", None) for p in options.ports}
        if not options.ports:
            host_config.setdefault("network_mode", "none")
        elif options.network:
            host_config["network_mode"] = options.network
        try:
            container = self.client.containers.create(
                options.image, command=options.command, environment=dict(options.env),
                labels={LABEL_CREATED: str(int(time.time())), **options.labels},
                ports=cast(Any, ports) or None, detach=True, **host_config)
        except docker.errors.DockerException as e:
            raise BackendError("container create", _short(e)) from e
        return str(container.id)

    def start_container(self, container_id: str) -> None:
        try:
            self.client.api.start(container_id)
        except docker.errors.DockerException as e:
            raise BackendError("container start", _short(e)) from e

    def inspect_container(self, container_id: str) -> dict[str, Any]:
        try:
            return dict(self.client.api.inspect_container(container_id))
        except docker.errors.DockerException as e:
            raise BackendError("container inspect", _short(e)) from e

    def logs(self, container_id: str, limit: int, stream: str = "all") -> str:
        """The last `limit` characters of the container's last 200 lines, streamed: at most
        LOGS_DEADLINE s, and only the tail kept in memory while it streams (a line can be as
        long as the log driver allows)."""
        deadline = time.monotonic() + LOGS_DEADLINE
        keep = 4 * limit + 4
        tail = bytearray()
        chunks = None
        try:
            chunks = self.client.api.logs(container_id, stdout=stream in ("all", "stdout"),
                                          stderr=stream in ("all", "stderr"), tail=200,
                                          stream=True, follow=False)
            for chunk in chunks:
                tail += chunk
                if len(tail) > 2 * keep:
                    del tail[:-keep]
                if time.monotonic() > deadline:
                    break
        except docker.errors.DockerException as e:
            raise BackendError("container logs", _short(e)) from e
        except (requests.exceptions.RequestException, urllib3.exceptions.HTTPError) as e:
            raise BackendError("container logs", _short(e)) from e
        finally:
            close = getattr(chunks, "close", None)
            if close is not None:
                with contextlib.suppress(Exception):
                    close()
        text = bytes(tail[-keep:]).decode("utf-8", "replace")
        return text[-limit:]

    def archive(self, container_id: str,
                path: str) -> tuple[Iterator[bytes], dict[str, Any]] | None:
        """The tar stream of `path`; closing the iterator (or reading it to the end) closes
        the HTTP response, so a caller that reads only a header does not leave the daemon
        streaming a whole directory."""
        api = self.client.api
        try:
            # docker-py's get_archive hides the response, and it cannot be closed early.
            res = api._get(api._url("/containers/{0}/archive", container_id),  # type: ignore[attr-defined]
                           params={"path": path}, stream=True, timeout=ARCHIVE_READ_TIMEOUT)
            api._raise_for_status(res)  # type: ignore[attr-defined]
        except docker.errors.NotFound:
            return None
        except FAILURES as e:
            raise BackendError("archive", _short(e)) from e
        encoded = res.headers.get("x-docker-container-path-stat")
        stat = json.loads(base64.b64decode(encoded)) if encoded else {}

        deadline = time.monotonic() + ARCHIVE_DEADLINE

        def chunks() -> Iterator[bytes]:
            try:
                for chunk in res.iter_content(64 * 1024, False):
                    if time.monotonic() > deadline:
                        raise BackendError("archive", f"{path}: still streaming after "
                                           f"{ARCHIVE_DEADLINE:g} s")
                    yield chunk
            except (requests.exceptions.RequestException, urllib3.exceptions.HTTPError) as e:
                raise BackendError("archive", _short(e)) from e
            finally:
                res.close()

        return chunks(), dict(stat)

    def put_archive(self, container_id: str, path: str, data: bytes) -> None:
        """Extract the tar `data` into folder `path` of the container (docker cp, inward)."""
        try:
            self.client.api.put_archive(container_id, path, data)
        except docker.errors.DockerException as e:
            raise BackendError("put archive", _short(e)) from e

    def exec(self, container_id: str, argv: list[str], timeout: float, limit: int) -> ExecResult:
        """Run `argv` in the container: the whole exec within `timeout` s in total, at most
        `limit` bytes of stdout and of stderr kept. Output past the cap is read and dropped
        until the command ends or the deadline comes (memory stays bounded, the exit code is
        still known when the command ends in time); nothing reads on after we return."""
        deadline = time.monotonic() + timeout
        try:
            created = self.client.api.exec_create(container_id, argv, stdout=True, stderr=True)
            exec_id = created["Id"]
        except docker.errors.APIError as e:
            return ExecResult(126, "", _short(e))
        except docker.errors.DockerException as e:
            raise BackendError("exec", _short(e)) from e
        try:
            sock = self.client.api.exec_start(exec_id, socket=True)
        except docker.errors.DockerException as e:
            raise BackendError("exec", _short(e)) from e
        except (requests.exceptions.RequestException, OSError) as e:
            raise BackendError("exec", _short(e)) from e
        try:
            out, err, finished = _read_multiplexed(sock, deadline, limit)
        except OSError as e:
            raise BackendError("exec", _short(e)) from e
        finally:
            with contextlib.suppress(Exception):
                sock.close()
        if not finished:
            return ExecResult(None, "", f"timed out after {timeout:g} s")
        code = self.client.api.exec_inspect(exec_id).get("ExitCode")
        return ExecResult(code, _decode(out, limit), _decode(err, limit))

    def run_once(self, image: str, command: list[str] | None, *, labels: Mapping[str, str],
                 timeout: float, limit: int, host_config: Mapping[str, Any]) -> ExecResult:
        """`docker run --rm --network none IMAGE [command]`: the image's own ENTRYPOINT, with
        `command` (when given) replacing CMD, in a fresh sandboxed container that is always
        removed. Exit code None: killed at `timeout`. A container Docker refuses to create or
        start (no CMD, a missing executable) is the image's fault: exit code 127 and Docker's
        words as stderr, as a shell would say it. Output is capped at `limit` bytes each."""
        container = None
        try:
            try:
                container = self.client.containers.create(
                    image, command=command, labels={LABEL_CREATED: str(int(time.time())),
                                                    **labels},
                    network_disabled=True, detach=True, **dict(host_config))
                container.start()
            except docker.errors.ImageNotFound as e:
                raise BackendError("run", _short(e)) from e
            except docker.errors.APIError as e:
                said = e.explanation if isinstance(e.explanation, str) and e.explanation else e
                return ExecResult(127, "", _short(said) if isinstance(said, BaseException)
                                  else said[:400])
            try:
                code: int | None = int(container.wait(timeout=timeout).get("StatusCode", -1))
            except (requests.exceptions.RequestException, urllib3.exceptions.HTTPError):
                with contextlib.suppress(docker.errors.APIError):  # it may just have ended
                    container.kill()  # still running at the deadline
                code = None
            out = container.logs(stdout=True, stderr=False)[-limit:]
            err = container.logs(stdout=False, stderr=True)[-limit:]
            return ExecResult(code, _decode(out, limit), _decode(err, limit))
        except docker.errors.DockerException as e:
            raise BackendError("run", _short(e)) from e
        finally:
            if container is not None and container.id:
                with contextlib.suppress(BackendError):  # else the run's sweep removes it
                    self.remove_container(container.id)

    def stats(self, container_id: str) -> dict[str, Any]:
        """One sample of the container's resource use (pids, memory), without the usual
        one-second wait for a CPU delta."""
        try:
            return dict(self.client.api.stats(container_id, stream=False, one_shot=True))
        except docker.errors.DockerException as e:
            raise BackendError("stats", _short(e)) from e

    def remove_container(self, container_id: str) -> None:
        self.remove_leftover("container", container_id)

    def list_labelled(self, label: str, images: bool = True) -> list[dict[str, Any]]:
        """What carries `label` (key or key=value), and for the run and lab labels the images
        tagged `labgrade/<lab>:<run id>`: kind, id (an image's tag), run, created, keep."""
        api = self.client.api
        found: list[dict[str, Any]] = []

        def item(kind: str, ident: str, labels: dict[str, str] | None, created: object) -> None:
            labels = labels or {}
            stamp = labels.get(LABEL_CREATED) or created
            found.append({"kind": kind, "id": ident, "run": labels.get(LABEL_RUN, ""),
                          "created": _epoch(stamp), "keep": labels.get(LABEL_KEEP) == "1"})

        try:
            for c in api.containers(all=True, filters={"label": label}):
                item("container", c["Id"], c.get("Labels"), c.get("Created"))
            for n in api.networks(filters={"label": label}):
                item("network", n["Id"], n.get("Labels"), n.get("Created"))
            for v in (api.volumes(filters={"label": label}) or {}).get("Volumes") or []:
                item("volume", v["Name"], v.get("Labels"), v.get("CreatedAt"))
            # One listing, filtered here: Docker's filters cost a whole listing each (9 ms
            # with 150 images on the engine, growing with them).
            key, _, value = label.partition("=")
            for img in api.images() if images else ():
                tags = _run_tags(img)
                for lab, run, tag in tags:
                    if key in (LABEL_RUN, LABEL_LAB) and (
                            not value or value == (run if key == LABEL_RUN else lab)):
                        found.append({"kind": "image", "id": tag, "run": run,
                                      "created": self._tagged_at(tag), "keep": False})
                # A graded image is known by its tag, never by a label its Dockerfile could
                # have forged; labelled images are the registry samples' builds.
                labels = img.get("Labels") or {}
                if not tags and key in labels and (not value or labels[key] == value):
                    item("image", img["Id"], labels, img.get("Created"))
        except docker.errors.DockerException as e:
            raise BackendError("list", _short(e)) from e
        return found

    def _tagged_at(self, tag: str) -> float:
        """When the tag was set (a cached build's image itself may be months old); 0 if gone."""
        try:
            meta = self.client.api.inspect_image(tag).get("Metadata") or {}
        except docker.errors.DockerException:
            return 0.0
        return _epoch(meta.get("LastTagTime"))

    def create_network(self, name: str, labels: Mapping[str, str]) -> str:
        try:
            created = self.client.api.create_network(
                name, driver="bridge", check_duplicate=True,
                labels={LABEL_CREATED: str(int(time.time())), **labels})
            return str(created["Id"])
        except docker.errors.APIError as e:
            if e.status_code == 409:  # already there: ours, from the same run
                return str(self.client.api.inspect_network(name)["Id"])
            raise BackendError("network create", _short(e)) from e
        except docker.errors.DockerException as e:
            raise BackendError("network create", _short(e)) from e

    def image_layer(self, ref: str) -> dict[str, Any] | None:
        try:
            image = self.client.api.inspect_image(ref)
        except docker.errors.NotFound:
            return None
        except FAILURES as e:
            raise BackendError("image inspect", _short(e)) from e
        return {"Id": image["Id"], "ParentId": image.get("Parent") or "",
                "Size": image.get("Size") or 0, "RepoTags": image.get("RepoTags") or [],
                "Created": _epoch(image.get("Created"))}

    def remove_layer(self, image_id: str) -> bool:
        """Remove one untagged build-step image, never forced (one in use by a container or
        with a child image stays) and without its parents; False when it could not go."""
        try:
            self.client.api.remove_image(image_id, force=False, noprune=True)
        except FAILURES:
            return False
        return True

    def pull_digest(self, reference: str, auth: Mapping[str, Any] | None) -> bool:
        try:
            self.client.api.inspect_image(reference)
            return False  # already here: the digest names exactly this content
        except docker.errors.ImageNotFound:
            pass
        except docker.errors.DockerException as e:
            raise BackendError("image inspect", _short(e)) from e
        name, _, digest = reference.partition("@")
        try:
            for line in self.client.api.pull(name, tag=digest, stream=True, decode=True,
                                             auth_config=dict(auth) if auth else None):
                if "error" in line or "errorDetail" in line:
                    detail = (line.get("errorDetail") or {}).get("message") or line.get("error")
                    raise PullRefused(str(detail))
        except docker.errors.APIError as e:
            raise PullRefused(str(e.explanation or e)) from None
        return True

    def remove_reference(self, reference: str) -> None:
        with contextlib.suppress(Exception):
            self.client.api.remove_image(reference)

    def live(self) -> LiveView:
        return LiveEngine(self.client)

    def remove_leftover(self, kind: str, ident: str) -> bool:
        """Remove one container, network, volume or image; False (no error) if already gone."""
        api = self.client.api
        try:
            if kind == "container":
                api.remove_container(ident, force=True, v=True)
            elif kind == "network":
                api.remove_network(ident)
            elif kind == "volume":
                api.remove_volume(ident, force=True)
            elif kind == "image":  # noprune keeps the parents: the build cache the next uses
                api.remove_image(ident, force=True, noprune=True)
        except docker.errors.NotFound:
            return False
        except docker.errors.APIError as e:
            if "already in progress" in str(e):
                return True
            raise BackendError(f"{kind} remove", _short(e)) from e
        except docker.errors.DockerException as e:
            raise BackendError(f"{kind} remove", _short(e)) from e
        return True



def _run_tags(image: dict[str, Any]) -> list[tuple[str, str, str]]:
    """(lab, run id, tag) of each `labgrade/<lab>:<run id>` tag the listed image carries."""
    found = []
    for tag in image.get("RepoTags") or []:
        repository, _, run = tag.rpartition(":")
        prefix, _, lab = repository.partition("/")
        if prefix == RUN_REPOSITORY and lab and run:
            found.append((lab, run, tag))
    return found


def _epoch(value: object) -> float:
    """Docker's created stamps: epoch seconds (int or str) or RFC 3339; 0 when unknown."""
    if isinstance(value, int | float):
        return float(value)
    text = str(value or "")
    if text.isdigit():
        return float(text)
    return parse_docker_time(text) or 0.0


STEP_IMAGE = re.compile(r"^ ---> ([0-9a-f]{12,64})\s*$", re.MULTILINE)
"""A build step's image, as the classic builder logs it (" ---> 3f2a9c1d0b4e")."""
STEPS_KEPT = 1000
RUNNING_IN = re.compile(r"---> Running in ([0-9a-f]{12,64})")


def _timed_out(log: CappedLog, timeout: float) -> BuildOutcome:
    log.write(f"\n[labgrade] build stopped: it took longer than {timeout:g} s\n")
    return BuildOutcome(False, None, log.text(), f"the build took longer than {timeout:g} s",
                        timed_out=True)


LOGS_DEADLINE = 10.0
"""Seconds a read of a container's logs may take in all."""

ARCHIVE_DEADLINE = 30.0
"""Seconds one archive probe (a file, a folder's headers) may stream in all."""

ARCHIVE_READ_TIMEOUT = 10
"""Seconds the engine may go silent during an archive stream."""


def _read_multiplexed(sock: Any, deadline: float, limit: int) -> tuple[bytes, bytes, bool]:
    """stdout and stderr (each capped at `limit` bytes) of a non-TTY attach stream (8-byte
    frame headers), read until the end of the stream or `deadline`; True when it ended."""
    raw = getattr(sock, "_sock", sock)
    streams = {1: bytearray(), 2: bytearray()}
    pending = bytearray()
    want = 0  # payload bytes still due for the frame being read
    kind = 1
    while True:
        left = deadline - time.monotonic()
        if left <= 0:
            return bytes(streams[1]), bytes(streams[2]), False
        raw.settimeout(left)
        try:
            data = raw.recv(64 * 1024)
        except TimeoutError:
            return bytes(streams[1]), bytes(streams[2]), False
        if not data:
            return bytes(streams[1]), bytes(streams[2]), True
        view = memoryview(data)
        while view:
            if want:
                part, view = view[:want], view[want:]
                want -= len(part)
                target = streams.get(kind, streams[1])
                room = limit - len(target)
                if room > 0:
                    target += part[:room]
                continue
            need = 8 - len(pending)
            pending += view[:need]
            view = view[need:]
            if len(pending) == 8:
                kind, want = pending[0], int.from_bytes(pending[4:8], "big")
                pending.clear()


def _decode(data: bytes | None, limit: int) -> str:
    return (data or b"")[:limit].decode("utf-8", "replace")


def _short(e: BaseException) -> str:
    text = str(e).strip() or type(e).__name__
    return text if len(text) < 400 else text[:400] + "..."
