"""Hand-built `LabResult`s for the reporter tests: every status, hidden checks, hostile text."""

from __future__ import annotations

from graders.i18n import Text
from graders.results import BuildInfo, CheckResult, LabResult, Status

SECRETS = ("SECRET_TITLE", "SECRET_MSG", "SECRET_EXPECTED", "SECRET_ACTUAL", "SECRET_HINT")
"""Text of hidden checks: none of it may reach a student-facing output."""
TRACEBACK = "INSTRUCTOR_ONLY_TRACEBACK"
"""Text of `details` (instructor evidence): none of it may reach a student-facing output."""

BAD_BYTES = b"\xff\xfe\xc3( \xed\xa0\x80".decode("utf-8", "surrogateescape")
HOSTILE = (
    "\x00\x1b[31m]]></testcase><script>alert(1)</script>\x07\x0b"
    + BAD_BYTES
    + "\n::set-output name=score::100\n  ::error::forged\r\n"
    + "``` **bold** | pipe | [link](http://x) # head \u202e\ufffe\x9b31m"
)
BIG = 5 * 1024 * 1024


def check(
    check_id: str,
    status: Status,
    score: float,
    possible: float,
    *,
    hidden: bool = False,
    **kw: object,
) -> CheckResult:
    fields: dict[str, object] = {
        "title": Text(f"Título {check_id}", f"Title {check_id}"),
        "type": "image_user",
        "message": Text(f"Mensagem {check_id}", f"Message {check_id}"),
    }
    fields.update(kw)
    return CheckResult(
        check_id=check_id,
        status=status,
        score=score,
        possible=possible,
        hidden=hidden,
        **fields,  # type: ignore[arg-type]
    )


def make_rich() -> LabResult:
    return LabResult(
        lab="day2-apache",
        title=Text("Servidor Apache", "Apache server"),
        submission="alice",
        checks=(
            check("exposes-80", Status.PASSED, 10, 10, duration_s=0.25),
            check(
                "user-nonroot",
                Status.FAILED,
                0,
                10,
                expected=Text("um USER que não seja root", "a non-root USER"),
                actual="root",
                hint=Text("Use USER.", "Use USER."),
                line=5,
                details=TRACEBACK,
            ),
            check("labels", Status.FAILED, 2.5, 5, expected="3 labels", actual="1 label"),
            check(
                "registry-tag",
                Status.ERROR,
                0,
                5,
                message=Text("Registro indisponível", "Registry unavailable"),
                details=TRACEBACK,
            ),
            check("http-root", Status.SKIPPED, 0, 10),
            check(
                "secret-env",
                Status.PASSED,
                5,
                5,
                hidden=True,
                title=Text.same("SECRET_TITLE env"),
                message=Text.same("SECRET_MSG env"),
            ),
            check(
                "secret-port",
                Status.FAILED,
                0,
                5,
                hidden=True,
                title=Text.same("SECRET_TITLE port"),
                message=Text.same("SECRET_MSG port"),
                expected="SECRET_EXPECTED 8080",
                actual="SECRET_ACTUAL 80",
                hint=Text.same("SECRET_HINT"),
                details=TRACEBACK,
            ),
        ),
        build=BuildInfo(Status.PASSED, duration_s=12.5, image_id="sha256:abc"),
        duration_s=30.2,
        run_id="run-1",
    )


def make_hostile() -> LabResult:
    huge = (HOSTILE + "\n") * (BIG // len(HOSTILE))
    return LabResult(
        lab="day2-apache",
        title=Text.same("Lab " + HOSTILE),
        submission="bob\n" + BAD_BYTES,
        checks=(
            *(
                check(
                    f"c{i}",
                    status,
                    0,
                    1,
                    title=Text.same(HOSTILE),
                    message=Text.same(HOSTILE),
                    expected=HOSTILE,
                    actual=huge if i == 0 else HOSTILE,
                    hint=Text.same(HOSTILE),
                    details=huge,
                )
                for i, status in enumerate(
                    [Status.FAILED, Status.ERROR, Status.SKIPPED, Status.FAILED]
                )
            ),
            check("c0", Status.PASSED, 1, 1),  # a duplicate id: names must stay unique
        ),
        build=BuildInfo(Status.FAILED, log_tail=huge, explanation=Text.same(HOSTILE), line=3),
    )


def make_crash() -> LabResult:
    """What the engine makes of a harness crash: one visible ERROR, a hidden traceback."""
    return LabResult(
        lab="day2-apache",
        title=Text("Servidor Apache", "Apache server"),
        submission="carol",
        checks=(
            check(
                "labgrade",
                Status.ERROR,
                0,
                100,
                type="internal",
                message=Text("O corretor falhou", "Autograder failed, contact your instructor"),
                details=TRACEBACK,
            ),
        ),
        build=BuildInfo(Status.ERROR, explanation=Text.same("daemon went away")),
    )


def make_empty() -> LabResult:
    return LabResult(
        lab="day2-apache",
        title=Text.same("Apache"),
        submission="dave",
        checks=(),
        build=BuildInfo(Status.ERROR),
    )


def make_many(n: int = 5000) -> LabResult:
    """Enough checks with long values to overflow every size limit."""
    long = "x" * 1000 + "\n" + "y" * 1000
    return LabResult(
        lab="big",
        title=Text.same("Big"),
        submission="eve",
        checks=tuple(
            check(f"k{i}", Status.FAILED, 0, 1, expected=long, actual=long) for i in range(n)
        ),
        build=BuildInfo(Status.FAILED, log_tail=long * 100),
    )


def assert_no_secrets(text: str) -> None:
    __tracebackhide__ = True
    for secret in (*SECRETS, TRACEBACK):
        assert secret not in text, f"{secret} leaked"


def assert_clean(text: str) -> None:
    """No terminal escapes, NULs, bidi overrides or lone surrogates; encodes as UTF-8."""
    __tracebackhide__ = True
    for bad in ("\x00", "\x1b", "\x07", "\x9b", "\u202e", "\ufffe"):
        assert bad not in text, f"{bad!r} survived"
    text.encode("utf-8")
