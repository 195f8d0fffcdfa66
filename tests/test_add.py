"""`build_charts.py add`: a journalist adds a figure by answering questions, and cannot break the package."""

from __future__ import annotations

import shutil
import subprocess
import sys

import pytest

from .conftest import REAL_PACKAGE, ROOT, PackageCopy

# reporter (a slip, then a code), partner, flow, period, value (a slip, then a number), unit, currency, qualifier,
# source, locator, note (empty), status (empty: final), id (empty: the suggested one)
ANSWERS = ["CHN", "XYZ", "UZB", "exports", "2023-01-01", "2023-12-31", "12,5", "12500", "mn", "USD", "exact",
           "caspianpost-2026-01", "para 3", "", "", ""]


def add(package, answers: list[str]) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, str(ROOT / "build_charts.py"), "add", "--package",
                           str(package / "datapackage.json")], input="\n".join(answers) + "\n",
                          capture_output=True, text=True, cwd=ROOT)


@pytest.fixture
def package(tmp_path):
    return shutil.copytree(REAL_PACKAGE, tmp_path / "trade")


def test_a_figure_is_added_from_answers_with_each_slip_asked_again(package):
    before = (package / "data" / "figures.csv").read_text(encoding="utf-8")
    result = add(package, ANSWERS)
    assert result.returncode == 0, result.stdout + result.stderr
    # the valid codes are offered, and each slip is named and asked again
    assert "[AZE, CHN, KAZ" in result.stdout and "[exports, imports, turnover]" in result.stdout
    assert "'XYZ' is not one of" in result.stdout
    assert "'12,5' is not a number (digits, a point for decimals, no thousands separators)" in result.stdout
    assert "Added chn-uzb-exports-2023 to figures.csv: the package validates" in result.stdout
    after = (package / "data" / "figures.csv").read_text(encoding="utf-8")
    assert after == before + "chn-uzb-exports-2023,CHN,UZB,exports,2023-01-01,2023-12-31,12500,mn,USD,exact," \
                             "caspianpost-2026-01,para 3,,\n"
    row = next(r for r in PackageCopy(package).rows("figures") if r["id"] == "chn-uzb-exports-2023")
    assert row["value"] == "12500"


def test_a_row_that_would_make_the_package_invalid_is_not_kept(package):
    before = (package / "data" / "figures.csv").read_bytes()
    reversed_period = ANSWERS[:4] + ["2023-12-01", "2023-01-31"] + ANSWERS[7:]
    result = add(package, reversed_period)
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert "figures.csv" in result.stdout and "the new row makes the package invalid, so it was not kept" \
        in result.stdout
    assert (package / "data" / "figures.csv").read_bytes() == before


def test_stopping_half_way_writes_nothing(package):
    before = (package / "data" / "figures.csv").read_bytes()
    result = add(package, ["CHN", "UZB"])  # the input ends: Ctrl+D
    assert result.returncode == 1 and "Cancelled: nothing was written." in result.stderr
    assert (package / "data" / "figures.csv").read_bytes() == before
