"""Preparing a lab sample for grading: options, any outside state the sample declares, and the
checks it is allowed to fail.

Allowed failures. A sample's `setup: fails:` lists the ids of the checks it must fail, and only
those: every other check must pass (a sample without the list is held to its score alone):

    samples:
      - {path: submissions/fails_expose, score: 90, setup: {fails: [exposes-80]}}

Registry state. A sample's `setup: registry:` says what the registry must hold before it is
graded; a lab with a `registry:` section gives every sample a registry (empty unless it pushes):

    samples:
      - path: submissions/wrong_tag
        score: 75
        fails: [tag-pushed]
        setup:
          registry:
            push:                          # built with Docker, pushed before grading
              - image: student/app:1.0     # pushed as <registry>/student/app:1.0
                build: images/older        # a folder of the lab; default: the sample's own
            auth: true                     # optional: this registry asks for a login
            image: alice/app:v1.0          # optional: grade with --image instead of labgrade.yaml

An entry without `image:` pushes `student/<name>:<tag>` from the lab's `registry:` section.
Each such sample gets an embedded registry on a free 127.0.0.1 port, with its state in a fresh
temporary folder, and is graded with `GradeOptions(registry="127.0.0.1:PORT")`. Afterwards the
registry is stopped, its folder deleted and the local tags removed (graders.registry.staging).

Environment:
  LABGRADE_REGISTRY=host:port       reuse that running registry (it must not already hold the
                                    samples' repositories; what is pushed is deleted after).
  LABGRADE_REGISTRY_AUTH=user:pass  every sample's registry asks for this login (the embedded
                                    one through htpasswd); `auth: true` alone uses a random
                                    password. Credentials reach the checks only in-process.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from graders.engine.run import GradeOptions
from graders.errors import SpecError
from graders.spec import Lab, Sample

ENV_REGISTRY = "LABGRADE_REGISTRY"
ENV_AUTH = "LABGRADE_REGISTRY_AUTH"
SETUP_KEYS = {"push", "auth", "image"}
"""The keys of `setup.registry`."""
PUSH_KEYS = {"image", "build"}


@contextmanager
def prepared(lab: Lab, sample: Sample) -> Iterator[GradeOptions]:
    """Grade options for a sample, with the registry state its `setup:` asks for in place."""
    setup = registry_setup(lab, sample)
    if setup is None:
        yield GradeOptions()
        return
    from graders.engine.cleanup import RunLock, run_labels
    from graders.registry.staging import staged

    pushes, auth, image = _parse(lab, sample, setup)
    run = f"samples-{secrets.token_hex(4)}"
    declared = _declared_repository(lab.root / sample.path, image)
    lock = RunLock(run).acquire()  # our pushed images' labels belong to a live run
    try:
        with staged(pushes, auth=auth, reuse=os.environ.get(ENV_REGISTRY) or None,
                    labels=run_labels(run, lab.id),
                    must_be_empty=(declared,) if declared else ()) as address:
            yield GradeOptions(registry=address, image=image)
    finally:
        lock.release()


def registry_setup(lab: Lab, sample: Sample) -> dict[str, Any] | None:
    """The sample's `setup.registry` ({} when only the lab has a `registry:` section)."""
    setup = sample.setup.get("registry")
    if setup is None and "registry" not in lab.extra:
        return None
    if setup is None:
        return {}
    if not isinstance(setup, dict):
        raise _error(lab, sample, "", "expected a mapping (push, auth, image)")
    return setup


def _parse(lab: Lab, sample: Sample, setup: dict[str, Any]
           ) -> tuple[list[Any], tuple[str, str] | None, str | None]:
    from graders.registry.reference import DOCKER_HUB, parse_reference
    from graders.registry.staging import Push

    unknown = set(setup) - SETUP_KEYS
    if unknown:
        raise _error(lab, sample, "", f"unknown keys {sorted(unknown)}; allowed: "
                     + ", ".join(sorted(SETUP_KEYS)))
    entries = setup.get("push") or []
    if not isinstance(entries, list):
        raise _error(lab, sample, ".push", "expected a list of {image, build}")
    pushes = []
    for i, entry in enumerate(entries):
        where = f".push[{i}]"
        if not isinstance(entry, dict) or set(entry) - PUSH_KEYS:
            raise _error(lab, sample, where, "expected a mapping with image and build")
        image = entry.get("image") or _lab_default(lab)
        ref = parse_reference(image) if isinstance(image, str) else None
        if not isinstance(image, str) or ref is None or not ref.valid \
                or ref.registry != DOCKER_HUB or image.startswith(("docker.io/", "index.")):
            raise _error(lab, sample, where + ".image", "expected a name without a registry, "
                         f"such as student/app:v1.0, got {image!r}")
        folder = (lab.root / str(entry.get("build") or sample.path)).resolve()
        if not folder.is_relative_to(lab.root.resolve()) or not (folder / "Dockerfile").is_file():
            raise _error(lab, sample, where + ".build", f"no Dockerfile in {folder} (in the lab)")
        pushes.append(Push(image, folder))
    image = setup.get("image")
    if image is not None and not isinstance(image, str):
        raise _error(lab, sample, ".image", "expected an image reference string")
    return pushes, _auth(lab, sample, setup.get("auth", False)), image


def _auth(lab: Lab, sample: Sample, flag: object) -> tuple[str, str] | None:
    if not isinstance(flag, bool):
        raise _error(lab, sample, ".auth", f"expected true or false, got {flag!r}")
    env = os.environ.get(ENV_AUTH, "")
    if env:
        user, sep, password = env.partition(":")
        if not sep or not user or not password:
            raise SpecError(f"{ENV_AUTH} must be user:password")  # never echo the value
        return user, password
    if flag and not os.environ.get(ENV_REGISTRY):
        return "student", secrets.token_urlsafe(18)
    return None


def _lab_default(lab: Lab) -> str | None:
    section = lab.extra.get("registry")
    if not isinstance(section, dict) or not section.get("name"):
        return None
    namespace = section.get("namespace") or "any"
    namespace = "student" if namespace == "any" else namespace
    return f"{namespace}/{section['name']}:{section.get('tag') or 'latest'}"


def _declared_repository(submission: Path, image: str | None) -> str | None:
    """The repository the sample's graders will look at (must start empty in a reused one)."""
    from graders.registry.reference import parse_reference
    from graders.registry.target import declared_image

    text = declared_image(submission, image).text
    if not text:
        return None
    ref = parse_reference(text)
    return ref.repository.removeprefix("library/") if ref.valid else None


def _error(lab: Lab, sample: Sample, field: str, reason: str) -> SpecError:
    return _field_error(lab, sample, f"setup.registry{field}", reason)


def _field_error(lab: Lab, sample: Sample, field: str, reason: str) -> SpecError:
    index = lab.samples.index(sample) if sample in lab.samples else 0
    return SpecError(reason, file=lab.spec_file, field=f"samples[{index}].{field}")
