"""Load a data package and check it against its Table Schema.

This is the only module that reads `datapackages/`. The frictionless schema in
`datapackage.json` is the contract; this module runs frictionless-py against
it and turns each error into one line a journalist can act on. A few things
frictionless reports poorly (a missing or non-UTF-8 file, unknown columns) are
checked first, so they get a message of their own instead of a cascade.
"""

from __future__ import annotations

import csv
import json
import re
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from .report import Problem

NUMBER_WITH_SEPARATOR = re.compile(r"^-?\d{1,3}([,\s']\d{3})+(\.\d+)?$")
CURRENCY = re.compile(r"[$€£¥₽]|US\$|USD|bn|mn", re.IGNORECASE)
CONSTRAINT_NOTE = re.compile(r'constraint "(\w+)" is "(.*)"')


def codes(value: object) -> list[str]:
    """The codes in a space-separated list cell (groups, borders); empty for a blank cell."""
    return value.split() if isinstance(value, str) else []


class PackageError(Exception):
    """The package cannot be read at all; carries the problems that say why."""

    def __init__(self, problems: list[Problem]):
        super().__init__("; ".join(p.line() for p in problems))
        self.problems = problems


@dataclass
class Dataset:
    """A loaded package: one DataFrame per resource, each with a `csv_line` column."""

    root: Path
    meta: dict
    tables: dict[str, pd.DataFrame]
    files: dict[str, str]  # resource name -> path relative to the package

    def __getattr__(self, name: str) -> pd.DataFrame:
        tables = self.__dict__.get("tables", {})
        if name in tables:
            return tables[name]
        raise AttributeError(name)

    @property
    def settings(self) -> dict:
        return self.meta.get("trademirror", {})


def read_descriptor(path: Path) -> tuple[dict | None, list[Problem]]:
    name = path.name
    if not path.is_file():
        return None, [_error("missing-file", name, None, None, f"not found at {path}",
                             "pass the path of a datapackage.json with --package")]
    try:
        return json.loads(path.read_text(encoding="utf-8")), []
    except UnicodeDecodeError as exc:
        return None, [_error("encoding", name, None, None, f"is not UTF-8 ({exc.reason})",
                             "save the file as UTF-8")]
    except json.JSONDecodeError as exc:
        return None, [_error("malformed-json", name, exc.lineno, None, exc.msg,
                             "fix the JSON syntax (a missing comma or quote is the usual cause)")]


def validate_schema(descriptor_path: Path) -> list[Problem]:
    """Every schema-level error in the package, as Problems (empty when valid)."""
    descriptor, problems = read_descriptor(descriptor_path)
    if descriptor is None:
        return problems
    problems = _precheck_files(descriptor_path.parent, descriptor)
    if problems:
        return problems
    return _frictionless_problems(descriptor_path, descriptor)


def load(descriptor_path: Path) -> Dataset:
    """Read a package that passed `validate_schema` into typed DataFrames."""
    descriptor, problems = read_descriptor(descriptor_path)
    if descriptor is None:
        raise PackageError(problems)
    root = descriptor_path.parent
    tables, files = {}, {}
    for resource in descriptor["resources"]:
        fields = resource["schema"]["fields"]
        frame = pd.read_csv(root / resource["path"], dtype=str, keep_default_na=False,
                            encoding="utf-8")
        for spec in fields:
            column = spec["name"]
            if spec["type"] == "number":
                frame[column] = pd.to_numeric(frame[column])
            elif spec["type"] == "date":
                frame[column] = pd.to_datetime(frame[column], format="%Y-%m-%d").dt.date
            else:
                frame[column] = frame[column].astype(object).where(frame[column] != "", None)
        frame["csv_line"] = range(2, len(frame) + 2)
        tables[resource["name"]] = frame
        files[resource["name"]] = resource["path"]
    return Dataset(root=root, meta=descriptor, tables=tables, files=files)


