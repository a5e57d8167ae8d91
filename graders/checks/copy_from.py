"""`copy_from`: every COPY --from reads an earlier stage (or, on purpose, an image)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from graders.checks._dockerfile import at, join_lines, no_dockerfile, type_problems
from graders.checks.base import Check, CheckContext, Need, Outcome
from graders.dockerfile.model import Dockerfile, Instruction
from graders.dockerfile.refs import FromTarget, copy_from_target
from graders.i18n import Text, join_shown

PROBLEMS = {
    "current": Text(
        "{v} é o próprio estágio desta linha; COPY --from lê um estágio anterior",
        "{v} is this line's own stage; COPY --from reads an earlier stage",
    ),
    "out_of_bounds": Text(
        "não há estágio de índice {v} antes desta linha (os índices começam em 0)",
        "there is no stage with index {v} before this line (indexes start at 0)",
    ),
    "later_stage": Text(
        "o estágio {v} só é definido depois desta linha; o Docker vai tentar baixar uma imagem {v}",
        "stage {v} is only defined after this line; Docker will try to pull an image named {v}",
    ),
    "unknown_name": Text(
        "não existe estágio chamado {v}; o Docker vai tentar baixar uma imagem {v}",
        "there is no stage named {v}; Docker will try to pull an image named {v}",
    ),
    "image": Text(
        "{v} é uma imagem, não um estágio deste Dockerfile",
        "{v} is an image, not a stage of this Dockerfile",
    ),
}
COPY_FROM = Text("COPY --from=<estágio> <origem> <destino>", "COPY --from=<stage> <src> <dest>")


@dataclass(frozen=True)
class CopyFromCheck(Check):
    """Every `COPY --from=` names an earlier stage, by name or index.

    A bare word that names no earlier stage is the classic typo (`--from=buildando` for a stage
    named `build`): Docker takes it for an image and fails pulling it, and the message names the
    stage that is there. Values with `:`, `/` or `@` are image references, accepted when
    `images` is true. Any stage name is fine (`build`, `builder`, `BUILD`), and so is an index.

    ```yaml
    - id: copies-from-build
      type: copy_from
      points: 10
      required: true
    ```
    """

    type_name: ClassVar[str] = "copy_from"
    need: ClassVar[Need] = Need.DOCKERFILE
    default_title: ClassVar[Text] = Text(
        "COPY --from aponta para um estágio", "COPY --from points to a stage"
    )
    default_hint: ClassVar[Text | None] = Text(
        "Use em --from o nome dado no FROM ... AS <nome> de um estágio anterior.",
        "In --from, use the name given by FROM ... AS <name> in an earlier stage.",
    )

    required: bool = False
    """Fail unless some COPY --from reads an earlier stage (an image alone is not enough)."""
    images: bool = True
    """Accept `--from=<image reference>` (with `:`, `/` or `@`), such as nginx:1.25."""

    def validate(self) -> list[str]:
        return type_problems("required", self.required, bool, "true or false") + type_problems(
            "images", self.images, bool, "true or false"
        )

    def _problem(self, target: FromTarget) -> str | None:
        if target.problem:
            return target.problem
        if target.image is not None and not self.images:
            return "image"
        return None

    def run(self, ctx: CheckContext) -> Outcome:
        df = ctx.dockerfile
        if df is None:
            return no_dockerfile()
        copies = [(i, copy_from_target(i, df)) for i in df.instructions if i.keyword == "COPY"]
        targets = [(i, t) for i, t in copies if t is not None]
        if not targets:
            if not self.required:
                return Outcome.ok(Text("Nenhum COPY --from.", "No COPY --from."))
            final = df.final_stage
            return Outcome.fail(
                Text(
                    "Nenhum COPY --from: o estágio final não copia nada de outro estágio.",
                    "No COPY --from: the final stage copies nothing from another stage.",
                ),
                expected=COPY_FROM,
                actual="—",
                line=final.line if final else None,
            )
        bad = [(i, t, p) for i, t in targets if (p := self._problem(t)) is not None]
        if bad:
            failures = [self._fail(df, i, t, p) for i, t, p in bad]
            return Outcome.fail(
                join_lines([f.message for f in failures]),
                expected=join_shown("\n", (f.expected or "" for f in failures)),
                actual=join_shown("\n", (f.actual or "" for f in failures)),
                line=failures[0].line,
            )
        stages = [(i, t) for i, t in targets if t.stage is not None]
        if not stages and self.required:
            images = ", ".join(dict.fromkeys(t.value for _, t in targets))
            return Outcome.fail(
                Text(
                    "COPY --from só lê imagens ({v}): nenhum copia de um estágio anterior.",
                    "COPY --from reads only images ({v}): none copies from an earlier stage.",
                ).format(v=images),
                expected=COPY_FROM,
                actual="\n".join(at(df, i) for i, _ in targets[:5]),
                line=targets[0][0].line,
            )
        return Outcome.ok(
            Text(
                "{n} COPY --from de estágios anteriores, {m} de imagens.",
                "{n} COPY --from from earlier stages, {m} from images.",
            ).format(n=len(stages), m=len(targets) - len(stages)),
            actual="\n".join(at(df, i) for i, _ in targets[:5]),
            line=targets[0][0].line,
        )

    @staticmethod
    def _fail(df: Dockerfile, instr: Instruction, target: FromTarget, problem: str) -> Outcome:
        message = Text("COPY --from={v} (linha {n}): ", "COPY --from={v} (line {n}): ").format(
            v=target.value, n=instr.line
        ) + PROBLEMS[problem].format(v=target.value)
        earlier = [s for s in df.stages if s.index < instr.stage]
        better = target.suggestion or next(
            (s.name or str(s.index) for s in reversed(earlier)), None
        )
        if target.suggestion:
            message += Text("; você quis dizer {s}?", "; did you mean {s}?").format(s=better)
        else:
            message += Text.same(".")
        rest = instr.text.replace(f"--from={target.value}", f"--from={better}", 1)
        return Outcome.fail(
            message,
            expected=f"COPY {rest}" if better else COPY_FROM,
            actual=at(df, instr),
            line=instr.line,
        )
