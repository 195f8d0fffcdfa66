"""The vectorised schema check reports exactly what frictionless reports, fault by fault.

frictionless-py is the contract; `trademirror.tableschema` is the fast engine
for big packages. Each case plants faults in a copy of the real package and
validates it with both engines: the problem lines must be the same set.
"""

from __future__ import annotations

import json
import string

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from trademirror import package

from .conftest import REAL_DESCRIPTOR, PackageCopy


def _lines(descriptor, engine: str) -> set[str]:
    result = package.check_schema(descriptor, engine=engine)
    assert result.engine == engine
    assert not result.omitted
    return {p.line() for p in result.problems}


def _edit_line(copy: PackageCopy, resource: str, line: int, new: str) -> None:
    """Replace one physical line of a CSV file (1 = the header)."""
    path = copy.path(resource)
    lines = path.read_text(encoding="utf-8").split("\n")
    lines[line - 1] = new
    path.write_text("\n".join(lines), encoding="utf-8")


def _line(copy: PackageCopy, resource: str, line: int) -> str:
    return copy.path(resource).read_text(encoding="utf-8").split("\n")[line - 1]


ROW = "chn-kaz-turnover-2025"


def _unbounded(copy: PackageCopy, resource: str, field: str) -> None:
    """Drop a number field's bounds from the schema (as a fork's schema might have none)."""
    meta = json.loads(copy.descriptor.read_text(encoding="utf-8"))
    spec = next(f for r in meta["resources"] if r["name"] == resource for f in r["schema"]["fields"]
                if f["name"] == field)
    spec["constraints"] = {k: v for k, v in spec["constraints"].items() if k not in ("minimum", "maximum")}
    copy.descriptor.write_text(json.dumps(meta), encoding="utf-8")

# Each case breaks a copy of the real package in one or more ways.
CASES = {
    "not a number": lambda c: c.set("figures", ROW, value="n/a"),
    "currency sign": lambda c: c.set("figures", ROW, value="$48700"),
    "thousands separator": lambda c: c.set("figures", ROW, value="48,700"),
    "space separator": lambda c: c.set("figures", ROW, value="48 700"),
    "negative": lambda c: c.set("figures", ROW, value="-48700"),
    "negative zero is not negative": lambda c: c.set("figures", ROW, value="-0"),
    "number forms python and pandas accept": lambda c: [c.set("figures", ROW, value="+12."),
                                                        c.set("figures", "chn-kaz-exports-2025", value=" 12 "),
                                                        c.set("figures", "chn-kaz-imports-2025", value="1e3")],
    "number forms only python accepts": lambda c: [c.set("figures", ROW, value="1_000"),
                                                   c.set("figures", "chn-kaz-exports-2025", value="١٢"),
                                                   c.set("figures", "chn-kaz-imports-2025", value="\xa012")],
    "infinity in an indicator": lambda c: c.set("indicators", "kgz-gdp-2025", value="Infinity"),
    "nan and infinity where the schema sets no bounds": lambda c: [
        _unbounded(c, "growth", "change_pct"), c.set("growth", "chn-kaz-turnover-2025-vs-2024", change_pct="inf"),
        c.set("growth", "chn-kgz-turnover-2025-vs-2024", change_pct="NaN")],
    "over the maximum": lambda c: [c.set("figures", ROW, value="1e9"), c.set("figures", ROW, note="n" * 1001)],
    "nan and infinity": lambda c: [c.set("figures", ROW, value="NaN"),
                                   c.set("figures", "chn-kaz-exports-2025", value="-Infinity")],
    "growth below its minimum": lambda c: c.set("growth", "chn-kaz-turnover-2025-vs-2024", change_pct="-100.5"),
    "enum": lambda c: [c.set("figures", ROW, flow="reexports"), c.set("figures", ROW, qualifier="roughly")],
    "enum is case sensitive": lambda c: c.set("figures", ROW, flow="Exports"),
    "id pattern": lambda c: c.set("figures", ROW, id="Bad_ID"),
    "code pattern with a trailing newline": lambda c: c.set("countries", "KAZ", groups="XCA\n"),
    # a newline inside the value: the joined-column shortcut must not read it as two values that each match
    "code pattern with a leading newline": lambda c: c.set("figures", ROW, partner="\nA00"),
    "non-http url": lambda c: c.set("sources", "vbkg-2026", url="javascript:alert(1)"),
    "data url": lambda c: c.set("sources", "vbkg-2026", url="data:text/html,hi"),
    "bad date": lambda c: c.set("figures", ROW, period_end="2025-13-31"),
    "unpadded date": lambda c: c.set("figures", ROW, period_start="2025-1-1"),
    "date with time": lambda c: c.set("figures", ROW, period_start="2025-01-01T00:00"),
    "february 30": lambda c: c.set("figures", ROW, period_end="2025-02-30"),
    "duplicate id": lambda c: c.set("figures", "chn-kaz-exports-2025", id=ROW),
    "three times the same id": lambda c: [c.set("figures", "chn-kaz-exports-2025", id=ROW),
                                          c.set("figures", "chn-kaz-imports-2025", id=ROW)],
    "duplicate country code": lambda c: c.set("countries", "TKM", code="KAZ"),
    "unknown country": lambda c: [c.set("figures", ROW, partner="KZX"), c.set("figures", ROW, reporter="ABC")],
    "unknown source": lambda c: c.set("figures", ROW, source_id="nowhere"),
    "dangling corroboration": lambda c: c.add("corroborations", figure_id="no-such-figure", source_id="vbkg-2026",
                                              locator="p1"),
    "missing required": lambda c: [c.set("figures", ROW, value=""), c.set("figures", ROW, locator="")],
    "empty id": lambda c: c.set("figures", ROW, id=""),
    "missing cells": lambda c: _edit_line(c, "figures", 3, ",".join(_line(c, "figures", 3).split(",")[:5])),
    "one cell": lambda c: _edit_line(c, "figures", 4, "lonely"),
    "extra cells": lambda c: _edit_line(c, "figures", 5, _line(c, "figures", 5) + ",extra,more"),
    "blank line": lambda c: _edit_line(c, "figures", 6, ""),
    "row of commas": lambda c: _edit_line(c, "figures", 7, "," * 10),
    "row of spaces is not blank": lambda c: _edit_line(c, "figures", 8, " ,  , " + "," * 8),
    "blank row with extra cells": lambda c: _edit_line(c, "figures", 9, "," * 14),
    "quoted newline in a cell": lambda c: c.set("figures", ROW, note="two\nlines"),
    "many faults at once": lambda c: [c.set("figures", ROW, value="$1", flow="x", partner="QQQ"),
                                      c.set("figures", "chn-kaz-exports-2025", id=ROW, period_end="2025-1-31"),
                                      c.set("countries", "KAZ", kind="cuntry"),
                                      _edit_line(c, "figures", 10, "")],
}


