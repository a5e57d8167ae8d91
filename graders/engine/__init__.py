"""The grading engine: one submission of one lab in, one LabResult out.

`run` holds the stages and is the engine's one entry (`grade`, `grading_session`); the other
modules serve it: `intake` (the submission's files, refused or archived, with `dockerignore`),
`context` (what checks observe), `readiness`, `sandbox` (the limits a student's container runs
under) and `cleanup` (nothing left behind). Nothing is imported here, so that the
model (`graders.spec`) can read `sandbox`'s limits without loading the engine.
"""
