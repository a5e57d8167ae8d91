"""An instructor's pytest test (`labs/<id>/test_*.py`) as a check of the lab.

The spec loader makes one per test function (graders/instructor_tests.py reads them with
`ast`); it is not a YAML `type:`. Its `need` comes from the fixtures the test asks for, so the
engine runs it at that stage, with the image built and the container up; the tests of one
stage run together in one pytest session (graders/pytest_session.py), served by `suite`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, ClassVar, Protocol

from graders.checks.base import Check, CheckContext, Need, Outcome
from graders.i18n import Text

TYPE_NAME = "pytest"


class InstructorSuite(Protocol):
    def outcome(self, ctx: CheckContext, test: InstructorTest) -> Outcome:
        """The test's outcome in this run; raises CheckSkipped, or an error for ERROR."""


@dataclass(frozen=True)
class InstructorTest(Check):
    type_name: ClassVar[str] = TYPE_NAME
    need: ClassVar[Need] = Need.DOCKERFILE
    default_title: ClassVar[Text] = Text("Teste do professor", "Instructor's test")

    name: str = ""
    """The test function's name (also the check's id)."""
    file: str = ""
    """The absolute path of the lab's test file that defines it."""
    title: Text = field(default_factory=lambda: Text.same(""))
    """Its docstring (the `pt:`/`en:` lines, else the first line): what passing means."""
    hidden: bool = False
    suite: Any = field(default=None, compare=False, repr=False)
    """The lab's `InstructorSuite`, shared by all its instructor tests."""

    def run(self, ctx: CheckContext) -> Outcome:
        suite: InstructorSuite = self.suite
        return suite.outcome(ctx, self)


class ImageInstructorTest(InstructorTest):
    need = Need.IMAGE


class ContainerInstructorTest(InstructorTest):
    need = Need.CONTAINER


def instructor_test(need: Need, **fields: Any) -> InstructorTest:
    """The check for a test that needs `need` (its latest fixture's stage)."""
    cls = {Need.IMAGE: ImageInstructorTest, Need.CONTAINER: ContainerInstructorTest}.get(
        need, InstructorTest)
    return cls(**fields)
