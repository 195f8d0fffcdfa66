"""Load a data package and check it against its Table Schema.

This is the only module that reads `datapackages/`, and it reads every file
through `resources`, which checks the path and the size first (the build then
publishes those same bytes). The frictionless schema in
`datapackage.json` is the contract. A package of up to
`tableschema.FRICTIONLESS_MAX_ROWS` data rows is validated by frictionless-py
itself; a bigger one by `tableschema`, which checks the same schema on whole
columns and reports the same errors (tests hold the two to that). Either way
each error becomes one line a journalist can act on.

Things frictionless reports poorly or not at all (a missing, empty, binary or
non-UTF-8 file, an unclosed quote, a header that is not the schema's, a
figures file with no figures) are checked first (`precheck`), so each gets
one message of its own instead of a cascade.

Only the first `ERROR_CAP` errors of each kind in a file become Problems; the
rest are counted, so a million bad rows cost no more than a thousand.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from . import currency, numeric, resources
from .listcells import AGENCY_KINDS
from .listcells import NOT_STATED as NOT_STATED
from .listcells import agencies as agencies
from .listcells import codes as codes
from .precheck import precheck_files
from .report import Problem
from .resources import shown
from .tableschema import as_list

NUMBER_WITH_SEPARATOR = re.compile(r"^-?\d{1,3}([,\s']\d{3})+(\.\d+)?$")
CURRENCY = re.compile(r"[$€£¥₽]|US\$|USD|bn|mn", re.IGNORECASE)
CONSTRAINT_NOTE = re.compile(r'constraint "(\w+)" is "(.*)"')
ERROR_CAP = 1000  # Problems kept per file and kind of error; the rest are counted


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
    # path relative to the package (and "datapackage.json") -> the bytes validated, which the build publishes
    raw: dict[str, bytes] = field(default_factory=dict)
    # resource -> column -> (codes, sorted distinct values) of date and repeating text columns, so checks
    # need not hash them again
    codes: dict[str, dict] = field(default_factory=dict)

    def __getattr__(self, name: str) -> pd.DataFrame:
        tables = self.__dict__.get("tables", {})
        if name in tables:
            return tables[name]
        raise AttributeError(name)

    @property
    def settings(self) -> dict:
        return self.meta.get("trademirror", {})


def read_descriptor(path: Path) -> tuple[dict | None, list[Problem]]:
    descriptor, _, problems = _read_descriptor(path)
    return descriptor, problems


def _read_descriptor(path: Path) -> tuple[dict | None, bytes | None, list[Problem]]:
    name = path.name
    raw, problems = resources.read_descriptor_bytes(path)
    if raw is None:
        return None, None, problems
    try:
        return json.loads(raw.decode("utf-8")), raw, []
    except UnicodeDecodeError as exc:
        return None, None, [_error("encoding", name, None, None, f"is not UTF-8 ({exc.reason})",
                                   "save the file as UTF-8")]
    except (json.JSONDecodeError, RecursionError) as exc:
        line, message = (exc.lineno, exc.msg) if isinstance(exc, json.JSONDecodeError) else (None, "nested too deep")
        return None, None, [_error("malformed-json", name, line, None, message,
                                   "fix the JSON syntax (a missing comma or quote is the usual cause)")]


@dataclass
class SchemaCheck:
    """The outcome of schema validation: the problems listed, and how many more of each kind there were."""

    problems: list[Problem]
    omitted: Counter = field(default_factory=Counter)  # code -> errors not listed
    engine: str = "none"  # "frictionless", "vectorised", or "none" when the files could not be read
    tables: dict | None = None  # the parsed text tables (vectorised engine), reused by `load`
    raws: dict[str, bytes] | None = None  # each resource's bytes by name, as read once; reused by `load`


def validate_schema(descriptor_path: Path) -> list[Problem]:
    """Every schema-level error in the package, as Problems (empty when valid)."""
    return check_schema(descriptor_path).problems


def check_schema(descriptor_path: Path, engine: str = "auto", cap: int = ERROR_CAP) -> SchemaCheck:
    """Validate files and schema; `engine` is "auto" (by size), "frictionless" or "vectorised"."""
    from . import tableschema

    descriptor, problems = read_descriptor(descriptor_path)
    if descriptor is None:
        return SchemaCheck(problems)
    if not isinstance(descriptor, dict) or not isinstance(descriptor.get("resources"), list) \
            or not all(isinstance(r, dict) for r in descriptor["resources"]):
        return SchemaCheck([_error("invalid-descriptor", descriptor_path.name, None, "resources",
                                   "has no list of resources",
                                   "compare datapackage.json with the Data Package specification")])
    for index, resource in enumerate(descriptor["resources"]):
        schema = resource.get("schema")
        fields = schema.get("fields") if isinstance(schema, dict) else None
        if not isinstance(resource.get("name"), str) or not isinstance(resource.get("path"), str) \
                or not isinstance(fields, list) or not all(isinstance(f, dict) and "name" in f for f in fields):
            label = resource.get("name") or f"number {index + 1}"
            return SchemaCheck([_error("invalid-descriptor", descriptor_path.name, None, "resources",
                                       f"resource {label} needs a name, a path and a schema with named fields",
                                       "compare datapackage.json with the Data Package specification")])
    problems = resources.descriptor_problems(descriptor, descriptor_path.parent)
    if problems:  # nothing is read from a package that asks for a file it may not have
        return SchemaCheck(problems)
    raws, problems = precheck_files(descriptor_path.parent, descriptor)
    if problems:
        return SchemaCheck(problems)
    rows = sum(tableschema.count_rows(raw) for raw in raws.values())
    remote = any(resources.is_remote(r["path"]) for r in descriptor["resources"])
    if engine == "auto":  # frictionless would download a remote resource again, unchecked: not given one
        small = rows <= tableschema.FRICTIONLESS_MAX_ROWS and not remote
        engine = "frictionless" if small or not tableschema.supports(descriptor) else "vectorised"
    if engine == "frictionless":
        listed, omitted = _cap(_frictionless_problems(descriptor_path, descriptor), cap)
        result = SchemaCheck(listed, omitted, engine)
    else:
        result = _vectorised_problems(descriptor, raws, cap)
    result.raws = raws
    listed, omitted = _cap(_number_problems(descriptor, raws, result.tables, result.problems), cap)
    result.problems += listed
    result.omitted += omitted
    return result


def _number_problems(descriptor: dict, raws: dict[str, bytes], tables: dict | None,
                     found: list[Problem]) -> list[Problem]:
    """Cells the schema takes as numbers but `numeric.parse` cannot read (`1_000`, `١٢`, `Infinity`).

    A cell whose line already says something (a type or bound error) is left to that line.
    """
    said = {(p.file, p.row, p.field) for p in found}
    problems: list[Problem] = []
    for resource in descriptor["resources"]:
        fields = resource["schema"]["fields"]
        positions = [i for i, f in enumerate(fields) if f.get("type") == "number"]
        if not positions:
            continue
        name, rel = resource["name"], resource["path"]
        missing_values = list(resource["schema"].get("missingValues", [""]))
        table = (tables or {}).get(name)
        rows = None
        for position in positions:
            spec = fields[position]
            if table is not None:
                column = table.frame[spec["name"]]
                if column.dtype.kind != "O" and not isinstance(column.dtype, pd.CategoricalDtype):
                    continue  # pandas read the whole column as finite numbers
                cells = column.to_numpy(dtype=object)
            else:
                if rows is None:
                    rows = list(csv.reader(io.StringIO(raws[name].decode("utf-8-sig"), newline="")))[1:]
                cells = np.array([r[position] if position < len(r) else "" for r in rows], dtype=object)
            missing = pd.Series(cells, dtype=object).isin(missing_values).to_numpy()
            for i in np.flatnonzero(numeric.unreadable(cells, missing)):
                cell, row = str(cells[i]), int(i) + 2
                if (rel, row, spec["name"]) in said or numeric.breaks_bound(cell, spec.get("constraints", {})):
                    continue
                refused = numeric.refusal(cell)
                if refused is not None:
                    problems.append(_error(refused[0], rel, row, spec["name"], refused[1], refused[2]))
    return problems


def _cap(problems: list[Problem], cap: int) -> tuple[list[Problem], Counter]:
    taken: Counter = Counter()
    listed, omitted = [], Counter()
    for p in problems:
        taken[(p.file, p.code)] += 1
        if taken[(p.file, p.code)] <= cap:
            listed.append(p)
        else:
            omitted[p.code] += 1
    return listed, omitted


def _vectorised_problems(descriptor: dict, raws: dict[str, bytes], cap: int) -> SchemaCheck:
    from . import tableschema

    resources = descriptor["resources"]
    schemas = {r["name"]: r["schema"] for r in resources}
    missing = {r["name"]: r["schema"].get("missingValues", [""]) for r in resources}
    tables = {r["name"]: tableschema.read_table(r["name"], r["schema"]["fields"], raws[r["name"]])
              for r in resources}
    outcomes = tableschema.validate_tables(tables, schemas, missing, cap)
    problems: list[Problem] = []
    omitted: Counter = Counter()
    for resource in resources:
        name = resource["name"]
        outcome = outcomes[name]
        blank = {e.row_number for e in outcome.errors if e.type == "blank-row"}
        for error in outcome.errors:
            problem = _translate(error, resource["path"], schemas[name], blank)
            if problem is not None:
                problems.append(problem)
        listed = Counter(p.code for p in problems if p.file == resource["path"])
        for code, n in outcome.counts.items():
            if n > listed[code]:
                omitted[code] += n - listed[code]
    return SchemaCheck(problems, omitted, "vectorised", tables)


def load(descriptor_path: Path, tables: dict | None = None, raws: dict[str, bytes] | None = None) -> Dataset:
    """Read a package that passed `validate_schema` into typed DataFrames.

    `tables` are the text tables the vectorised validation already parsed, and
    `raws` the bytes it read; given them, the files are not read a second time.
    Without them, each file is read through `resources.read`, under the same rules.
    """
    descriptor, descriptor_raw, problems = _read_descriptor(descriptor_path)
    if descriptor is None:
        raise PackageError(problems)
    root = descriptor_path.parent
    raws = dict(raws or {})
    frames, files, all_codes = {}, {}, {}
    published = {resources.DESCRIPTOR: descriptor_raw}
    for resource in descriptor["resources"]:
        name = resource["name"]
        if name not in raws:
            raw, problems = resources.read(root, resource["path"], name)
            if raw is None:
                raise PackageError(problems)
            raws[name] = raw
        published[resource["path"]] = raws[name]
        if tables is not None and name in tables:
            frame, numbers = tables[name].frame, tables[name].numbers  # parsed for validation, not needed as text
        else:
            frame = pd.read_csv(io.BytesIO(raws[name]), dtype=str, keep_default_na=False, encoding="utf-8")
            numbers = {}
        all_codes[name] = _type_columns(frame, resource["schema"]["fields"], numbers)
        frame = _as_today(name, frame)
        frame["csv_line"] = range(2, len(frame) + 2)
        frames[name] = frame
        files[name] = resource["path"]
    all_codes = {name: known for name, known in all_codes.items() if known}
    if "figures" in frames and "value" in frames["figures"]:
        # Compared in one currency: `value_mn`, with the rate used (see currency.py). A figure no rate converts
        # keeps an empty value_mn, which checks.check_currencies reports as an error naming its row.
        frames["figures"] = currency.convert(frames["figures"], frames.get("rates"),
                                             currency.comparison_currency(descriptor.get("trademirror") or {}))
    return Dataset(root=root, meta=descriptor, tables=frames, files=files, codes=all_codes, raw=published)


def _type_columns(frame: pd.DataFrame, fields: list[dict], numbers: dict) -> dict:
    """Type each column in place (numbers as validation read them, dates, text with None for empty cells).

    Returns the (codes, sorted distinct values) of the date and repeating text columns, for the checks.
    """
    known_codes = {}
    for spec in fields:
        column = spec["name"]
        if spec["type"] == "number":  # the same reading as validation's (numeric.parse)
            frame[column] = numbers[column].to_numpy() if column in numbers else numeric.parse(frame[column])
        elif spec["type"] == "date":
            frame[column], known_codes[column] = _dates(frame[column])
        else:
            known = _text_codes(frame[column])
            if known is not None:
                known_codes[column] = known
            frame[column] = _text_or_none(frame[column])
    return known_codes


def _as_today(name: str, frame: pd.DataFrame) -> pd.DataFrame:
    """A resource with the columns the build expects today, whatever the package's age."""
    if name == "figures" and "value_mn" in frame:
        frame = frame.drop(columns="value_mn")  # computed in load, never read from a file
    if name == "figures" and "status" not in frame:
        frame["status"] = None  # a package from before the column: every figure final, as an empty cell says
    if name == "sources" and "agency" not in frame:
        frame["agency"] = None  # a package from before the column: no agency stated, so none is claimed
    return frame


