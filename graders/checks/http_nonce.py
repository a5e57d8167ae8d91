"""`http_nonce`: the server really serves its folder: a fresh random file comes back over HTTP.

A canned answer can pass a fixed `http` check (a server that says "Apache" to everything); it
cannot pass this one. The grader writes a file with a random name and random content into the
served folder through the Docker archive API (the host's `docker cp`, inward: nothing runs in
the container to do it), then GETs it from the host through the published port. The token is
never in a command line or an environment variable the container could read ahead of time.
"""

from __future__ import annotations

import http.client
import secrets
from dataclasses import dataclass
from typing import ClassVar

from graders.checks._common import clip, decode, number_problems, type_problems
from graders.checks._words import answer_text, stopped_text
from graders.checks.base import Check, CheckContext, Need, Outcome
from graders.checks.http import http_probe
from graders.errors import GraderError
from graders.i18n import Text


@dataclass(frozen=True)
class HttpNonceCheck(Check):
    """A file written now into `directory` is served at `url_prefix` + its name.

    Example:
        id: serves-fresh-file
        type: http_nonce
        port: 80
        directory: /var/www/html
        url_prefix: /
    """

    port: int = 80
    """The container port (it must be in the lab's `run.ports`)."""
    directory: str = "/var/www/html"
    """The folder the server serves, absolute, in the container."""
    url_prefix: str = "/"
    """The URL path that maps to `directory`, starting and ending with `/`."""
    timeout: float = 5.0
    """Seconds for the whole answer (a total deadline)."""

    type_name: ClassVar[str] = "http_nonce"
    need: ClassVar[Need] = Need.CONTAINER
    host_port_field: ClassVar[str | None] = "port"
    default_title: ClassVar[Text] = Text(
        "Serve um arquivo novo da sua pasta", "Serves a fresh file from its folder"
    )
    default_hint: ClassVar[Text | None] = Text(
        "O servidor deve servir os arquivos da pasta pedida (para o Apache, /var/www/html), "
        "não uma resposta fixa.",
        "The server must serve the files of the given folder (for Apache, /var/www/html), "
        "not a fixed answer.",
    )

    def validate(self) -> list[str]:
        problems = type_problems("port", self.port, int, "a port number 1-65535")
        problems = problems or number_problems("port", self.port, 1, 65535)
        if not str(self.directory).startswith("/"):
            problems.append(f"directory: expected an absolute path, got {self.directory!r}")
        prefix = str(self.url_prefix)
        if not (prefix.startswith("/") and prefix.endswith("/")):
            problems.append(f"url_prefix: expected a path starting and ending with /, got "
                            f"{self.url_prefix!r}")
        return problems + number_problems("timeout", self.timeout, 0.1, 120)

    def run(self, ctx: CheckContext) -> Outcome:
        token = secrets.token_hex(16)
        name = f"labgrade-{secrets.token_hex(8)}.txt"
        path = f"{self.url_prefix}{name}"
        expected = Text(f"HTTP 200 com o código escrito em {self.directory}/{name}",
                        f"HTTP 200 with the token written into {self.directory}/{name}")
        if ctx.published_port(self.port) is None:
            state = ctx.container_state()
            return Outcome.fail(
                Text("O contêiner não está rodando.", "The container is not running."),
                expected=expected, actual=stopped_text(state.get("ExitCode")))
        try:
            ctx.put_file(self.directory, name, (token + "\n").encode())
        except GraderError as e:
            return Outcome.fail(
                Text(f"Não deu para escrever um arquivo em {self.directory} no contêiner.",
                     f"Could not write a file into {self.directory} in the container."),
                expected=Text(f"{self.directory} é uma pasta", f"{self.directory} is a folder"),
                actual=Text(f"{self.directory} não recebeu o arquivo",
                            f"{self.directory} did not take the file"),
                details=clip(str(e), 300))
        try:
            response = http_probe(ctx, self.port, path, self.timeout)
        except (OSError, http.client.HTTPException) as e:
            return Outcome.fail(
                Text(f"Sem resposta HTTP em GET {path}.", f"No HTTP answer at GET {path}."),
                expected=expected, actual=Text("sem resposta", "no answer"),
                details=f"{type(e).__name__}: {e}".rstrip(": "))
        body = decode(response.body[:4096])
        if response.status == 200 and token in body:
            return Outcome.ok(Text(
                f"Um arquivo novo em {self.directory} foi servido em {self.url_prefix}.",
                f"A fresh file in {self.directory} was served at {self.url_prefix}."),
                actual=Text("HTTP 200 com o código", "HTTP 200 with the token"))
        return Outcome.fail(
            Text(f"Um arquivo novo em {self.directory} não foi servido: o servidor não serve "
                 "essa pasta (ou responde sempre a mesma coisa).",
                 f"A fresh file in {self.directory} was not served: the server does not serve "
                 "that folder (or always answers the same thing)."),
            expected=expected,
            actual=answer_text(response.status, clip(body, 120)))
