"""Units slips: a value in billions typed in as millions (516.3 for 516,300).

Such a value passes every other check: it is a plausible number on its own. It
shows against the figures that should be near it: the other side of the same
trade, and the same series in other periods. A slip is a factor of a thousand;
real disagreements are percentages, so the thresholds (settings) sit far from
both.
"""

from __future__ import annotations

import math
from datetime import date

import numpy as np
import pandas as pd

from .. import fmt, mirror, settings
from ..report import Problem
from .context import Context, _by_group, _runs
from .intervals import slack
from .kind import Kind, Wording
from .rows import PERIOD, _describe, _finding, _iv, _rows, _rows_at

UNITS_FIX = ("check both against the source: if one was typed in the wrong unit (billions or thousands"
             " as millions), correct it; if both are as published, keep them; the site reports the difference")


def mirror_units_slip(ctx: Context) -> list[Problem]:
    """The two sides of a mirror pair differ by more than settings.UNITS_PAIR_FACTOR: one is probably in the wrong unit.

    Decided on the rounding intervals, so only a difference no rounding can
    explain is reported; a zero side is left alone (a zero is not a unit).
    """
    data = ctx.data
    names, out = ctx.names, []
    pairs = _mirror_units_suspects(ctx)
    rows = _rows_at(data.figures, [p for pair in pairs for p in pair])
    for a_pos, b_pos in pairs:
        a, b = rows[a_pos], rows[b_pos]
        small, big = sorted([a, b], key=lambda r: r.value_mn)
        if small.value_mn > 0 and _iv(big)[0] > settings.UNITS_PAIR_FACTOR * _iv(small)[1]:
            ratio = big.value_mn / small.value_mn
            out.append(_finding(
                "units-slip-mirror", data, [a, b],
                f"the two sides of the same trade differ {fmt.fold(ratio)}-fold: {_describe(a, names)} against"
                f" {_describe(b, names)}; one of them is probably in the wrong unit", UNITS_FIX,
                {"ratio": round(ratio, 2), "larger": big.id, "smaller": small.id}))
    return out


def _mirror_units_suspects(ctx: Context) -> list[tuple[int, int]]:
    """(a, b) row positions, a before b in the file, that are the two sides of one mirror pair and may be apart.

    Each figure is joined to the figures carrying its mirror key (partner as
    reporter, reporter as partner, the mirror flow, the same period) on integer
    codes, then kept when its interval may lie beyond the factor of the other's.
    """
    data = ctx.data
    k = ctx.columns
    figures = data.figures
    side = np.flatnonzero(mirror.pairable(figures, data.countries).to_numpy(dtype=bool))
    if not len(side):
        return []
    economies = pd.Index(sorted(set(k.uniques["reporter"]) | set(k.uniques["partner"])))
    reporter = economies.get_indexer(k.uniques["reporter"])[k.codes["reporter"]]
    partner = economies.get_indexer(k.uniques["partner"])[k.codes["partner"]]
    flows = pd.Index(settings.FLOWS)
    flow = flows.get_indexer(k.uniques["flow"])[k.codes["flow"]]
    mirror_flow = flows.get_indexer([settings.MIRROR_FLOW[f] for f in settings.FLOWS])[flow]
    period = k.group(*PERIOD)
    a, b = _equal_keys([reporter[side], partner[side], flow[side], period[side]],
                       [partner[side], reporter[side], mirror_flow[side], period[side]])
    a, b = side[a], side[b]
    keep = (a < b) & (reporter[a] != partner[a])
    a, b = a[keep], b[keep]
    factor = settings.UNITS_PAIR_FACTOR
    lo_a, hi_a, lo_b, hi_b = k.lo[a], k.hi[a], k.lo[b], k.hi[b]
    s = slack(lo_a, hi_a, lo_b, hi_b) * (1 + factor)
    maybe = (lo_a > factor * hi_b - s) | (lo_b > factor * hi_a - s)
    return sorted(zip(a[maybe].tolist(), b[maybe].tolist()))


