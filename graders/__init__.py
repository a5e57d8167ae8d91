"""labgrade: grade Docker labs on a real Docker engine."""

from graders.errors import GraderError, SpecError
from graders.results import CheckResult, LabResult, Status

__all__ = ["CheckResult", "GraderError", "LabResult", "SpecError", "Status"]
__version__ = "0.1.0"
