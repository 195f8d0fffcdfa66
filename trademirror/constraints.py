"""Which rows break a field's constraint, as frictionless decides it, on whole columns.

`failures` answers for one constraint of one cast column (see `casting`):
a boolean per row. Only cells with no type error are checked, as in
frictionless. A string rule is tested once per distinct cell where the
column repeats itself, and a pattern is first tried on the whole column in
one regular-expression pass.
"""

from __future__ import annotations

import re
from typing import Any

import numpy as np
import pandas as pd

from .casting import READERS, Column, decimal

STRING_RULES = ("minLength", "maxLength", "pattern", "enum")
COMPARE = {"minimum": np.less, "maximum": np.greater, "exclusiveMinimum": np.less_equal,
           "exclusiveMaximum": np.greater_equal}  # true where a value breaks the bound


class NeedText(Exception):
    """A number column was read as numbers, but an error message needs its cells as written."""


def failures(name: str, limit: Any, kind: str, column: Column, missing_values: list[str]) -> np.ndarray | None:
    """Rows that break constraint `name` with value `limit` (None: a `required: false` checks nothing)."""
    has = ~column.type_error & ~column.missing
    if name == "required":
        return ~column.type_error & column.missing if limit else None
    if kind == "string" and column.factor is not None and name in STRING_RULES:
        codes, uniques = column.factor
        return _string_failures(name, limit, uniques)[codes] & has
    if kind == "string":
        out = np.zeros(len(column.values), dtype=bool)
        if name == "minLength" and limit <= 1 and "" in missing_values:
            return out  # a cell that is not missing has at least one character
        idx = slice(None) if has.all() else np.flatnonzero(has)
        out[idx] = _string_failures(name, limit, column.values[idx])
        return out
    idx = np.flatnonzero(has)
    out = np.zeros(len(column.values), dtype=bool)
    if name == "enum":
        reader = READERS[kind]
        allowed = {reader(str(v)) if isinstance(v, str) else v for v in limit}
        out[idx] = [k not in allowed for k in column.key[idx]]
    elif kind == "number":
        out[idx] = _number_bound(name, limit, column.numeric[idx], column.values[idx])
    else:
        bound = READERS[kind](str(limit)) if isinstance(limit, str | int | float) else limit
        out[idx] = [bool(COMPARE[name](k, bound)) for k in column.key[idx]]
    return out


def _string_failures(name: str, limit: Any, cells: np.ndarray) -> np.ndarray:
    """Which text cells break a string rule (len() per cell is several times faster than .str.len() on 1M ids)."""
    if name in ("minLength", "maxLength"):
        lengths = np.fromiter(map(len, cells), dtype=np.int64, count=len(cells))
        return lengths < limit if name == "minLength" else lengths > limit
    if name == "pattern":
        return _pattern_failures(limit, cells)
    return ~pd.Series(cells, dtype=object).isin(list(limit)).to_numpy()


def _pattern_failures(pattern: str, cells: np.ndarray) -> np.ndarray:
    """Cells that do not match the whole pattern; where values repeat, each distinct one is tested once."""
    codes = uniques = None
    sample = cells[:2000]
    if len(set(sample.tolist())) * 4 < len(sample):  # few distinct values: try each once
        codes, uniques = pd.factorize(cells)
        uniques = np.asarray(uniques, dtype=object)
    if _all_match(pattern, cells if uniques is None else uniques):
        return np.zeros(len(cells), dtype=bool)
    if uniques is None:
        codes, uniques = pd.factorize(cells)
    compiled = re.compile(f"^{pattern}$")
    ok = np.array([compiled.match(u) is not None for u in uniques] + [True], dtype=bool)
    return ~ok[codes]


def _all_match(pattern: str, values: np.ndarray) -> bool:
    """True when every value matches the pattern, tested in one regex pass over the joined column.

    With values one per line, `(?m)^(?:p)$` matches once per line exactly when
    each line matches on its own (matches do not overlap, each starts at a
    line start and may only end at a line end). Only a yes is trusted: any
    doubt (a newline inside a value, lookarounds or anchors that see past a
    line) returns False and the caller tests value by value.
    """
    if not len(values) or any(t in pattern for t in ("(?", "\\A", "\\Z", "\\n", "\\s", "\\S", "\\W", "\\D")):
        return False
    text = "\n".join(values.tolist())
    if text.count("\n") != len(values) - 1 or "\r" in text:
        return False  # some value holds a newline: a line of its own would match where the value does not
    try:
        _, n = re.subn(f"(?m)^(?:{pattern})$", "", text)
    except re.error:
        return False
    return n == len(values)


def _number_bound(name: str, limit: Any, numbers: np.ndarray, cells: np.ndarray) -> np.ndarray:
    """Number cells that break a bound: on floats, with ties (where rounding may hide a difference) decided exactly."""
    bound = decimal(str(limit)) if isinstance(limit, str | int | float) else limit
    compare, limit_f = COMPARE[name], float(bound)
    fails = compare(numbers, limit_f) | np.isnan(numbers)
    for t in np.flatnonzero(numbers == limit_f):
        exact = decimal(cells[t])
        fails[t] = exact != exact or bool(compare(exact, bound))  # NaN never passes a bound
    return fails


def typed_number_key(column: pd.Series, constraints: dict) -> np.ndarray:
    """The floats of a number column pandas read as numbers, when they break no bound: then every cell is valid.

    Such a column has no missing cell and every cell is a number Decimal accepts
    too. Any bound failure or tie (or an enum) raises NeedText, so the column is
    read again as written and checked cell by cell.
    """
    values = column.to_numpy(dtype=float)
    if "enum" in constraints:
        raise NeedText(column.name)
    for name, compare in COMPARE.items():
        if name in constraints:
            bound = decimal(str(constraints[name]))
            if bound is None or compare(values, float(bound)).any() or (values == float(bound)).any():
                raise NeedText(column.name)
    return values
