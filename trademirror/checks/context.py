"""What the finding checks of one validation share: the package, its names and its figures as integer codes.

`run` builds one `Context` per validation and hands it to every check, so the
columns are factorized and the intervals computed once, and nothing is cached
between validations.

Speed: a package can hold a million figures, so each check first finds, on
whole columns (`Columns`, grouped maxima and minima), the few groups that
*can* hold a contradiction — a superset, computed with a little slack — and
then runs the plain row-by-row rule on those groups only.
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import cached_property

import numpy as np
import pandas as pd

from ..package import Dataset
from .intervals import bounds_arrays
from .rows import PERIOD, _names


class Context:
    """One package under validation, as every finding check reads it; built once per validation."""

    def __init__(self, data: Dataset):
        self.data = data
        self.figures = data.figures
        self.names = _names(data)  # code -> name, as the checks' messages say it

    @cached_property
    def columns(self) -> Columns:
        """The figures' integer codes and intervals, computed on first use."""
        return Columns(self.figures, self.data.codes.get("figures", {}))


class Columns:
    """Integer codes and intervals of a figures table, computed once per table."""

    def __init__(self, figures: pd.DataFrame, codes: dict):
        self.frame = figures
        self.codes, self.uniques = {}, {}
        for c in ("reporter", "partner", "flow", *PERIOD):
            known = codes.get(c)
            if known is not None and len(known[0]) == len(figures):
                self.codes[c], self.uniques[c] = known  # dates, factorized once by package.load
            else:
                self.codes[c], self.uniques[c] = pd.factorize(figures[c].to_numpy(dtype=object), sort=True)
        self._groups: dict[tuple, np.ndarray] = {}
        qualifiers = codes.get("qualifier")
        if qualifiers is not None and len(qualifiers[0]) == len(figures):  # compared per distinct word
            qualifiers = pd.Categorical.from_codes(qualifiers[0], categories=qualifiers[1])
        else:
            qualifiers = figures["qualifier"].to_numpy(dtype=object)
        self.lo, self.hi = bounds_arrays(figures["value_mn"].to_numpy(dtype=float), qualifiers)

    def isin(self, column: str, values: Iterable[str]) -> np.ndarray:
        """Rows whose value in a coded column is one of `values`, tested once per distinct value."""
        hit = np.append(pd.Series(self.uniques[column], dtype=object).isin(list(values)).to_numpy(), False)
        return hit[self.codes[column]]  # a code of -1 (missing) picks the appended False

    def group(self, *columns: str) -> np.ndarray:
        """One integer per distinct combination of the columns (0..n-1, in the order of the codes), cached.

        Callers only compare, count and sum by these integers, so their order is free:
        a dense table renumbers small key spaces, a sort the rest (both cheaper than hashing).
        """
        if columns in self._groups:
            return self._groups[columns]
        key = np.zeros(len(self.frame), dtype=np.int64)
        span = 1
        for c in columns:
            radix = len(self.uniques[c]) + 1
            if span * radix >= 2**62:  # compact before the mixed-radix key could overflow
                key, span = pd.factorize(key)[0].astype(np.int64), int(key.max(initial=0)) + 1
            key, span = key * radix + self.codes[c], span * radix
        self._groups[columns] = key = _dense_unique(key, span)[1]
        return key


def _dense_unique(key: np.ndarray, span: int) -> tuple[np.ndarray, np.ndarray]:
    """`np.unique(key, return_inverse=True)` for integer keys in [0, span): by a table when span is small."""
    if span <= 8 * len(key) + 1024 and key.min(initial=0) >= 0:  # (a missing value's code is -1)
        present = np.zeros(span, dtype=bool)
        present[key] = True
        rank = np.cumsum(present, dtype=np.int64 if span >= 2**31 else np.int32) - 1
        return np.flatnonzero(present), rank[key].astype(np.int64)
    values, inverse = np.unique(key, return_inverse=True)
    return values, inverse.astype(np.int64).reshape(-1)


def _runs(key: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The stable sort order of key, the sorted keys, and where each run of equal keys starts."""
    order = np.argsort(key, kind="stable")
    sorted_key = key[order]
    return order, sorted_key, np.flatnonzero(np.r_[True, sorted_key[1:] != sorted_key[:-1]])


def _by_group(key: np.ndarray, values: np.ndarray, how: str, size: int, runs: tuple | None = None) -> np.ndarray:
    """Per-group max or min of values, indexed by group id; -inf/+inf for empty groups.

    Sorted once and reduced per run of equal keys (`ufunc.at` is many times slower);
    `runs` is `_runs(key)` when the caller already has it.
    """
    out = np.full(size, -np.inf if how == "max" else np.inf)
    if not len(key):
        return out
    order, sorted_key, starts = runs or _runs(key)
    reduce = np.maximum if how == "max" else np.minimum
    out[sorted_key[starts]] = reduce.reduceat(values[order], starts)
    return out
