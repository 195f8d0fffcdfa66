"""Table Schema validation with whole-column operations, for packages too big for frictionless.

frictionless-py reads a package row by row in Python: about 43 s and 240 MB
for a million figures. This engine checks the same Table Schema rules on whole
columns with pandas and NumPy and reports the same errors, at the same rows,
as `CellError`s, so `cellerrors.describe` words both engines' errors alike.

How the two share the work (see `package.check_schema`):

* the schema in `datapackage.json` is the contract, and frictionless still
  validates every package up to `FRICTIONLESS_MAX_ROWS` data rows — the real
  package always goes through the standard tool;
* a bigger package is checked here, when its schema uses only what this
  engine implements (`supports`); anything else goes to frictionless however
  big it is, because a fast wrong answer is worse than a slow right one;
* `tests/test_tableschema.py` plants each kind of fault in samples and asserts
  both engines give exactly the same problems.

The steps, one module each: `tablereading` parses a file once; `casting`
casts a column, once per distinct cell where it repeats itself;
`constraints` finds the rows that break a field's rule; `keys` checks unique,
primary and foreign keys; `errorbatch` counts every error by code and makes
objects of only the first `cap` of each. This module runs them over a package.
"""

from __future__ import annotations

import numpy as np

from .casting import Column, cast_column
from .cellerrors import ROW, TYPE, CellError, constraint_codes, type_codes
from .constraints import NeedText, failures, typed_number_key
from .errorbatch import Batch, Outcome, keep_first
from .keys import as_list, foreign_key_batches, position_of, primary_key_batches, unique_batches
from .tablereading import Table, count_rows, read_table

__all__ = ["FRICTIONLESS_MAX_ROWS", "Outcome", "Table", "count_rows", "read_table", "supports", "validate_tables"]

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


def validate_tables(tables: dict[str, Table], schemas: dict[str, dict], missing: dict[str, list[str]],
                    cap: int) -> dict[str, Outcome]:
    """Every resource's errors; cells first everywhere, then keys, so foreign keys see every table."""
    found = {}
    for name in list(tables):
        try:
            found[name] = row_batches(tables[name], missing[name], schemas[name])
        except NeedText:  # a number column read as numbers breaks a bound: read it again as written
            table = tables[name]
            tables[name] = read_table(name, table.fields, table.raw, typed=False, path=table.path)
            found[name] = row_batches(tables[name], missing[name], schemas[name])
    return {name: keep_first(found[name] + foreign_key_batches(table, schemas[name], tables), cap)
            for name, table in tables.items()}


def row_batches(table: Table, missing_values: list[str], schema: dict) -> list[Batch]:
    """Every error in one table but its foreign keys; fills the table's key columns for those."""
    batches: list[Batch] = []
    blank = np.ones(len(table.frame), dtype=bool)
    for position, spec in enumerate(table.fields):
        found = field_batches(table, position, missing_values)
        batches += found
        blank &= table.nones[spec["name"]]
        for b in found:
            if b.kind == TYPE:
                blank[b.rows] = False
    batches += _row_length_batches(table)
    if blank.any():  # a blank row reports only itself (then its empty primary key, as frictionless does)
        batches = [b.without(blank) for b in batches]
        rows = np.flatnonzero(blank)
        batches.append(Batch(ROW, -1, rows, np.full(len(rows), "blank-row", dtype=object),
                             lambda row, code: CellError(table.path, row + 2, None, ROW, None, code)))
    batches += unique_batches(table)
    said = blank.copy()  # rows whose empty primary key another line already reports
    pk = as_list(schema.get("primaryKey") or [])
    if len(pk) == 1:
        for b in batches:
            if b.kind == "required" and b.position == position_of(table.fields, pk[0]):
                said[b.rows] = True
    return batches + primary_key_batches(table, schema, said)


def _row_length_batches(table: Table) -> list[Batch]:
    """Rows with fewer cells than the header (one batch per field left without a cell) or more."""
    out = []
    for position, spec in enumerate(table.fields if table.present is not None else []):
        rows = np.flatnonzero(~table.present[:, position])
        if len(rows):
            out.append(Batch(ROW, position, rows, np.full(len(rows), "missing-cell", dtype=object),
                             lambda row, code, name=spec["name"]: CellError(table.path, row + 2, name, ROW, None,
                                                                            code)))
    if table.extra:
        rows = np.array(sorted(table.extra), dtype=np.int64)
        out.append(Batch(ROW, len(table.fields), rows, np.full(len(rows), "extra-cell", dtype=object),
                         lambda row, code: CellError(table.path, row + 2, None, ROW, None, code)))
    return out


def field_batches(table: Table, position: int, missing_values: list[str]) -> list[Batch]:
    """Type and constraint errors of one field; leaves its cast keys in `table.keys` and `table.nones`."""
    spec = table.fields[position]
    name, kind = spec["name"], spec.get("type", "string")
    constraints = spec.get("constraints", {})
    if table.frame[name].dtype.kind != "O":  # pandas read it as finite numbers: valid as written
        table.keys[name] = typed_number_key(table.frame[name], constraints)
        table.numbers[name] = table.frame[name]
        table.nones[name] = np.zeros(len(table.frame), dtype=bool)
        return []
    column = cast_column(table, position, missing_values)
    table.keys[name] = column.key
    table.nones[name] = column.missing | column.type_error
    batches: list[Batch] = []
    if column.type_error.any():
        bad = np.flatnonzero(column.type_error)
        batches.append(Batch(TYPE, position, bad, type_codes(kind, column.values[bad]),
                             _cell_error(table, position, column, TYPE, kind)))
    for constraint in SUPPORTED[kind]:
        if constraint not in constraints:
            continue
        failed = failures(constraint, constraints[constraint], kind, column, missing_values)
        if failed is not None and failed.any():
            bad = np.flatnonzero(failed)
            batches.append(Batch(constraint, position, bad, constraint_codes(constraint, column.values[bad]),
                                 _cell_error(table, position, column, constraint, constraints[constraint])))
    return batches


def _cell_error(table: Table, position: int, column: Column, constraint: str, limit):
    name = table.fields[position]["name"]

    def make(row: int, code: str) -> CellError:
        present = table.present is None or table.present[row, position]
        return CellError(table.path, row + 2, name, constraint, limit, code, str(column.values[row]) if present else "")
    return make


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
