"""Errors found on whole columns, kept as row positions and counted by code; objects only for the first few.

A million bad cells cost a million integers, not a million objects: a
`Batch` holds the rows of one kind of error on one field and the problem
code of each, and `keep_first` counts every error by code and makes
`CellError`s of only the first `cap` of each code, in the order frictionless
reports them (by row, then field).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from .cellerrors import CellError


@dataclass
class Batch:
    """Errors of one kind on one field, as row positions; `make` builds the CellError of one of them."""

    kind: str  # "type", a constraint's name, "unique", "primaryKey", "foreignKey" or "row"
    position: int  # the field's position, to order errors within a row as frictionless does
    rows: np.ndarray  # positions in the table (0 = first data row)
    codes: np.ndarray  # the problem code of each (see cellerrors)
    make: Callable[[int, str], CellError]  # (row position, its code) -> CellError

    def without(self, drop: np.ndarray) -> Batch:
        """The batch less the rows where `drop` (a bool per table row) is true."""
        keep = ~drop[self.rows]
        return Batch(self.kind, self.position, self.rows[keep], self.codes[keep], self.make)


@dataclass
class Outcome:
    """A resource's errors: every one counted by code, the first `cap` of each code kept."""

    errors: list[CellError]
    counts: Counter  # code -> number of errors, kept or not


def keep_first(batches: list[Batch], cap: int) -> Outcome:
    """Count every error by code; keep the first `cap` of each code in row order, as CellErrors."""
    batches = [b for b in batches if len(b.rows)]
    if not batches:
        return Outcome([], Counter())
    rows = np.concatenate([b.rows for b in batches])
    codes = np.concatenate([b.codes for b in batches]).astype(str)
    which = np.concatenate([np.full(len(b.rows), i) for i, b in enumerate(batches)])
    positions = np.array([b.position for b in batches])[which]
    found, n = np.unique(codes, return_counts=True)
    counts = Counter({str(k): int(v) for k, v in zip(found, n, strict=True)})
    order = np.lexsort((which, positions, rows))
    ranked = codes[order]
    chosen = np.sort(np.concatenate([order[ranked == code][:cap] for code in counts]))
    chosen = chosen[np.lexsort((which[chosen], positions[chosen], rows[chosen]))]
    kept = zip(rows[chosen].tolist(), which[chosen].tolist(), codes[chosen].tolist())
    return Outcome([batches[w].make(r, str(c)) for r, w, c in kept], counts)
