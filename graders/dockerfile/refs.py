"""Image references and `COPY --from` targets, resolved the way Docker's classic builder does."""

from __future__ import annotations

import difflib
from dataclasses import dataclass

from graders.dockerfile.model import Dockerfile, Instruction, Stage


@dataclass(frozen=True)
class ImageRef:
    repository: str
    """As written, registry and namespace included: `docker.io/library/debian`, `debian`."""
    tag: str | None
    digest: str | None

    @property
    def pinned(self) -> bool:
        """A tag other than latest, or a digest (`scratch` has nothing to pin)."""
        if self.repository == "scratch" or self.digest:
            return True
        return self.tag is not None and self.tag != "latest"

    def __str__(self) -> str:
        tag = f":{self.tag}" if self.tag is not None else ""
        digest = f"@{self.digest}" if self.digest else ""
        return f"{self.repository}{tag}{digest}"


def parse_image_ref(ref: str) -> ImageRef:
    """`registry:5000/team/app:1.2@sha256:...` -> repository, tag, digest (no normalisation)."""
    name, _, digest = ref.partition("@")
    slash, colon = name.rfind("/"), name.rfind(":")
    if colon > slash:
        return ImageRef(name[:colon], name[colon + 1 :], digest or None)
    return ImageRef(name, None, digest or None)


def base_image(dockerfile: Dockerfile, stage: Stage) -> tuple[ImageRef, Stage]:
    """The image a stage finally starts from, following `FROM <earlier stage>`; and its stage."""
    root = dockerfile.ancestry(stage)[-1]
    return parse_image_ref(root.base), root


@dataclass(frozen=True)
class FromTarget:
    """Where a `COPY --from=<value>` reads from."""

    value: str
    stage: int | None = None
    """The earlier stage it resolves to, by name or index."""
    image: str | None = None
    """Set when Docker will treat the value as an image to use (or pull)."""
    problem: str | None = None
    """current | out_of_bounds | later_stage | unknown_name (a bare word that names no stage)."""
    suggestion: str | None = None
    """The closest earlier stage name, for an unknown name."""

    @property
    def ok(self) -> bool:
        return self.problem is None


def copy_from_target(instr: Instruction, dockerfile: Dockerfile) -> FromTarget | None:
    """Resolve the `--from` of a COPY (None when it has none), like Docker's `buildStages.get`.

    An integer is an index that must point to an earlier stage. Any other value is a stage name
    (case-insensitive) among the stages defined so far; failing that Docker pulls it as an image.
    A bare word (no `:`, `/`, `@`) that is no earlier stage is reported as `unknown_name` (or
    `later_stage`), the typo case (`--from=buildando`); a value with those is an image reference.
    """
    value = instr.flags.get("from")
    if value is None:
        return None
    current = instr.stage
    if value.isdigit():
        index = int(value)
        if index == current:
            return FromTarget(value, problem="current")
        if index > current or index >= len(dockerfile.stages):
            return FromTarget(value, problem="out_of_bounds")
        return FromTarget(value, stage=index)
    key = value.lower()
    earlier = [s for s in dockerfile.stages if s.index < current and s.name]
    for stage in earlier:
        if stage.name == key:
            return FromTarget(value, stage=stage.index)
    if current >= 0 and dockerfile.stages[current].name == key:
        return FromTarget(value, problem="current")
    if any(ch in value for ch in ":/@"):
        return FromTarget(value, image=value)
    names = [s.name for s in earlier if s.name]
    close = difflib.get_close_matches(key, names, n=1, cutoff=0.5)
    suggestion = close[0] if close else (names[-1] if len(names) == 1 else None)
    later = any(s.name == key for s in dockerfile.stages if s.index > current)
    return FromTarget(
        value,
        image=value,
        problem="later_stage" if later else "unknown_name",
        suggestion=suggestion,
    )
