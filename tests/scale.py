"""Big, realistic data packages written fast, for the scale tests.

Shape: ten reporters, as many partners as the row count needs (all members of
one group), years 2015–2025, cumulative periods January–N for every month,
exports + imports + turnover, the group totals, a few growth rates and GDP
figures. The figures agree with one another; `contradictions` planted ones do
not. Values are whole millions, so no rounding can hide or fake a finding.
"""

from __future__ import annotations

import calendar
import json
import string
from pathlib import Path

import numpy as np

from .conftest import REAL_DESCRIPTOR

YEARS = range(2015, 2026)
REPORTERS = [f"R{i:02d}" for i in range(10)]
ALPHABET = string.ascii_uppercase + string.digits
ROWS_PER_PARTNER = len(REPORTERS) * len(YEARS) * 12 * 3


def partners(n: int) -> list[str]:
    return [f"P{ALPHABET[i // 36]}{ALPHABET[i % 36]}" for i in range(n)]


MONEY = "mn,USD,"  # the unit and currency of every figure written here


def write_big_package(root: Path, rows: int, contradictions: int = 0, seed: int = 1) -> Path:
    """A package of about `rows` figures; return its datapackage.json."""
    rng = np.random.default_rng(seed)
    codes = partners(max(1, rows // ROWS_PER_PARTNER))
    descriptor = json.loads(REAL_DESCRIPTOR.read_text(encoding="utf-8"))
    descriptor["name"] = "big"
    descriptor["trademirror"] = {"focus_reporter": REPORTERS[0], "region": "XGR"}
    data = root / "data"
    data.mkdir(parents=True, exist_ok=True)
    header = {r["name"]: ",".join(f["name"] for f in r["schema"]["fields"]) for r in descriptor["resources"]}
    countries = [header["countries"], "XGR,The group,group,,"]
    countries += [f"{c},Reporter {c},country,," for c in REPORTERS]
    countries += [f"{c},Partner {c},country,XGR," for c in codes]
    _write(data / "countries.csv", countries)
    _write(data / "sources.csv", [header["sources"], "src,Publisher,Title,2025,https://example.org/a,Agency,en,"])
    _write(data / "corroborations.csv", [header["corroborations"]])
    _write(data / "names.csv", [header["names"]])
    _write(data / "rates.csv", [header["rates"]])  # every figure in the comparison currency: no rate needed

    # Cumulative January..month values: monthly increments summed along the year.
    shape = (len(REPORTERS), len(codes), len(YEARS), 12)
    exports = rng.integers(1, 1000, size=shape).cumsum(axis=3)
    imports = rng.integers(1, 1000, size=shape).cumsum(axis=3)
    planted = set(rng.choice(len(REPORTERS) * len(codes) * len(YEARS) * 12, size=contradictions, replace=False)
                  .tolist()) if contradictions else set()
    totals = {"x": exports.sum(axis=1), "m": imports.sum(axis=1)}
    _write(data / "figures.csv", [header["figures"], *_partner_figures(codes, exports, imports, planted),
                                  *_group_figures(totals)])
    _write(data / "growth.csv", [header["growth"], *_growth(totals)])
    indicators = [header["indicators"]]
    for partner in codes[:50]:
        for year in YEARS:
            indicators.append(f"{partner.lower()}-gdp-{year},{partner},gdp,,{partner},{year}-01-01,{year}-12-31,"
                              f"9000000,usd_mn,exact,src,p1,")
    _write(data / "indicators.csv", indicators)
    path = root / "datapackage.json"
    path.write_text(json.dumps(descriptor, indent=2), encoding="utf-8")
    return path


def _write(path: Path, lines: list[str]) -> None:
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def _period(year: int, month: int) -> str:
    """January to the end of `month` (1-12) of `year`, as period_start,period_end."""
    return f"{year}-01-01,{year}-{month:02d}-{calendar.monthrange(year, month)[1]:02d}"


def _partner_figures(codes: list[str], exports, imports, planted: set[int]) -> list[str]:
    """Every reporter's exports, imports and turnover with every partner; a planted cell's turnover is three
    times its exports + imports."""
    lines = []
    cell = 0
    tail = MONEY + "exact,src,\"table 1, row 2\",,"  # no note; status empty: final
    for r, reporter in enumerate(REPORTERS):
        for p, partner in enumerate(codes):
            prefix = f"{reporter.lower()}-{partner.lower()}"
            for y, year in enumerate(YEARS):
                for m in range(12):
                    x, i = int(exports[r, p, y, m]), int(imports[r, p, y, m])
                    t = 3 * (x + i) if cell in planted else x + i
                    cell += 1
                    period = _period(year, m + 1)
                    lines.append(f"{prefix}-x-{year}-{m + 1:02d},{reporter},{partner},exports,{period},{x},{tail}")
                    lines.append(f"{prefix}-m-{year}-{m + 1:02d},{reporter},{partner},imports,{period},{i},{tail}")
                    lines.append(f"{prefix}-t-{year}-{m + 1:02d},{reporter},{partner},turnover,{period},{t},{tail}")
    return lines


def _group_figures(totals: dict) -> list[str]:
    """Every reporter's trade with the group: the sums over its partners."""
    lines = []
    for r, reporter in enumerate(REPORTERS):
        for y, year in enumerate(YEARS):
            for m in range(12):
                x, i = int(totals["x"][r, y, m]), int(totals["m"][r, y, m])
                period = _period(year, m + 1)
                stem = f"{reporter.lower()}-xgr"
                for flow, value in (("exports", x), ("imports", i), ("turnover", x + i)):
                    lines.append(f"{stem}-{flow}-{year}-{m + 1:02d},{reporter},XGR,{flow},{period},{value},"
                                 f"{MONEY}exact,src,table 2,,")
    return lines


def _growth(totals: dict) -> list[str]:
    """Each reporter's yearly growth of its turnover with the group, from the totals."""
    growth = []
    for r, reporter in enumerate(REPORTERS):
        for y in range(1, len(YEARS)):
            now, before = (int(totals["x"][r, y, 11] + totals["m"][r, y, 11]),
                           int(totals["x"][r, y - 1, 11] + totals["m"][r, y - 1, 11]))
            year = YEARS[y]
            growth.append(f"{reporter.lower()}-xgr-{year},{reporter},XGR,turnover,{year}-01-01,{year}-12-31,"
                          f"{year - 1}-01-01,{year - 1}-12-31,{round((now / before - 1) * 100, 1)},approx,src,p1,")
    return growth
