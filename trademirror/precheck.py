"""Checks before the schema: files that cannot be read as the schema's CSV at all.

A missing, empty, binary or non-UTF-8 file, an unclosed quote, a header that
is not the schema's, or a figures file with no figures each get one line of
their own here, before the schema is checked, instead of a cascade of cell
errors.
"""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

from . import resources
from .report import Problem

NOT_SPACE = re.compile(rb"\S")
# Resources that must have at least one row: without figures the site has nothing to show.
NOT_EMPTY = ("figures",)

SPREADSHEET_MAGIC = {b"PK\x03\x04": "an Excel workbook (.xlsx)", b"\xd0\xcf\x11\xe0": "an old Excel workbook (.xls)"}
UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")


def precheck_files(root: Path, descriptor: dict) -> tuple[dict[str, bytes], list[Problem]]:
    """Each resource's bytes, and the problems that stop it being read as the schema's CSV."""
    problems: list[Problem] = []
    raws: dict[str, bytes] = {}
    for resource in descriptor.get("resources", []):
        rel = str(resource.get("path", "?"))
        expected = [f.get("name") for f in resource.get("schema", {}).get("fields", []) if isinstance(f, dict)]
        raw, found = resources.read(root, rel, str(resource.get("name")))
        if raw is None:
            problems += found
            continue
        found = _file_problems(rel, raw, expected, resource.get("name"))
        problems += found
        if not found:
            raws[str(resource.get("name"))] = raw
    return raws, problems


def _file_problems(rel: str, raw: bytes, expected: list[str], name) -> list[Problem]:
    """The first reason the file is not CSV text, else what is wrong with its header and rows."""
    problem = _not_text(rel, raw, expected)
    if problem is not None:
        return [problem]
    return _layout_problems(rel, raw, expected, name)


def _not_text(rel: str, raw: bytes, expected: list[str]) -> Problem | None:
    """Why the bytes are not UTF-8 CSV text (empty, a workbook, UTF-16, Latin-1, a NUL byte, an open quote)."""
    if NOT_SPACE.search(raw) is None:  # only blanks (raw.strip() would copy the whole file to say so)
        return _error("empty-file", rel, 1, None, "file is empty",
                      f"restore at least the header row: {','.join(expected)}")
    for magic, what in SPREADSHEET_MAGIC.items():
        if raw.startswith(magic):
            return _error("not-csv", rel, 1, None, f"is {what}, not a CSV file",
                          "in the spreadsheet, save as 'CSV UTF-8 (comma delimited)' under this name")
    if raw.startswith(UTF16_BOMS):
        return _error("encoding", rel, 1, None, "is UTF-16 text, not UTF-8",
                      "save the file as UTF-8 (in a spreadsheet: CSV UTF-8)")
    try:
        if not raw.isascii():  # ASCII is UTF-8: no need to decode a big file
            raw.decode("utf-8")  # only to prove it is UTF-8; the bytes are parsed later
    except UnicodeDecodeError as exc:
        return _encoding_problem(rel, raw, exc, expected)
    nul = raw.find(b"\x00")
    if nul >= 0:
        return _error("not-csv", rel, raw.count(b"\n", 0, nul) + 1, None, "contains a NUL byte: not plain text",
                      "export the table again as CSV UTF-8")
    if b'"' in raw and raw.count(b'"') % 2:  # (the count, five times slower than the search, only if needed)
        return _unclosed_quote(rel, raw.decode("utf-8").lstrip("\ufeff"))
    return None


def _layout_problems(rel: str, raw: bytes, expected: list[str], name) -> list[Problem]:
    """A blank first line, the wrong separator, a header that is not the schema's, no rows where rows must be."""
    header_line = ",".join(expected)
    text = raw[:65536].decode("utf-8", errors="ignore").lstrip("\ufeff")
    first = text.split("\n", 1)[0].rstrip("\r")
    if not first.strip():
        return [_error("blank-header", rel, 1, None, "line 1 is blank; the header row must come first",
                       f"delete the blank line(s) above the header: {header_line}")]
    header = next(csv.reader(io.StringIO(text, newline="")))
    if len(header) == 1 and len(expected) > 1:
        for sep, label in ((";", "semicolons"), ("\t", "tabs")):
            if sep in header[0]:
                return [_error("wrong-delimiter", rel, 1, None, f"columns are separated by {label}, not commas",
                               "save the file as CSV with commas (in a spreadsheet: CSV UTF-8 (comma delimited))")]
    problems = _header_problems(rel, header, expected)
    newline = raw.find(b"\n")
    if not problems and name in NOT_EMPTY and (newline < 0 or not NOT_SPACE.search(raw, newline)):
        problems.append(_error("no-rows", rel, 2, None, f"has a header but no {name}",
                               f"add at least one row under the header; the site has nothing to show without {name}"))
    return problems


def _encoding_problem(rel: str, raw: bytes, exc: UnicodeDecodeError, expected: list[str]) -> Problem:
    """Name the line, the column and the byte: a spreadsheet's Latin-1 'é' is the usual culprit."""
    line_start = raw.rfind(b"\n", 0, exc.start) + 1
    line = raw[: exc.start].count(b"\n") + 1
    before = raw[line_start: exc.start].decode("utf-8", errors="replace")
    column = len(next(csv.reader([before]), [""])) - 1 if before else 0
    field = expected[column] if line > 1 and 0 <= column < len(expected) else None
    end = raw.find(b"\n", exc.start)
    snippet = raw[exc.start: exc.start + 12 if end < 0 else min(end, exc.start + 12)]
    near = snippet.decode("cp1252", errors="replace").strip()
    return _error("encoding", rel, line, field,
                  f"is not UTF-8: byte 0x{raw[exc.start]:02x} at '{near}' (probably Latin-1 or Windows-1252)",
                  "save the file as UTF-8 (in a spreadsheet: CSV UTF-8)")


def _unclosed_quote(rel: str, text: str) -> Problem:
    """Find the line where a quote opens and never closes (csv would swallow the rest of the file)."""
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    line = 1
    try:
        for _ in reader:
            line = reader.line_num + 1
    except csv.Error:
        pass
    return _error("unclosed-quote", rel, line, None, 'a quote (") opens here and is never closed',
                  "close the quote, or remove it; quote a whole cell when it contains a comma")


def _header_problems(rel: str, header: list[str], expected: list[str]) -> list[Problem]:
    problems = []
    for name in sorted({h for h in header if header.count(h) > 1}):
        problems.append(_error("duplicate-column", rel, 1, name, f"column '{name}' appears twice",
                               "delete one of the two columns"))
    if "value_usd_mn" in header and "value" in expected:  # a figures file from before currencies
        return [_error("old-value-column", rel, 1, "value_usd_mn", "has the old column value_usd_mn",
                       "rename it to value and add the columns unit and currency after it,"
                       " with mn and USD in every row (the values stay as they are)")]
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



def _error(code: str, file: str, row, field, message: str, fix: str) -> Problem:
    return Problem("error", code, file, row, field, message, fix)
