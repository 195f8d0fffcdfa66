"""Synthetic data packages for the benchmark: N partner countries, shaped like the real package.

The package uses the real package's datapackage.json (schemas, constraints,
foreign keys) with generated rows, so it passes the same validation and builds
the same kinds of pages. Its shape follows the real data: a focus reporter that
publishes exports, imports and turnover with every partner for 2015–2025, plus
part-year (January–June, January–October) figures; partners that publish their
own, shorter mirror series; growth rates (some implying a value that is not
published); GDP and trade with the world for context; second sources; and a few
planted contradictions (a second source with another value, a turnover that is
not exports + imports) so the findings code has work to do.

Codes and names are invented and neutral ("P00", "Partnerland 001"); each
partner's rows depend only on its own index and the seed, so the first 20
partners of the 200-partner package are those of the 20-partner package.

    python bench/synth.py OUT_DIR --partners 50
    python bench/synth.py OUT_DIR --figures 100000     # a validation-scale package (monthly series)
"""

from __future__ import annotations

import argparse
import calendar
import csv
import json
import random
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
REAL_DESCRIPTOR = ROOT / "datapackages" / "china-central-asia-trade" / "datapackage.json"

FOCUS, REGION, WORLD = "FOC", "XRG", "WLD"
YEARS = range(2015, 2026)  # the default span; tests pass a shorter one
REGION_SIZE = 12  # members of the region group (the home page's region charts plot each one)
CIF_FOB = 1.06
CURRENCY = "USD"  # every synthetic figure is in the comparison currency: the benchmark measures no conversion
SOURCES = [
    ("customs-bulletin-2026", "Focus Customs Bulletin", "Annual trade statistics", "2026-02",
     "https://example.org/focus-customs", "Focus customs administration"),
    ("partner-stats-2026", "Partner Statistics Digest", "External trade by partner", "2026-03",
     "https://example.org/partner-stats", "National statistics offices of the partners"),
    ("wire-2025-11", "A wire service", "Trade in the first ten months", "2025-11", "",
     "Focus customs administration"),
    ("monitor-2025-07", "Trade Monitor", "Half-year review", "2025-07", "https://example.org/monitor",
     "Focus customs administration; national statistics offices"),
    ("review-2026", "Economic Review", "Interview with an economist", "2026-01", "", "Not stated"),
]


