"""`http`: an HTTP GET from the host to a published container port answers as expected."""

from __future__ import annotations

import contextlib
import http.client
import re
import socket
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, ClassVar, TypeVar

from graders.checks._common import (
    clip,
    decode,
    mapping_problems,
    number_problems,
    regex_problems,
    type_problems,
)
from graders.checks._pattern import pattern_text
from graders.checks._words import answer_text, stopped_text
from graders.checks.base import Check, CheckContext, HttpResponse, Need, Outcome
from graders.errors import SpecError
from graders.i18n import Text

BODY_LIMIT = 1 << 20
"""Characters of the body searched with `body`."""

MAX_BODY = 1 << 20
"""Bytes of an HTTP body a probe reads at most; the rest is never read."""

T = TypeVar("T")
F = TypeVar("F", bound=Callable[..., Any])


class ProbeDeadline(TimeoutError):
    """A probe did not get its whole answer within its total deadline."""


def fetch(host: str, port: int, path: str, timeout: float,
          limit: int = MAX_BODY) -> HttpResponse:
    """GET `path` from `host`:`port`, all of it (connect, headers, body) within `timeout`
    seconds in total, and at most `limit` bytes of body.

    A socket timeout alone restarts on every byte: a server that drips its page one byte every
    half second kept a probe busy for days. Here a timer shuts the socket down at the deadline,
    whatever read is blocked, and the body is read in bounded chunks. Raises ProbeDeadline
    (a TimeoutError) past the deadline, else OSError or HTTPException as http.client does."""
    deadline = time.monotonic() + timeout
    conn = http.client.HTTPConnection(host, port, timeout=timeout)
    expired = threading.Event()

    def expire() -> None:
        expired.set()
        sock = conn.sock
        if sock is not None:
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)

    def late() -> ProbeDeadline:
        return ProbeDeadline(f"no complete answer within {timeout:g} s")

    timer = threading.Timer(timeout, expire)
    timer.daemon = True
    timer.start()
    try:
        conn.request("GET", path, headers={"User-Agent": "labgrade"})
        if expired.is_set():  # the timer fired before the socket existed
            raise late()
        resp = conn.getresponse()
        chunks: list[bytes] = []
        total = 0
        while total < limit:
            left = deadline - time.monotonic()
            if left <= 0 or expired.is_set():
                raise late()
            if conn.sock is not None:
                conn.sock.settimeout(left)
            chunk = resp.read1(min(64 * 1024, limit - total))
            if not chunk:
                break
            chunks.append(chunk)
            total += len(chunk)
        if expired.is_set():
            raise late()
        return HttpResponse(resp.status, dict(resp.getheaders()), b"".join(chunks))
    except (OSError, http.client.HTTPException, ValueError):
        if expired.is_set() or time.monotonic() >= deadline:
            raise late() from None
        raise
    finally:
        timer.cancel()
        conn.close()


def keeps_deadline(method: F) -> F:
    """Marks a context's `http_get` that does its reads itself with `fetch` (the deadline and
    the byte cap kept): `http_probe` calls it as it is, in this thread. A subclass that
    overrides the method without the mark is run under `within` again."""
    method.keeps_deadline = True  # type: ignore[attr-defined]
    return method


def within(call: Callable[[], T], timeout: float) -> T:
    """`call()`, given up with ProbeDeadline after `timeout` s (for contexts whose reads
    labgrade does not do itself: the call goes on in a daemon thread, ours does not wait)."""
    box: dict[str, Any] = {}

    def run() -> None:
        try:
            box["value"] = call()
        except BaseException as e:  # handed to the caller below
            box["error"] = e

    worker = threading.Thread(target=run, daemon=True)
    worker.start()
    worker.join(timeout)
    if worker.is_alive():
        raise ProbeDeadline(f"no complete answer within {timeout:g} s")
    if "error" in box:
        raise box["error"]
    return box["value"]  # type: ignore[no-any-return]


def http_probe(ctx: Any, port: int, path: str, timeout: float) -> HttpResponse:
    """`ctx.http_get(port, path, timeout)` with a total deadline and a byte cap.

    A context whose `http_get` is marked `keeps_deadline` (the engine's) is called as it is;
    the live engine is fetched here directly with `fetch` (through 127.0.0.1, as it would);
    any other context (a test's fake, a plugin's) has its own `http_get` called under
    `within`."""
    from graders.backends.live import LOCALHOST, LiveEngine

    kind = type(ctx)
    if getattr(kind.http_get, "keeps_deadline", False):
        return ctx.http_get(port, path, timeout)  # type: ignore[no-any-return]
    if isinstance(ctx, LiveEngine) and kind.http_get is LiveEngine.http_get:
        return fetch(LOCALHOST, port, path, timeout)
    return within(lambda: ctx.http_get(port, path, timeout), timeout + 1.0)


