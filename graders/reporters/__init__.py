"""The reporter registry: format name -> "module:Class", imported only when used.

Adding a format means one new file in this package plus one line here.
"""

from __future__ import annotations

import importlib

from graders.errors import UsageError
from graders.i18n import Lang
from graders.reporters.base import MultiReporter, Reporter
from graders.results import LabResult

__all__ = ["REPORTERS", "MultiReporter", "Reporter", "get_reporter", "render"]

REPORTERS: dict[str, str] = {
    "json": "graders.reporters.json_report:JsonReporter",
    "junit": "graders.reporters.junit:JunitReporter",
    "markdown": "graders.reporters.markdown:MarkdownReporter",
    "classroom": "graders.reporters.classroom:ClassroomReporter",
    "gradescope": "graders.reporters.gradescope:GradescopeReporter",
    "prairielearn": "graders.reporters.prairielearn:PrairieLearnReporter",
    "table": "graders.reporters.table:TableReporter",
}


def get_reporter(name: str) -> type[Reporter]:
    """The class for a format name; `UsageError` naming the valid formats for an unknown one."""
    try:
        module_name, class_name = REPORTERS[name].split(":")
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