def _text_or_none(column: pd.Series) -> pd.Series:
    """A text column as Python strings, None where the cell is empty (per distinct cell when categorical)."""
    if isinstance(column.dtype, pd.CategoricalDtype):
        cats = np.asarray(column.cat.categories, dtype=object)
        lookup = np.append(np.where(cats == "", None, cats), None)  # a code of -1 (no value) -> None
        return pd.Series(lookup[column.cat.codes.to_numpy()], index=column.index, dtype=object)
    values = column.to_numpy(dtype=object)
    empty = values == ""
    if not empty.any():
        return pd.Series(values, index=column.index, dtype=object)
    return pd.Series(np.where(empty, None, values), index=column.index, dtype=object)


def _text_codes(column: pd.Series) -> tuple[np.ndarray, np.ndarray] | None:
    """(codes, sorted distinct values) of a text column validation read as categorical, for the checks.

    None when the column is plain text or has empty cells (those load as None).
    """
    if not isinstance(column.dtype, pd.CategoricalDtype):
        return None
    codes = column.cat.codes.to_numpy()
    uniques = np.asarray(column.cat.categories, dtype=object)
    if (codes < 0).any() or (uniques == "").any():
        return None
    return codes.astype(np.int64), uniques


def _dates(column: pd.Series) -> tuple[pd.Series, tuple[np.ndarray, np.ndarray]]:
    """ISO date text to `datetime.date` objects, parsing each distinct date once (dates repeat a lot).

    Also returns the codes and the sorted distinct dates, which the checks group by.
    """
    if isinstance(column.dtype, pd.CategoricalDtype) and (column.cat.codes.to_numpy() >= 0).all():
        codes, uniques = column.cat.codes.to_numpy(), np.asarray(column.cat.categories, dtype=object)
    else:
        codes, uniques = pd.factorize(column.to_numpy(dtype=object))
    parsed = pd.to_datetime(pd.Series(uniques, dtype=object), format="%Y-%m-%d").dt.date.to_numpy(dtype=object)
    order = np.argsort(parsed, kind="stable") if len(parsed) else np.array([], dtype=np.int64)
    rank = np.empty(len(order), dtype=np.int64)
    rank[order] = np.arange(len(order))
    return pd.Series(parsed[codes], index=column.index, dtype=object), (rank[codes], parsed[order])


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
        blank = {e.row_number for e in task.errors if e.type == "blank-row"}
        for error in task.errors:
            problem = _translate(error, rel, schemas.get(task.name, {}), blank)
            if problem is None:
                continue
            key = (problem.file, problem.row, problem.code, problem.field)
            if key not in seen:
                seen.add(key)
                problems.append(problem)
    return problems


