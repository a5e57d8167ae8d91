"""The pytest plugin's `registry` fixture: the image a submission pushed, as the checks see it.

The target is resolved exactly as the registry checks resolve it (`RegistryTarget.resolve` with
the run's `--lab-registry`/`--lab-image`, else labgrade.yaml's `image:`; credentials from
$LABGRADE_REGISTRY_USER/$LABGRADE_REGISTRY_PASSWORD or the Docker config), so an instructor's
test asks the same registry for the same repository as `registry_tag` does:

    @pytest.mark.points(5)
    def test_pushed_runs_as_nobody(registry):
        assert registry.tag in registry.tags()
        assert registry.config()["config"]["User"] == "nobody"

Errors follow the checks' split: something not pushed is the student's (an empty `tags()`, a
None `digest()`, `NotPushed`, an AssertionError, from `manifest()`/`config()`); a registry that
cannot be asked is not (`RegistryUnavailable`, and the fixture's setup errors when the registry
does not answer or refuses our login). No credential is ever part of a value or message here.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import Any

from graders.checks._registry import RegistryUnavailable
from graders.registry import manifest as mf
from graders.registry.client import RegistryClient
from graders.registry.errors import PlatformNotFound, RegistryError, RegistryNotFound
from graders.registry.reference import ImageReference
from graders.registry.target import RegistryTarget


class NotPushed(AssertionError):
    """Nothing was pushed under the reference asked for (or not for that platform): the
    student's, so a test that needs it fails with this message rather than erroring."""


def undeclared(target: RegistryTarget) -> str | None:
    """Why `target` names no image the registry can be asked about; None when it does."""
    declared = target.declared
    if declared.problem is not None:
        return declared.problem.en
    if not declared.text:
        return ("the submission declares no pushed image: its labgrade.yaml has no "
                "'image: your_user/app:v1.0' (or give --lab-image)")
    ref = target.reference
    if ref is None or not ref.valid or not ref.repository:
        return f"the declared image {declared.text!r} is not a valid image reference"
    return None


class PushedImage:
    """The declared image in the registry it was pushed to.

    `reference` (registry, repository, tag, digest) is placed in the registry asked, as the
    checks place it; `tag` is the declared tag (`latest` when none). Each method takes an
    optional `tag` (default: the declared digest, else the declared tag)."""

    def __init__(self, target: RegistryTarget) -> None:
        ref = target.reference
        if ref is None:
            raise ValueError(f"no image declared: {undeclared(target)}")
        self.target = target
        self.reference: ImageReference = ref

    def __repr__(self) -> str:
        return f"PushedImage({self.name()!r})"

    @property
    def registry(self) -> str:
        """The registry asked: `docker.io`, `127.0.0.1:5000` ..."""
        return self.target.registry

    @property
    def repository(self) -> str:
        """The repository's path in that registry (`student/app`, `library/app`)."""
        return self.reference.repository

    @property
    def tag(self) -> str:
        return self.reference.tag or "latest"

    @property
    def client(self) -> RegistryClient:
        """The checks' client for this registry, logged in as they are (for blobs, catalog)."""
        return self.target.client()

    def name(self, tag: str | None = None) -> str:
        """What the student gives `docker push` (`127.0.0.1:5000/student/app:v1.0`)."""
        return self.target.push_name(tag)

    def ping(self) -> None:
        """Ask the registry once, logging in; RegistryUnavailable when it cannot be asked."""
        try:
            self.client.ping(authenticate=True)
        except RegistryError as e:
            raise RegistryUnavailable(self.target.where(), e) from e

    def tags(self) -> list[str]:
        """The repository's tags, sorted; [] when it was never pushed."""
        try:
            return sorted(self.client.tags(self.repository))
        except RegistryNotFound:
            return []
        except RegistryError as e:
            raise RegistryUnavailable(self.target.where(), e) from e

    def digest(self, tag: str | None = None) -> str | None:
        """The manifest digest the tag points to (what `docker push` prints and RepoDigests
        holds; a list's or index's own digest for a multi-platform push); None when absent."""
        try:
            return self.client.head_manifest(self.repository, self._ref(tag))
        except RegistryNotFound:
            return None
        except RegistryError as e:
            raise RegistryUnavailable(self.target.where(), e) from e

    def manifest(self, tag: str | None = None,
                 platform: str = mf.DEFAULT_PLATFORM) -> mf.Manifest:
        """The image manifest (picked for `platform` out of a list or index, which only a
        multi-platform push has): `.digest`, `.layers`, `.config`, `.document`."""
        ref = self._ref(tag)
        with self._asking(tag, ref, platform):
            return self.client.image_manifest(self.repository, ref, platform)

    def config(self, tag: str | None = None,
               platform: str = mf.DEFAULT_PLATFORM) -> dict[str, Any]:
        """The pushed image's config blob: `config` (Cmd, Entrypoint, Env, User, Labels,
        ExposedPorts, WorkingDir), `rootfs.diff_ids`, `os`, `architecture`, `history`."""
        ref = self._ref(tag)
        with self._asking(tag, ref, platform):
            return self.client.image_config(self.repository, ref, platform)

    @contextlib.contextmanager
    def _asking(self, tag: str | None, ref: str, platform: str) -> Iterator[None]:
        """The registry's answers as a test reads them: NotPushed (the student's, with the
        fix) for a missing tag or platform, RegistryUnavailable (ours) for the rest."""
        try:
            yield
        except PlatformNotFound as e:
            raise NotPushed(f"{self.name(tag)} has no {platform} image; it has: "
                            f"{', '.join(e.available) or 'none'}") from None
        except RegistryNotFound:
            raise NotPushed(f"Nothing was pushed as {self._shown(ref)}: push it with "
                            f"docker push {self.name(tag)}") from None
        except RegistryError as e:
            raise RegistryUnavailable(self.target.where(), e) from e

    def close(self) -> None:
        self.target.close()

    def _ref(self, tag: str | None) -> str:
        return tag or self.reference.digest or self.tag

    def _shown(self, ref: str) -> str:
        if ref.startswith("sha256:"):
            return f"{self.name().rsplit(':', 1)[0]}@{ref}"
        return self.name(ref)
