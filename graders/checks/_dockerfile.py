"""Shared pieces of the checks that read only the Dockerfile (Need.DOCKERFILE).

`expected`/`actual` stay language-neutral (Dockerfile syntax, `Dockerfile:LINE: ...`); the
words a student reads are in the bilingual `message`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from pathlib import PurePath

from graders.checks import _common
from graders.checks.base import Outcome
from graders.dockerfile.build_errors import NO_INSTRUCTIONS
from graders.dockerfile.model import Dockerfile, Instruction, Stage
from graders.i18n import Text

STAGE_CHOICES = ("final", "first", "any")
NOTHING = "—"


def stage_text(which: str, prep: str = "") -> Text:
    """The stage(s) a check looks at, after a preposition: "" (none), "em"/in or "de"/of.

    Portuguese contracts the article: em + o estágio final = no estágio final.
    """
    fixed = {
        "final": Text("o estágio final", "the final stage"),
        "first": Text("o primeiro estágio", "the first stage"),
        "any": Text("o Dockerfile", "the Dockerfile"),
        "all": Text("todos os estágios", "every stage"),
    }
    text = fixed.get(which) or Text("o estágio {s}", "stage {s}").format(s=which)
    if not prep:
        return text
    pt = text.pt
    pt = {"em": "no ", "de": "do "}[prep] + pt[2:] if pt.startswith("o ") else f"{prep} {pt}"
    return Text(pt, {"em": "in ", "de": "of "}[prep] + text.en)


def stage_of(stage: Stage) -> str:
    """A stage by its name, else its index: what to put in `stage_text`."""
    return stage.name or str(stage.index)


def at(dockerfile: Dockerfile, instr: Instruction, limit: int = 160) -> str:
    """`Dockerfile:8: COPY --from=buildando /app/hello /app/hello` (one line, shortened)."""
    text = " ".join(f"{instr.keyword} {instr.text}".split())
    if len(text) > limit:
        text = text[: limit - 1] + "…"
    return f"{PurePath(dockerfile.path).name}:{instr.line}: {text}"


def no_dockerfile() -> Outcome:
    return Outcome.fail(
        Text("A entrega não tem Dockerfile.", "The submission has no Dockerfile."),
        expected="Dockerfile",
        actual=NOTHING,
    )


def no_stage(dockerfile: Dockerfile, which: str) -> Outcome:
    names = ", ".join(stage_of(s) for s in dockerfile.stages) or NOTHING
    if not dockerfile.instructions:
        message = NO_INSTRUCTIONS
    elif not dockerfile.stages:
        message = Text("O Dockerfile não tem nenhum FROM.", "The Dockerfile has no FROM.")
    else:
        message = Text("O Dockerfile não tem ", "The Dockerfile has no ") + stage_text(which) \
            + Text.same(".")
    return Outcome.fail(
        message,
        expected=f"FROM ... AS {which}" if which not in STAGE_CHOICES else "FROM ...",
        actual=names,
    )


def stage_instructions(dockerfile: Dockerfile, which: str) -> list[Instruction] | None:
    """Instructions of the selected stage(s), file order; `any` includes ARGs before FROM.

    None when the named stage does not exist.
    """
    if which == "any":
        return list(dockerfile.instructions)
    stages = dockerfile.select_stages(which)
    if not stages:
        return None
    return [i for s in stages for i in s.instructions]


def stage_problems(value: object, choices: Iterable[str] = STAGE_CHOICES) -> list[str]:
    """`stage:` is one of `choices`, a stage name or an index."""
    if not isinstance(value, str) or not value:
        return [f"stage: expected one of {', '.join(choices)}, a stage name or index"]
    if value in choices or value.isdigit() or re.match(r"^[a-zA-Z][a-zA-Z0-9-_.]*$", value):
        return []
    return [f"stage: {value!r} is not one of {', '.join(choices)}, a stage name or index"]


def type_problems(name: str, value: object, kind: type | tuple[type, ...], what: str) -> list[str]:
    """`_common.type_problems`, where None means "not set" and is fine."""
    return [] if value is None else _common.type_problems(name, value, kind, what)


def join_lines(texts: list[Text]) -> Text:
    """Several messages, one per line."""
    return Text.same("\n").join(texts)
