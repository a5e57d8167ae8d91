"""A small lab for the integration tests of the batch and of the engine's timing: a busybox
web server on port 8080 that must keep running `after` seconds and answer "hi"."""

from __future__ import annotations

from pathlib import Path

HTTPD = 'CMD ["httpd", "-f", "-p", "8080", "-h", "/www"]'
"""The CMD of a correct answer."""


def web_lab(labs: Path, lab_id: str, *, after: float, ready_timeout: float = 20,
            run_timeout: float = 60) -> Path:
    """Write `labs/<lab_id>/lab.yaml`; the lab's folder."""
    folder = labs / lab_id
    folder.mkdir(parents=True)
    (folder / "lab.yaml").write_text(f"""id: {lab_id}
title: {{pt: "Servidor web", en: "Web server"}}
points: 20
build: {{dockerfile: Dockerfile, context: ., timeout: 60}}
run:
  ports: [8080]
  ready: {{http: {{port: 8080, path: /}}, timeout: {ready_timeout:g}}}
  timeout: {run_timeout:g}
checks:
  - {{id: stays-up, type: container_running, points: 10, after: {after:g}}}
  - {{id: serves, type: http, points: 10, port: 8080, path: /, status: 200, body: hi}}
""")
    return folder