def _translate(error, rel: str, schema: dict, blank_rows: set[int] = frozenset()) -> Problem | None:
    """One frictionless error (or a `tableschema.CellError`) as a Problem; None when another line says it."""
    kind = error.type
    row = getattr(error, "row_number", None)
    field = getattr(error, "field_name", None) or None
    cell = getattr(error, "cell", None)
    field_spec = next((f for f in schema.get("fields", []) if f["name"] == field), {})
    if kind == "type-error":
        return _type_problem(rel, row, field, cell, field_spec)
    if kind == "constraint-error":
        return _constraint_problem(rel, row, field, cell, error.note)
    if kind == "primary-key" and "all \"None\"" in (error.note or ""):
        if row in blank_rows:  # a blank row has no key, and its own line already says so
            return None
        keys = ", ".join(as_list(schema.get("primaryKey", []))) or None
        return _error("missing-value", rel, row, keys, "is empty but required",
                      "fill it in; every row needs its id")
    if kind in ("unique-error", "primary-key"):
        field = field or ", ".join(as_list(schema.get("primaryKey", []))) or None
        value = cell if cell is not None else _key_cells(error, schema)
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


def _key_cells(error, schema: dict) -> str:
    """The primary key's cells in the row (the header is the schema's, in order: checked before)."""
    names = [f["name"] for f in schema.get("fields", [])]
    cells = list(getattr(error, "cells", None) or [])
    values = [cells[names.index(k)] if names.index(k) < len(cells) else ""
              for k in as_list(schema.get("primaryKey", [])) if k in names]
    return ", ".join(values)