def _equal_keys(left: list[np.ndarray], right: list[np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
    """Every (i, j) whose integer columns are equal, left[c][i] == right[c][j] for each c: an inner join.

    The columns are folded into one integer key per row (renumbered when it
    would overflow), the right keys sorted once, and each left key's run of
    equal right keys found by binary search: a pandas merge of the same
    columns builds two frames and a hash table for it, several times dearer
    for a million rows. Pairs come in no particular order.
    """
    key_l, key_r = np.zeros(len(left[0]), dtype=np.int64), np.zeros(len(right[0]), dtype=np.int64)
    span = 1
    for col_l, col_r in zip(left, right, strict=True):
        low = min(col_l.min(initial=0), col_r.min(initial=0))
        radix = int(max(col_l.max(initial=0), col_r.max(initial=0)) - low) + 1
        if span * radix >= 2**62:  # renumber both sides together before the key could overflow
            both = pd.factorize(np.concatenate([key_l, key_r]))[0].astype(np.int64)
            key_l, key_r, span = both[:len(key_l)], both[len(key_l):], int(both.max(initial=0)) + 1
        key_l, key_r, span = key_l * radix + (col_l - low), key_r * radix + (col_r - low), span * radix
    order = np.argsort(key_r, kind="stable")
    sorted_r = key_r[order]
    first, last = np.searchsorted(sorted_r, key_l, "left"), np.searchsorted(sorted_r, key_l, "right")
    counts = last - first
    i = np.repeat(np.arange(len(key_l)), counts)
    within = np.arange(len(i)) - np.repeat(np.cumsum(counts) - counts, counts)
    return i, order[np.repeat(first, counts) + within]


def _months(start: date, end: date) -> int:
    return (end.year - start.year) * 12 + end.month - start.month + 1


def series_units_slip(ctx: Context) -> list[Problem]:
    """A figure settings.UNITS_SERIES_FACTOR times above or below the rest of its series.

    A series is one reporter, partner and flow; each figure is scaled to one
    month of its period, so a month, a half-year and a year are comparable. The
    yardstick is the median (on a log scale) of the *other* figures, so one slip
    cannot hide itself by moving the yardstick. With two figures, neither is the
    odd one out: one finding names both.
    """
    data = ctx.data
    names, out = ctx.names, []
    figures = data.figures
    limit = math.log10(settings.UNITS_SERIES_FACTOR)
    for positions in _series_units_suspects(ctx):
        rows = [r for r in _rows(figures.iloc[positions]) if r.value_mn > 0]
        logs = [math.log10(r.value_mn / _months(r.period_start, r.period_end)) for r in rows]
        if len(rows) == 2:
            if abs(logs[0] - logs[1]) >= limit - 1e-12:
                small, big = sorted(rows, key=lambda r: logs[rows.index(r)])
                ratio = 10 ** abs(logs[0] - logs[1])
                out.append(_finding(
                    "units-slip-series", data, rows,
                    f"two figures of the same series differ {fmt.fold(ratio)}-fold, month for month:"
                    f" {_describe(rows[0], names)} and {_describe(rows[1], names)}; one of them is probably in the"
                    f" wrong unit", UNITS_FIX, {"ratio": round(ratio, 2), "larger": big.id, "smaller": small.id}))
            continue
        for i, row in enumerate(rows):
            yardstick = float(np.median(logs[:i] + logs[i + 1:]))
            if abs(logs[i] - yardstick) >= limit - 1e-12:
                ratio = 10 ** abs(logs[i] - yardstick)
                word = "above" if logs[i] > yardstick else "below"
                out.append(_finding(
                    "units-slip-series", data, [row],
                    f"{_describe(row, names)} is {fmt.fold(ratio)} times {word} the other {len(rows) - 1} figures of"
                    f" the same series, month for month; it is probably in the wrong unit", UNITS_FIX,
                    {"ratio": round(ratio, 2), "direction": word}))
    return out


def _series_units_suspects(ctx: Context) -> list[np.ndarray]:
    """Row positions of each series (in file order) whose per-month values span the factor; series in code order.

    A figure can only be that far from the median of the others if the
    series' smallest and largest values are at least that far apart.
    """
    data = ctx.data
    k = ctx.columns
    figures = data.figures
    if not len(figures):
        return []
    period = k.group(*PERIOD)
    first = np.unique(period, return_index=True)[1]
    months = np.array([_months(s, e) for s, e in zip(figures["period_start"].to_numpy(dtype=object)[first],
                                                      figures["period_end"].to_numpy(dtype=object)[first])],
                      dtype=float)[period]
    values = figures["value_mn"].to_numpy(dtype=float)
    positive = values > 0
    with np.errstate(divide="ignore", invalid="ignore"):
        logs = np.where(positive, np.log10(np.where(positive, values, 1) / months), np.nan)
    series = k.group("reporter", "partner", "flow")
    size = int(series.max()) + 1
    runs = _runs(series[positive])
    top = _by_group(series[positive], logs[positive], "max", size, runs)
    bottom = _by_group(series[positive], logs[positive], "min", size, runs)
    wide = np.flatnonzero(top - bottom >= math.log10(settings.UNITS_SERIES_FACTOR) - 1e-9)
    if not len(wide):
        return []
    order = np.argsort(series, kind="stable")
    cuts = np.r_[0, np.cumsum(np.bincount(series, minlength=size))]
    rank = (k.codes["reporter"], k.codes["partner"], k.codes["flow"])
    out = [np.sort(order[cuts[g]:cuts[g + 1]]) for g in wide]
    return sorted(out, key=lambda rows: (rank[0][rows[0]], rank[1][rows[0]], rank[2][rows[0]]))




# --- Sentences ----------------------------------------------------------------


def units_slip_mirror_sentence(p: Problem, w: Wording) -> str:
    a, b = sorted(w.rows(p), key=lambda r: r.csv_line)
    return w.text("findings.sentence.units-slip-mirror", first_reporter=w.said[a.reporter],
                  first_flow=w.flow(a.flow, a.partner), first=w.figure(a), second_reporter=w.said[b.reporter],
                  second_flow=w.flow(b.flow, b.partner), second=w.figure(b),
                  period=w.period(a.period_start, a.period_end), ratio=fmt.fold(p.details["ratio"], w.locale))


def units_slip_series_sentence(p: Problem, w: Wording) -> str:
    """One figure against the rest of its series, or the two figures of a series of two."""
    rows = w.rows(p)
    first = rows[0]
    base = {"reporter": w.said[first.reporter], "flow": w.flow(first.flow, first.partner),
            "ratio": fmt.fold(p.details["ratio"], w.locale)}
    if len(rows) == 1:
        return w.text("findings.sentence.units-slip-series", **base,
                      period=w.period(first.period_start, first.period_end), value=w.figure(first),
                      direction=w.text(f"findings.direction.{p.details['direction']}"))
    a, b = sorted(rows, key=lambda r: (r.period_end, r.period_start, r.csv_line))
    return w.text("findings.sentence.units-slip-series-pair", **base,
                  first=w.figure(a), first_period=w.period(a.period_start, a.period_end),
                  second=w.figure(b), second_period=w.period(b.period_start, b.period_end))


_RATIO = "how many times apart, month for month (to two decimals)"
KINDS = (
    Kind("units-slip-mirror", mirror_units_slip, units_slip_mirror_sentence,
         {"ratio": "how many times apart the two sides are (to two decimals)",
          "larger": "the larger side's id", "smaller": "the smaller side's id"}),
    Kind("units-slip-series", series_units_slip, units_slip_series_sentence,
         {"ratio": _RATIO, "direction": "one figure against its series: 'above' or 'below'",
          "larger": "two figures: the larger one's id", "smaller": "two figures: the smaller one's id"},
         words=("findings.sentence.units-slip-series-pair", "findings.direction.above",
                "findings.direction.below")),
)
