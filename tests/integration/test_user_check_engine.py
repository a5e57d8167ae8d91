"""The `user` check on the real engine: a tiny busybox lab written on the fly and graded.

The local busybox:1.35 is Debian's build, which has no `adduser`, so the submissions add the
account the way adduser does, by appending to /etc/passwd and /etc/group in a RUN.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from graders.engine.run import grade
from graders.results import LabResult, Status
from graders.spec import load_lab

pytestmark = pytest.mark.docker

LAB = {
    "id": "user-lab",
    "title": {"pt": "Usuário na imagem", "en": "User in the image"},
    "points": 100,
    "build": {"dockerfile": "Dockerfile", "context": ".", "timeout": 60},
    "checks": [
        {"id": "app-user", "type": "user", "points": 80, "name": "app", "uid": 1001,
         "group": "app", "groups": ["app", "web"], "home": "/home/app", "shell": "/bin/sh"},
        {"id": "root-user", "type": "user", "points": 20, "name": "root", "uid": 0},
    ],
}
WITH_USER = """\
FROM busybox:1.35
RUN echo 'app:x:1001:1001:App:/home/app:/bin/sh' >> /etc/passwd \\
 && echo 'app:x:1001:' >> /etc/group \\
 && echo 'web:x:1500:app' >> /etc/group \\
 && mkdir -p /home/app && chown 1001:1001 /home/app
USER app
"""
WITHOUT_USER = "FROM busybox:1.35\nRUN mkdir -p /home/app\n"
OTHER_NAME = """\
FROM busybox:1.35
RUN echo 'appuser:x:1001:1001::/home/appuser:/bin/sh' >> /etc/passwd \\
 && echo 'appuser:x:1001:' >> /etc/group
"""


@pytest.fixture(scope="module")
def lab_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("labs")
    (root / "user-lab").mkdir()
    (root / "user-lab" / "lab.yaml").write_text(yaml.safe_dump(LAB), encoding="utf-8")
    for name, dockerfile in (("ok", WITH_USER), ("no_user", WITHOUT_USER),
                             ("other_name", OTHER_NAME)):
        sub = root / "user-lab" / "submissions" / name
        sub.mkdir(parents=True)
        (sub / "Dockerfile").write_text(dockerfile, encoding="utf-8")
    return root


def graded(lab_root: Path, backend: Any, sample: str) -> LabResult:
    lab = load_lab("user-lab", lab_root)
    result = grade(lab, lab.root / "submissions" / sample, backend)
    report = "\n".join(f"{c.check_id}: {c.status.value} {c.message.en} {c.details}"
                       for c in result.checks)
    assert not result.errored, report
    assert result.build.status is Status.PASSED, report
    return result


def by_id(result: LabResult, check_id: str) -> Any:
    return next(c for c in result.checks if c.check_id == check_id)


def test_user_present_gets_full_marks(lab_root: Path, backend: Any, no_leftovers: None) -> None:
    result = graded(lab_root, backend, "ok")
    app = by_id(result, "app-user")
    assert result.score == 100, app
    assert app.status is Status.PASSED
    assert app.actual == "uid 1001, group app (1001), home /home/app, shell /bin/sh"


def test_user_missing_fails_with_the_message(lab_root: Path, backend: Any,
                                             no_leftovers: None) -> None:
    result = graded(lab_root, backend, "no_user")
    app = by_id(result, "app-user")
    assert app.status is Status.FAILED and app.score == 0
    assert app.message.en == "The user app does not exist in the image (/etc/passwd)."
    assert app.message.pt == "O usuário app não existe na imagem (/etc/passwd)."
    assert (app.expected, app.actual) == ("app (uid 1001)", "(absent)")
    assert "root" in app.details and "nobody" in app.details  # busybox's own accounts
    assert app.hint is not None and "useradd -r -u 1001" in app.hint.en
    assert by_id(result, "root-user").status is Status.PASSED
    assert result.score == 20


def test_user_under_another_name_is_named(lab_root: Path, backend: Any,
                                          no_leftovers: None) -> None:
    result = graded(lab_root, backend, "other_name")
    app = by_id(result, "app-user")
    assert app.status is Status.FAILED
    assert app.message.en == "The user app does not exist; uid 1001 belongs to appuser."
    assert app.actual == "appuser (uid 1001)"