@dataclass(frozen=True)
class HttpCheck(Check):
    """GET `path` on a container port (from the host, through the port published on 127.0.0.1).

    ```yaml
    - id: serves-index
      type: http
      port: 80
      path: /
      status: 200
      body: "(?i)it works"
      headers: {Content-Type: "^text/html"}
    ```
    """

    port: int = 80
    """The container port (it must be in the lab's `run.ports`)."""
    path: str = "/"
    """The request path, starting with `/`."""
    status: int | None = 200
    """The expected status code; null accepts any."""
    body: str | None = None
    """A regex searched (multi-line) in the body, decoded as UTF-8."""
    headers: dict[str, Any] = field(default_factory=dict)
    """Header name (any case) -> regex searched in its value."""
    timeout: float = 5.0
    """Seconds for the whole answer (connect, headers and body: a total deadline)."""

    type_name: ClassVar[str] = "http"
    need: ClassVar[Need] = Need.CONTAINER
    host_port_field: ClassVar[str | None] = "port"
    default_title: ClassVar[Text] = Text("Responde por HTTP", "Answers over HTTP")
    default_hint: ClassVar[Text | None] = Text(
        "Rode o contêiner com -p e teste com curl: o servidor deve escutar em 0.0.0.0 nessa porta "
        "e servir essa página.",
        "Run the container with -p and try it with curl: the server must listen on 0.0.0.0 on "
        "that port and serve that page.",
    )

    def validate(self) -> list[str]:
        problems = type_problems("port", self.port, int, "a port number 1-65535")
        problems = problems or number_problems("port", self.port, 1, 65535)
        if not str(self.path).startswith("/"):
            problems.append(f"path: expected a path starting with /, got {self.path!r}")
        if self.status is not None:
            problems += number_problems("status", self.status, 100, 599)
        problems += regex_problems("body", self.body)
        if self.headers:
            problems += mapping_problems("headers", self.headers, regex_values=True)
        return problems + number_problems("timeout", self.timeout, 0.1, 120)

    def run(self, ctx: CheckContext) -> Outcome:
        url = Text(f"GET {self.path} (porta {self.port})", f"GET {self.path} (port {self.port})")
        if ctx.published_port(self.port) is None:
            state = ctx.container_state()
            if not state.get("Running"):
                return Outcome.fail(
                    Text(
                        f"Sem resposta em {url.pt}: o contêiner não está rodando.",
                        f"No answer at {url.en}: the container is not running.",
                    ),
                    expected=self._answer(),
                    actual=stopped_text(state.get("ExitCode")),
                )
            raise SpecError(f"http check: container port {self.port} is not in run.ports")
        try:
            response = http_probe(ctx, self.port, self.path, self.timeout)
        except ConnectionError as e:
            return self._no_answer(
                url,
                e,
                Text("conexão recusada ou fechada", "connection refused or closed"),
                Text(
                    " A conexão foi recusada ou fechada: nada escuta nessa porta dentro do "
                    "contêiner (o servidor está rodando e escutando em 0.0.0.0?).",
                    " The connection was refused or closed: nothing listens on that port inside "
                    "the container (is the server running and listening on 0.0.0.0?).",
                ),
            )
        except http.client.HTTPException as e:
            return self._no_answer(
                url, e, Text("resposta inválida", "invalid answer"),
                Text(" A resposta não é HTTP válido.", " The answer is not valid HTTP."),
            )
        except TimeoutError as e:
            return self._no_answer(
                url,
                e,
                Text(f"nada em {self.timeout:g} s", f"nothing within {self.timeout:g} s"),
                Text(
                    f" Nenhuma resposta em {self.timeout:g} s.",
                    f" No answer within {self.timeout:g} s.",
                ),
            )
        except OSError as e:
            return self._no_answer(url, e, Text("sem resposta", "no answer"), Text("", ""))
        return self._judge(url, response)

    def _answer(self) -> Text:
        if self.status is None:
            return Text("uma resposta HTTP", "an HTTP answer")
        return Text.same(f"HTTP {self.status}")

    def _no_answer(self, url: Text, error: Exception, short: Text, why: Text) -> Outcome:
        """No answer: `short` says it in both languages; the system's own (English) error
        text goes to the instructor's details."""
        return Outcome.fail(
            Text(f"Sem resposta HTTP em {url.pt}.", f"No HTTP answer at {url.en}.") + why,
            expected=self._answer(),
            actual=short,
            details=f"{type(error).__name__}: {error}".rstrip(": "),
        )

    def _judge(self, url: Text, response: HttpResponse) -> Outcome:
        text = decode(response.body[:BODY_LIMIT])
        got = answer_text(response.status, clip(text, 200))
        if self.status is not None and response.status != self.status:
            return Outcome.fail(
                Text(
                    f"{url.pt} respondeu com status inesperado.",
                    f"{url.en} answered an unexpected status.",
                ),
                expected=Text.same(f"HTTP {self.status}"),
                actual=got,
            )
        if self.body is not None and not re.search(self.body, text, re.MULTILINE):
            return Outcome.fail(
                Text(
                    f"O corpo de {url.pt} não é o esperado.",
                    f"The body of {url.en} is not as expected.",
                ),
                expected=Text("corpo ", "body ") + pattern_text(self.body),
                actual=got,
            )
        lower = {k.lower(): v for k, v in response.headers.items()}
        for name, pattern in self.headers.items():
            value = lower.get(str(name).lower())
            regex = "" if pattern is None else str(pattern)
            if value is None or not re.search(regex, value):
                return Outcome.fail(
                    Text(
                        f"Cabeçalho {name} incorreto em {url.pt}.",
                        f"Header {name} is wrong at {url.en}.",
                    ),
                    expected=Text.same(f"{name}: ") + pattern_text(regex) if regex
                    else Text(f"{name} presente", f"{name} present"),
                    actual=f"{name}: {value}" if value is not None
                    else Text(f"{name} ausente", f"{name} absent"),
                )
        return Outcome.ok(
            Text(
                f"{url.pt} respondeu HTTP {response.status}.",
                f"{url.en} answered HTTP {response.status}.",
            ),
            actual=f"HTTP {response.status}",
        )
