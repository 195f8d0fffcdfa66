"""CSV that is safe to open in a spreadsheet.

A cell starting with `=`, `+`, `-` or `@` (or a tab or carriage return) is run
as a formula by Excel, LibreOffice and Google Sheets; a note in the data such
as `=HYPERLINK(...)` would then act in the reader's spreadsheet. Such text
cells are written with a leading apostrophe, which spreadsheets read as "this
is text" and do not display. Numbers (a negative balance) are left alone.
"""

from __future__ import annotations

import csv
import functools
import io
import re

import pandas as pd

TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
NUMBER = re.compile(r"[-+]?(\d+(\.\d*)?|\.\d+)([eE][-+]?\d+)?")


def guard(cell: object) -> object:
    if isinstance(cell, str) and cell.startswith(TRIGGERS) and not NUMBER.fullmatch(cell):
        return "'" + cell
    return cell


def guard_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """The frame with every text cell guarded; numeric columns untouched."""
    guarded = frame.copy()
    for column in guarded.columns:
        if not pd.api.types.is_numeric_dtype(guarded[column]):
            guarded[column] = guarded[column].map(guard)
    return guarded


# Where a cell could start with a trigger: after a comma or a line break, past an opening quote (the first line is
# the header, never guarded). A file with none of these needs no guard and is not parsed cell by cell: a region's
# 50 MB of declarations by commodity is scanned in a quarter of a second instead of parsed in two.
# A lone carriage return ends a row for the csv module as a line feed does; one starts a cell when quoted, or
# unquoted when it is not the first half of a CRLF.
CELL_START = re.compile(rb'[,\n\r](?:"?[=+\-@\t]|"\r|\r(?!\n))')


def _may_need_guard(raw: bytes) -> bool:
    return CELL_START.search(raw) is not None


@functools.lru_cache(maxsize=16)  # each edition publishes the same files: guarded once per build
def _guarded(raw: bytes, text_fields: frozenset[str]) -> bytes:
    return _guard_csv(raw, text_fields)


def guard_csv(raw: bytes, text_fields: set[str]) -> bytes:
    """A published CSV file with its text columns guarded; the very same bytes when nothing needs it."""
    return _guarded(raw, frozenset(text_fields))


def _guard_csv(raw: bytes, text_fields: frozenset[str]) -> bytes:
    if not _may_need_guard(raw):
        return raw
    text = raw.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text, newline="")))
    if not rows:
        return raw
    columns = [i for i, name in enumerate(rows[0]) if name in text_fields]
    changed = False
    for row in rows[1:]:
        for i in columns:
            if i < len(row) and guard(row[i]) != row[i]:
                row[i] = "'" + row[i]
                changed = True
    if not changed:
        return raw
    out = io.StringIO()
    csv.writer(out, lineterminator="\r\n" if b"\r\n" in raw else "\n").writerows(rows)
    return out.getvalue().encode("utf-8")