def _type_problem(rel: str, row, field, cell, spec: dict) -> Problem:
    expected = spec.get("type", "?")
    value = "" if cell is None else shown(cell)
    if expected == "number":
        if CURRENCY.search(value):
            return _error("currency-sign", rel, row, field, f"'{value}' has a currency sign or unit",
                          "write the bare number as the source printed it, e.g. 29.7, and its magnitude"
                          " (thousand, mn, bn) and currency (USD, EUR) in the unit and currency columns")
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
    full = "" if cell is None else str(cell)
    value = shown(full)
    if name == "required":
        fix = {"currency": "write the ISO 4217 code of the currency the source printed the value in,"
                           " e.g. USD, EUR or CNY",
               "unit": "write the magnitude the source printed: thousand, mn or bn"}.get(field or "",
                                                                                   "fill it in; every figure needs it")
        return _error("missing-value", rel, row, field, "is empty but required", fix)
    refused = numeric.refusal(full) if name in numeric.BOUNDS else None
    if refused is not None:  # NaN, infinity, digits the build cannot read: say that, not "out of range"
        return _error(refused[0], rel, row, field, refused[1], refused[2])
    if name == "maxLength":
        return _error("too-long", rel, row, field,
                      f"is {len(full):,} characters long, more than the {int(limit):,} allowed ('{shown(full, 40)}')",
                      f"shorten it to at most {int(limit):,} characters; longer explanations belong on a page")
    if name == "minLength":
        return _error("too-short", rel, row, field, f"'{value}' is shorter than the {int(limit):,} characters"
                      " required", "complete it")
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
        hint = {"url": "only http:// or https:// addresses are allowed",
                "currency": "write an ISO 4217 code: three capital letters, e.g. USD, EUR or CNY",
                "to": "write an ISO 4217 code: three capital letters, e.g. USD, EUR or CNY",
                "agency": "write CODE:kind pairs separated by spaces, e.g. 'AAA:customs BBB:statistics'; kinds: "
                          + ", ".join(AGENCY_KINDS)}.get(field or "", f"it must match {limit}")
        return _error("bad-format", rel, row, field, f"'{value}' has the wrong format", hint)
    if name == "unique":
        return _error("duplicate-id", rel, row, field, f"duplicate value '{value}'", "make it unique")
    return _error("constraint", rel, row, field, f"'{value}' breaks the {name} constraint ({limit})",
                  "see the field's constraints in datapackage.json")


def _error(code: str, file: str, row, field, message: str, fix: str) -> Problem:
    return Problem("error", code, file, row, field, message, fix)
