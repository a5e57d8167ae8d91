"""`live_login`: the student's Docker client is logged in to a registry (`docker login`)."""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import ClassVar

from graders.checks._live import fix
from graders.checks.base import Check, CheckContext, Need, Outcome
from graders.i18n import Text
from graders.registry.credentials import client_login
from graders.registry.reference import DOCKER_HUB, HUB_NAMES


@dataclass(frozen=True)
class LiveLoginCheck(Check):
    """The Docker client's config.json has credentials for `registry`: an `auths` entry with a
    credential, or a credential helper that lists the registry.

    Only the presence of credentials is checked: the secret (and the user name) is never read
    into a result, and nothing is sent to the registry. Runs only with `labgrade check --live`.

    ```yaml
    - id: logged-in           # where grading looks: --registry if given, else Docker Hub
      type: live_login
      points: 5
    - id: logged-in-hub
      type: live_login
      registry: docker.io
    - id: logged-in-local
      type: live_login
      registry: localhost:5000
    ```
    """

    registry: str = ""
    """`docker.io` for Docker Hub, `host:port` (`localhost:5000`), or "" (the default) for the
    registry grading asks: `--registry` when given, else Docker Hub."""

    type_name: ClassVar[str] = "live_login"
    need: ClassVar[Need] = Need.LIVE
    default_title: ClassVar[Text] = Text("Login no registry", "Logged in to the registry")
    default_hint: ClassVar[Text | None] = Text(
        "Rode docker login e entre com seu usuário e um token de acesso.",
        "Run docker login and sign in with your user and an access token.",
    )

    def validate(self) -> list[str]:
        if not isinstance(self.registry, str) or "/" in self.registry:
            return [f"registry: expected docker.io, host:port or '', got {self.registry!r}"]
        return []

    def run(self, ctx: CheckContext) -> Outcome:
        if not self.registry:
            return replace(self, registry=ctx.registry_address() or DOCKER_HUB).run(ctx)
        state = client_login(self.registry)
        hub = self.registry in HUB_NAMES
        where = "Docker Hub" if hub else self.registry
        if state.logged_in:
            return Outcome.ok(
                Text(
                    f"O Docker tem login em {where} ({state.via}).",
                    f"Docker is logged in to {where} ({state.via}).",
                ),
                actual=Text(f"credenciais via {state.via}", f"credentials via {state.via}"),
            )
        command = "docker login" if hub else f"docker login {self.registry}"
        if state.problem:
            return Outcome.fail(
                Text(
                    f"Não foi possível ler o login em {where}: {state.problem}",
                    f"Could not read the login to {where}: {state.problem}",
                )
                + fix(command),
                expected=Text(f"credenciais para {where}", f"credentials for {where}"),
                actual=state.problem,
            )
        return Outcome.fail(
            Text(f"O Docker não tem login em {where}.", f"Docker is not logged in to {where}.")
            + fix(command),
            expected=Text(f"credenciais para {where} em {state.config}",
                          f"credentials for {where} in {state.config}"),
            actual=Text(f"nenhuma entrada auths nem credential helper para {where} em "
                        f"{state.config}",
                        f"no auths entry or credential helper for {where} in {state.config}"),
        )
