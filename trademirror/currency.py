"""Figures in any currency: the published value, unit and currency, and its value in the comparison currency.

A figure is kept as its source printed it ("€516.3bn": value 516.3, unit bn,
currency EUR), because that is what a reader can check against the source.
Mirror pairs, sums and thresholds need one currency, though, so every figure
also gets `value_mn`: its value in millions of the package's comparison
currency (`trademirror.currency`, default `settings.DEFAULT_CURRENCY`),
converted with the published rate whose period covers the figure's period
(an annual average rate serves every figure inside its year). Nothing here
invents a rate: a figure no rate converts keeps `value_mn` empty, and
`checks.check_currencies` turns that into an error naming the row.

Pure functions of tables: the loader calls `convert`, and so does the reader
of published releases.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import numpy as np
import pandas as pd

from . import settings

# How many millions one unit of each magnitude word is.
UNIT_IN_MN = {"thousand": 0.001, "mn": 1.0, "bn": 1000.0}
# The currency of indicators.csv's money units (its `unit` column names both magnitude and currency).
INDICATOR_CURRENCY = {"usd_mn": "USD"}
# Published releases from before currencies had one value column, in millions of US dollars.
LEGACY_COLUMN, LEGACY_UNIT, LEGACY_CURRENCY = "value_usd_mn", "mn", "USD"
NO_RATE = -1  # `rate_row` of a figure that needs no rate (it is in the comparison currency) or has none


def comparison_currency(package_settings: dict) -> str:
    """The currency mirror pairs and thresholds are compared in: the package's setting, else the default."""
    return str(package_settings.get("currency") or settings.DEFAULT_CURRENCY)


@dataclass(frozen=True)
class Rate:
    """One published rate as the conversion uses it: `factor` turns the figure's currency into the target's."""

    row: int  # position in the rates table
    factor: float
    start: date
    end: date
    source_id: str


def find_rate(rates: pd.DataFrame | None, currency: str, to: str, start: date, end: date) -> Rate | None:
    """The rate that converts `currency` into `to` over a period covering start..end, or None.

    Of several rates that cover the period, the narrowest is taken (a monthly
    average before the annual one), then a direct rate before an inverse one,
    then the first in the file; a rate published the other way round
    (`to` per `currency`) serves as its inverse, since central banks quote
    either way.
    """
    if rates is None or rates.empty:
        return None
    covers = (rates.period_start <= start) & (rates.period_end >= end) & (rates.rate > 0)  # 0: see checks
    direct = covers & (rates.currency == currency) & (rates.to == to)
    inverse = covers & (rates.currency == to) & (rates.to == currency)
    candidates = []
    for position in np.flatnonzero((direct | inverse).to_numpy()):
        r = rates.iloc[position]
        is_direct = bool(direct.iloc[position])
        span = (r.period_end - r.period_start).days
        candidates.append((span, not is_direct, position, is_direct, r))
    if not candidates:
        return None
    _, _, position, is_direct, r = min(candidates, key=lambda c: c[:3])
    factor = float(r.rate) if is_direct else 1.0 / float(r.rate)
    return Rate(int(position), factor, r.period_start, r.period_end, r.source_id)


def convert(figures: pd.DataFrame, rates: pd.DataFrame | None, to: str) -> pd.DataFrame:
    """`figures` with `value_mn` (millions of `to`), `rate` (the factor used, 1 when none was needed) and
    `rate_row` (the rates row used, NO_RATE when none was needed or none was found).

    `value_mn` is NaN where no rate covers the figure. Rates are looked up once per distinct
    (currency, period), so a million figures in a few currencies cost a few lookups.
    """
    out = figures.copy(deep=False)  # copy-on-write: the columns are shared, never written; only new ones are added
    scale = out["unit"].map(UNIT_IN_MN).to_numpy(dtype=float)
    value = out["value"].to_numpy(dtype=float) * scale
    factor = np.ones(len(out))
    rate_row = np.full(len(out), NO_RATE, dtype=np.int64)
    foreign = (out["currency"] != to).to_numpy()
    if foreign.any():
        keys = out.loc[foreign, ["currency", "period_start", "period_end"]]
        found = {key: find_rate(rates, key[0], to, key[1], key[2])
                 for key in keys.drop_duplicates().itertuples(index=False, name=None)}
        positions = np.flatnonzero(foreign)
        for position, key in zip(positions, keys.itertuples(index=False, name=None), strict=True):
            rate = found[key]
            if rate is None:
                factor[position] = np.nan
            else:
                factor[position], rate_row[position] = rate.factor, rate.row
    out["value_mn"] = value * factor
    out["rate"] = factor
    out["rate_row"] = rate_row
    return out
