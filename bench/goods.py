"""An imported HS-chapter package for the benchmark: the real package plus synthetic declarations by chapter.

The declarations go through the import itself (`importer.run`): its query,
its rows, its merge and its validation of the merged package; only the
service is replaced, by a client that makes up UN Comtrade records (synthetic
values, never published) instead of asking for them. The shape is what a
newsroom would import for the region: the focus reporter with each member of
its region, and each member with the focus reporter and with the world;
both flows; every HS chapter; each month of the years asked for. At
2019–2024 that is 207,360 declarations.

    python bench/goods.py PACKAGE/datapackage.json --years 2019-2024
"""

from __future__ import annotations

import argparse
import csv
import json
import random
import sys
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from trademirror import comtrade, importer  # noqa: E402

CHAPTERS = [f"{n:02d}" for n in range(1, 98) if n != 77]  # HS chapter 77 is reserved
RELEASED = "2025-06-30"
RETRIEVED = date(2026, 12, 1)


class SyntheticClient:
    """Stands in for `comtrade.Client`: the same two calls, answered with made-up records."""

    def __init__(self, pairs: list[tuple[int, int]], seed: int = 0):
        self.pairs = pairs
        self.seed = seed
        self.calls = 0

    def declarations(self, query: comtrade.Query, period: str) -> list[dict]:
        self.calls += 1
        rng = random.Random(f"{self.seed}-{period}")
        out = []
        for reporter, partner in self.pairs:
            for flow in ("X", "M"):
                for chapter in CHAPTERS:
                    value = round(10 ** rng.uniform(3, 8.5), 2)  # a thousand to 300 million dollars a month
                    basis = "cifvalue" if flow == "M" else "fobvalue"
                    out.append({"reporterCode": reporter, "partnerCode": partner, "flowCode": flow, "period": period,
                                "cmdCode": chapter, "customsCode": "C00", "motCode": 0, "partner2Code": 0,
                                "primaryValue": value, basis: value})
        return out

    def releases(self, query: comtrade.Query, period: str) -> dict[tuple[int, str], str]:
        self.calls += 1
        return {(reporter, period): RELEASED for reporter in query.reporters}


def region_pairs(descriptor: Path) -> tuple[list[tuple[int, int]], tuple[int, ...]]:
    """(reporter, partner) in Comtrade codes: focus with each region member, each member with focus and world."""
    meta = json.loads(descriptor.read_text(encoding="utf-8"))
    focus, region = meta["trademirror"]["focus_reporter"], meta["trademirror"]["region"]
    countries = descriptor.parent / "data" / "countries.csv"
    with countries.open(encoding="utf-8", newline="") as fh:
        members = [r["code"] for r in csv.DictReader(fh) if region in r["groups"].split()]
    codes = importer.read_codes(countries)
    to = codes.to_comtrade
    pairs = [(to(focus), to(m)) for m in members] + [(to(m), p) for m in members for p in (to(focus), 0)]
    return pairs, tuple(sorted({r for r, _ in pairs}))


def months(years: str) -> tuple[str, ...]:
    first, _, last = years.partition("-")
    return tuple(f"{y}{m:02d}" for y in range(int(first), int(last or first) + 1) for m in range(1, 13))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("descriptor", type=Path)
    parser.add_argument("--years", default="2019-2024", help="first-last year of monthly declarations")
    args = parser.parse_args()
    pairs, reporters = region_pairs(args.descriptor)
    partners = tuple(sorted({p for _, p in pairs}))
    query = comtrade.Query(reporters, partners, months(args.years), commodity=comtrade.CHAPTERS)
    outcome = importer.run(args.descriptor, lambda codes: query, SyntheticClient(pairs), RETRIEVED)
    print(f"{outcome.records} declarations; goods.csv: {len(outcome.goods.added)} added,"
          f" {len(outcome.goods.revised)} revised, {outcome.goods.unchanged} unchanged")


if __name__ == "__main__":
    main()
