"""Consistency checks: rules that span rows, beyond what a Table Schema can say.

Two kinds of result. An *error* is malformed data (a reversed period, a group
that lists an unknown country): the build stops. A *finding* is published
figures that contradict each other: the data is kept as published, the build
goes on, and the site reports it. Nothing here knows any country or year; the
checks find contradictions from the data alone.

Comparisons allow for rounding: each value stands for an interval (see
`intervals.bounds`), and two statements contradict only when their intervals
cannot meet.

Where things are: intervals.py (rounding), errors.py (the error checks),
context.py (what the finding checks of one validation share), rows.py (one row
described, a finding built), kind.py (a kind of finding: code, check, details,
sentence), registry.py (every kind, in order), and one module per family of
finding checks, each with its kinds' entries: totals.py, parts.py, growth.py,
gdp.py, units.py.

Speed: each finding check first finds, on whole columns, the few groups that
*can* hold a contradiction, then runs the plain row-by-row rule on those only,
so the Problems come from the same code, in the same order, as a row-by-row
pass over everything (`tests/reference_checks.py` keeps that pass as the oracle).
"""

from __future__ import annotations

from datetime import date

from ..package import Dataset
from ..report import Problem
from .context import Context
from .errors import (
    _error,
    check_agencies,
    check_corroborations,
    check_countries,
    check_currencies,
    check_names,
    check_periods,
    check_settings,
)
from .intervals import Interval, add, bounds, bounds_arrays, hull, overlap, rounding_unit, rounding_units
from .kind import Kind, Wording
from .registry import BY_CODE, FINDING_CHECKS, KINDS, sentence
from .rows import KEEP, PERIOD, _describe, _finding, _iv, _names, _rows, published
from .units import _months

__all__ = [
    "BY_CODE", "FINDING_CHECKS", "KEEP", "KINDS", "PERIOD", "Context", "Interval", "Kind", "Wording",
    "_describe", "_error", "_finding", "_iv", "_months", "_names", "_rows", "add", "bounds", "bounds_arrays",
    "check_agencies", "check_corroborations", "check_countries", "check_currencies", "check_names",
    "check_periods", "check_settings", "hull", "overlap", "published", "rounding_unit", "rounding_units", "run",
    "sentence",
]


def run(data: Dataset, today: date | None = None) -> list[Problem]:
    """All consistency errors and findings for a schema-valid package."""
    today = today or date.today()
    errors: list[Problem] = []
    errors += check_periods(data, today)
    errors += check_countries(data)
    errors += check_corroborations(data)
    errors += check_names(data)
    errors += check_settings(data)
    errors += check_currencies(data)
    errors += check_agencies(data)
    if errors:  # findings on malformed data would only add noise
        return errors
    ctx = Context(data)  # one per validation: the figures are coded once and shared by every check
    findings: list[Problem] = []
    for check in FINDING_CHECKS:
        findings += check(ctx)
    return findings
