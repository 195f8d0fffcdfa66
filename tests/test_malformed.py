"""Malformed files through the real command: one clear line each, a non-zero exit, never a traceback.

What a newsroom's files really look like after a spreadsheet has been near
them: empty, header only, a byte-order mark, Windows line ends, Latin-1, a
duplicated column, semicolons, a workbook saved under a .csv name.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from .conftest import ROOT, PackageCopy

HEADER = "id,reporter,partner,flow,period_start,period_end,value,unit,currency,qualifier,source_id,locator,note"


def _bytes(resource: str, make):
    def breaker(copy: PackageCopy) -> None:
        path = copy.path(resource)
        path.write_bytes(make(path.read_bytes()))
    return breaker


def _descriptor(make):
    def breaker(copy: PackageCopy) -> None:
        copy.descriptor.write_text(make(copy.descriptor.read_text(encoding="utf-8")), encoding="utf-8")
    return breaker


def _without_schema(text: str) -> str:
    meta = json.loads(text)
    del meta["resources"][0]["schema"]
    return json.dumps(meta)


def _unclosed(raw: bytes) -> bytes:
    lines = raw.split(b"\n")
    lines[4] = lines[4].replace(b",exact,", b',"exact,', 1)
    return b"\n".join(lines)


# case: (how to break a copy of the real package, exit code, the start of the one expected line or None if valid)
CASES = {
    "0-byte file": (_bytes("figures", lambda raw: b""), 1, "data/figures.csv:1: file is empty"),
    "whitespace only": (_bytes("figures", lambda raw: b"\n \n"), 1, "data/figures.csv:1: file is empty"),
    "header only": (_bytes("figures", lambda raw: raw.split(b"\n")[0] + b"\n"), 1,
                    "data/figures.csv:2: has a header but no figures"),
    "header only without a newline": (_bytes("figures", lambda raw: raw.split(b"\n")[0]), 1,
                                      "data/figures.csv:2: has a header but no figures"),
    "header-only table that may be empty": (_bytes("corroborations", lambda raw: raw.split(b"\n")[0] + b"\n"),
                                            0, None),
    "utf-8 byte-order mark": (_bytes("figures", lambda raw: b"\xef\xbb\xbf" + raw), 0, None),
    "CRLF line ends": (_bytes("figures", lambda raw: raw.replace(b"\n", b"\r\n")), 0, None),
    "byte-order mark and CRLF": (_bytes("sources", lambda raw: b"\xef\xbb\xbf" + raw.replace(b"\n", b"\r\n")), 0,
                                 None),
    "latin-1 file": (_bytes("sources", lambda raw: raw.decode("utf-8").replace("China's", "Chine's é")
                            .encode("latin-1", errors="replace")), 1,
                     "data/sources.csv:4: title: is not UTF-8: byte 0xe9"),
    "utf-16 file": (_bytes("sources", lambda raw: raw.decode("utf-8").encode("utf-16")), 1,
                    "data/sources.csv:1: is UTF-16 text, not UTF-8"),
    "duplicated header column": (_bytes("figures", lambda raw: raw.replace(b",note,", b",note,note,", 1)),
                                 1, "data/figures.csv:1: note: column 'note' appears twice"),
    "semicolon separated": (_bytes("figures", lambda raw: raw.split(b"\n")[0].replace(b",", b";") + b"\n"), 1,
                            "data/figures.csv:1: columns are separated by semicolons, not commas"),
    "excel workbook saved as csv": (_bytes("figures", lambda raw: b"PK\x03\x04" + b"\x00" * 30), 1,
                                    "data/figures.csv:1: is an Excel workbook (.xlsx), not a CSV file"),
    "nul byte": (_bytes("figures", lambda raw: raw.replace(b"exact", b"ex\x00act", 1)), 1,
                 "data/figures.csv:2: contains a NUL byte"),
    "unclosed quote": (_bytes("figures", _unclosed), 1, "data/figures.csv:5: a quote (\") opens here"),
    "blank line above the header": (_bytes("figures", lambda raw: b"\n" + raw), 1,
                                    "data/figures.csv:1: line 1 is blank"),
    "descriptor is not json": (_descriptor(lambda text: text[:-3]), 1, "datapackage.json:"),
    "descriptor is a list": (_descriptor(lambda text: "[]"), 1, "datapackage.json: resources: has no list"),
    "resource without a schema": (_descriptor(_without_schema), 1, "datapackage.json: resources: "),
}


def _validate(descriptor: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "build_charts.py", "--package", str(descriptor), "validate"],
                          capture_output=True, text=True, cwd=ROOT, timeout=120)


@pytest.mark.parametrize("case", sorted(CASES))
def test_a_malformed_file_gets_one_clear_line_and_a_nonzero_exit(real_copy: PackageCopy, case: str):
    breaker, code, expected = CASES[case]
    breaker(real_copy)
    result = _validate(real_copy.descriptor)
    output = result.stdout + result.stderr
    assert "Traceback" not in output, output
    assert result.returncode == code, output
    problem_lines = [line.strip() for line in result.stdout.splitlines() if line.startswith("  ")]
    if expected is None:
        assert not any(line.startswith("data/") and "error" in line for line in problem_lines), output
        assert "0 error(s)" in result.stdout
        return
    errors = [line for line in problem_lines if line.startswith(expected.split(":")[0])]
    assert len(errors) == 1, output  # one line, not a cascade
    assert errors[0].startswith(expected), output
    assert " — " in errors[0]  # every line says what to do