def _precheck_files(root: Path, descriptor: dict) -> list[Problem]:
    problems: list[Problem] = []
    for resource in descriptor.get("resources", []):
        rel = resource.get("path", "?")
        path = root / rel
        if not path.is_file():
            problems.append(_error("missing-file", rel, None, None, "file not found",
                                   f"create it, or remove resource '{resource.get('name')}' from datapackage.json"))
            continue
        raw = path.read_bytes()
        if not raw.strip():
            problems.append(_error("empty-file", rel, None, None, "file is empty",
                                   "restore at least the header row"))
            continue
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            line = raw[: exc.start].count(b"\n") + 1
            problems.append(_error("encoding", rel, line, None,
                                   f"is not UTF-8 (byte 0x{raw[exc.start]:02x})",
                                   "save the file as UTF-8 (in a spreadsheet: CSV UTF-8)"))
            continue
        header = next(csv.reader([text.lstrip("\ufeff").splitlines()[0]]))
        expected = [f["name"] for f in resource.get("schema", {}).get("fields", [])]
        problems += _header_problems(rel, header, expected)
    return problems


def _header_problems(rel: str, header: list[str], expected: list[str]) -> list[Problem]:
    problems = []
    for name in sorted({h for h in header if header.count(h) > 1}):
        problems.append(_error("duplicate-column", rel, 1, name, f"column '{name}' appears twice",
                               "delete one of the two columns"))
    for name in header:
        if name not in expected:
            problems.append(_error("unknown-column", rel, 1, name or "(blank)",
                                   f"unknown column '{name}'",
                                   "remove it, or declare it in the schema in datapackage.json;"
                                   f" expected: {', '.join(expected)}"))
    for name in expected:
        if name not in header:
            problems.append(_error("missing-column", rel, 1, name, f"column '{name}' is missing",
                                   "add the column to the header row (it may be empty where the schema allows)"))
    if not problems and header != expected:
        problems.append(_error("column-order", rel, 1, None,
                               f"columns are in the order {', '.join(header)}",
                               f"put them in the schema's order: {', '.join(expected)}"))
    return problems


def _frictionless_problems(descriptor_path: Path, descriptor: dict) -> list[Problem]:
    from frictionless import Package  # heavy import: only when validating

    paths = {r["name"]: r["path"] for r in descriptor["resources"]}
    schemas = {r["name"]: r["schema"] for r in descriptor["resources"]}
    try:
        report = Package(str(descriptor_path)).validate()
    except Exception as exc:  # frictionless raises on descriptors it cannot read
        return [_error("invalid-descriptor", descriptor_path.name, None, None, str(exc),
                       "compare datapackage.json with the Data Package specification")]
    problems: list[Problem] = []
    seen: set[tuple] = set()
    for error in report.errors:
        problems.append(_error("invalid-descriptor", descriptor_path.name, None, None,
                               error.message, "compare datapackage.json with the Data Package specification"))
    for task in report.tasks:
        rel = paths.get(task.name, task.name)
        for error in task.errors:
            problem = _translate(error, rel, schemas.get(task.name, {}))
            key = (problem.file, problem.row, problem.code, problem.field)
            if key not in seen:
                seen.add(key)
                problems.append(problem)
    return problems


