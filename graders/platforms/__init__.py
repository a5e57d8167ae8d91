"""Where users already are: GitHub Classroom and Actions, Gradescope, the student's terminal.

Each module adapts one finished grading run (or one lab) to one platform; the formats
themselves are in `graders.reporters`. The modules are imported one by one where they are
used, never all here: `labgrade grade` needs only `github` and `progress`, and importing the
others cost it 8 ms of start-up.
"""
