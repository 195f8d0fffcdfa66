"""Reading a resource's CSV file into text columns, once, as fast as pandas' C reader allows.

A file is parsed once into one text column per field: columns that repeat
themselves (codes, dates, enums) as categoricals, so a rule can be tested once
per distinct cell. A number column pandas reads as finite numbers is kept as
numbers (every such cell is valid as written). pandas reads the file in
chunks, and again in one piece only where chunks could type a number column
otherwise (`_chunks_agree`). A file whose rows are not all the header's length
is read again with Python's csv module, as frictionless reads it, noting each
short, long or blank row.
"""

from __future__ import annotations

import csv
import io
import re
import warnings
from dataclasses import dataclass, field

import numpy as np
import pandas as pd


@dataclass
class Table:
    """One resource's cells as text, as read from its CSV file."""

    name: str
    fields: list[dict]
    frame: pd.DataFrame  # one text column per field (object, or categorical of text); a missing cell is ''
    present: np.ndarray | None  # bool (rows, fields): False where the row had no cell; None = all present
    extra: dict[int, list[str]]  # row position -> the cells beyond the header's length
    raw_rows: list[list[str]] | None  # the rows as csv read them, when the file was read that way
    keys: dict[str, np.ndarray] = field(default_factory=dict)  # field -> cast values (see field_batches)
    nones: dict[str, np.ndarray] = field(default_factory=dict)  # field -> where the cast value is None
    numbers: dict[str, pd.Series] = field(default_factory=dict)  # number field -> values as load() types them
    raw: bytes = b""  # the file, to read again as text when a message needs a number as written
    path: str = ""  # the file's path in the package, as errors name it

    def factor(self, name: str) -> tuple[np.ndarray, np.ndarray] | None:
        """(codes, sorted distinct cells) of a column read as categorical, else None.

        Columns that repeat themselves (codes, dates, enums) are read as
        categorical, so a rule is tested on each distinct cell once and the
        1M-row work is integer indexing.
        """
        column = self.frame[name]
        if not isinstance(column.dtype, pd.CategoricalDtype):
            return None
        codes = column.cat.codes.to_numpy()
        return codes, np.asarray(column.cat.categories, dtype=object)

    def cells(self, row: int) -> list[str]:
        """The row's cells as written (a short row's as far as it goes), to quote a repeated key."""
        if self.raw_rows is not None:
            return list(self.raw_rows[row])
        return [str(v) for v in self.frame.iloc[row].tolist()]


def count_rows(raw: bytes, stop: int | None = None) -> int:
    """Lines after the header: an upper bound on the data rows, cheap enough for any file.

    With `stop`, counting ends as soon as there are more than `stop` (a 100 MB
    file need not be scanned to learn it has more than a few thousand rows);
    the count returned is then only known to be above `stop`.
    """
    if stop is not None:
        newlines = 0
        for start in range(0, len(raw), COUNT_CHUNK):
            newlines += raw.count(b"\n", start, start + COUNT_CHUNK)
            if newlines - 1 > stop:
                return newlines - 1
    return max(raw.count(b"\n") - (1 if raw.endswith(b"\n") else 0), 0)


COUNT_CHUNK = 1 << 20  # bytes counted at a time when a count may stop early


def read_table(name: str, fields: list[dict], raw: bytes, typed: bool = True, path: str = "") -> Table:
    """Parse a CSV file (header already checked) into text columns, noting short, long and blank rows.

    pandas' C reader pads a short row with empty cells and refuses a long
    one, so a cheap count decides whether every row had exactly one cell per
    field: with n fields and r rows, the commas outside quoted cells number
    (n - 1) * (r + 1), header included, only if no row is short or blank. When
    that fails, the file is read again with Python's csv module, as
    frictionless reads it.
    """
    names = [f["name"] for f in fields]
    n = len(names)
    # Number columns are left to pandas to type: a column it reads as numbers is valid
    # as written (see `_typed_number_batches`); anything else stays text.
    numbers = [f["name"] for f in fields if typed and f.get("type") == "number"]
    repeating = _repeating_columns(raw, names, numbers)
    while True:
        try:
            frame = _parse(raw, names, numbers, repeating)
        except (pd.errors.ParserError, ValueError):
            return _read_with_csv(name, fields, raw, path)
        # pandas turns categories that all read as numbers or booleans into those ('01' -> 1):
        # such a column is read again as plain text, so every cell stays as written.
        converted = {c for c in repeating if not _text_categories(frame[c])}
        if not converted:
            break
        repeating -= converted
    for c in numbers:
        kind = frame[c].dtype.kind
        if kind != "O" and (kind not in "iuf" or not np.isfinite(frame[c].to_numpy(dtype=float)).all()):
            return read_table(name, fields, raw, typed=False, path=path)
    quoted_commas = sum(_commas(frame[c]) for c in names if frame[c].dtype.kind == "O") if b'"' in raw else 0
    if raw.count(b",") - quoted_commas == (n - 1) * (len(frame) + 1):
        return Table(name, fields, frame, None, {}, None, raw=raw, path=path)
    return _read_with_csv(name, fields, raw, path)