def _translate(error, rel: str, schema: dict) -> Problem:
    kind = error.type
    row = getattr(error, "row_number", None)
    field = getattr(error, "field_name", None) or None
    cell = getattr(error, "cell", None)
    field_spec = next((f for f in schema.get("fields", []) if f["name"] == field), {})
    if kind == "type-error":
        return _type_problem(rel, row, field, cell, field_spec)
    if kind == "constraint-error":
        return _constraint_problem(rel, row, field, cell, error.note)
    if kind in ("unique-error", "primary-key"):
        field = field or ", ".join(schema.get("primaryKey", [])) or None
        value = cell if cell is not None else (error.cells[0] if getattr(error, "cells", None) else "")
        other = re.search(r"position \"?(\d+)", error.note or "")
        where = f" (first on line {other.group(1)})" if other else ""
        return _error("duplicate-id", rel, row, field, f"duplicate value '{value}'{where}",
                      "each row needs its own id: rename one, or merge the two rows")
    if kind == "foreign-key":
        names = getattr(error, "field_names", []) or ["?"]
        cells = getattr(error, "field_cells", []) or ["?"]
        target = getattr(error, "reference_name", "?")
        code = "unknown-country" if target == "countries" else "unknown-reference"
        fix = (f"use a code listed in {target}.csv, or add '{cells[0]}' there first"
               if target == "countries" else f"use an id listed in {target}.csv")
        return _error(code, rel, row, names[0], f"'{cells[0]}' is not in {target}.csv", fix)
    if kind == "missing-cell":
        return _error("missing-cell", rel, row, field, "row has fewer cells than the header",
                      "add the missing commas so every row has one cell per column")
    if kind == "extra-cell":
        return _error("extra-cell", rel, row, None, "row has more cells than the header",
                      "quote values that contain commas, or remove the extra cells")
    if kind == "blank-row":
        return _error("blank-row", rel, row, None, "blank row", "delete the empty line")
    return _error(kind, rel, row, field, error.message, "see the Table Schema in datapackage.json")


def _type_problem(rel: str, row, field, cell, spec: dict) -> Problem:
    expected = spec.get("type", "?")
    value = "" if cell is None else str(cell)
    if expected == "number":
        if CURRENCY.search(value):
            return _error("currency-sign", rel, row, field, f"'{value}' has a currency sign or unit",
                          "write the bare number in millions of US dollars, e.g. 29700")
        if NUMBER_WITH_SEPARATOR.match(value.strip()):
            return _error("thousands-separator", rel, row, field,
                          f"'{value}' has a thousands separator",
                          "write the number without separators, with a dot for decimals, e.g. 29700.5")
        return _error("not-a-number", rel, row, field, f"'{value}' is not a number",
                      "write a plain number with a dot for decimals, e.g. 784 or 13.5")
    if expected == "date":
        return _error("not-a-date", rel, row, field, f"'{value}' is not a date",
                      "write an ISO date YYYY-MM-DD, e.g. 2025-10-31")
    return _error("wrong-type", rel, row, field, f"'{value}' is not of type {expected}",
                  "see the field's type in datapackage.json")


def _constraint_problem(rel: str, row, field, cell, note: str) -> Problem:
    match = CONSTRAINT_NOTE.search(note or "")
    name, limit = (match.group(1), match.group(2)) if match else ("?", "")
    value = "" if cell is None else str(cell)
    if name == "required":
        return _error("missing-value", rel, row, field, "is empty but required",
                      "fill it in; every figure needs it")
    if name == "minimum" and value.startswith("-"):
        return _error("negative-value", rel, row, field, f"'{value}' is negative",
                      f"values are ≥ {limit}; enter the size of the flow, the direction goes in 'flow'")
    if name in ("minimum", "maximum"):
        return _error("out-of-range", rel, row, field, f"'{value}' is outside the allowed range ({name} {limit})",
                      "check the value against the source")
    if name == "enum":
        allowed = limit.strip("[]").replace("'", "")
        return _error("not-allowed", rel, row, field, f"'{value}' is not an allowed value",
                      f"use one of: {allowed}")
    if name == "pattern":
        hint = {"url": "only http:// or https:// addresses are allowed"}.get(field or "", f"it must match {limit}")
        return _error("bad-format", rel, row, field, f"'{value}' has the wrong format", hint)
    if name == "unique":
        return _error("duplicate-id", rel, row, field, f"duplicate value '{value}'", "make it unique")
    return _error("constraint", rel, row, field, f"'{value}' breaks the {name} constraint ({limit})",
                  "see the field's constraints in datapackage.json")


def _error(code: str, file: str, row, field, message: str, fix: str) -> Problem:
    return Problem("error", code, file, row, field, message, fix)
