"""Schema first, then consistency: the full validation of one package.

The text tables parsed for the schema check are handed on to `load`, so a big
package is read from disk and parsed only once.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

from . import checks, package
from .package import Dataset
from .report import Report


def validate(descriptor: Path, today: date | None = None) -> tuple[Report, Dataset | None]:
    """Validate a package; return the report and, when it has no errors, the loaded data."""
    schema = package.check_schema(descriptor)
    if schema.problems or schema.omitted:
        return Report(schema.problems, schema.omitted), None
    data = package.load(descriptor, schema.tables)
    report = Report(checks.run(data, today))
    return report, (None if report.errors else data)
