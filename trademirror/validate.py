"""Schema first, then consistency: the full validation of one package."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from . import checks, package
from .package import Dataset
from .report import Report


def validate(descriptor: Path, today: date | None = None) -> tuple[Report, Dataset | None]:
    """Validate a package; return the report and, when it has no errors, the loaded data."""
    problems = package.validate_schema(descriptor)
    if problems:
        return Report(problems), None
    data = package.load(descriptor)
    report = Report(checks.run(data, today))
    return report, (None if report.errors else data)
