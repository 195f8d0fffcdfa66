"""One figure row at a time: its interval, how a message describes it, and a finding over several rows.

The row-by-row oracle (tests/reference_checks.py) imports these too, so what
it compares with the fast checks is their logic alone.
"""

from __future__ import annotations

from collections.abc import Iterable

import pandas as pd

from .. import currency, fmt
from ..package import Dataset
from ..report import Problem
from .intervals import Interval, bounds

PERIOD = ["period_start", "period_end"]
KEEP = "keep the figures as published; the site reports the contradiction"


def _rows(frame: pd.DataFrame) -> list:
    return list(frame.itertuples(index=False))


def _rows_at(frame: pd.DataFrame, positions: Iterable[int]) -> dict[int, tuple]:
    """The rows at these positions, as `_rows` gives them, taken from the frame in one go."""
    wanted = sorted(set(int(p) for p in positions))
    return dict(zip(wanted, _rows(frame.iloc[wanted]), strict=True)) if wanted else {}


def _iv(row) -> Interval:
    return bounds(row.value_mn, row.qualifier)


def _names(data: Dataset) -> dict[str, str]:
    return dict(zip(data.countries["code"], data.countries["name"], strict=False))


def _describe(row, names: dict[str, str]) -> str:
    preposition = {"turnover": "with", "exports": "to", "imports": "from"}[row.flow]
    return (f"{names.get(row.reporter, row.reporter)} {row.flow} {preposition}"
            f" {names.get(row.partner, row.partner)}, {fmt.period(row.period_start, row.period_end)}:"
            f" {published(row)} (line {row.csv_line})")


def published(row) -> str:
    """A figure's value as its source printed it (the row a journalist checks): 'US$36.5bn', '€516.3bn'."""
    return fmt.money_mn(row.value * currency.UNIT_IN_MN[row.unit], row.currency, row.qualifier)


def _finding(code: str, data: Dataset, rows: list, message: str, fix: str, details: dict) -> Problem:
    rows = sorted(rows, key=lambda r: r.csv_line)
    return Problem("finding", code, data.files["figures"], rows[0].csv_line, "value", message, fix,
                   ids=tuple(r.id for r in rows), sources=tuple(dict.fromkeys(r.source_id for r in rows)),
                   details=details)
