"""Schema errors as data, and the one place that decides their code and words.

Both validation engines (frictionless for small packages, `tableschema` for
big ones) report each broken cell, key or row as a `CellError`: where it is,
which rule it breaks and with what limit, and the value found. This module
decides the problem code of such an error (`type_codes`, `constraint_codes`,
`reference_code`, on whole arrays of cells so the fast engine can count a
million errors by code without making a million objects) and turns a
classified error into the one line a journalist reads (`describe`).

Adding a kind of problem means adding its code here and its words to `WORDS`.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from .listcells import AGENCY_KINDS
from .numeric import BOUNDS, refusal
from .report import Problem
from .resources import shown

NUMBER_WITH_SEPARATOR = re.compile(r"^-?\d{1,3}([,\s']\d{3})+(\.\d+)?$")
CURRENCY = re.compile(r"[$€£¥₽]|US\$|USD|bn|mn", re.IGNORECASE)

# The `constraint` of errors that are not a field constraint of the Table Schema.
TYPE, PRIMARY_KEY, UNIQUE, FOREIGN_KEY, ROW = "type", "primaryKey", "unique", "foreignKey", "row"


@dataclass(frozen=True)
class CellError:
    """One schema error: where it is, the rule it breaks, and what was found.

    `constraint` is a Table Schema constraint name (`minimum`, `pattern`,
    `required`, ...), or `type` (with the field's type as `limit`), `unique`,
    `primaryKey`, `foreignKey` (with the referenced resource as `limit`), or
    `row` for a row of the wrong length or a blank one.
    """

    file: str  # path relative to the package, e.g. "data/figures.csv"
    row: int  # line number in the file (the header is line 1)
    field: str | None  # the field, or the key's fields joined by ", "
    constraint: str
    limit: Any  # the constraint's value in the schema
    problem: str  # the Problem code, from the functions below
    value: str = ""  # the cell as written (a key's cells joined by ", ")
    first: int | None = None  # a repeated key: the line where it appeared before


# --- Codes: decided on arrays of failing cells ----------------------------------


def type_codes(kind: str, cells: np.ndarray) -> np.ndarray:
    """The problem code of each cell that is not of the field's type."""
    if kind == "number":
        text = pd.Series(cells, dtype=object).astype(str)
        return np.where(text.str.contains(CURRENCY), "currency-sign",
                        np.where(text.str.strip().str.match(NUMBER_WITH_SEPARATOR), "thousands-separator",
                                 "not-a-number")).astype(object)
    return np.full(len(cells), "not-a-date" if kind == "date" else "wrong-type", dtype=object)


CONSTRAINT_CODES = {"required": "missing-value", "minimum": "out-of-range", "maximum": "out-of-range",
                    "enum": "not-allowed", "pattern": "bad-format", "maxLength": "too-long", "minLength": "too-short"}


def constraint_codes(constraint: str, cells: np.ndarray) -> np.ndarray:
    """The problem code of each cell that breaks `constraint`.

    Under a minimum a value written with a minus is negative; a number the
    build cannot read (NaN, infinity, other digits) gets `numeric.refusal`'s
    code, which says that rather than "out of range".
    """
    codes = np.full(len(cells), CONSTRAINT_CODES.get(constraint, "constraint"), dtype=object)
    if constraint == "minimum":
        negative = np.array([str(c).startswith("-") for c in cells], dtype=bool)
        codes[negative] = "negative-value"
    if constraint in BOUNDS:
        for i, cell in enumerate(cells):
            refused = refusal(str(cell))
            if refused is not None:
                codes[i] = refused[0]
    return codes


def reference_code(target: str) -> str:
    """The code of a foreign key not found in `target`: a country code is the usual case."""
    return "unknown-country" if target == "countries" else "unknown-reference"


# --- Words: one line per classified error -----------------------------------------

REQUIRED_FIX = {
    "currency": "write the ISO 4217 code of the currency the source printed the value in, e.g. USD, EUR or CNY",
    "unit": "write the magnitude the source printed: thousand, mn or bn",
}
ISO_4217 = "write an ISO 4217 code: three capital letters, e.g. USD, EUR or CNY"
PATTERN_FIX = {
    "url": "only http:// or https:// addresses are allowed",
    "currency": ISO_4217,
    "to": ISO_4217,
    "agency": "write CODE:kind pairs separated by spaces, e.g. 'AAA:customs BBB:statistics'; kinds: "
              + ", ".join(AGENCY_KINDS),
}


def _missing(e: CellError) -> tuple[str, str]:
    if e.constraint == PRIMARY_KEY:
        return "is empty but required", "fill it in; every row needs its id"
    return "is empty but required", REQUIRED_FIX.get(e.field or "", "fill it in; every figure needs it")


def _too_long(e: CellError) -> tuple[str, str]:
    limit = int(e.limit)
    return (f"is {len(e.value):,} characters long, more than the {limit:,} allowed ('{shown(e.value, 40)}')",
            f"shorten it to at most {limit:,} characters; longer explanations belong on a page")


def _duplicate(e: CellError) -> tuple[str, str]:
    where = f" (first on line {e.first})" if e.first is not None else ""
    return (f"duplicate value '{e.value}'{where}", "each row needs its own id: rename one, or merge the two rows")


def _unknown(e: CellError) -> tuple[str, str]:
    fix = (f"use a code listed in {e.limit}.csv, or add '{e.value}' there first" if e.limit == "countries"
           else f"use an id listed in {e.limit}.csv")
    return f"'{e.value}' is not in {e.limit}.csv", fix


WORDS: dict[str, Callable[[CellError], tuple[str, str]]] = {
    "currency-sign": lambda e: (
        f"'{shown(e.value)}' has a currency sign or unit",
        "write the bare number as the source printed it, e.g. 29.7, and its magnitude"
        " (thousand, mn, bn) and currency (USD, EUR) in the unit and currency columns"),
    "thousands-separator": lambda e: (
        f"'{shown(e.value)}' has a thousands separator",
        "write the number without separators, with a dot for decimals, e.g. 29700.5"),
    "not-a-number": lambda e: (f"'{shown(e.value)}' is not a number",
                               "write a plain number with a dot for decimals, e.g. 784 or 13.5"),
    "not-a-date": lambda e: (f"'{shown(e.value)}' is not a date", "write an ISO date YYYY-MM-DD, e.g. 2025-10-31"),
    "wrong-type": lambda e: (f"'{shown(e.value)}' is not of type {e.limit}",
                             "see the field's type in datapackage.json"),
    "missing-value": _missing,
    "too-long": _too_long,
    "too-short": lambda e: (f"'{shown(e.value)}' is shorter than the {int(e.limit):,} characters required",
                            "complete it"),
    "negative-value": lambda e: (f"'{shown(e.value)}' is negative",
                                 f"values are ≥ {e.limit}; enter the size of the flow, the direction goes in 'flow'"),
    "out-of-range": lambda e: (f"'{shown(e.value)}' is outside the allowed range ({e.constraint} {e.limit})",
                               "check the value against the source"),
    "not-allowed": lambda e: (f"'{shown(e.value)}' is not an allowed value",
                              f"use one of: {', '.join(str(v) for v in e.limit)}"),
    "bad-format": lambda e: (f"'{shown(e.value)}' has the wrong format",
                             PATTERN_FIX.get(e.field or "", f"it must match {e.limit}")),
    "constraint": lambda e: (f"'{shown(e.value)}' breaks the {e.constraint} constraint ({e.limit})",
                             "see the field's constraints in datapackage.json"),
    "duplicate-id": _duplicate,
    "unknown-country": _unknown,
    "unknown-reference": _unknown,
    "missing-cell": lambda e: ("row has fewer cells than the header",
                               "add the missing commas so every row has one cell per column"),
    "extra-cell": lambda e: ("row has more cells than the header",
                             "quote values that contain commas, or remove the extra cells"),
    "blank-row": lambda e: ("blank row", "delete the empty line"),
}


def describe(error: CellError) -> Problem:
    """The error as the line a journalist reads: file, row, field, what is wrong, what to do."""
    refused = refusal(error.value) if error.constraint in BOUNDS else None
    message, fix = refused[1:] if refused is not None else WORDS[error.problem](error)
    return Problem("error", error.problem, error.file, error.row, error.field, message, fix)
