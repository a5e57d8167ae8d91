"""`live_http`: the port the student published answers HTTP on 127.0.0.1."""

from __future__ import annotations

import http.client
import re
from dataclasses import dataclass
from typing import ClassVar

from graders.backends.live import LiveView, live_view
from graders.checks._common import clip, decode, number_problems, regex_problems, type_problems
from graders.checks._live import familiar, fix, ref_problems, run_command
from graders.checks._pattern import pattern_text
from graders.checks._words import answer_text
from graders.checks.base import Check, CheckContext, Need, Outcome
from graders.checks.http import http_probe
from graders.i18n import Text


@dataclass(frozen=True)
class LiveHttpCheck(Check):
    """GET http://127.0.0.1:`port``path` answers `status` with a body matching `body`.

    `port` is the host port the student published (`-p 8080:80` publishes 8080). When nothing
    answers and `container` is given, the message says why from the container's state (absent,
    stopped, port not published) and names the command that fixes it. Runs only with
    `labgrade check --live`.

    ```yaml
    - id: page-answers
      type: live_http
      points: 5
      port: 8080
      path: /
      status: 200
      body: "(?i)apache"
      container: apache
      container_port: 80
      image: apache_server:v1.0
    ```
    """

    port: int = 8080
    """The host port, on 127.0.0.1."""
    path: str = "/"
    """The request path, starting with `/`."""
    status: int | None = 200
    """The expected status code; null accepts any."""
    body: str | None = None
    """A regex searched (multi-line) in the body, decoded as UTF-8."""
    timeout: float = 5.0
    """Seconds to wait for the answer."""
    container: str | None = None
    """The container that should answer, to explain a silence (optional)."""
    container_port: int = 80
    """The container port `port` should be mapped to (for the suggested `docker run`)."""
    image: str | None = None
    """The image the container runs (for the suggested `docker run`)."""

    type_name: ClassVar[str] = "live_http"
    need: ClassVar[Need] = Need.LIVE
    default_title: ClassVar[Text] = Text("A página responde", "The page answers")
    default_hint: ClassVar[Text | None] = Text(
        "Abra http://localhost:PORTA no navegador ou use curl; confira PORTS em docker ps.",
        "Open http://localhost:PORT in a browser or use curl; check PORTS in docker ps.",
    )

    def validate(self) -> list[str]:
        problems: list[str] = []
        for name in ("port", "container_port"):
            value = getattr(self, name)
            problems += type_problems(name, value, int, "a port number 1-65535") or number_problems(
                name, value, 1, 65535
            )
        if not str(self.path).startswith("/"):
            problems.append(f"path: expected a path starting with /, got {self.path!r}")
        if self.status is not None:
            problems += number_problems("status", self.status, 100, 599)
        if self.image is not None:
            problems += ref_problems("image", self.image)
        return (
            problems
            + regex_problems("body", self.body)
            + number_problems("timeout", self.timeout, 0.1, 120)
        )

    def run(self, ctx: CheckContext) -> Outcome:
        live = live_view(ctx)
        url = f"http://127.0.0.1:{self.port}{self.path}"
        expected = (Text.same(f"HTTP {self.status}") if self.status
                    else Text("uma resposta HTTP", "an HTTP answer"))
        if self.body:
            expected += Text(", corpo ", ", body ") + pattern_text(self.body)
        try:
            response = http_probe(live, self.port, self.path, self.timeout)
        except (OSError, http.client.HTTPException) as e:
            return Outcome.fail(
                Text(f"Nada responde em {url}", f"Nothing answers at {url}") + self._why(live),
                expected=expected,
                actual=Text("sem resposta", "no answer"),
                details=f"{type(e).__name__}: {e}".rstrip(": "),
            )
        text = decode(response.body)
        got = answer_text(response.status, clip(text, 200))
        if self.status is not None and response.status != self.status:
            return Outcome.fail(
                Text(
                    f"{url} respondeu HTTP {response.status}, não {self.status}.",
                    f"{url} answered HTTP {response.status}, not {self.status}.",
                ),
                expected=expected,
                actual=got,
            )
        if self.body is not None and not re.search(self.body, text, re.MULTILINE):
            return Outcome.fail(
                Text(
                    f"A página em {url} não é a esperada: o servidor certo está nessa porta?",
                    f"The page at {url} is not the expected one: is the right server on that port?",
                ),
                expected=expected,
                actual=got,
            )
        return Outcome.ok(
            Text(
                f"{url} respondeu HTTP {response.status}.",
                f"{url} answered HTTP {response.status}.",
            ),
            actual=got,
        )

    def _why(self, live: LiveView) -> Text:
        mapping = f"{self.port}:{self.container_port}"
        image = familiar(self.image) if self.image else "IMAGE"
        run = run_command(self.container or "NAME", image, [(self.port, self.container_port)])
        if not self.container:
            return Text(
                f": há um contêiner rodando com -p {mapping}?",
                f": is a container running with -p {mapping}?",
            ) + fix(run)
        c = live.container(self.container)
        if c is None:
            return Text(
                f": não há contêiner {self.container}.",
                f": there is no container {self.container}.",
            ) + fix(run)
        if not c.running:
            return Text(
                f": o contêiner {self.container} está parado ({c.status}).",
                f": the container {self.container} is stopped ({c.status}).",
            ) + fix(f"docker start {self.container}")
        mapped = any(
            b.host_port == self.port and b.container_port == f"{self.container_port}/tcp"
            for b in c.bindings
        )
        if not mapped:
            return Text(
                f": o contêiner {self.container} não publica -p {mapping}.",
                f": the container {self.container} does not publish -p {mapping}.",
            ) + fix(f"docker rm -f {self.container} && {run}")
        return Text(
            f": o contêiner {self.container} roda, mas o servidor dentro dele não "
            f"escuta na porta {self.container_port}; veja docker logs {self.container}.",
            f": the container {self.container} runs, but the server inside does not "
            f"listen on port {self.container_port}; see docker logs {self.container}.",
        )
