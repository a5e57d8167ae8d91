"""`live_image`: an image with this repository and tag exists in the student's engine."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from graders.backends.live import live_view
from graders.checks._live import close_matches, familiar, fix, listing, ref_problems, repository_of
from graders.checks.base import Check, CheckContext, Need, Outcome
from graders.i18n import Text


@dataclass(frozen=True)
class LiveImageCheck(Check):
    """`docker image ls` shows this `repository:tag` (the student ran `docker build -t`).

    When it is missing, the message lists the local tags of the same repository (or names that
    look like a typo of it) and says "did you mean", with the `docker tag` or `docker build` that
    fixes it. Runs only with `labgrade check --live`.

    ```yaml
    - id: image-built
      type: live_image
      points: 5
      image: apache_server:v1.0
    ```
    """

    image: str = ""
    """The `repository:tag` the lab asks for (no tag means `latest`, as in Docker)."""
    context: str = "."
    """The build context shown in the suggested `docker build -t IMAGE CONTEXT`."""

    type_name: ClassVar[str] = "live_image"
    need: ClassVar[Need] = Need.LIVE
    default_title: ClassVar[Text] = Text("A imagem existe localmente", "The image exists locally")
    default_hint: ClassVar[Text | None] = Text(
        "Construa e nomeie a imagem com docker build -t repositorio:tag . e confira com "
        "docker image ls.",
        "Build and name the image with docker build -t repository:tag . and check it with "
        "docker image ls.",
    )

    def validate(self) -> list[str]:
        problems = ref_problems("image", self.image)
        if not isinstance(self.context, str) or not self.context:
            problems.append(f"context: expected a folder such as '.', got {self.context!r}")
        return problems

    def run(self, ctx: CheckContext) -> Outcome:
        want = familiar(self.image)
        live = live_view(ctx)
        tags = sorted({familiar(t) for image in live.images() for t in image.tags})
        if want in tags:
            return Outcome.ok(
                Text(f"A imagem {want} existe localmente.", f"The image {want} exists locally."),
                actual=want,
            )
        build = f"docker build -t {want} {self.context}"
        repo = repository_of(want)
        same_repo = [t for t in tags if repository_of(t) == repo]
        near = same_repo or close_matches(want, tags)
        if near:
            guess = near[0]
            which = (
                Text(f"Tags locais de {repo}", f"Local tags of {repo}")
                if same_repo
                else Text("Nomes parecidos", "Similar names")
            )
            message = (
                Text(
                    f"Não há imagem {want}. Você quis dizer {guess}? {which.pt}: {listing(near)}.",
                    f"There is no image {want}. Did you mean {guess}? {which.en}: {listing(near)}.",
                )
                + fix(f"docker tag {guess} {want}")
                + Text(f" (ou reconstrua: {build})", f" (or rebuild: {build})")
            )
            actual = Text(f"{which.pt.lower()}: {listing(near)}",
                          f"{which.en.lower()}: {listing(near)}")
        else:
            message = Text(
                f"Não há imagem {want} no seu Docker.", f"There is no image {want} in your Docker."
            ) + fix(build)
            actual = Text(f"nenhuma imagem local chamada {repo}", f"no local image named {repo}")
        return Outcome.fail(message, expected=want, actual=actual)
