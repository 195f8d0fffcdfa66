"""Each schema rule, broken, gets its own code and its own line: the classifier, rule by rule.

`cellerrors` decides the code of a failing cell (on arrays, as the fast engine
calls it) and words a classified error; both engines go through it. The
lines below are the wording a journalist reads, written out in full once.
"""

from __future__ import annotations

import json

import numpy as np
import pytest

from trademirror import package
from trademirror.cellerrors import (
    FOREIGN_KEY,
    PRIMARY_KEY,
    ROW,
    TYPE,
    UNIQUE,
    CellError,
    constraint_codes,
    describe,
    reference_code,
    type_codes,
)

from .conftest import PackageCopy

FILE = "data/figures.csv"

# constraint, its limit, the cell, the field: the code and the line
CONSTRAINTS = [
    ("required", True, "", "locator", "missing-value",
     "locator: is empty but required — fill it in; every figure needs it"),
    ("required", True, "", "unit", "missing-value",
     "unit: is empty but required — write the magnitude the source printed: thousand, mn or bn"),
    ("minimum", 0, "-5", "value", "negative-value",
     "value: '-5' is negative — values are ≥ 0; enter the size of the flow, the direction goes in 'flow'"),
    ("minimum", 5, "3", "value", "out-of-range",
     "value: '3' is outside the allowed range (minimum 5) — check the value against the source"),
    ("maximum", 100000000, "1e9", "value", "out-of-range",
     "value: '1e9' is outside the allowed range (maximum 100000000) — check the value against the source"),
    ("maximum", 10, "1e999", "value", "out-of-range",
     "value: '1e999' is too large to compute with — check the value against the source"),
    ("minimum", 0, "NaN", "value", "not-finite",
     "value: 'NaN' is not a finite number — write the value as published, in digits, e.g. 784;"
     " a figure is never infinite or 'not a number'"),
    ("minimum", 0, "-١٢", "value", "non-ascii-digits",
     "value: '-١٢' has digits other than 0-9 — write it with the digits 0-9: -12"),
    ("exclusiveMinimum", 0, "0", "rate", "constraint",
     "rate: '0' breaks the exclusiveMinimum constraint (0) — see the field's constraints in datapackage.json"),
    ("enum", ["exports", "imports", "turnover"], "reexports", "flow", "not-allowed",
     "flow: 'reexports' is not an allowed value — use one of: exports, imports, turnover"),
    ("pattern", "^[A-Z]{3}$", "usd", "currency", "bad-format",
     "currency: 'usd' has the wrong format — write an ISO 4217 code: three capital letters, e.g. USD, EUR or CNY"),
    ("pattern", "^https?://[^\\s]+$", "javascript:x", "url", "bad-format",
     "url: 'javascript:x' has the wrong format — only http:// or https:// addresses are allowed"),
    ("pattern", "^[a-z]+$", "Bad", "id", "bad-format", "id: 'Bad' has the wrong format — it must match ^[a-z]+$"),
    ("maxLength", 5, "abcdefgh", "note", "too-long",
     "note: is 8 characters long, more than the 5 allowed ('abcdefgh') — shorten it to at most 5 characters;"
     " longer explanations belong on a page"),
    ("minLength", 3, "ab", "locator", "too-short",
     "locator: 'ab' is shorter than the 3 characters required — complete it"),
]


@pytest.mark.parametrize(("constraint", "limit", "cell", "field", "code", "line"), CONSTRAINTS,
                         ids=[f"{c[0]}-{c[4]}" for c in CONSTRAINTS])
def test_each_broken_constraint_has_its_code_and_line(constraint, limit, cell, field, code, line):
    found = constraint_codes(constraint, np.array([cell], dtype=object))
    assert list(found) == [code]
    problem = describe(CellError(FILE, 7, field, constraint, limit, code, cell))
    assert (problem.code, problem.line()) == (code, f"{FILE}:7: {line}")


def test_codes_are_decided_cell_by_cell_in_one_call():
    cells = np.array(["-5", "3", "NaN", "-Infinity"], dtype=object)
    assert list(constraint_codes("minimum", cells)) == ["negative-value", "out-of-range", "not-finite", "not-finite"]


# the field's type, the cell: the code and the line
TYPES = [
    ("number", "$48700", "currency-sign", "value: '$48700' has a currency sign or unit"),
    ("number", "48,700", "thousands-separator", "value: '48,700' has a thousands separator"),
    ("number", "48 700", "thousands-separator", "value: '48 700' has a thousands separator"),
    ("number", "n/a", "not-a-number", "value: 'n/a' is not a number"),
    ("date", "2025-13-31", "not-a-date", "value: '2025-13-31' is not a date"),
    ("integer", "x", "wrong-type", "value: 'x' is not of type integer"),
]