def code(index: int) -> str:
    """A neutral three-character country code: P00, P01, … PZZ, Q00, …"""
    digits = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
    head = "PQRSTUV"[index // (36 * 36)]
    return head + digits[index // 36 % 36] + digits[index % 36]


def name(index: int) -> str:
    return f"Partnerland {index + 1:03d}"


def sig3(value: float) -> int:
    """Rounded to three significant digits, as agencies and reporters publish figures."""
    if value < 1:
        return 1
    digits = len(str(int(value)))
    step = 10 ** max(0, digits - 3)
    return int(round(value / step) * step) or 1


def month_end(year: int, month: int) -> str:
    return f"{year}-{month:02d}-{calendar.monthrange(year, month)[1]:02d}"


@dataclass(frozen=True)
class Generated:
    descriptor: Path
    partners: int
    figures: int
    edit_id: str  # a figure of one partner country, for the "one figure changed" benchmark


def figure(fid: str, reporter: str, partner: str, flow: str, start: str, end: str, value: float,
           source: str, qualifier: str = "exact", note: str = "") -> dict:
    return {"id": fid, "reporter": reporter, "partner": partner, "flow": flow, "period_start": start,
            "period_end": end, "value": str(value), "unit": "mn", "currency": CURRENCY,
            "qualifier": qualifier, "source_id": source,
            "locator": "table 1", "note": note}


def partner_rows(index: int, seed: int, monthly: bool, years: range = YEARS) -> tuple[list, list, list, list]:
    """Figures, growth rates, indicators and corroborations for one partner."""
    partner_from = years[0] + 1  # partners' own series are shorter than the focus reporter's
    rng = random.Random(f"{seed}-{index}")
    p, low = code(index), code(index).lower()
    turnover0 = 10 ** rng.uniform(1.5, 4.7)  # about US$30mn to US$50bn
    share = rng.uniform(0.3, 0.8)  # the focus reporter's exports as a share of turnover
    growth = rng.uniform(-0.08, 0.15)
    figs: list[dict] = []
    values: dict[tuple, int] = {}
    for year in years:
        t = turnover0 * (1 + growth) ** (year - years[0]) * rng.uniform(0.9, 1.1)
        x, m = sig3(t * share), sig3(t * (1 - share))
        values[year] = (x, m)
        start, end = f"{year}-01-01", f"{year}-12-31"
        total = x + m if not (index % 20 == 7 and year == 2023) else sig3((x + m) * 1.12)  # planted mismatch
        for flow, value in (("exports", x), ("imports", m), ("turnover", total)):
            figs.append(figure(f"foc-{low}-{flow}-{year}", FOCUS, p, flow, start, end, value, SOURCES[0][0]))
        if year >= partner_from:
            pm = sig3(x * CIF_FOB * rng.uniform(0.85, 1.3))  # the partner's imports from the focus reporter
            px = sig3(m / CIF_FOB * rng.uniform(0.7, 1.1))
            for flow, value in (("imports", pm), ("exports", px), ("turnover", pm + px)):
                if flow == "turnover" and year == partner_from and index % 3 == 0:
                    continue  # implied by a growth rate instead (a derived value)
                figs.append(figure(f"{low}-foc-{flow}-{year}", p, FOCUS, flow, start, end, value, SOURCES[1][0]))
        if index % 10 == 3 and year == 2024:  # a second source with another value: a contradiction
            figs.append(figure(f"foc-{low}-turnover-{year}-wire", FOCUS, p, "turnover", start, end,
                               sig3((x + m) * 0.8), SOURCES[4][0], "approx", "Quoted without a period or agency."))
    for months, source in ((6, SOURCES[3][0]), (10, SOURCES[2][0])):  # part-year figures for the last year
        x, m = (sig3(v * months / 12 * rng.uniform(0.95, 1.05)) for v in values[years[-1]])
        end = month_end(years[-1], months)
        for flow, value in (("exports", x), ("imports", m), ("turnover", x + m)):
            figs.append(figure(f"foc-{low}-{flow}-{years[-1]}-01-{months:02d}", FOCUS, p, flow,
                               f"{years[-1]}-01-01", end, value, source))
        if months == 6:
            figs.append(figure(f"{low}-foc-turnover-{years[-1]}-01-06", p, FOCUS, "turnover", f"{years[-1]}-01-01",
                               end, sig3((x + m) * rng.uniform(0.8, 1.2)), source))
    if monthly:  # validation-scale packages: single-month series from both sides
        for year in years:
            for month in range(1, 13):
                x, m = (sig3(v / 12 * rng.uniform(0.7, 1.3)) for v in values[year])
                start, end = f"{year}-{month:02d}-01", month_end(year, month)
                for reporter, partner, flows in ((FOCUS, p, (("exports", x), ("imports", m))),
                                                 (p, FOCUS, (("imports", sig3(x * CIF_FOB)), ("exports", m)))):
                    for flow, value in (*flows, ("turnover", flows[0][1] + flows[1][1])):
                        figs.append(figure(f"{reporter.lower()}-{partner.lower()}-{flow}-{year}-{month:02d}",
                                           reporter, partner, flow, start, end, value, SOURCES[0][0]))
    last, prev = values[years[-1]], values[years[-2]]
    change = round(((sum(last) / sum(prev)) - 1) * 100, 1)
    if index % 20 == 11:
        change = round(change + 9, 1)  # a growth rate that does not match the values it connects
    growth_rows = [{"id": f"foc-{low}-turnover-{years[-1]}-vs-{years[-2]}", "reporter": FOCUS, "partner": p,
                    "flow": "turnover", "period_start": f"{years[-1]}-01-01", "period_end": f"{years[-1]}-12-31",
                    "base_start": f"{years[-2]}-01-01", "base_end": f"{years[-2]}-12-31", "change_pct": str(change),
                    "qualifier": "exact", "source_id": SOURCES[0][0], "locator": "table 2", "note": ""}]
    if index % 3 == 0:
        growth_rows.append({"id": f"{low}-foc-turnover-{partner_from + 1}-vs-{partner_from}", "reporter": p,
                            "partner": FOCUS, "flow": "turnover", "period_start": f"{partner_from + 1}-01-01",
                            "period_end": f"{partner_from + 1}-12-31", "base_start": f"{partner_from}-01-01",
                            "base_end": f"{partner_from}-12-31", "change_pct": str(round(growth * 100, 1)),
                            "qualifier": "approx", "source_id": SOURCES[1][0], "locator": "table 3", "note": ""})
    gdp0 = turnover0 * rng.uniform(4, 40)
    indicators = [{"id": f"{low}-gdp-{year}", "country": p, "indicator": "gdp", "partner": "", "reporter": p,
                   "period_start": f"{year}-01-01", "period_end": f"{year}-12-31",
                   "value": str(sig3(gdp0 * (1 + growth / 2) ** (year - years[0]))), "unit": "usd_mn",
                   "qualifier": "approx", "source_id": SOURCES[1][0], "locator": "table 4", "note": ""}
                  for year in (years[-3], years[-2], years[-1])]
    world = sig3(sum(values[years[-1]]) * rng.uniform(3, 12))
    figs.append(figure(f"{low}-wld-turnover-{years[-1]}", p, WORLD, "turnover", f"{years[-1]}-01-01",
                       f"{years[-1]}-12-31", world, SOURCES[1][0]))
    corroborations = []
    if index % 5 == 0:
        corroborations.append({"figure_id": f"foc-{low}-turnover-{years[-1]}", "growth_id": "",
                               "source_id": SOURCES[3][0], "locator": "chart 2", "note": ""})
    return figs, growth_rows, indicators, corroborations


def region_rows(members: list[int], seed: int, years: range) -> list[dict]:
    """The focus reporter's totals with the region: the sum of its members, as published (rounded)."""
    rows = []
    per_year: dict[int, list[int]] = {}
    for index in members:
        for f in partner_rows(index, seed, False, years)[0]:
            if f["reporter"] == FOCUS and f["period_end"].endswith("-12-31") and f["flow"] != "turnover" \
                    and f["source_id"] == SOURCES[0][0]:
                year = int(f["period_start"][:4])
                per_year.setdefault(year, [0, 0])[f["flow"] == "imports"] += int(f["value"])
    for year, (x, m) in sorted(per_year.items()):
        for flow, value in (("exports", x), ("imports", m), ("turnover", x + m)):
            rows.append(figure(f"foc-xrg-{flow}-{year}", FOCUS, REGION, flow, f"{year}-01-01", f"{year}-12-31",
                               sig3(value), SOURCES[0][0]))
    return rows


def countries(partners: int, members: set[int]) -> list[dict]:
    rows = [{"code": FOCUS, "name": "Focusland", "kind": "country", "groups": "",
             "borders": " ".join(code(i) for i in range(min(partners, 4)))}]
    for i in range(partners):
        borders = [code(i ^ 1)] if (i ^ 1) < partners else []  # neighbours in pairs: 0-1, 2-3, …
        if i < 4:
            borders.append(FOCUS)
        rows.append({"code": code(i), "name": name(i), "kind": "country",
                     "groups": REGION if i in members else "", "borders": " ".join(sorted(borders))})
    rows += [{"code": WORLD, "name": "World", "kind": "group", "groups": "", "borders": ""},
             {"code": REGION, "name": "The Region", "kind": "group", "groups": "", "borders": ""}]
    return sorted(rows, key=lambda r: r["code"])


def generate(out: Path, partners: int, seed: int = 0, figures_target: int | None = None,
             years: range = YEARS) -> Generated:
    """Write a package with `partners` partner countries into out/ (or, with figures_target, exactly that many
    figure rows of monthly series, for timing validation); return its descriptor and a figure to edit."""
    monthly = figures_target is not None
    if monthly:
        per_partner = len(partner_rows(0, seed, True, years)[0])
        partners = max(1, -(-figures_target // per_partner))
    members = set(range(min(partners, REGION_SIZE)))
    figs, growth, indicators, corroborations = [], [], [], []
    for i in range(partners):
        f, g, ind, c = partner_rows(i, seed, monthly, years)
        figs += f
        growth += g
        indicators += ind
        corroborations += c
    if monthly:
        figs = figs[:figures_target]
        kept = {f["id"] for f in figs}
        corroborations = [c for c in corroborations if c["figure_id"] in kept]
    else:
        figs = region_rows(sorted(members), seed, years) + figs
    tables = {
        "figures": figs, "growth": growth, "indicators": indicators, "corroborations": corroborations,
        "sources": [dict(zip(("id", "publisher", "title", "published", "url", "primary_source"), s), language="en")
                    for s in SOURCES],
        "countries": countries(partners, members),
    }
    descriptor = json.loads(REAL_DESCRIPTOR.read_text(encoding="utf-8"))
    descriptor.update(name=f"synthetic-{partners}", title=f"Synthetic trade figures ({partners} partners)",
                      description="Generated by bench/synth.py for the benchmark; not real figures.",
                      keywords=["synthetic"], sources=[{"title": s[2]} for s in SOURCES])
    descriptor["trademirror"] = {"focus_reporter": FOCUS, "region": REGION}
    (out / "data").mkdir(parents=True, exist_ok=True)
    for resource in descriptor["resources"]:
        header = [f["name"] for f in resource["schema"]["fields"]]
        with (out / resource["path"]).open("w", encoding="utf-8", newline="") as fh:
            writer = csv.DictWriter(fh, fieldnames=header, lineterminator="\n")
            writer.writeheader()
            writer.writerows({k: row.get(k, "") for k in header} for row in tables.get(resource["name"], []))
    path = out / "datapackage.json"
    path.write_text(json.dumps(descriptor, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    edit = next(f["id"] for f in reversed(figs) if f["reporter"] == FOCUS and f["partner"] not in (REGION, WORLD)
                and f["flow"] == "exports" and f["period_end"].endswith("-12-31"))
    return Generated(path, partners, len(figs), edit)


def figure_ids(descriptor: Path) -> Iterator[str]:
    with (descriptor.parent / "data" / "figures.csv").open(encoding="utf-8", newline="") as fh:
        yield from (row["id"] for row in csv.DictReader(fh))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("out", type=Path, help="folder to write the package into")
    parser.add_argument("--partners", type=int, default=20, help="number of partner countries (default 20)")
    parser.add_argument("--figures", type=int, help="instead: exactly this many figure rows (monthly series)")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    made = generate(args.out, args.partners, args.seed, args.figures)
    print(f"{made.descriptor}: {made.partners} partners, {made.figures} figures")


if __name__ == "__main__":
    main()