def _parse(raw: bytes, names: list[str], numbers: list[str], repeating: set[str]) -> pd.DataFrame:
    """pandas' C reader over the whole file, in chunks when that types every column as one read would.

    Read in chunks (`low_memory`), a 100 MB file takes half the time and
    about half the memory of one read. Text and categorical columns come out
    the same either way (pandas infers categories after joining the chunks);
    number columns, though, are typed chunk by chunk (see `_chunks_agree`):
    where that may differ from one read, the file is read again in one piece.
    """
    options = dict(dtype={c: "category" if c in repeating else object for c in names if c not in numbers},
                   keep_default_na=False, na_filter=False, skip_blank_lines=False, encoding="utf-8", header=0,
                   names=names, quotechar='"', doublequote=True, escapechar=None)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", pd.errors.DtypeWarning)  # chunks typed apart: read again below
        frame = pd.read_csv(io.BytesIO(raw), low_memory=True, **options)
    if _chunks_agree(frame, numbers, raw):
        return frame
    return pd.read_csv(io.BytesIO(raw), low_memory=False, **options)


# A cell an integer parser reads as 0 and a float parser as -0.0 (allowing the spaces and quotes either skips).
NEGATIVE_ZERO = re.compile(rb'(?:^|[,\n])[ \t"]*-0+[ \t"]*(?=[,\r\n]|$)')


def _chunks_agree(frame: pd.DataFrame, numbers: list[str], raw: bytes) -> bool:
    """Whether each number column read in chunks is what one read of the whole file gives.

    One read types a column once: integers if every cell is one, else floats
    if every cell is a number, else text. In chunks, integer chunks and
    decimal chunks join as floats, which one read would have parsed as floats
    directly: the same values, but for integers beyond 2**53 (rounded apart)
    and "-0" (0 as an integer, -0.0 as a float). Any other mixture (numbers
    and text, numbers and booleans) joins as objects. So integer columns
    agree, float columns agree without those two cases, anything else is
    read again.
    """
    for c in numbers:
        kind = frame[c].dtype.kind
        if kind in "iu":
            continue
        if kind != "f":
            return False
        values = frame[c].to_numpy()
        finite = values[np.isfinite(values)]
        if (np.abs(finite) >= 2.0**53).any() or ((finite == 0).any() and NEGATIVE_ZERO.search(raw)):
            return False
    return True


def _text_categories(column: pd.Series) -> bool:
    """True when a categorical column's categories are the cells as written (text, not inferred numbers)."""
    dtype = column.cat.categories.dtype
    return dtype.kind == "O" or isinstance(dtype, pd.StringDtype)


def _commas(column: pd.Series) -> int:
    """Commas inside the cells of a text column (counted per distinct cell when categorical)."""
    if isinstance(column.dtype, pd.CategoricalDtype) and (column.cat.codes.to_numpy() >= 0).all():
        cats = np.asarray(column.cat.categories, dtype=object)
        per = np.array([c.count(",") for c in cats], dtype=np.int64)
        if not per.any():
            return 0
        return int(per @ np.bincount(column.cat.codes.to_numpy(), minlength=len(cats)))
    return "".join(column.tolist()).count(",")


# The first bytes of a file, parsed to decide which columns repeat themselves.
SAMPLE_BYTES = 1 << 18


def _repeating_columns(raw: bytes, names: list[str], numbers: list[str]) -> set[str]:
    """Text columns whose first rows repeat values a lot: read as categorical, for speed only.

    A wrong guess costs time, never correctness: every rule reads the same cells
    either way. A sample that does not parse cleanly means no guess.
    """
    cut = raw.rfind(b"\n", 0, SAMPLE_BYTES)
    try:
        sample = pd.read_csv(io.BytesIO(raw[:cut + 1]), dtype=object, keep_default_na=False, na_filter=False,
                             header=0, names=names, encoding="utf-8", low_memory=False)
    except (pd.errors.ParserError, ValueError):
        return set()
    return {c for c in names if c not in numbers and sample[c].nunique() * 10 <= len(sample)}


def _read_with_csv(name: str, fields: list[dict], raw: bytes, path: str) -> Table:
    names = [f["name"] for f in fields]
    n = len(names)
    text = raw.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text, newline="")))[1:]
    present = np.zeros((len(rows), n), dtype=bool)
    padded, extra = [], {}
    for i, row in enumerate(rows):
        k = min(len(row), n)
        present[i, :k] = True
        padded.append(row[:n] + [""] * (n - k))
        if len(row) > n:
            extra[i] = row[n:]
    frame = pd.DataFrame(padded, columns=names, dtype=object) if rows else \
        pd.DataFrame({c: pd.Series([], dtype=object) for c in names})
    return Table(name, fields, frame, present, extra, rows, raw=raw, path=path)
