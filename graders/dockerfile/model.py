"""The Dockerfile as Docker reads it: instructions with line numbers, grouped into stages."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Instruction:
    keyword: str
    """Upper case: FROM, RUN, CMD, ..."""
    value: str
    """The arguments as written, continuations joined, leading --flags removed."""
    line: int
    """1-based line where the instruction starts."""
    end_line: int
    stage: int
    """Index of the stage the instruction belongs to (-1 for ARGs before the first FROM)."""
    flags: dict[str, str] = field(default_factory=dict)
    """Leading flags such as --from=build or --chown=app (name without dashes -> value)."""
    json_args: tuple[str, ...] | None = None
    """The exec-form arguments when the value is a JSON array, else None (shell form)."""
    heredocs: tuple[str, ...] = ()
    """Bodies of heredocs (<<EOF ... EOF) attached to this instruction."""
    raw: str = ""
    """The source lines of the instruction as written (comments inside it included)."""
    flag_words: tuple[str, ...] = ()
    """The leading flags as written, in order (`--mount` may repeat; `flags` keeps the last)."""
    escape: str = "\\"
    """The Dockerfile's escape character (the `# escape=` directive), for unquoting `value`."""

    @property
    def exec_form(self) -> bool:
        return self.json_args is not None

    @property
    def text(self) -> str:
        """Flags and value, as one string: what a regex over "the arguments" should see."""
        return " ".join((*self.flag_words, self.value))


@dataclass(frozen=True)
class Stage:
    index: int
    name: str | None
    """The name after AS, lower-cased as Docker does."""
    base: str
    """The FROM image with build args substituted."""
    line: int
    instructions: tuple[Instruction, ...]
    base_stage: int | None = None
    """Index of the earlier stage that `base` names (`FROM build`), else None (an image)."""

    @property
    def from_instruction(self) -> Instruction:
        return self.instructions[0]


@dataclass(frozen=True)
class ParseProblem:
    line: int
    message: str


@dataclass(frozen=True)
class Dockerfile:
    path: str
    instructions: tuple[Instruction, ...]
    stages: tuple[Stage, ...]
    directives: dict[str, str] = field(default_factory=dict)
    problems: tuple[ParseProblem, ...] = ()
    """Lines Docker would reject (unknown instruction, bad JSON); parsing carries on past them."""
    global_args: dict[str, str] = field(default_factory=dict)
    """ARGs declared before the first FROM, with their defaults or build-arg overrides."""
    source: str = ""
    """The text that was parsed (BOM removed), for tools that read it again (hadolint)."""

    def find(self, keyword: str, stage: int | None = None) -> list[Instruction]:
        """Instructions with this keyword, in one stage (negative indexes count from the end)."""
        key = keyword.upper()
        if stage is not None and self.stages:
            index = self.stages[stage].index
            return [i for i in self.instructions if i.keyword == key and i.stage == index]
        return [i for i in self.instructions if i.keyword == key]

    @property
    def final_stage(self) -> Stage | None:
        return self.stages[-1] if self.stages else None

    def stage_named(self, name: str) -> Stage | None:
        """The stage called `name` (case-insensitive, as Docker resolves it), if any."""
        key = name.lower()
        return next((s for s in self.stages if s.name == key), None)

    def select_stages(self, which: str) -> list[Stage]:
        """Stages for a check's `stage:` field: final, first, any (every stage), a name or index."""
        if not self.stages:
            return []
        if which == "final":
            return [self.stages[-1]]
        if which == "first":
            return [self.stages[0]]
        if which in ("any", "all"):
            return list(self.stages)
        if which.isdigit():
            index = int(which)
            return [self.stages[index]] if index < len(self.stages) else []
        stage = self.stage_named(which)
        return [stage] if stage else []

    def ancestry(self, stage: Stage) -> list[Stage]:
        """`stage` and the earlier stages it is built FROM, nearest first."""
        chain = [stage]
        while chain[-1].base_stage is not None and len(chain) <= len(self.stages):
            chain.append(self.stages[chain[-1].base_stage])
        return chain
