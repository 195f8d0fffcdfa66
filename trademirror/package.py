"""Load a data package and check it against its Table Schema.

This is the only module that reads `datapackages/`, and it reads every file
through `resources`, which checks the path and the size first (the build then
publishes those same bytes). The frictionless schema in
`datapackage.json` is the contract. A package of up to
`tableschema.FRICTIONLESS_MAX_ROWS` data rows is validated by frictionless-py
itself (`frictionless_errors`); a bigger one by `tableschema`, which checks
the same schema on whole columns and reports the same errors (tests hold the
two to that). Both report `cellerrors.CellError`s, and `cellerrors.describe`
makes each one line a journalist can act on.

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
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from . import currency, numeric, resources, tableschema
from .cellerrors import CellError, describe
from .listcells import NOT_STATED as NOT_STATED
from .listcells import agencies as agencies
from .listcells import codes as codes
from .precheck import precheck_files
from .report import Problem

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
    rows = 0  # counted only as far as the choice of engine needs
    for raw in raws.values():
        rows += tableschema.count_rows(raw, stop=max(tableschema.FRICTIONLESS_MAX_ROWS - rows, 0))
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
    resources = descriptor["resources"]
    schemas = {r["name"]: r["schema"] for r in resources}
    missing = {r["name"]: r["schema"].get("missingValues", [""]) for r in resources}
    tables = {r["name"]: tableschema.read_table(r["name"], r["schema"]["fields"], raws[r["name"]], path=r["path"])
              for r in resources}
    outcomes = tableschema.validate_tables(tables, schemas, missing, cap)
    problems: list[Problem] = []
    omitted: Counter = Counter()
    for outcome in outcomes.values():
        problems += [describe(error) for error in outcome.errors]
        omitted += outcome.counts - Counter(error.problem for error in outcome.errors)
    return SchemaCheck(problems, omitted, "vectorised", tables)


def load(descriptor_path: Path, tables: dict | None = None, raws: dict[str, bytes] | None = None) -> Dataset:
    """Read a package that passed `validate_schema` into typed DataFrames.

    `tables` are the text tables the vectorised validation already parsed, and
    `raws` the bytes it read; given them, the files are not read a second time.
    Without them, each file is read through `resources.read`, under the same rules.
    `tables` is consumed: each table is taken out of it as it is typed, so its
    text columns and validation keys are freed as it goes, not held to the end.
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
        table = tables.pop(name, None) if tables is not None else None
        if table is not None:
            frame, numbers = table.frame, table.numbers  # parsed for validation, not needed as text
            del table  # its keys and text cells go now: each column is replaced by its typed one below
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
    """frictionless' errors as Problems, each line once (a one-field key's errors repeat its field's)."""
    from .frictionless_errors import frictionless_errors  # imports frictionless, which is heavy: only when used

    problems: list[Problem] = []
    seen: set[tuple] = set()
    for error in frictionless_errors(descriptor_path, descriptor):
        problem = describe(error) if isinstance(error, CellError) else error
        key = (problem.file, problem.row, problem.code, problem.field)
        if key not in seen:
            seen.add(key)
            problems.append(problem)
    return problems


def _error(code: str, file: str, row, field, message: str, fix: str) -> Problem:
    return Problem("error", code, file, row, field, message, fix)
