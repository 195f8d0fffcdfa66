"""Validate a package with frictionless-py itself, and report its errors as `CellError`s.

frictionless names a broken constraint, and the line a repeated key was on
before, only inside its notes' text. Rather than read the notes back, a check
of our own (`Structured`) sees each row as frictionless reads it, with its
cast values and its errors, and records each error with what frictionless
knew: the failing constraints come from the field's own cell reader, in the
order frictionless reported them, and the earlier line of a repeated key
from the same memory of keys that frictionless keeps.
"""

from __future__ import annotations

from pathlib import Path

import attrs
from frictionless import Check, Checklist, Package

from .cellerrors import (
    FOREIGN_KEY,
    PRIMARY_KEY,
    ROW,
    TYPE,
    UNIQUE,
    CellError,
    constraint_codes,
    reference_code,
    type_codes,
)
from .report import Problem

ROW_ERRORS = ("type-error", "constraint-error", "unique-error", "primary-key", "foreign-key", "missing-cell",
              "extra-cell", "blank-row")
SPEC_FIX = "compare datapackage.json with the Data Package specification"


@attrs.define(kw_only=True, repr=False)
class Structured(Check):
    """Records each row's errors as CellErrors (None for one another line says) while frictionless validates."""

    type = "trademirror-structured"
    paths: dict = attrs.field(factory=dict)  # resource name -> its path in the package
    found: dict = attrs.field(factory=dict)  # resource name -> CellError | None per row error, in order
    seen: dict = attrs.field(factory=dict)  # unique field or PRIMARY_KEY -> cast key -> last line it was on
    readers: dict = attrs.field(factory=dict)  # field name -> frictionless' cell reader

    def connect(self, resource):
        super().connect(resource)
        self.found[resource.name] = []
        self.seen, self.readers = {}, {}

    def validate_row(self, row):
        earlier, empty_key = self._remember(row)
        failing: dict[str, list[str]] = {}
        blank = any(e.type == "blank-row" for e in row.errors)
        for error in row.errors:
            if error.type in ROW_ERRORS:
                self.found[self.resource.name].append(self._structure(error, row, earlier, failing, blank, empty_key))
        yield from []

    def _remember(self, row) -> tuple[dict, bool]:
        """The line each unique value and the primary key of this row was on before, as frictionless tracks them."""
        schema = self.resource.schema
        earlier, keys = {}, {f.name: row[f.name] for f in schema.fields if f.constraints.get("unique")}
        pk = tuple(row[name] for name in schema.primary_key)
        empty_key = bool(pk) and set(pk) == {None}
        if pk and not empty_key:
            keys[PRIMARY_KEY] = pk
        for name, value in keys.items():
            if value is not None:
                memory = self.seen.setdefault(name, {})
                earlier[name] = memory.get(value)
                memory[value] = row.row_number
        return earlier, empty_key

    def _failing(self, name: str, row) -> list[str]:
        """The constraints the field's cell breaks, in frictionless' order (its cell reader's notes)."""
        field = self.resource.schema.get_field(name)
        if name not in self.readers:
            self.readers[name] = field.create_cell_reader()
        position = self.resource.schema.field_names.index(name)
        source = row.cells[position] if position < len(row.cells) else None
        _, notes = self.readers[name](source)
        return [constraint for constraint in (notes or {}) if constraint != "type"]

    def _structure(self, error, row, earlier: dict, failing: dict, blank: bool, empty_key: bool) -> CellError | None:
        file, line, name = self.paths.get(self.resource.name, self.resource.name), error.row_number, None
        if error.type in ("type-error", "constraint-error", "unique-error", "missing-cell"):
            name = error.field_name
        if error.type == "type-error":
            kind = self.resource.schema.get_field(name).type
            return CellError(file, line, name, TYPE, kind, type_codes(kind, [error.cell])[0], error.cell)
        if error.type == "constraint-error":
            if name not in failing:
                failing[name] = self._failing(name, row)
            constraint = failing[name].pop(0)
            limit = self.resource.schema.get_field(name).constraints[constraint]
            return CellError(file, line, name, constraint, limit, constraint_codes(constraint, [error.cell])[0],
                             error.cell)
        if error.type == "unique-error":
            return CellError(file, line, name, UNIQUE, True, "duplicate-id", error.cell, earlier.get(name))
        if error.type == "primary-key":
            return self._primary_key(file, line, row, earlier, blank, empty_key)
        if error.type == "foreign-key":
            names, cells = error.field_names or ["?"], error.field_cells or ["?"]
            target = error.reference_name
            return CellError(file, line, names[0], FOREIGN_KEY, target, reference_code(target), cells[0])
        return CellError(file, line, name, ROW, None, error.type)  # missing-cell, extra-cell, blank-row

    def _primary_key(self, file, line, row, earlier, blank, empty_key) -> CellError | None:
        pk = list(self.resource.schema.primary_key)
        if empty_key:  # a blank row has no key, and its own line already says so
            return None if blank else CellError(file, line, ", ".join(pk), PRIMARY_KEY, pk, "missing-value")
        names = self.resource.schema.field_names
        cells = [row.cells[names.index(k)] if names.index(k) < len(row.cells) else "" for k in pk]
        return CellError(file, line, ", ".join(pk), PRIMARY_KEY, pk, "duplicate-id", ", ".join(cells),
                         earlier.get(PRIMARY_KEY))


def frictionless_errors(descriptor_path: Path, descriptor: dict) -> list[CellError | Problem]:
    """Every error frictionless finds, in its order: CellErrors for rows, Problems for anything else."""
    check = Structured(paths={r["name"]: r["path"] for r in descriptor["resources"]})
    try:
        report = Package(str(descriptor_path)).validate(checklist=Checklist(checks=[check]))
    except Exception as exc:  # frictionless raises on descriptors it cannot read
        return [Problem("error", "invalid-descriptor", descriptor_path.name, None, None, str(exc), SPEC_FIX)]
    out: list[CellError | Problem] = [Problem("error", "invalid-descriptor", descriptor_path.name, None, None,
                                              error.message, SPEC_FIX) for error in report.errors]
    for task in report.tasks:
        rel = check.paths.get(task.name, task.name)
        found = iter(check.found.get(task.name, []))  # frictionless may stop early: its list is the one to follow
        for error in task.errors:
            if error.type not in ROW_ERRORS:
                out.append(Problem("error", error.type, rel, getattr(error, "row_number", None),
                                   getattr(error, "field_name", None) or None, error.message,
                                   "see the Table Schema in datapackage.json"))
                continue
            cell = next(found)
            if cell is not None:
                out.append(cell)
    return out