@pytest.mark.parametrize(("kind", "cell", "code", "line"), TYPES, ids=[t[2] + "-" + t[1] for t in TYPES])
def test_each_cell_not_of_its_type_has_its_code_and_line(kind, cell, code, line):
    assert list(type_codes(kind, np.array([cell], dtype=object))) == [code]
    problem = describe(CellError(FILE, 7, "value", TYPE, kind, code, cell))
    assert problem.line().startswith(f"{FILE}:7: {line} — ")


# keys and rows: the error and its line
OTHERS = [
    (CellError(FILE, 9, "id", UNIQUE, True, "duplicate-id", "chn-kaz", 4),
     "id: duplicate value 'chn-kaz' (first on line 4) — each row needs its own id: rename one, or merge the two rows"),
    (CellError("data/names.csv", 9, "code, language", PRIMARY_KEY, ["code", "language"], "duplicate-id", "KAZ, en", 3),
     "code, language: duplicate value 'KAZ, en' (first on line 3) — each row needs its own id: rename one,"
     " or merge the two rows"),
    (CellError(FILE, 9, "id", PRIMARY_KEY, ["id"], "missing-value"),
     "id: is empty but required — fill it in; every row needs its id"),
    (CellError(FILE, 9, "partner", FOREIGN_KEY, "countries", reference_code("countries"), "KZX"),
     "partner: 'KZX' is not in countries.csv — use a code listed in countries.csv, or add 'KZX' there first"),
    (CellError(FILE, 9, "source_id", FOREIGN_KEY, "sources", reference_code("sources"), "nowhere"),
     "source_id: 'nowhere' is not in sources.csv — use an id listed in sources.csv"),
    (CellError(FILE, 9, "note", ROW, None, "missing-cell"),
     "note: row has fewer cells than the header — add the missing commas so every row has one cell per column"),
    (CellError(FILE, 9, None, ROW, None, "extra-cell"),
     "row has more cells than the header — quote values that contain commas, or remove the extra cells"),
    (CellError(FILE, 9, None, ROW, None, "blank-row"), "blank row — delete the empty line"),
]


@pytest.mark.parametrize(("error", "line"), OTHERS, ids=[f"{e.constraint}-{e.problem}" for e, _ in OTHERS])
def test_key_and_row_errors_have_their_line(error, line):
    assert describe(error).line() == f"{error.file}:9: {line}"


def _lines(descriptor, engine: str) -> set[str]:
    result = package.check_schema(descriptor, engine=engine)
    assert result.engine == engine
    return {p.line() for p in result.problems}


def test_a_cell_breaking_two_rules_gets_a_line_for_each_from_both_engines(real_copy: PackageCopy):
    line = real_copy.set("figures", "chn-kaz-turnover-2025", id="Bad_" + "x" * 120)
    expected = _lines(real_copy.descriptor, "frictionless")
    mine = {p for p in expected if p.startswith(f"data/figures.csv:{line}: id: ")}
    assert [" has the wrong format " in p for p in sorted(mine)].count(True) == 1
    assert [" characters long, more than the 100 allowed " in p for p in sorted(mine)].count(True) == 1
    assert _lines(real_copy.descriptor, "vectorised") == expected


def test_a_repeated_composite_key_names_its_cells_and_earlier_line_in_both_engines(real_copy: PackageCopy):
    first = real_copy.rows("names")[0]
    line = real_copy.add("names", **first)
    expected = _lines(real_copy.descriptor, "frictionless")
    assert f"data/names.csv:{line}: code, language: duplicate value '{first['code']}, {first['language']}'" \
           f" (first on line 2) — each row needs its own id: rename one, or merge the two rows" in expected
    assert _lines(real_copy.descriptor, "vectorised") == expected


def test_an_exclusive_bound_is_named_in_its_line(real_copy: PackageCopy):
    """frictionless 5 takes exclusive bounds only in a Data Package v2, which a package here is not; the fast engine
    reads them, and its line names the bound."""
    meta = json.loads(real_copy.descriptor.read_text(encoding="utf-8"))
    figures = next(r for r in meta["resources"] if r["name"] == "figures")
    spec = next(f for f in figures["schema"]["fields"] if f["name"] == "value")
    spec["constraints"] = {"required": True, "exclusiveMinimum": 0}
    real_copy.descriptor.write_text(json.dumps(meta), encoding="utf-8")
    line = real_copy.set("figures", "chn-kaz-turnover-2025", value="0")
    assert _lines(real_copy.descriptor, "vectorised") == {
        f"data/figures.csv:{line}: value: '0' breaks the exclusiveMinimum constraint (0)"
        " — see the field's constraints in datapackage.json"}
