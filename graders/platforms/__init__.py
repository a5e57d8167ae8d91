"""Where users already are: GitHub Classroom and Actions, Gradescope, the student's terminal.

Each module adapts one finished grading run (or one lab) to one platform; the formats
themselves are in `graders.reporters`.
"""

from graders.platforms.classroom_init import ClassroomOptions, init_repo
from graders.platforms.github import GitHubActions
from graders.platforms.gradescope_build import GradescopeOptions, build_zip
from graders.platforms.watch import watch

__all__ = ["ClassroomOptions", "GitHubActions", "GradescopeOptions", "build_zip", "init_repo",
           "watch"]
