"""The default backend: the docker SDK (docker-py). docker errors are translated here, once."""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import docker
import docker.errors
import requests.exceptions
import urllib3.exceptions

from graders.backends.base import LABEL_CREATED, BuildOutcome, ContainerOptions
from graders.checks.base import ExecResult
from graders.errors import BackendError, DockerUnavailable
from graders.logcap import CappedLog


def _host() -> str:
    return os.environ.get("DOCKER_HOST", "unix:///var/run/docker.sock")


class SdkBackend:
    name = "sdk"

    def __init__(self, timeout: float = 120.0) -> None:
        try:
            self.client = docker.from_env(timeout=int(timeout))
            self._version = str(self.client.version().get("Version", "?"))
        except (docker.errors.DockerException, requests.exceptions.RequestException) as e:
            raise DockerUnavailable(_host(), _short(e)) from e

    def version(self) -> str:
        return self._version

    def build(self, context: Path, dockerfile: str, tag: str, *, buildargs: Mapping[str, str],
              target: str | None, labels: Mapping[str, str], timeout: float) -> BuildOutcome:
        """Build with the wall-clock `timeout`; the build log is kept (capped) as feedback."""
        log = CappedLog()
        deadline = time.monotonic() + timeout
        # A client of its own, so that closing it on timeout drops the connection and Docker
        # cancels the build (the classic builder stops when its client goes away).
        api = docker.APIClient(version=self.client.api.api_version, timeout=max(1, int(timeout)),
                               **docker.utils.kwargs_from_env())
        image_id = None
        stream = None
        try:
            stream = api.build(path=str(context), dockerfile=dockerfile, tag=tag,
                               buildargs=dict(buildargs), target=target, labels=dict(labels),
                               rm=True, forcerm=True, decode=True, timeout=max(1, int(timeout)))
            for chunk in stream:
                if "stream" in chunk:
                    log.write(str(chunk["stream"]))
                if "error" in chunk:
                    log.write(str(chunk["error"]) + "\n")
                    return BuildOutcome(False, None, log.text(), str(chunk["error"]).strip())
                aux = chunk.get("aux")
                if isinstance(aux, dict) and "ID" in aux:
                    image_id = str(aux["ID"])
                if time.monotonic() > deadline:
                    return _timed_out(log, timeout)
        except (requests.exceptions.ReadTimeout, urllib3.exceptions.ReadTimeoutError):
            return _timed_out(log, timeout)
        except docker.errors.APIError as e:
            # The daemon refused the request itself: a bad Dockerfile path, a context problem.
            if e.status_code is not None and 400 <= e.status_code < 500:
                log.write(str(e.explanation or e) + "\n")
                return BuildOutcome(False, None, log.text(), str(e.explanation or e))
            raise BackendError("build", _short(e)) from e
        except (docker.errors.DockerException, requests.exceptions.RequestException) as e:
            raise BackendError("build", _short(e)) from e
        finally:
            if stream is not None:
                stream.close()
            api.close()
        if image_id is None:
            try:
                image_id = str(self.client.images.get(tag).id)
            except docker.errors.ImageNotFound:
                return BuildOutcome(False, None, log.text(), "the build produced no image")
        return BuildOutcome(True, image_id, log.text())

    def inspect_image(self, ref: str) -> dict[str, Any]:
        try:
            return dict(self.client.api.inspect_image(ref))
        except docker.errors.DockerException as e:
            raise BackendError("image inspect", _short(e)) from e

    def remove_image(self, ref: str) -> None:
        # noprune keeps the parent layers: Docker's build cache, reused by the next grading.
        try:
            self.client.api.remove_image(ref, force=True, noprune=True)
        except docker.errors.NotFound:
            pass
        except docker.errors.DockerException as e:
            raise BackendError("image remove", _short(e)) from e

    def create_container(self, options: ContainerOptions) -> str:
        host_config = dict(options.host_config)
        ports = {f"{p}/tcp": ("127.0.0.1", None) for p in options.ports}
        if not options.ports:
            host_config.setdefault("network_mode", "none")
        try:
            container = self.client.containers.create(
                options.image, command=options.command, environment=dict(options.env),
                labels={**options.labels, LABEL_CREATED: str(int(time.time()))},
                ports=ports or None, detach=True, **host_config)
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

    def logs(self, container_id: str, limit: int) -> str:
        try:
            raw = self.client.api.logs(container_id, stdout=True, stderr=True, tail=200)
        except docker.errors.DockerException as e:
            raise BackendError("container logs", _short(e)) from e
        text = bytes(raw).decode("utf-8", "replace")
        return text[-limit:]

    def archive(self, container_id: str, path: str) -> tuple[Iterator[bytes], dict[str, Any]] | None:
        try:
            bits, stat = self.client.api.get_archive(container_id, path, chunk_size=64 * 1024)
        except docker.errors.NotFound:
            return None
        except docker.errors.DockerException as e:
            raise BackendError("archive", _short(e)) from e
        return bits, dict(stat)

    def exec(self, container_id: str, argv: list[str], timeout: float, limit: int) -> ExecResult:
        try:
            exec_id = self.client.api.exec_create(container_id, argv, stdout=True, stderr=True)["Id"]
        except docker.errors.APIError as e:
            return ExecResult(126, "", _short(e))
        except docker.errors.DockerException as e:
            raise BackendError("exec", _short(e)) from e
        result: dict[str, Any] = {}

        def collect() -> None:
            try:
                result["out"] = self.client.api.exec_start(exec_id, demux=True)
            except Exception as e:  # reported below as the exec's stderr
                result["error"] = e

        # exec_start has no timeout of its own: wait in a thread, give up at the deadline.
        worker = threading.Thread(target=collect, daemon=True)
        worker.start()
        worker.join(timeout)
        if worker.is_alive():
            return ExecResult(None, "", f"timed out after {timeout:g} s")
        if "error" in result:
            raise BackendError("exec", _short(result["error"]))
        out, err = result.get("out") or (None, None)
        code = self.client.api.exec_inspect(exec_id).get("ExitCode")
        return ExecResult(code, _decode(out, limit), _decode(err, limit))

    def top(self, container_id: str) -> list[dict[str, str]]:
        try:
            # Numeric uids: names would be looked up in the host's /etc/passwd, not the image's.
            table = self.client.api.top(container_id, ps_args="-eo uid,pid,ppid,args")
        except docker.errors.DockerException as e:
            raise BackendError("top", _short(e)) from e
        titles = table.get("Titles") or []
        return [dict(zip(titles, row)) for row in table.get("Processes") or []]

    def remove_container(self, container_id: str) -> None:
        try:
            self.client.api.remove_container(container_id, force=True, v=True)
        except docker.errors.NotFound:
            pass
        except docker.errors.APIError as e:
            if "already in progress" not in str(e):
                raise BackendError("container remove", _short(e)) from e

    def remove_labelled(self, label: str, older_than: float | None = None) -> list[str]:
        """Remove what carries `label` (key or key=value), oldest first; return their names."""
        removed: list[str] = []
        api = self.client.api
        for c in api.containers(all=True, filters={"label": label}):
            created = int((c.get("Labels") or {}).get(LABEL_CREATED, "0") or 0)
            if older_than is None or created < older_than:
                self.remove_container(c["Id"])
                removed.append("container " + c["Id"][:12])
        for v in (api.volumes(filters={"label": label}) or {}).get("Volumes") or []:
            api.remove_volume(v["Name"], force=True)
            removed.append("volume " + v["Name"][:12])
        for n in api.networks(filters={"label": label}):
            api.remove_network(n["Id"])
            removed.append("network " + n["Id"][:12])
        for img in api.images(filters={"label": label}):
            if older_than is None or int(img.get("Created", 0)) < older_than:
                self.remove_image(img["Id"])
                removed.append("image " + img["Id"][7:19])
        return removed


def _timed_out(log: CappedLog, timeout: float) -> BuildOutcome:
    log.write(f"\n[labgrade] build stopped: it took longer than {timeout:g} s\n")
    return BuildOutcome(False, None, log.text(), f"the build took longer than {timeout:g} s",
                        timed_out=True)


def _decode(data: bytes | None, limit: int) -> str:
    return (data or b"")[:limit].decode("utf-8", "replace")


def _short(e: BaseException) -> str:
    text = str(e).strip() or type(e).__name__
    return text if len(text) < 400 else text[:400] + "..."
