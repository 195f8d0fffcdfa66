"""Table Schema validation with whole-column operations, for packages too big for frictionless.

frictionless-py reads a package row by row in Python: about 43 s and 240 MB
for a million figures. This module checks the same Table Schema rules on whole
columns with pandas and NumPy, and reports them as the same error kinds
frictionless would (`type-error`, `constraint-error`, `unique-error`,
`primary-key`, `foreign-key`, `missing-cell`, `extra-cell`, `blank-row`), with
the same row numbers, cells and notes, so `package.py` turns both into the
same lines.

How the two share the work (see `package.check_schema`):

* the schema in `datapackage.json` is the contract, and frictionless still
  validates every package up to `FRICTIONLESS_MAX_ROWS` data rows — the real
  package always goes through the standard tool;
* a bigger package is checked here, when its schema uses only what this
  module implements (`supports`); anything else goes to frictionless however
  big it is, because a fast wrong answer is worse than a slow right one;
* `tests/test_tableschema.py` plants each kind of fault in samples and asserts
  both engines give exactly the same problems.

Speed comes from three habits: a file is parsed once by pandas' C reader,
columns that repeat themselves as categoricals (a
file whose rows are not all the header's length is re-read with Python's csv
module, as frictionless reads it, since such a file needs row-level messages
anyway); a rule is evaluated once per distinct value where a column repeats
itself (codes, dates, enums); and only the first `cap` errors of each kind are
turned into objects — the rest are counted.
"""

from __future__ import annotations

import csv
import io
import re
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any

import numpy as np
import pandas as pd

from .numeric import BOUNDS, refusal

# Below this many data rows in the whole package, frictionless itself validates it.
FRICTIONLESS_MAX_ROWS = 5_000

