"""CSV downloads are safe in a spreadsheet: the quick scan that skips a file agrees with guarding it cell by cell."""

from __future__ import annotations

import csv
import io

from hypothesis import given, settings
from hypothesis import strategies as st

from trademirror import spreadsheet

HEADER = ["id", "note", "value"]
cell = st.text(alphabet=st.sampled_from(list("ab1.,\"=+-@\t\r\n ")), max_size=6)


def by_cell(raw: bytes, text_fields: set[str]) -> bytes:
    """The guard applied to every text cell, with no shortcut: what guard_csv must equal."""
    text = raw.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text, newline="")))
    columns = [i for i, name in enumerate(rows[0]) if name in text_fields]
    guarded = [rows[0]] + [[("'" + c if i in columns and spreadsheet.guard(c) != c else c) for i, c in enumerate(r)]
                           for r in rows[1:]]
    if guarded == rows:
        return raw
    out = io.StringIO()
    csv.writer(out, lineterminator="\r\n" if b"\r\n" in raw else "\n").writerows(guarded)
    return out.getvalue().encode("utf-8")


@settings(max_examples=1000, deadline=None)
@given(rows=st.lists(st.tuples(cell, cell, cell), max_size=5), crlf=st.booleans())
def test_the_scan_skips_only_files_that_need_no_guard(rows, crlf):
    out = io.StringIO()
    csv.writer(out, lineterminator="\r\n" if crlf else "\n").writerows([HEADER, *rows])
    raw = out.getvalue().encode("utf-8")
    assert spreadsheet.guard_csv(raw, {"id", "note"}) == by_cell(raw, {"id", "note"})


def test_a_formula_in_a_note_is_guarded_and_a_negative_number_or_a_date_is_not():
    raw = b'id,note,value\nx,"=HYPERLINK(""http://a"")",-5\ny,2024-01-01,3\n'
    assert spreadsheet.guard_csv(raw, {"id", "note"}) == b'id,note,value\nx,"\'=HYPERLINK(""http://a"")",-5\ny,2024-01-01,3\n'
    clean = b"id,note,value\nx,,-5\r\ny,plain,3\r\n"
    assert spreadsheet.guard_csv(clean, {"id", "note"}) is clean
