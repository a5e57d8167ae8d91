"""The fixtures an instructor's test asks for: `lab`, `image`, `container`, `host`, `registry`.

They serve what the grading run already has (its `EngineContext`: the built image, the running
container, the registry target), so a test sees exactly what the checks see. This module is
the plugin of the engine's own pytest session (graders/pytest_session.py), which puts a
`FixtureSource` in the config's stash. `image`, `container`, `host` and `registry` skip, with
the reason, when what they serve is not there.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import pytest

from graders.i18n import Text

if TYPE_CHECKING:
    from graders.pytest_registry import PushedImage

NO_IMAGE = Text("A imagem não foi construída.", "The image did not build.")
NOT_RUNNING = Text("O contêiner não está rodando.", "The container is not running.")


@dataclass(frozen=True)
class FixtureSource:
    ctx: Any
    """The run's `graders.engine.context.EngineContext`."""
    lab: Any
    """The `graders.spec.Lab` being graded."""


SOURCE = pytest.StashKey[FixtureSource]()


class FixtureSkip(pytest.skip.Exception):  # type: ignore[name-defined,misc]
    """A skip whose reason exists in pt and en (the engine shows `text`)."""

    def __init__(self, text: Text) -> None:
        super().__init__(text.en)
        self.text = text


def _source(request: pytest.FixtureRequest) -> FixtureSource:
    return request.config.stash[SOURCE]


def _running(ctx: Any) -> None:
    """Skip unless the container runs now (it may have stopped since it started)."""
    if ctx.container_id is None or not ctx.started or \
            not ctx.container_state().get("Running"):
        raise FixtureSkip(NOT_RUNNING)


@pytest.fixture(scope="session")
def lab(request: pytest.FixtureRequest) -> Any:
    """The `graders.spec.Lab` being graded."""
    return _source(request).lab


@pytest.fixture(scope="session")
def image(request: pytest.FixtureRequest) -> dict[str, Any]:
    """The built image's inspect document (Config, Size, RootFS ...)."""
    ctx = _source(request).ctx
    if ctx.image_ref is None:
        raise FixtureSkip(NO_IMAGE)
    return dict(ctx.image_inspect())


@pytest.fixture
def container(request: pytest.FixtureRequest) -> Any:
    """The running container as a docker SDK Container."""
    from graders.backends.handles import sdk_container

    ctx = _source(request).ctx
    _running(ctx)
    return sdk_container(ctx.backend, ctx.container_id)


@pytest.fixture
def host(request: pytest.FixtureRequest) -> Any:
    """A pytest-testinfra Host over the running container."""
    ctx = _source(request).ctx
    _running(ctx)
    return ctx.testinfra_host()


@pytest.fixture(scope="session")
def registry(request: pytest.FixtureRequest) -> PushedImage:
    """The image the submission pushed, in the registry the registry checks ask (the run's own
    `RegistryTarget`): a `graders.pytest_registry.PushedImage`. Skips when the submission
    declares no image (the registry checks fail it); errors when the registry cannot be asked
    (not the student's). Needs no build."""
    from graders.pytest_registry import PushedImage, undeclared

    target = _source(request).ctx.registry_target()
    reason = undeclared(target)
    if reason is not None:  # the labgrade.yaml problem in pt and en, when that is the reason
        raise FixtureSkip(target.declared.problem or Text(
            "A entrega não declara uma imagem enviada válida (image: em labgrade.yaml): "
            + reason, reason))
    pushed = PushedImage(target)
    pushed.ping()
    return pushed