# The types and constraints implemented here, as frictionless 5 defines them.
STRING_CONSTRAINTS = ("required", "minLength", "maxLength", "pattern", "enum")
ORDERED_CONSTRAINTS = ("required", "minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "enum")
SUPPORTED = {
    "string": STRING_CONSTRAINTS,
    "number": ORDERED_CONSTRAINTS,
    "integer": ORDERED_CONSTRAINTS,
    "date": ORDERED_CONSTRAINTS,
    "year": ORDERED_CONSTRAINTS,
}
NUMBER_OPTIONS = ("decimalChar", "groupChar", "bareNumber", "floatNumber")


@dataclass
class CellError:
    """One schema error, with the attributes of the frictionless error of the same `type`."""

    type: str
    row_number: int
    field_name: str | None = None
    cell: str | None = None
    note: str = ""
    cells: list[str] = field(default_factory=list)
    field_names: list[str] = field(default_factory=list)
    field_cells: list[str] = field(default_factory=list)
    reference_name: str | None = None


@dataclass
class Batch:
    """Errors of one kind on one field, as row positions; `make` builds the CellError of one of them."""

    kind: str
    position: int  # the field's position, to order errors within a row as frictionless does
    rows: np.ndarray  # positions in the table (0 = first data row)
    codes: np.ndarray  # the Problem code each one will get (see package._translate)
    make: Any  # (row position) -> CellError


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
        """The row's cells as frictionless reports them with an error."""
        if self.raw_rows is not None:
            return list(self.raw_rows[row])
        return [str(v) for v in self.frame.iloc[row].tolist()]


@dataclass
class Outcome:
    """A resource's errors: every one counted by code, the first `cap` of each code kept."""

    errors: list[CellError]
    codes: list[str]  # the code of each kept error
    counts: Counter  # code -> number of errors, kept or not


# --- What this module implements ----------------------------------------------


def supports(descriptor: dict) -> bool:
    """True when every resource's schema uses only types, formats and constraints implemented here."""
    for resource in descriptor.get("resources", []):
        schema = resource.get("schema")
        if not isinstance(schema, dict) or not isinstance(schema.get("fields"), list):
            return False
        dialect = resource.get("dialect") or {}
        if resource.get("format", "csv") != "csv" or any(k != "header" for k in dialect) \
                or dialect.get("header", True) is not True:
            return False
        if str(resource.get("encoding", "utf-8")).lower().replace("_", "-") not in ("utf-8", "utf8"):
            return False
        for spec in schema["fields"]:
            kind = spec.get("type", "string")
            if kind not in SUPPORTED or spec.get("format", "default") != "default":
                return False
            if "missingValues" in spec or any(k in spec for k in NUMBER_OPTIONS):
                return False
            if any(name not in SUPPORTED[kind] + ("unique",) for name in spec.get("constraints", {})):
                return False
        for fk in schema.get("foreignKeys", []):
            if not isinstance(fk, dict) or "reference" not in fk:
                return False
    return True


def count_rows(raw: bytes) -> int:
    """Lines after the header: an upper bound on the data rows, cheap enough for any file."""
    return max(raw.count(b"\n") - (1 if raw.endswith(b"\n") else 0), 0)


# --- Reading ------------------------------------------------------------------


class NeedText(Exception):
    """A number column was read as numbers, but an error message needs its cells as written."""


def read_table(name: str, fields: list[dict], raw: bytes, typed: bool = True) -> Table:
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
            frame = pd.read_csv(io.BytesIO(raw),
                                dtype={c: "category" if c in repeating else object for c in names if c not in numbers},
                                keep_default_na=False, na_filter=False,
                                skip_blank_lines=False, encoding="utf-8", header=0, names=names,
                                quotechar='"', doublequote=True, escapechar=None, low_memory=False)
        except (pd.errors.ParserError, ValueError):
            return _read_with_csv(name, fields, raw)
        # pandas turns categories that all read as numbers or booleans into those ('01' -> 1):
        # such a column is read again as plain text, so every cell stays as written.
        converted = {c for c in repeating if not _text_categories(frame[c])}
        if not converted:
            break
        repeating -= converted
    for c in numbers:
        kind = frame[c].dtype.kind
        if kind != "O" and (kind not in "iuf" or not np.isfinite(frame[c].to_numpy(dtype=float)).all()):
            return read_table(name, fields, raw, typed=False)
    quoted_commas = sum(_commas(frame[c]) for c in names if frame[c].dtype.kind == "O") if b'"' in raw else 0
    if raw.count(b",") - quoted_commas == (n - 1) * (len(frame) + 1):
        return Table(name, fields, frame, None, {}, None, raw=raw)
    return _read_with_csv(name, fields, raw)


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


def _read_with_csv(name: str, fields: list[dict], raw: bytes) -> Table:
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
    return Table(name, fields, frame, present, extra, rows, raw=raw)


# --- Cell values ----------------------------------------------------------------


def _decimal(cell: str) -> Decimal | None:
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


READERS = {"number": _decimal, "integer": _integer, "date": _date, "year": _year}


def _cast_unique(kind: str, uniques: np.ndarray) -> list:
    """frictionless' cast of each distinct cell, in plain Python: exact, and cheap when values repeat."""
    reader = READERS[kind]
    return [reader(v) for v in uniques]


def _cast_numbers(values: np.ndarray) -> tuple[np.ndarray, np.ndarray, pd.Series]:
    """Floats and validity for number cells: pandas' parser first, Decimal for whatever it refuses.

    A cell pandas parses is one Decimal accepts too; cells pandas refuses
    (`1_000`, non-ASCII digits, NaN spelt out) are decided by Decimal itself.
    """
    typed = pd.to_numeric(pd.Series(values, dtype=object), errors="coerce")
    parsed = np.array(typed, dtype=float)
    valid = ~np.isnan(parsed)
    for i in np.flatnonzero(~valid):
        exact = _decimal(values[i])
        if exact is not None:
            valid[i] = True
            parsed[i] = float(exact)
    return parsed, valid, typed


# --- One field ------------------------------------------------------------------


def _note(name: str, constraint: Any) -> str:
    return f'constraint "{name}" is "{constraint}"'


def field_batches(table: Table, position: int, missing_values: list[str]) -> tuple[list[Batch], np.ndarray]:
    """Type and constraint errors of one field, and the cast value's key for unique/foreign-key checks.

    The key is an object array: None where frictionless' value is None
    (missing, or not of the field's type), else a hashable value equal where
    frictionless' values are equal.
    """
    from .package import CURRENCY, NUMBER_WITH_SEPARATOR

    spec = table.fields[position]
    name, kind = spec["name"], spec.get("type", "string")
    constraints = spec.get("constraints", {})
    if table.frame[name].dtype.kind != "O":
        return _typed_number_batches(table, name, constraints)
    values = table.frame[name].to_numpy(dtype=object)
    rows = len(values)
    factor = table.factor(name)
    if factor is not None and (factor[0] < 0).any():
        factor = None
    if factor is not None:  # each rule on the distinct cells, then indexed by code
        missing = pd.Series(factor[1], dtype=object).isin(list(missing_values)).to_numpy()[factor[0]]
    elif list(missing_values) == [""]:
        missing = values == ""
    elif missing_values:
        missing = pd.Series(values, dtype=object).isin(missing_values).to_numpy()
    else:
        missing = np.zeros(rows, dtype=bool)
    if table.present is not None:
        missing = missing | ~table.present[:, position]
    filled = np.flatnonzero(~missing)
    type_error = np.zeros(rows, dtype=bool)
    numeric = None  # float value per row, for ordered constraints
    if kind == "string":
        if len(filled) == rows:
            key = values  # nothing missing: the cells are the keys, no copy
        else:
            key = np.full(rows, None, dtype=object)
            key[filled] = values[filled]
    elif kind == "number":
        key = np.full(rows, None, dtype=object)
        parsed, valid, typed = _cast_numbers(values[filled])
        if valid.all() and len(filled) == rows:
            table.numbers[name] = typed
        type_error[filled[~valid]] = True
        numeric = np.full(rows, np.nan)
        numeric[filled] = parsed
        good = filled[valid]
        key[good] = numeric[good]
    else:
        if factor is not None:
            codes, uniques = factor[0][filled], factor[1]
        else:
            codes, uniques = pd.factorize(values[filled])
        cast = _cast_unique(kind, np.asarray(uniques, dtype=object))
        cast_rows = np.array(cast + [None], dtype=object)[codes] if len(filled) else np.array([], dtype=object)
        ok = np.array([c is not None for c in cast] + [False], dtype=bool)[codes]
        type_error[filled[~ok]] = True
        if len(filled) == rows and ok.all():
            key = cast_rows  # every cell cast: already a fresh array of the values
        else:
            key = np.full(rows, None, dtype=object)
            key[filled[ok]] = cast_rows[ok]
        numeric = key  # exact Python values (ints, dates): compared one by one below
    table.keys[name] = key
    table.nones[name] = missing | type_error
    batches: list[Batch] = []

    def cell_error(kind_: str, note: str):
        def make(row: int) -> CellError:
            present = table.present is None or table.present[row, position]
            cell = str(values[row]) if present else "None"
            return CellError(kind_, row + 2, name, cell, note, table.cells(row))
        return make

    if type_error.any():
        bad = np.flatnonzero(type_error)
        if kind == "number":
            text = pd.Series(values[bad], dtype=object)
            codes = np.where(text.str.contains(CURRENCY), "currency-sign",
                             np.where(text.str.strip().str.match(NUMBER_WITH_SEPARATOR), "thousands-separator",
                                      "not-a-number"))
        else:
            codes = np.full(len(bad), "not-a-date" if kind == "date" else "wrong-type", dtype=object)
        fmt = spec.get("format", "default")
        batches.append(Batch("type-error", position, bad, codes.astype(object),
                             cell_error("type-error", f'type is "{kind}/{fmt}"')))
    checkable = ~type_error
    for cname in SUPPORTED[kind]:
        if cname not in constraints:
            continue
        limit = constraints[cname]
        failed = _constraint_failures(cname, limit, kind, values, key, numeric, missing, checkable, missing_values,
                                      factor)
        if failed is None or not failed.any():
            continue
        bad = np.flatnonzero(failed)
        if cname == "required":
            codes = np.full(len(bad), "missing-value", dtype=object)
        elif cname == "minimum":
            neg = np.array([str(values[i]).startswith("-") for i in bad], dtype=bool)
            codes = np.where(neg, "negative-value", "out-of-range").astype(object)
        else:
            code = {"maximum": "out-of-range", "enum": "not-allowed", "pattern": "bad-format", "maxLength": "too-long",
                    "minLength": "too-short"}.get(cname, "constraint")
            codes = np.full(len(bad), code, dtype=object)
        if cname in BOUNDS:  # NaN, infinity, digits the build cannot read: as package._constraint_problem
            refused = [refusal(str(values[i])) for i in bad]
            codes = np.array([r[0] if r else c for r, c in zip(refused, codes)], dtype=object)
        batches.append(Batch("constraint-error", position, bad, codes, cell_error("constraint-error",
                                                                                   _note(cname, limit))))
    return batches, key


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


def _typed_number_batches(table: Table, name: str, constraints: dict) -> tuple[list[Batch], np.ndarray]:
    """A number column pandas read as numbers: every cell is a number Decimal accepts too, none missing.

    Bounds are checked on the floats; any failure (or an enum) raises NeedText,
    so the column is read again as written and checked cell by cell.
    """
    column = table.frame[name]
    values = column.to_numpy(dtype=float)
    if "enum" in constraints:
        raise NeedText(name)
    for cname, compare in (("minimum", np.less), ("maximum", np.greater), ("exclusiveMinimum", np.less_equal),
                           ("exclusiveMaximum", np.greater_equal)):
        if cname in constraints:
            bound = _decimal(str(constraints[cname]))
            if bound is None or compare(values, float(bound)).any() or (values == float(bound)).any():
                raise NeedText(name)
    table.numbers[name] = column
    table.keys[name] = values
    table.nones[name] = np.zeros(len(values), dtype=bool)
    return [], values


def _constraint_failures(name: str, limit: Any, kind: str, values: np.ndarray, key: np.ndarray,
                         numeric: np.ndarray | None, missing: np.ndarray, checkable: np.ndarray,
                         missing_values: list[str] = (), factor: tuple[np.ndarray, np.ndarray] | None = None):
    """Rows that break one constraint; only cells with no type error are checked, as in frictionless.

    `factor` (codes, distinct cells) lets a string rule be tested once per distinct cell.
    """
    has = checkable & ~missing
    if name == "required":
        return checkable & missing if limit else None
    if kind == "string" and factor is not None and name in ("minLength", "maxLength", "pattern", "enum"):
        codes, uniques = factor
        if name in ("minLength", "maxLength"):
            lengths = np.array([len(u) for u in uniques], dtype=np.int64)
            bad = lengths < limit if name == "minLength" else lengths > limit
        elif name == "pattern":
            if _all_match(limit, uniques):
                bad = np.zeros(len(uniques), dtype=bool)
            else:
                pattern = re.compile(f"^{limit}$")
                bad = np.array([pattern.match(u) is None for u in uniques], dtype=bool)
        else:
            bad = ~pd.Series(uniques, dtype=object).isin(list(limit)).to_numpy()
        return bad[codes] & has
    if kind == "string":
        idx = slice(None) if has.all() else np.flatnonzero(has)
        out = np.zeros(len(values), dtype=bool)
        if name == "minLength" and limit <= 1 and "" in missing_values:
            return out  # a cell that is not missing has at least one character
        if name in ("minLength", "maxLength"):
            cells = values[idx]  # len() per cell: several times faster than pandas' .str.len() on 1M ids
            lengths = np.fromiter(map(len, cells), dtype=np.int64, count=len(cells))
            out[idx] = lengths < limit if name == "minLength" else lengths > limit
        elif name == "pattern":
            cells = values[idx]
            sample = cells[:2000]
            if len(set(sample.tolist())) * 4 < len(sample):  # few distinct values: test each once
                codes, uniques = pd.factorize(cells)
                uniques = np.asarray(uniques, dtype=object)
                if not _all_match(limit, uniques):
                    pattern = re.compile(f"^{limit}$")
                    ok = np.array([pattern.match(u) is not None for u in uniques] + [True], dtype=bool)
                    out[idx] = ~ok[codes]
            elif not _all_match(limit, cells):
                pattern = re.compile(f"^{limit}$")
                codes, uniques = pd.factorize(cells)
                ok = np.array([pattern.match(u) is not None for u in uniques] + [True], dtype=bool)
                out[idx] = ~ok[codes]
        elif name == "enum":
            out[idx] = ~pd.Series(values[idx], dtype=object).isin(list(limit)).to_numpy()
        return out
    reader = READERS[kind]
    if name == "enum":
        allowed = {reader(str(v)) if isinstance(v, str) else v for v in limit}
        idx = np.flatnonzero(has)
        out = np.zeros(len(values), dtype=bool)
        out[idx] = [k not in allowed for k in key[idx]]
        return out
    bound = reader(str(limit)) if isinstance(limit, str | int | float) else limit
    compare = {"minimum": np.less, "maximum": np.greater, "exclusiveMinimum": np.less_equal,
               "exclusiveMaximum": np.greater_equal}[name]
    idx = np.flatnonzero(has)
    out = np.zeros(len(values), dtype=bool)
    if kind == "number":
        nums = numeric[idx]
        limit_f = float(bound)
        fails = compare(nums, limit_f) | np.isnan(nums)
        ties = np.flatnonzero(nums == limit_f)  # float rounding may hide the difference: decide exactly
        for t in ties:
            exact = _decimal(values[idx[t]])
            fails[t] = exact != exact or bool(compare(exact, bound))  # NaN never passes a bound
        out[idx] = fails
        return out
    out[idx] = [bool(compare(k, bound)) for k in key[idx]]
    return out


# --- A whole resource -------------------------------------------------------------


def row_batches(table: Table, missing_values: list[str], schema: dict) -> list[Batch]:
    """Every error in one table but its foreign keys; fills the table's key columns for those."""
    fields = table.fields
    n_rows = len(table.frame)
    batches: list[Batch] = []
    keys: dict[str, np.ndarray] = {}
    blank = np.ones(n_rows, dtype=bool)
    for position, spec in enumerate(fields):
        found, key = field_batches(table, position, missing_values)
        keys[spec["name"]] = key
        batches += found
        typed = np.zeros(n_rows, dtype=bool)
        for b in found:
            if b.kind == "type-error":
                typed[b.rows] = True
        blank &= table.nones[spec["name"]] & ~typed
    if table.present is not None:
        for position, spec in enumerate(fields):
            rows = np.flatnonzero(~table.present[:, position])
            if len(rows):
                batches.append(Batch("missing-cell", position, rows, np.full(len(rows), "missing-cell", dtype=object),
                                     _missing_cell(table, spec["name"])))
    if table.extra:
        rows = np.array(sorted(table.extra), dtype=np.int64)
        batches.append(Batch("extra-cell", len(fields), rows, np.full(len(rows), "extra-cell", dtype=object),
                             lambda row: CellError("extra-cell", row + 2, "", table.extra[row][0], "",
                                                   table.cells(row))))
    if blank.any():  # a blank row reports only itself (then its empty primary key, as frictionless does)
        batches = [_without(b, blank) for b in batches]
        rows = np.flatnonzero(blank)
        batches.append(Batch("blank-row", -1, rows, np.full(len(rows), "blank-row", dtype=object),
                             lambda row: CellError("blank-row", row + 2, None, None, "", table.cells(row))))
    batches += _unique_batches(table, keys)
    said = blank.copy()  # rows whose empty primary key another line already reports
    pk = as_list(schema.get("primaryKey") or [])
    if len(pk) == 1:
        for b in batches:
            if b.kind == "constraint-error" and b.position == _position(fields, pk[0]) and \
                    (b.codes == "missing-value").all():
                said[b.rows] = True
    batches += _primary_key_batches(table, schema, keys, said)
    return batches


def _without(batch: Batch, drop: np.ndarray) -> Batch:
    keep = ~drop[batch.rows]
    return Batch(batch.kind, batch.position, batch.rows[keep], batch.codes[keep], batch.make)


def _missing_cell(table: Table, name: str):
    return lambda row: CellError("missing-cell", row + 2, name, "", "", table.cells(row))


def _previous_occurrence(key_frame: pd.DataFrame, mask: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Rows whose key appeared before (among rows in mask), and the row of the latest earlier occurrence."""
    idx = np.flatnonzero(mask)
    if not len(idx):
        return idx, idx
    sub = key_frame.iloc[idx]
    dup = sub.duplicated(keep="first").to_numpy()
    if not dup.any():
        return idx[:0], idx[:0]
    group = sub.groupby(list(sub.columns), sort=False, dropna=False).ngroup().to_numpy()
    order = np.lexsort((idx, group))
    prev = np.empty(len(idx), dtype=np.int64)
    sorted_group = group[order]
    shifted = np.r_[-1, idx[order][:-1]]
    same = np.r_[False, sorted_group[1:] == sorted_group[:-1]]
    prev[order] = np.where(same, shifted, -1)
    return idx[dup], prev[dup]


def _key_frame(keys: dict[str, np.ndarray], names: list[str]) -> pd.DataFrame:
    return pd.DataFrame({n: pd.Series(keys[n], dtype=object) for n in names})


def _unique_batches(table: Table, keys: dict[str, np.ndarray]) -> list[Batch]:
    out = []
    for position, spec in enumerate(table.fields):
        if not spec.get("constraints", {}).get("unique"):
            continue
        name = spec["name"]
        mask = ~table.nones[name]
        if spec.get("type", "string") == "string":  # text keys: a set proves there is no repeat, cheaply
            cells = keys[name] if mask.all() else keys[name][mask]
            if len(set(cells.tolist())) == len(cells):
                continue
        rows, prev = _previous_occurrence(_key_frame(keys, [name]), mask)
        if len(rows):
            before = dict(zip(rows.tolist(), prev.tolist()))
            values = table.frame[name].to_numpy(dtype=object)
            out.append(Batch("unique-error", position, rows, np.full(len(rows), "duplicate-id", dtype=object),
                             lambda row, before=before, values=values, name=name: CellError(
                                 "unique-error", row + 2, name, str(values[row]),
                                 f"the same as in the row at position {before[row] + 2}", table.cells(row))))
    return out


def _position(fields: list[dict], name: str) -> int:
    return next((i for i, f in enumerate(fields) if f["name"] == name), -1)


def _primary_key_batches(table: Table, schema: dict, keys: dict[str, np.ndarray], said: np.ndarray) -> list[Batch]:
    """Empty and repeated primary keys, leaving out what the same line already says.

    A one-field key with a `unique` constraint repeats the unique error word for
    word, and an empty required key repeats the `required` error: both left out.
    """
    pk = as_list(schema.get("primaryKey") or [])
    if not pk or any(n not in keys for n in pk):
        return []
    frame = _key_frame(keys, pk)
    none = np.logical_and.reduce([table.nones[n] for n in pk])
    out = []
    if (none & ~said).any():
        rows = np.flatnonzero(none & ~said)
        out.append(Batch("primary-key", len(table.fields) + 1, rows, np.full(len(rows), "missing-value", dtype=object),
                         lambda row: CellError("primary-key", row + 2, None, None,
                                               'cells composing the primary keys are all "None"', table.cells(row))))
    spec = table.fields[_position(table.fields, pk[0])]
    if len(pk) == 1 and spec.get("constraints", {}).get("unique"):
        return out
    rows, prev = _previous_occurrence(frame, ~none)
    if len(rows):
        before = dict(zip(rows.tolist(), prev.tolist()))
        out.append(Batch("primary-key", len(table.fields) + 1, rows, np.full(len(rows), "duplicate-id", dtype=object),
                         lambda row: CellError("primary-key", row + 2, None, None,
                                               f"the same as in the row at position {before[row] + 2}",
                                               table.cells(row))))
    return out


def as_list(value) -> list[str]:
    """A Table Schema key (primaryKey, foreign key fields): one name or a list of names, as a list."""
    return [value] if isinstance(value, str) else list(value or [])


def _foreign_key_batches(table: Table, schema: dict, tables: dict[str, Table]) -> list[Batch]:
    """Rows whose key is not among the referenced table's keys (frictionless' lookup, as a hash join)."""
    out = []
    for fk in schema.get("foreignKeys", []):
        names = as_list(fk["fields"])
        target = fk["reference"].get("resource") or table.name
        target_fields = as_list(fk["reference"]["fields"])
        ref = tables.get(target)
        if ref is None or any(n not in table.keys for n in names) or any(f not in ref.keys for f in target_fields):
            continue  # frictionless reports a missing resource or field as a descriptor error
        idx = np.flatnonzero(~np.logical_and.reduce([table.nones[n] for n in names]))
        if not len(idx):
            continue
        if len(names) == 1 and len(target_fields) == 1:
            f = target_fields[0]
            targets = pd.Series(ref.keys[f][~ref.nones[f]], dtype=object)
            spec = table.fields[_position(table.fields, names[0])]
            factor = table.factor(names[0]) if spec.get("type", "string") == "string" else None
            if factor is not None and (factor[0] >= 0).all():  # string keys are the cells: test each once
                known = pd.Series(factor[1], dtype=object).isin(targets).to_numpy()[factor[0][idx]]
            else:
                known = pd.Series(table.keys[names[0]][idx], dtype=object).isin(targets).to_numpy()
        else:
            lookup = set(zip(*(ref.keys[f] for f in target_fields)))
            lookup = {t for t in lookup if set(t) != {None}}
            known = np.array([t in lookup for t in zip(*(table.keys[n][idx] for n in names))], dtype=bool)
        rows = idx[~known]
        if not len(rows):
            continue
        code = "unknown-country" if target == "countries" else "unknown-reference"
        keys = table.keys
        out.append(Batch("foreign-key", len(table.fields) + 2, rows, np.full(len(rows), code, dtype=object),
                         lambda row, names=names, target=target, keys=keys: CellError(
                             "foreign-key", row + 2, None, None, "", table.cells(row), list(names),
                             [str(keys[n][row]) for n in names], target)))
    return out


def validate_tables(tables: dict[str, Table], schemas: dict[str, dict], missing: dict[str, list[str]],
                    cap: int) -> dict[str, Outcome]:
    """Every resource's errors; cells first everywhere, then keys, so foreign keys see every table."""
    found = {}
    for name in list(tables):
        try:
            found[name] = row_batches(tables[name], missing[name], schemas[name])
        except NeedText:
            table = tables[name]
            tables[name] = read_table(name, table.fields, table.raw, typed=False)
            found[name] = row_batches(tables[name], missing[name], schemas[name])
    outcomes = {}
    for name, table in tables.items():
        batches = found[name] + _foreign_key_batches(table, schemas[name], tables)
        outcomes[name] = _keep_first([b for b in batches if len(b.rows)], cap)
    return outcomes


def _keep_first(batches: list[Batch], cap: int) -> Outcome:
    """Count every error by code; keep the first `cap` of each code in row order, as CellErrors."""
    if not batches:
        return Outcome([], [], Counter())
    rows = np.concatenate([b.rows for b in batches])
    codes = np.concatenate([b.codes for b in batches]).astype(str)
    which = np.concatenate([np.full(len(b.rows), i) for i, b in enumerate(batches)])
    positions = np.array([b.position for b in batches])[which]
    counts = Counter(dict(zip(*np.unique(codes, return_counts=True), strict=True)))
    counts = Counter({str(k): int(v) for k, v in counts.items()})
    order = np.lexsort((which, positions, rows))
    ranked = codes[order]
    chosen = np.sort(np.concatenate([order[ranked == code][:cap] for code in counts]))
    chosen = chosen[np.lexsort((which[chosen], positions[chosen], rows[chosen]))]
    kept_rows, kept_which = rows[chosen].tolist(), which[chosen].tolist()
    kept_codes = [str(c) for c in codes[chosen]]
    errors = [batches[w].make(r) for r, w in zip(kept_rows, kept_which)]
    return Outcome(errors, kept_codes, counts)
