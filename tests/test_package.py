"""Schema validation: the real package is valid, and each kind of malformed input gets its own clear error."""

from __future__ import annotations

import subprocess
import sys

import pytest

from trademirror import package
from trademirror.validate import validate

from .conftest import REAL_DESCRIPTOR, ROOT, PackageCopy

COMPUTED = ("csv_line", "value_mn", "rate", "rate_row")  # added by the loader, never read from a file


def test_real_package_has_no_schema_errors():
    assert package.validate_schema(REAL_DESCRIPTOR) == []


def test_real_package_validates_with_the_stock_frictionless_tool():
    frictionless = [sys.executable, "-m", "frictionless", "validate", str(REAL_DESCRIPTOR)]
    result = subprocess.run(frictionless, capture_output=True, text=True, cwd=ROOT)
    assert result.returncode == 0, result.stdout + result.stderr


def test_real_package_keeps_the_column_names_forks_rely_on():
    data = package.load(REAL_DESCRIPTOR)
    assert [c for c in data.figures.columns if c not in COMPUTED] == [
        "id", "reporter", "partner", "flow", "period_start", "period_end",
        "value", "unit", "currency", "qualifier", "source_id", "locator", "note", "status",
    ]


def _bytes(copy: PackageCopy, resource: str, data: bytes) -> None:
    copy.path(resource).write_bytes(data)


