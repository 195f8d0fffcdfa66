"""How a number cell is read: one way, for validation and for the build.

The Table Schema's number type is Python's `Decimal`, which also takes
`1_000`, Arabic-Indic `١٢`, a no-break space, `NaN` and `Infinity`. The build
computes with pandas, which reads none of these as a finite number. So the
project reads numbers with `parse` (pandas) everywhere, and validation refuses,
one line each, every cell the schema accepts that `parse` cannot turn into a
finite number: anything validation accepts, the build can read.
"""

from __future__ import annotations

import re
import unicodedata
from decimal import Decimal, InvalidOperation

import numpy as np
import pandas as pd

from .resources import shown

GROUPED = re.compile(r"^[+-]?\d{1,3}(_\d{3})+(\.\d+)?$")
NUMBER_CHARACTERS = set("0123456789+-.eE")
BOUNDS = ("minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum")
PLAIN = "write a plain number with the digits 0-9 and a dot for decimals, e.g. 784 or 13.5"


def parse(cells) -> np.ndarray:
    """Number cells as floats, NaN where a cell is not a number (a missing cell, or one validation refuses)."""
    return np.asarray(pd.to_numeric(pd.Series(cells, dtype=object), errors="coerce"), dtype=float)


def unreadable(cells: np.ndarray, missing: np.ndarray) -> np.ndarray:
    """Where a cell that is not missing does not `parse` as a finite number."""
    bad = ~missing
    if bad.any():
        bad[bad] = ~np.isfinite(parse(cells[bad]))
    return bad


def _decimal(cell: str) -> Decimal | None:
    try:
        return Decimal(cell.strip())
    except (InvalidOperation, ValueError, TypeError):
        return None


def refusal(cell: str) -> tuple[str, str, str] | None:
    """(code, what is wrong, what to do) for a cell the schema reads as a number but the build cannot; else None."""
    value = _decimal(cell)
    if value is None:
        return None  # not a number at all: the schema's type check says so
    quoted = f"'{shown(cell)}'"
    if not value.is_finite():
        return ("not-finite", f"{quoted} is not a finite number",
                "write the value as published, in digits, e.g. 784; a figure is never infinite or 'not a number'")
    as_float = parse([cell])[0]
    if np.isfinite(as_float):
        return None
    if np.isinf(as_float):
        return ("out-of-range", f"{quoted} is too large to compute with", "check the value against the source")
    if any(ch.isdigit() and not ("0" <= ch <= "9") for ch in cell):
        ascii_form = "".join(str(unicodedata.digit(ch)) if ch.isdigit() else ch for ch in cell.strip())
        return ("non-ascii-digits", f"{quoted} has digits other than 0-9",
                f"write it with the digits 0-9: {shown(ascii_form)}")
    if GROUPED.match(cell.strip()):
        return ("thousands-separator", f"{quoted} has a thousands separator",
                "write the number without separators, with a dot for decimals, e.g. 29700.5")
    odd = next((ch for ch in cell if ch not in NUMBER_CHARACTERS and ch not in " \t"), None)
    what = f" ({unicodedata.name(odd, f'U+{ord(odd):04X}')})" if odd else ""
    return ("not-a-number", f"{quoted} has a character that is not part of a plain number{what}", PLAIN)


def breaks_bound(cell: str, constraints: dict) -> bool:
    """True when the schema's own bounds already refuse this cell (so its constraint line speaks for it).

    NaN fails every bound; infinity fails the bound on its side; other values compare as numbers.
    """
    value = _decimal(cell)
    if value is None:
        return False
    for name in BOUNDS:
        if name not in constraints:
            continue
        bound = _decimal(str(constraints[name]))
        if bound is None or value.is_nan():
            return True
        if (name == "minimum" and value < bound) or (name == "maximum" and value > bound) \
                or (name == "exclusiveMinimum" and value <= bound) or (name == "exclusiveMaximum" and value >= bound):
            return True
    return False