# Cells that look wrong but that the Table Schema accepts (frictionless casts with Python's
# Decimal and strptime, and a pattern's `$` allows one trailing newline): both engines agree.
# Numbers Decimal takes but pandas cannot read (`1_000`, `١٢`) are refused after either engine,
# by the same check (`package._number_problems`).
VALID = {"negative zero is not negative", "number forms python and pandas accept",
         "code pattern with a trailing newline", "quoted newline in a cell", "unpadded date"}


@pytest.mark.parametrize("case", sorted(CASES))
def test_vectorised_engine_reports_exactly_what_frictionless_reports(real_copy: PackageCopy, case: str):
    CASES[case](real_copy)
    expected = _lines(real_copy.descriptor, "frictionless")
    assert bool(expected) == (case not in VALID)
    assert _lines(real_copy.descriptor, "vectorised") == expected


def test_both_engines_find_nothing_wrong_with_the_real_package():
    assert _lines(REAL_DESCRIPTOR, "frictionless") == _lines(REAL_DESCRIPTOR, "vectorised") == set()


def test_the_real_package_is_small_enough_for_frictionless_to_check_it():
    assert package.check_schema(REAL_DESCRIPTOR).engine == "frictionless"


cells = st.text(alphabet=string.digits + "-.,eE$ _+aN" + "\u0661\xa0", max_size=8)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(value=cells, date=st.text(alphabet=string.digits + "-T :", max_size=12),
       code=st.text(alphabet="AKZXaz09 \n", max_size=4))
def test_any_cell_text_gets_the_same_verdict_from_both_engines(real_copy: PackageCopy, value, date, code):
    real_copy.set("figures", ROW, value=value, period_end=date, partner=code)
    assert _lines(real_copy.descriptor, "vectorised") == _lines(real_copy.descriptor, "frictionless")


# 64 fields make pandas read 8,192 rows a chunk: 20,000 rows are three chunks.
WIDE = [{"name": "value", "type": "number"}] + [{"name": f"c{i}", "type": "string"} for i in range(63)]


@pytest.mark.parametrize(("early", "late"), [("-0", "1.5"), ("0.5", "-0"), ("0.5", '"-0"'), ("7", "1.5"),
                                             ("0.5", "9007199254740993"), ("7", "True"), ("7", "abc")])
def test_a_number_column_read_in_chunks_is_typed_as_one_read_types_it(early: str, late: str):
    """Integer and decimal chunks join as floats: the same values as one read, or the file is read again."""
    import io

    import numpy as np
    import pandas as pd

    from trademirror.tablereading import read_table

    cells = ["0"] * 20_000
    cells[3], cells[19_000] = early, late
    rest = "," + ",".join("x" * 63)
    raw = ("value" + "".join(f",c{i}" for i in range(63)) + "\n" + "".join(c + rest + "\n" for c in cells)).encode()
    chunked = read_table("t", WIDE, raw).frame["value"]
    whole = pd.read_csv(io.BytesIO(raw), dtype={f"c{i}": object for i in range(63)}, keep_default_na=False,
                        na_filter=False, low_memory=False)["value"]
    assert chunked.dtype == whole.dtype
    if whole.dtype.kind == "f":
        assert np.array_equal(np.signbit(chunked.to_numpy()), np.signbit(whole.to_numpy()))
    assert chunked.tolist() == whole.tolist()
