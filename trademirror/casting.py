"""A column's cells cast to the field's type, as frictionless casts them, on whole columns.

`cast_column` gives, for one field, which cells are missing, which are not of
the field's type, and each cell's value as a key: None where frictionless'
value is None, else a hashable value equal where frictionless' values are
equal (for unique and foreign-key checks). A distinct cell is cast once.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

import numpy as np
import pandas as pd

from .tablereading import Table


def decimal(cell: str) -> Decimal | None:
    try:
        return Decimal(cell.strip())
    except Exception:
        return None


def _integer(cell: str) -> int | None:
    try:
        return int(cell.strip())
    except Exception:
        return None


def _date(cell: str):
    try:
        return datetime.strptime(cell, "%Y-%m-%d").date()
    except Exception:
        return None


def _year(cell: str) -> int | None:
    if len(cell) != 4:
        return None
    try:
        value = int(cell)
    except Exception:
        return None
    return value if 0 <= value <= 9999 else None


READERS = {"number": decimal, "integer": _integer, "date": _date, "year": _year}


def cast_unique(kind: str, uniques: np.ndarray) -> list:
    """frictionless' cast of each distinct cell, in plain Python: exact, and cheap when values repeat."""
    reader = READERS[kind]
    return [reader(v) for v in uniques]


def cast_numbers(values: np.ndarray) -> tuple[np.ndarray, np.ndarray, pd.Series]:
    """Floats and validity for number cells: pandas' parser first, Decimal for whatever it refuses.

    A cell pandas parses is one Decimal accepts too; cells pandas refuses
    (`1_000`, non-ASCII digits, NaN spelt out) are decided by Decimal itself.
    """
    typed = pd.to_numeric(pd.Series(values, dtype=object), errors="coerce")
    parsed = np.array(typed, dtype=float)
    valid = ~np.isnan(parsed)
    for i in np.flatnonzero(~valid):
        exact = decimal(values[i])
        if exact is not None:
            valid[i] = True
            parsed[i] = float(exact)
    return parsed, valid, typed


@dataclass
class Column:
    """One field's cells and what casting them found."""

    values: np.ndarray  # the cells as text (object array)
    factor: tuple[np.ndarray, np.ndarray] | None  # (codes, distinct cells) when read as categorical with no gap
    missing: np.ndarray  # bool: a missing value, or no cell at all
    type_error: np.ndarray  # bool: present but not of the field's type
    key: np.ndarray  # object: the cast value, None where missing or not of the type
    numeric: np.ndarray | None  # the value per row for ordered constraints (floats for numbers), else None


def cast_column(table: Table, position: int, missing_values: list[str]) -> Column:
    """Cast one text column; a number column whose cells all cast is kept in `table.numbers` for loading."""
    spec = table.fields[position]
    name, kind = spec["name"], spec.get("type", "string")
    values = table.frame[name].to_numpy(dtype=object)
    factor = table.factor(name)
    if factor is not None and (factor[0] < 0).any():
        factor = None
    missing = _missing(values, factor, missing_values)
    if table.present is not None:
        missing = missing | ~table.present[:, position]
    filled = np.flatnonzero(~missing)
    if kind == "string":
        return Column(values, factor, missing, np.zeros(len(values), dtype=bool), _string_key(values, filled), None)
    if kind == "number":
        column, typed = _number_column(values, factor, missing, filled)
        if typed is not None:
            table.numbers[name] = typed
        return column
    return _cast_other(kind, values, factor, missing, filled)


def _missing(values: np.ndarray, factor, missing_values: list[str]) -> np.ndarray:
    """Where a cell is one of the schema's missing values (tested per distinct cell when categorical)."""
    if factor is not None:
        return pd.Series(factor[1], dtype=object).isin(list(missing_values)).to_numpy()[factor[0]]
    if list(missing_values) == [""]:
        return values == ""
    if missing_values:
        return pd.Series(values, dtype=object).isin(missing_values).to_numpy()
    return np.zeros(len(values), dtype=bool)


def _string_key(values: np.ndarray, filled: np.ndarray) -> np.ndarray:
    if len(filled) == len(values):
        return values  # nothing missing: the cells are the keys, no copy
    key = np.full(len(values), None, dtype=object)
    key[filled] = values[filled]
    return key


def _number_column(values, factor, missing, filled) -> tuple[Column, pd.Series | None]:
    """Number cells as floats; the typed Series too when every cell is a number (load reuses it)."""
    rows = len(values)
    key = np.full(rows, None, dtype=object)
    parsed, valid, typed = cast_numbers(values[filled])
    type_error = np.zeros(rows, dtype=bool)
    type_error[filled[~valid]] = True
    numeric = np.full(rows, np.nan)
    numeric[filled] = parsed
    good = filled[valid]
    key[good] = numeric[good]
    whole = typed if valid.all() and len(filled) == rows else None
    return Column(values, factor, missing, type_error, key, numeric), whole


def _cast_other(kind: str, values, factor, missing, filled) -> Column:
    """Integers, dates and years, each distinct cell cast once; compared one by one as exact Python values."""
    rows = len(values)
    if factor is not None:
        codes, uniques = factor[0][filled], factor[1]
    else:
        codes, uniques = pd.factorize(values[filled])
    cast = cast_unique(kind, np.asarray(uniques, dtype=object))
    cast_rows = np.array(cast + [None], dtype=object)[codes] if len(filled) else np.array([], dtype=object)
    ok = np.array([c is not None for c in cast] + [False], dtype=bool)[codes]
    type_error = np.zeros(rows, dtype=bool)
    type_error[filled[~ok]] = True
    if len(filled) == rows and ok.all():
        key = cast_rows  # every cell cast: already a fresh array of the values
    else:
        key = np.full(rows, None, dtype=object)
        key[filled[ok]] = cast_rows[ok]
    return Column(values, factor, missing, type_error, key, key)
