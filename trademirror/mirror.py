"""Mirror pairing: each side's figure for the same flow and the same period, and the gap between them.

China's exports to a partner and the partner's imports from China describe
the same goods, seen from two frontiers. They are compared only for identical
periods; where the two sides publish different periods, this module says so
and computes nothing. DataFrames in, DataFrames out; no I/O.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

import pandas as pd

from . import settings
from .package import codes

PAIR_COLUMNS = [
    "country", "reporter_a", "reporter_b", "flow", "exporter", "importer", "period_start", "period_end",
    "x_id", "x_value", "x_qualifier", "x_source", "x_status", "m_id", "m_value", "m_qualifier", "m_source",
    "m_status", "status", "factor", "gap_mn", "gap", "index", "classification", "higher",
]
UNMATCHED_COLUMNS = ["country", "reporter", "partner", "flow", "period_start", "period_end", "other_periods"]


@dataclass(frozen=True)
class Thresholds:
    cif_fob: float = settings.CIF_FOB_FACTOR
    cif_fob_neighbours: float = settings.CIF_FOB_FACTOR_NEIGHBOURS
    consistent: float = settings.CONSISTENT_MAX
    notable: float = settings.NOTABLE_MAX
    large_min: float = settings.LARGE_MIN_MN
    small_flow: float = settings.SMALL_FLOW_MN


def classify(x: float, m: float, gap: float | None, t: Thresholds = Thresholds()) -> str:
    """consistent / notable / large, or 'small' when both figures are too small for a percentage to mean much."""
    if max(x, m) < t.small_flow or gap is None:
        return "small"
    if abs(gap) <= t.consistent:
        return "consistent"
    if abs(gap) > t.notable and abs(m - x) >= t.large_min:
        return "large"
    return "notable"


def measure(x: float, m: float, factor: float, t: Thresholds = Thresholds()) -> dict:
    """Gap statistics for exporter figure x and importer figure m (turnover: the two sides' figures, factor 1)."""
    gap = m / (x * factor) - 1 if x > 0 else None
    index = (x - m) / (x + m) if x + m > 0 else 0.0
    higher = "equal" if x == m else ("importer" if m > x else "exporter")
    return {"factor": factor, "gap_mn": m - x, "gap": gap, "index": index,
            "classification": classify(x, m, gap, t), "higher": higher}


def cif_fob_factor(a: str, b: str, borders: dict[str, set[str]], t: Thresholds = Thresholds()) -> float:
    return t.cif_fob_neighbours if b in borders.get(a, set()) else t.cif_fob


def pairable(figures: pd.DataFrame, countries: pd.DataFrame) -> pd.Series:
    """The figures that can be one side of a mirror pair (a boolean per row): those whose reporter and partner
    are both economies of the package, country or group (see `pair`).

    One rule for `pair` and for the checks that look at pairs (checks.units.mirror_units_slip),
    so a finding can never name a pair the pages do not show, or miss one they do.
    """
    known = set(countries["code"])
    return figures.reporter.isin(known) & figures.partner.isin(known)


def pair(figures: pd.DataFrame, countries: pd.DataFrame, focus: str | None = None,
         t: Thresholds = Thresholds()) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Return (pairs, unmatched) for every two economies that each report trade with the other.

    An economy is a country or a group that reports as one (the EU, a customs union): what makes a pair
    is that both sides publish the flow, not what kind of economy they are. A group that no one reports
    for (a region the site sums up, "the world") never has a second side, so it never pairs.
    `country` in the output is the side that is not the focus reporter, so a country page can select
    its rows; in a pair without the focus, the later code of the two.
    """
    borders = {c: set(codes(b)) for c, b in zip(countries["code"], countries["borders"], strict=True)}
    bilateral = figures[pairable(figures, countries)]
    # One pass over the rows instead of a filter of the whole table for every two reporters: the cost grows
    # with the figures, not with the square of the economies.
    sides: dict[tuple[str, str], list] = {}
    for r in bilateral.itertuples(index=False):
        sides.setdefault((r.reporter, r.partner), []).append(r)
    pairs, unmatched = [], []
    for a, b in sorted((a, b) for a, b in sides if a < b and (b, a) in sides):
        a_side, b_side = sides[(a, b)], sides[(b, a)]
        if b == focus:
            a, b, a_side, b_side = b, a, b_side, a_side
        factor = cif_fob_factor(a, b, borders, t)
        for flow_a in settings.FLOWS:
            flow_b = settings.MIRROR_FLOW[flow_a]
            rows_a = [r for r in a_side if r.flow == flow_a]
            rows_b = [r for r in b_side if r.flow == flow_b]
            if not rows_a or not rows_b:
                continue
            periods_a = {(r.period_start, r.period_end) for r in rows_a}
            periods_b = {(r.period_start, r.period_end) for r in rows_b}
            for ra, rb in itertools.product(rows_a, rows_b):
                if (ra.period_start, ra.period_end) != (rb.period_start, rb.period_end):
                    continue
                pairs.append(_pair_row(a, b, flow_a, ra, rb, factor, t))
            for rows, reporter, partner, flow, others in ((rows_a, a, b, flow_a, periods_b),
                                                          (rows_b, b, a, flow_b, periods_a)):
                for r in rows:
                    if (r.period_start, r.period_end) not in others:
                        unmatched.append({"country": b, "reporter": reporter, "partner": partner, "flow": flow,
                                          "period_start": r.period_start, "period_end": r.period_end,
                                          "other_periods": tuple(sorted(others, key=lambda p: (p[1], p[0])))})
    pairs_df = pd.DataFrame(pairs, columns=PAIR_COLUMNS)
    unmatched_df = pd.DataFrame(unmatched, columns=UNMATCHED_COLUMNS).drop_duplicates(
        subset=["country", "reporter", "partner", "flow", "period_start", "period_end"])
    order = ["country", "period_end", "period_start", "flow"]
    return (pairs_df.sort_values(order + ["x_id", "m_id"], kind="stable").reset_index(drop=True),
            unmatched_df.sort_values(order + ["reporter"], kind="stable").reset_index(drop=True))


FINAL, PRELIMINARY = "final", "preliminary"


def status(figure) -> str:
    """A figure's status, 'final' or 'preliminary'; an empty cell means final.

    An empty cell arrives as None, or as NaN once pandas has mixed it with text in one column.
    """
    value = getattr(figure, "status", None)
    return value if isinstance(value, str) and value else FINAL


def _pair_row(a: str, b: str, flow_a: str, ra, rb, factor: float, t: Thresholds) -> dict:
    if flow_a == "exports":  # a sends, b receives
        exporter, importer, x, m = a, b, ra, rb
    elif flow_a == "imports":  # b sends, a receives
        exporter, importer, x, m = b, a, rb, ra
    else:  # turnover: no direction, so no CIF/FOB adjustment; a's figure plays the exporter's part
        exporter, importer, x, m, factor = None, None, ra, rb, 1.0
    return {
        "country": b, "reporter_a": a, "reporter_b": b, "flow": "turnover" if exporter is None else "goods",
        "exporter": exporter, "importer": importer, "period_start": ra.period_start, "period_end": ra.period_end,
        "x_id": x.id, "x_value": x.value_mn, "x_qualifier": x.qualifier, "x_source": x.source_id,
        "x_status": status(x),
        "m_id": m.id, "m_value": m.value_mn, "m_qualifier": m.qualifier, "m_source": m.source_id,
        "m_status": status(m),
        # A gap is only as settled as its less settled side: a preliminary figure may still be revised.
        "status": PRELIMINARY if PRELIMINARY in (status(x), status(m)) else FINAL,
        **measure(x.value_mn, m.value_mn, factor, t),
    }


GAPS_FILE = "mirror-gaps.csv"
GAPS_COLUMNS = ["country", "flow", "exporter", "importer", "period_start", "period_end", "currency", "x_id", "x_value",
                "m_id", "m_value", "factor", "x_value_cif", "gap_mn", "gap", "index", "classification",
                "x_status", "m_status", "status"]  # status: preliminary when either side is


def gaps_table(pairs: pd.DataFrame, currency_code: str = settings.DEFAULT_CURRENCY) -> pd.DataFrame:
    """Every computed pair for download: what the pages show, plus the measures they leave to the methodology.

    The money columns (x_value, m_value, x_value_cif, gap_mn) are in millions of `currency_code`, which
    the `currency` column states on every row, so a spreadsheet never loses what its numbers are in.
    """
    table = pairs.assign(x_value_cif=(pairs.x_value * pairs.factor).round(4), gap=pairs.gap.astype(float).round(6),
                         index=pairs["index"].astype(float).round(6), currency=currency_code)
    return table[GAPS_COLUMNS]
