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

    @property
    def exec_form(self) -> bool:
        return self.json_args is not None


@dataclass(frozen=True)
class Stage:
    index: int
    name: str | None
    """The name after AS, lower-cased as Docker does."""
    base: str
    """The FROM image with build args substituted."""
    line: int
    instructions: tuple[Instruction, ...]


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
