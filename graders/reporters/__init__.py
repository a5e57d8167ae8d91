"""The reporter table: format name -> where its reporter is (imported only when used) and what
the command line does with it.

Adding a format means one new file in this package plus one line here: `grade` and `check`
get its `--NAME FILE` flag from this table (graders/cli/formats.py).
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass

from graders.errors import UsageError
from graders.i18n import Lang
from graders.reporters.base import MultiReporter, Reporter
from graders.results import LabResult

__all__ = ["REPORTERS", "Format", "MultiReporter", "Reporter", "get_reporter", "render"]


@dataclass(frozen=True)
class Format:
    reporter: str
    """"module:Class", imported only when the format is rendered."""
    file: bool = True
    """Written to a file, `grade`/`check --NAME FILE`; False: printed on the terminal."""
    platform: bool = False
    """A grading platform reads the file, so `grade` exits 0 once it is written (PrairieLearn
    reads results.json only after exit 0; the file itself says what could not be graded)."""


REPORTERS: dict[str, Format] = {
    "json": Format("graders.reporters.json_report:JsonReporter"),
    "junit": Format("graders.reporters.junit:JunitReporter"),
    "markdown": Format("graders.reporters.markdown:MarkdownReporter"),
    "classroom": Format("graders.reporters.classroom:ClassroomReporter", platform=True),
    "gradescope": Format("graders.reporters.gradescope:GradescopeReporter", platform=True),
    "prairielearn": Format("graders.reporters.prairielearn:PrairieLearnReporter", platform=True),
    "table": Format("graders.reporters.table:TableReporter", file=False),
}


def get_reporter(name: str) -> type[Reporter]:
    """The class for a format name; `UsageError` naming the valid formats for an unknown one."""
    try:
        module_name, class_name = REPORTERS[name].reporter.split(":")
    except KeyError:
        valid = ", ".join(sorted(REPORTERS))
        raise UsageError(f"Unknown report format {name!r}. Valid formats: {valid}.") from None
    cls: type[Reporter] = getattr(importlib.import_module(module_name), class_name)
    return cls


def render(fmt: str, result: LabResult, lang: Lang, **options: object) -> str:
    """Render with a reporter, passing only the options that reporter has."""
    cls = get_reporter(fmt)
    names = set(getattr(cls, "__dataclass_fields__", {}))  # a reporter's options
    reporter = cls(**{k: v for k, v in options.items() if k in names})
    return reporter.render(result, lang)