# Each case: how to break a copy of the real package, then the code, file, line and field we expect.
CASES = {
    "negative value": (lambda c: c.set("figures", "chn-kaz-turnover-2025", value="-48700"),
                       "negative-value", "data/figures.csv", "value"),
    "thousands separator": (lambda c: c.set("figures", "chn-kaz-turnover-2025", value="48,700"),
                            "thousands-separator", "data/figures.csv", "value"),
    "currency sign": (lambda c: c.set("figures", "chn-kaz-turnover-2025", value="$48700"),
                      "currency-sign", "data/figures.csv", "value"),
    "not a number": (lambda c: c.set("figures", "chn-kaz-turnover-2025", value="n/a"),
                     "not-a-number", "data/figures.csv", "value"),
    "unknown partner": (lambda c: c.set("figures", "chn-kaz-turnover-2025", partner="KZX"),
                        "unknown-country", "data/figures.csv", "partner"),
    "unknown reporter": (lambda c: c.set("figures", "chn-kaz-turnover-2025", reporter="ABC"),
                         "unknown-country", "data/figures.csv", "reporter"),
    "unknown source": (lambda c: c.set("figures", "chn-kaz-turnover-2025", source_id="nowhere"),
                       "unknown-reference", "data/figures.csv", "source_id"),
    "duplicate id": (lambda c: c.set("figures", "chn-kaz-exports-2025", id="chn-kaz-turnover-2025"),
                     "duplicate-id", "data/figures.csv", "id"),
    "unknown flow": (lambda c: c.set("figures", "chn-kaz-turnover-2025", flow="reexports"),
                     "not-allowed", "data/figures.csv", "flow"),
    "unknown qualifier": (lambda c: c.set("figures", "chn-kaz-turnover-2025", qualifier="roughly"),
                          "not-allowed", "data/figures.csv", "qualifier"),
    "unknown status": (lambda c: c.set("figures", "chn-kaz-turnover-2025", status="provisional"),
                       "not-allowed", "data/figures.csv", "status"),
    "agency of an unknown economy": (lambda c: c.set("sources", "vbkg-2026", agency="XXX:customs"),
                                     "unknown-country", "data/sources.csv", "agency"),
    "agency listed twice": (lambda c: c.set("sources", "vbkg-2026", agency="CHN:customs CHN:statistics"),
                            "duplicate-agency", "data/sources.csv", "agency"),
    "unknown agency kind": (lambda c: c.set("sources", "vbkg-2026", agency="CHN:police"),
                            "bad-format", "data/sources.csv", "agency"),
    "missing value": (lambda c: c.set("figures", "chn-kaz-turnover-2025", value=""),
                      "missing-value", "data/figures.csv", "value"),
    "bad date": (lambda c: c.set("figures", "chn-kaz-turnover-2025", period_end="2025-13-31"),
                 "not-a-date", "data/figures.csv", "period_end"),
    "javascript url": (lambda c: c.set("sources", "vbkg-2026", url="javascript:alert(1)"),
                       "bad-format", "data/sources.csv", "url"),
    "unknown column": (lambda c: c.write_rows("figures", [dict(r, extra="x") for r in c.rows("figures")]),
                       "unknown-column", "data/figures.csv", "extra"),
    "missing column": (lambda c: c.write_rows("figures", [{k: v for k, v in r.items() if k != "locator"}
                                                          for r in c.rows("figures")]),
                       "missing-column", "data/figures.csv", "locator"),
    "missing file": (lambda c: c.path("growth").unlink(), "missing-file", "data/growth.csv", None),
    "empty file": (lambda c: _bytes(c, "growth", b""), "empty-file", "data/growth.csv", None),
    "not utf-8": (lambda c: _bytes(c, "sources", c.path("sources").read_text("utf-8").encode("cp1252")),
                  "encoding", "data/sources.csv", "title"),
    "end before start": (lambda c: c.set("figures", "chn-kaz-turnover-2025", period_start="2025-12-01",
                                         period_end="2025-01-31"),
                         "period-reversed", "data/figures.csv", "period_end"),
    "not a whole month": (lambda c: c.set("figures", "chn-kaz-turnover-2025", period_end="2025-12-30"),
                          "not-whole-month", "data/figures.csv", "period_end"),
    "future period": (lambda c: c.set("figures", "chn-kaz-turnover-2025", period_start="2099-01-01",
                                      period_end="2099-12-31"),
                      "future-period", "data/figures.csv", "period_end"),
    "unknown group": (lambda c: c.set("countries", "KAZ", groups="XZZ"),
                      "unknown-group", "data/countries.csv", "groups"),
    "one-sided border": (lambda c: c.set("countries", "TKM", borders="KAZ UZB AZE"),
                         "one-sided-border", "data/countries.csv", "borders"),
    "name for an unknown economy": (lambda c: c.add("names", code="EUU", language="en", in_sentence="the EU"),
                                    "unknown-country", "data/names.csv", "code"),
    "name row that names nothing": (lambda c: c.add("names", code="KAZ", language="ru"),
                                    "empty-name", "data/names.csv", "name"),
    "two names in one language": (lambda c: c.add("names", code="XCA", language="ru", name="Средняя Азия"),
                                  "duplicate-id", "data/names.csv", "code, language"),
    "language that is not a code": (lambda c: c.add("names", code="XCA", language="Russian", name="Азия"),
                                    "bad-format", "data/names.csv", "language"),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_each_kind_of_bad_input_gets_its_own_error(real_copy: PackageCopy, case: str):
    breaker, code, file, field = CASES[case]
    line = breaker(real_copy)
    report, data = validate(real_copy.descriptor)
    assert data is None and report.exit_code == 1
    matching = [p for p in report.errors if p.code == code and p.file == file and p.field == field]
    assert matching, [p.line() for p in report.errors]
    problem = matching[0]
    if isinstance(line, int):  # the breaker edited a known row: the error names that line
        assert problem.row == line
    text = problem.line()
    assert text.startswith(file) and " — " in text and "Traceback" not in text


def test_an_error_line_reads_file_row_field_problem_and_fix(real_copy: PackageCopy):
    line = real_copy.set("figures", "chn-kaz-turnover-2025", value="-5")
    report, _ = validate(real_copy.descriptor)
    assert [p.line() for p in report.errors] == [
        f"data/figures.csv:{line}: value: '-5' is negative — values are ≥ 0; enter the size of the"
        " flow, the direction goes in 'flow'"
    ]


def test_a_status_other_than_final_or_preliminary_is_one_line_naming_the_choices(real_copy: PackageCopy):
    line = real_copy.set("figures", "chn-kaz-turnover-2025", status="Preliminary")
    report, _ = validate(real_copy.descriptor)
    assert [p.line() for p in report.errors if p.field == "status"] == [
        next(p.line() for p in report.errors)]
    text = report.errors[0].line()
    assert text.startswith(f"data/figures.csv:{line}: status: ") and "final" in text and "preliminary" in text


def test_an_empty_status_means_final_and_a_package_without_the_column_still_loads(real_copy: PackageCopy):
    import json

    data = package.load(real_copy.descriptor)
    assert set(data.figures.status.fillna("final")) == {"final", "preliminary"}
    descriptor = json.loads(real_copy.descriptor.read_text(encoding="utf-8"))
    figures = next(r for r in descriptor["resources"] if r["name"] == "figures")
    figures["schema"]["fields"] = [f for f in figures["schema"]["fields"] if f["name"] != "status"]
    real_copy.descriptor.write_text(json.dumps(descriptor), encoding="utf-8")
    real_copy.write_rows("figures", [{k: v for k, v in r.items() if k != "status"} for r in real_copy.rows("figures")])
    report, data = validate(real_copy.descriptor)
    assert report.errors == [] and data.figures.status.isna().all()


def test_an_unknown_agency_kind_says_how_to_write_the_cell_not_a_regular_expression(real_copy: PackageCopy):
    real_copy.set("sources", "vbkg-2026", agency="CHN:police")
    report, _ = validate(real_copy.descriptor)
    (problem,) = report.errors
    assert "customs, statistics, ministry, not-stated" in problem.fix and "^" not in problem.fix


def test_validate_command_exits_1_with_one_line_per_error_and_no_traceback(real_copy: PackageCopy):
    line = real_copy.set("figures", "chn-tjk-exports-2025", value="3,700")
    result = subprocess.run([sys.executable, "build_charts.py", "--package", str(real_copy.descriptor), "validate"],
                            capture_output=True, text=True, cwd=ROOT)
    assert result.returncode == 1
    assert f"data/figures.csv:{line}: value: '3,700' has a thousands separator" in result.stdout
    assert "Traceback" not in result.stdout + result.stderr


def test_validate_command_on_a_missing_package_says_so(tmp_path):
    result = subprocess.run([sys.executable, "build_charts.py", "--package", str(tmp_path / "nope.json"),
                             "validate"], capture_output=True, text=True, cwd=ROOT)
    assert result.returncode == 1
    assert "nope.json: not found" in result.stdout
    assert "Traceback" not in result.stdout + result.stderr
