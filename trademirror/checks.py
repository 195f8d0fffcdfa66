"""Consistency checks: rules that span rows, beyond what a Table Schema can say.

Two kinds of result. An *error* is malformed data (a reversed period, a group
that lists an unknown country): the build stops. A *finding* is published
figures that contradict each other: the data is kept as published, the build
goes on, and the site reports it. Nothing here knows any country or year; the
checks find contradictions from the data alone.

Comparisons allow for rounding: each value stands for an interval (see
`bounds`), and two statements contradict only when their intervals cannot meet.

Speed: a package can hold a million figures, so each check first finds, on
whole columns (`bounds_arrays`, grouped maxima and minima), the few groups
that *can* hold a contradiction — a superset, computed with a little slack —
and then runs the plain row-by-row rule on those groups only. The Problems
therefore come from the same code, in the same order, as a row-by-row pass
over everything (`tests/reference_checks.py` keeps that pass as the oracle).
"""

from __future__ import annotations

import itertools
import math
import re
from collections.abc import Callable, Iterable
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

import numpy as np
import pandas as pd

from . import currency, fmt, mirror, settings
from .package import Dataset, codes
from .report import Problem

Interval = tuple[float, float]
PERIOD = ["period_start", "period_end"]


# --- Intervals ----------------------------------------------------------------


def rounding_unit(value: float) -> float:
    """The unit a published value was rounded to: 784 -> 1, 29700 -> 100, 10000 -> 1000."""
    if value == 0 or not math.isfinite(value):
        return 1.0
    exponent = Decimal(repr(float(abs(value)))).normalize().as_tuple().exponent
    magnitude = math.floor(math.log10(abs(value)))
    return float(min(10.0**exponent, 10.0 ** (magnitude - settings.MIN_SIGNIFICANT_DIGITS + 1)))


def bounds(value: float, qualifier: str) -> Interval:
    """The interval of true values a published value (with its qualifier) allows."""
    unit = rounding_unit(value)
    if qualifier == "approx":
        return value - settings.APPROX_UNITS * unit, value + settings.APPROX_UNITS * unit
    if qualifier == "over":
        return value, value + settings.OVER_UNDER_UNITS * unit
    if qualifier == "under":
        return value - settings.OVER_UNDER_UNITS * unit, value
    return value - unit / 2, value + unit / 2


def add(*intervals: Interval) -> Interval:
    return sum(i[0] for i in intervals), sum(i[1] for i in intervals)


def overlap(a: Interval, b: Interval) -> bool:
    return a[0] <= b[1] + 1e-9 and b[0] <= a[1] + 1e-9


def hull(intervals: Iterable[Interval]) -> Interval:
    items = list(intervals)
    return min(i[0] for i in items), max(i[1] for i in items)


# Powers of ten computed as `rounding_unit` computes them (10.0**e), so both give the same floats.
_POW10 = np.array([10.0**k for k in range(23)])
_POW10_NEG = np.array([10.0**-k for k in range(23)])
_POW10_INT = np.array([10**k for k in range(19)], dtype=np.int64)
# Candidate filters compare with this much slack on top of `overlap`'s, so float
# summation order can never hide a contradiction from the exact check that follows.
SLACK = 1e-9


def rounding_units(values: np.ndarray) -> np.ndarray:
    """`rounding_unit` of each value, on whole arrays (tests hold the two equal).

    The unit is min(10**e, 10**(magnitude - MIN_SIGNIFICANT_DIGITS + 1)), e being
    the exponent of the last digit of the value's shortest repr. Going down from
    the cap, the first exponent at which the value is a whole number of units —
    q * 10**e gives back the same float, the round trip repr relies on — is that min.
    """
    v = np.abs(np.asarray(values, dtype=float))
    units = np.ones_like(v)
    todo = np.flatnonzero((v != 0) & np.isfinite(v))
    if not len(todo):
        return units
    cap = np.floor(np.log10(v[todo])).astype(np.int64) - settings.MIN_SIGNIFICANT_DIGITS + 1
    whole = (v[todo] == np.floor(v[todo])) & (v[todo] < 2.0**53)
    # Whole numbers: count trailing zeros upwards from 10**0, up to the cap.
    idx, top = todo[whole], cap[whole]
    e, n = np.minimum(top, 0), v[idx].astype(np.int64)
    active = np.flatnonzero(e < top)
    while len(active):
        step = n[active] % _POW10_INT[np.minimum(e[active] + 1, 18)] == 0
        active = active[step]
        e[active] += 1
        active = active[e[active] < top[active]]
    units[idx] = np.where(e >= 0, _POW10[np.clip(e, 0, 22)], _POW10_NEG[np.clip(-e, 0, 22)])
    # Fractions: down from min(cap, 10**-1) to the first exponent whose round trip gives the value back.
    todo, e = todo[~whole], np.minimum(cap[~whole], -1)
    while len(todo):
        x, k = v[todo], np.abs(e)
        with np.errstate(all="ignore"):  # beyond exact powers of ten or 53-bit integers: the scalar rule
            far = (k > 22) | (x * _POW10[np.minimum(k, 22)] >= 2.0**53)
        for i in todo[far]:
            units[i] = rounding_unit(float(v[i]))
        todo, e, x, k = todo[~far], e[~far], x[~far], k[~far]
        hit = np.where(e >= 0, np.round(x / _POW10[k]) * _POW10[k], np.round(x * _POW10[k]) / _POW10[k]) == x
        units[todo[hit]] = np.where(e >= 0, _POW10[k], _POW10_NEG[k])[hit]
        todo, e = todo[~hit], e[~hit] - 1
    return units


def bounds_arrays(values: np.ndarray, qualifiers: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """`bounds` of each value, on whole arrays: the same arithmetic, so the same floats."""
    v = np.asarray(values, dtype=float)
    distinct, inverse = np.unique(v, return_inverse=True)
    unit = rounding_units(distinct)[inverse.reshape(-1)] if len(distinct) * 2 < len(v) else rounding_units(v)
    lo, hi = v - unit / 2, v + unit / 2
    if isinstance(qualifiers, pd.Categorical):
        words = np.append(np.asarray(qualifiers.categories, dtype=object), None)
        approx, over, under = ((words == w)[qualifiers.codes] for w in ("approx", "over", "under"))
    else:
        q = np.asarray(qualifiers, dtype=object)
        approx, over, under = q == "approx", q == "over", q == "under"
    lo = np.where(approx, v - settings.APPROX_UNITS * unit, np.where(over, v, np.where(
        under, v - settings.OVER_UNDER_UNITS * unit, lo)))
    hi = np.where(approx, v + settings.APPROX_UNITS * unit, np.where(over, v + settings.OVER_UNDER_UNITS * unit,
                                                                       np.where(under, v, hi)))
    return lo, hi


def _slack(*arrays: np.ndarray) -> np.ndarray:
    return 1e-9 + SLACK * (1 + sum(np.abs(a) for a in arrays))


class _Keys:
    """Integer codes and intervals of a figures table, computed once per table."""

    def __init__(self, figures: pd.DataFrame, codes: dict):
        self.frame = figures
        self.codes, self.uniques = {}, {}
        for c in ("reporter", "partner", "flow", *PERIOD):
            known = codes.get(c)
            if known is not None and len(known[0]) == len(figures):
                self.codes[c], self.uniques[c] = known  # dates, factorized once by package.load
            else:
                self.codes[c], self.uniques[c] = pd.factorize(figures[c].to_numpy(dtype=object), sort=True)
        self._groups: dict[tuple, np.ndarray] = {}
        qualifiers = codes.get("qualifier")
        if qualifiers is not None and len(qualifiers[0]) == len(figures):  # compared per distinct word
            qualifiers = pd.Categorical.from_codes(qualifiers[0], categories=qualifiers[1])
        else:
            qualifiers = figures["qualifier"].to_numpy(dtype=object)
        self.lo, self.hi = bounds_arrays(figures["value_mn"].to_numpy(dtype=float), qualifiers)

    def isin(self, column: str, values: Iterable[str]) -> np.ndarray:
        """Rows whose value in a coded column is one of `values`, tested once per distinct value."""
        hit = np.append(pd.Series(self.uniques[column], dtype=object).isin(list(values)).to_numpy(), False)
        return hit[self.codes[column]]  # a code of -1 (missing) picks the appended False

    def group(self, *columns: str) -> np.ndarray:
        """One integer per distinct combination of the columns (0..n-1, in the order of the codes), cached.

        Callers only compare, count and sum by these integers, so their order is free:
        a dense table renumbers small key spaces, a sort the rest (both cheaper than hashing).
        """
        if columns in self._groups:
            return self._groups[columns]
        key = np.zeros(len(self.frame), dtype=np.int64)
        span = 1
        for c in columns:
            radix = len(self.uniques[c]) + 1
            if span * radix >= 2**62:  # compact before the mixed-radix key could overflow
                key, span = pd.factorize(key)[0].astype(np.int64), int(key.max(initial=0)) + 1
            key, span = key * radix + self.codes[c], span * radix
        self._groups[columns] = key = _dense_unique(key, span)[1]
        return key


def _dense_unique(key: np.ndarray, span: int) -> tuple[np.ndarray, np.ndarray]:
    """`np.unique(key, return_inverse=True)` for integer keys in [0, span): by a table when span is small."""
    if span <= 8 * len(key) + 1024 and key.min(initial=0) >= 0:  # (a missing value's code is -1)
        present = np.zeros(span, dtype=bool)
        present[key] = True
        rank = np.cumsum(present, dtype=np.int64 if span >= 2**31 else np.int32) - 1
        return np.flatnonzero(present), rank[key].astype(np.int64)
    values, inverse = np.unique(key, return_inverse=True)
    return values, inverse.astype(np.int64).reshape(-1)


_KEYS: dict[int, _Keys] = {}


def _keys(data: Dataset) -> _Keys:
    figures = data.figures
    cached = _KEYS.get(id(figures))
    if cached is None or cached.frame is not figures:
        _KEYS.clear()
        cached = _KEYS[id(figures)] = _Keys(figures, data.codes.get("figures", {}) if hasattr(data, "codes")
                                            else {})
    return cached


def _runs(key: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The stable sort order of key, the sorted keys, and where each run of equal keys starts."""
    order = np.argsort(key, kind="stable")
    sorted_key = key[order]
    return order, sorted_key, np.flatnonzero(np.r_[True, sorted_key[1:] != sorted_key[:-1]])


def _by_group(key: np.ndarray, values: np.ndarray, how: str, size: int, runs: tuple | None = None) -> np.ndarray:
    """Per-group max or min of values, indexed by group id; -inf/+inf for empty groups.

    Sorted once and reduced per run of equal keys (`ufunc.at` is many times slower);
    `runs` is `_runs(key)` when the caller already has it.
    """
    out = np.full(size, -np.inf if how == "max" else np.inf)
    if not len(key):
        return out
    order, sorted_key, starts = runs or _runs(key)
    reduce = np.maximum if how == "max" else np.minimum
    out[sorted_key[starts]] = reduce.reduceat(values[order], starts)
    return out


# --- Entry point --------------------------------------------------------------


def run(data: Dataset, today: date | None = None) -> list[Problem]:
    """All consistency errors and findings for a schema-valid package."""
    today = today or date.today()
    errors: list[Problem] = []
    errors += check_periods(data, today)
    errors += check_countries(data)
    errors += check_corroborations(data)
    errors += check_names(data)
    errors += check_settings(data)
    errors += check_currencies(data)
    errors += check_agencies(data)
    if errors:  # findings on malformed data would only add noise
        return errors
    findings: list[Problem] = []
    for check in FINDING_CHECKS:
        findings += check(data)
    return findings


# --- Errors -------------------------------------------------------------------


def check_periods(data: Dataset, today: date) -> list[Problem]:
    out = []
    spans = [("figures", "period_start", "period_end"), ("indicators", "period_start", "period_end"),
             ("growth", "period_start", "period_end"), ("growth", "base_start", "base_end")]
    for table, start_col, end_col in spans:
        frame = data.tables.get(table)
        if frame is None:
            continue
        rel = data.files[table]
        known = data.codes.get(table, {}) if hasattr(data, "codes") else {}
        suspect = _suspect_periods(frame[start_col], frame[end_col], today,
                                   _date_codes(known.get(start_col), len(frame)),
                                   _date_codes(known.get(end_col), len(frame)))
        for row in frame[suspect].itertuples(index=False):
            start, end, line = getattr(row, start_col), getattr(row, end_col), row.csv_line
            if end < start:
                out.append(_error("period-reversed", rel, line, end_col,
                                  f"ends ({end}) before it starts ({start})", f"swap {start_col} and {end_col}"))
                continue
            if start.day != 1:
                out.append(_error("not-whole-month", rel, line, start_col,
                                  f"{start} is not the first day of a month",
                                  f"periods are whole months: use {start.replace(day=1)}"))
            if end.day != fmt.last_day(end.year, end.month):
                last = end.replace(day=fmt.last_day(end.year, end.month))
                out.append(_error("not-whole-month", rel, line, end_col,
                                  f"{end} is not the last day of a month",
                                  f"periods are whole months: use {last}"))
            if end > today:
                out.append(_error("future-period", rel, line, end_col,
                                  f"{end} is in the future (today is {today})",
                                  "check the year; figures are only published for periods that have ended"))
    return out


def _date_codes(known: tuple | None, rows: int) -> tuple | None:
    """`package.load`'s (codes, distinct dates) of a column, when they cover every row with a real date."""
    if known is None or len(known[0]) != rows or pd.isna(pd.Series(known[1], dtype=object)).any():
        return None
    return known


def _suspect_periods(starts: pd.Series, ends: pd.Series, today: date, start_codes: tuple | None = None,
                     end_codes: tuple | None = None) -> np.ndarray:
    """Rows whose period may be wrong, judged once per distinct date (dates repeat a lot).

    `start_codes`/`end_codes` are (codes, distinct dates) already computed by `package.load`.
    """
    s_codes, s_dates = start_codes or pd.factorize(starts.to_numpy(dtype=object))
    e_codes, e_dates = end_codes or pd.factorize(ends.to_numpy(dtype=object))
    start_ok = np.array([d.day == 1 for d in s_dates] + [True], dtype=bool)[s_codes]
    end_ok = np.array([(d + timedelta(days=1)).day == 1 and d <= today for d in e_dates] + [True],
                      dtype=bool)[e_codes]
    order = {d: i for i, d in enumerate(sorted(set(s_dates) | set(e_dates)))}
    s_rank = np.array([order[d] for d in s_dates] + [0], dtype=np.int64)[s_codes]
    e_rank = np.array([order[d] for d in e_dates] + [0], dtype=np.int64)[e_codes]
    return ~(start_ok & end_ok & (e_rank >= s_rank))


def check_countries(data: Dataset) -> list[Problem]:
    countries = data.countries
    rel = data.files["countries"]
    kinds = dict(zip(countries["code"], countries["kind"], strict=False))
    borders = {c: set(codes(b)) for c, b in zip(countries["code"], countries["borders"], strict=False)}
    out = []
    for row in countries.itertuples(index=False):
        for group in codes(row.groups):
            if kinds.get(group) != "group":
                what = "not a code in this file" if group not in kinds else "a country, not a group"
                out.append(_error("unknown-group", rel, row.csv_line, "groups", f"'{group}' is {what}",
                                  "add the group as a row with kind 'group', or fix the code"))
        for other in sorted(borders[row.code]):
            if other not in kinds:
                out.append(_error("unknown-country", rel, row.csv_line, "borders",
                                  f"'{other}' is not a code in this file", "add it as a row, or fix the code"))
            elif row.code not in borders[other]:
                out.append(_error("one-sided-border", rel, row.csv_line, "borders",
                                  f"{row.code} lists {other} as a neighbour, but {other} does not list {row.code}",
                                  f"add {row.code} to the borders of {other} (borders are mutual)"))
    return out


def check_corroborations(data: Dataset) -> list[Problem]:
    frame = data.tables.get("corroborations")
    if frame is None:
        return []
    rel = data.files["corroborations"]
    out = []
    suspect = frame["figure_id"].isna().to_numpy() == frame["growth_id"].isna().to_numpy()
    for row in frame[suspect].itertuples(index=False):
        if (row.figure_id is None) == (row.growth_id is None):
            out.append(_error("corroboration-target", rel, row.csv_line, "figure_id",
                              "needs exactly one of figure_id and growth_id",
                              "fill in the id of the figure or of the growth rate this source restates"))
    return out


def check_agencies(data: Dataset) -> list[Problem]:
    """sources.agency names economies in countries.csv, each once: the pages' wording rests on it."""
    known = set(data.countries["code"])
    rel = data.files["sources"]
    out = []
    for row in data.sources.itertuples(index=False):
        items = codes(getattr(row, "agency", None))
        listed = [item.split(":", 1)[0] for item in items]
        for code in sorted({c for c in listed if listed.count(c) > 1}):
            kinds = " and ".join(item.split(":", 1)[1] for item in items if item.startswith(code + ":"))
            out.append(_error("duplicate-agency", rel, row.csv_line, "agency", f"{code} is listed twice ({kinds})",
                              f"keep one {code}:kind pair, the kind of agency this publication names for {code}"))
        for code in sorted(set(listed) - known):
            out.append(_error("unknown-country", rel, row.csv_line, "agency", f"'{code}' is not in countries.csv",
                              "use a code listed in countries.csv, or add the economy there"))
    return out


def check_names(data: Dataset) -> list[Problem]:
    """A names.csv row that names nothing would silently fall back to another name: say so instead."""
    frame = data.tables.get("names")
    if frame is None:
        return []
    rel = data.files["names"]
    return [_error("empty-name", rel, row.csv_line, "name",
                   f"the row for {row.code} in '{row.language}' has neither a name nor an in_sentence form",
                   "write the name, its form inside a sentence, or both; or delete the row")
            for row in frame.itertuples(index=False) if row.name is None and row.in_sentence is None]


def check_currencies(data: Dataset, to: str | None = None) -> list[Problem]:
    """Figures the rates cannot bring into the comparison currency for their period (see currency.py).

    Without the rate, such a figure could only be compared as if it were in the comparison currency,
    which is how a euro figure used to pass for dollars; so it stops the build instead.
    """
    figures = data.figures
    if "value_mn" not in figures:
        return []
    to = to or currency.comparison_currency(data.settings)
    rates_file = Path(data.files.get("rates", "rates.csv")).name
    out = []
    rates = data.tables.get("rates")
    if rates is not None:  # the schema says ≥ 0 (stock frictionless has no exclusiveMinimum in v1 packages)
        for r in _rows(rates[rates.rate == 0]):
            out.append(_error("zero-rate", data.files["rates"], r.csv_line, "rate", "'0' converts nothing",
                              f"write the rate as published: units of {r.to} for one {r.currency}, more than 0"))
    for r in _rows(figures[figures.value_mn.isna()]):
        period = f"{r.period_start.isoformat()}–{r.period_end.isoformat()}"
        out.append(_error("no-rate", data.files["figures"], r.csv_line, "currency",
                          f"no rate in {rates_file} converts {r.currency} to {to} for {period}",
                          f"add the average rate for that period to {rates_file}, with its source"))
    return out


def check_settings(data: Dataset) -> list[Problem]:
    codes = set(data.countries["code"])
    out = []
    setting = data.settings.get("currency")
    if setting is not None and not (isinstance(setting, str) and re.fullmatch("[A-Z]{3}", setting)):
        out.append(_error("bad-format", "datapackage.json", None, "trademirror.currency",
                          f"'{setting}' is not a currency code",
                          "write the ISO 4217 code of the currency figures are compared in, e.g. USD or EUR"))
    for key in ("focus_reporter", "region"):
        value = data.settings.get(key)
        if value is not None and value not in codes:
            out.append(_error("unknown-country", "datapackage.json", None, f"trademirror.{key}",
                              f"'{value}' is not in countries.csv", "use a code listed in countries.csv"))
    return out


# --- Findings -----------------------------------------------------------------


def _rows(frame: pd.DataFrame) -> list:
    return list(frame.itertuples(index=False))


def _rows_at(frame: pd.DataFrame, positions: Iterable[int]) -> dict[int, tuple]:
    """The rows at these positions, as `_rows` gives them, taken from the frame in one go."""
    wanted = sorted(set(int(p) for p in positions))
    return dict(zip(wanted, _rows(frame.iloc[wanted]), strict=True)) if wanted else {}


def _iv(row) -> Interval:
    return bounds(row.value_mn, row.qualifier)


def _names(data: Dataset) -> dict[str, str]:
    return dict(zip(data.countries["code"], data.countries["name"], strict=False))


def _describe(row, names: dict[str, str]) -> str:
    preposition = {"turnover": "with", "exports": "to", "imports": "from"}[row.flow]
    return (f"{names.get(row.reporter, row.reporter)} {row.flow} {preposition}"
            f" {names.get(row.partner, row.partner)}, {fmt.period(row.period_start, row.period_end)}:"
            f" {published(row)} (line {row.csv_line})")


def published(row) -> str:
    """A figure's value as its source printed it (the row a journalist checks): 'US$36.5bn', '€516.3bn'."""
    return fmt.money_mn(row.value * currency.UNIT_IN_MN[row.unit], row.currency, row.qualifier)


def _finding(code: str, data: Dataset, rows: list, message: str, fix: str, details: dict) -> Problem:
    rows = sorted(rows, key=lambda r: r.csv_line)
    return Problem("finding", code, data.files["figures"], rows[0].csv_line, "value", message, fix,
                   ids=tuple(r.id for r in rows), sources=tuple(dict.fromkeys(r.source_id for r in rows)),
                   details=details)


KEEP = "keep the figures as published; the site reports the contradiction"


def turnover_vs_components(data: Dataset) -> list[Problem]:
    """Turnover should equal exports + imports for the same reporter, partner and period."""
    names, out = _names(data), []
    figures = data.figures
    suspects = figures[_turnover_suspects(data)]
    taken = dict(zip(suspects.index, _rows(suspects), strict=True))  # each row made once, not once per flow
    for _, group in suspects.groupby(["reporter", "partner", *PERIOD], sort=True):
        pairs = list(zip(group.index, group["flow"].to_numpy(dtype=object), strict=True))
        by_flow = {f: [taken[label] for label, flow in pairs if flow == f] for f in settings.FLOWS}
        for t in by_flow["turnover"]:
            if by_flow["exports"] and by_flow["imports"]:
                for x, m in itertools.product(by_flow["exports"], by_flow["imports"]):
                    total = add(_iv(x), _iv(m))
                    if not overlap(total, _iv(t)):
                        out.append(_finding(
                            "turnover-mismatch", data, [t, x, m],
                            f"{_describe(t, names)} differs from exports + imports"
                            f" ({published(x)} + {published(m)},"
                            f" lines {x.csv_line} and {m.csv_line})", KEEP,
                            {"turnover": t.value_mn, "sum": x.value_mn + m.value_mn}))
            else:
                for c in by_flow["exports"] + by_flow["imports"]:
                    if _iv(c)[0] > _iv(t)[1]:
                        out.append(_finding(
                            "component-exceeds-turnover", data, [t, c],
                            f"{c.flow} alone ({_describe(c, names)}) exceed the turnover ({_describe(t, names)})",
                            KEEP, {"turnover": t.value_mn, "component": c.value_mn}))
    return out


def _turnover_suspects(data: Dataset) -> np.ndarray:
    """Rows of (reporter, partner, period) groups where some turnover may disagree with its parts."""
    k = _keys(data)
    g = k.group("reporter", "partner", *PERIOD)
    size = int(g.max(initial=-1)) + 1
    lo_max, hi_min, has = {}, {}, {}
    for f in settings.FLOWS:
        m = k.isin("flow", [f])
        runs = _runs(g[m]) if m.any() else None
        lo_max[f] = _by_group(g[m], k.lo[m], "max", size, runs)
        hi_min[f] = _by_group(g[m], k.hi[m], "min", size, runs)
        has[f] = np.bincount(g[m], minlength=size) > 0
    x, m, t = "exports", "imports", "turnover"
    with np.errstate(invalid="ignore"):
        s = _slack(np.where(has[t], hi_min[t], 0), np.where(has[x], hi_min[x], 0), np.where(has[m], hi_min[m], 0))
        both = has[x] & has[m]
        apart = (lo_max[x] + lo_max[m] > hi_min[t] - s) | (lo_max[t] > hi_min[x] + hi_min[m] - s)
        alone = np.maximum(lo_max[x], lo_max[m]) > hi_min[t] - s
        suspect = has[t] & np.where(both, apart, alone)
    return suspect[g]


def group_vs_members(data: Dataset) -> list[Problem]:
    """A group total (e.g. the region) should equal the sum of its members' figures."""
    countries = data.countries
    members: dict[str, list[str]] = {}
    for code, groups in zip(countries["code"], countries["groups"], strict=False):
        for g in codes(groups):
            members.setdefault(g, []).append(code)
    names, out = _names(data), []
    figures = data.figures
    suspects, same_rows = _group_total_suspects(data, members)
    for group_code, member_codes in sorted(members.items()):
        positions = np.flatnonzero(suspects & _keys(data).isin("partner", [group_code]))
        for position, t in zip(positions, _rows(figures.iloc[positions])):
            candidates = figures.iloc[same_rows(position)]
            same = candidates[candidates.partner.isin(member_codes)]
            if same.empty:
                continue
            hulls: dict[str, Interval] = {}  # per partner, as hull() over its rows
            for p, value, qualifier in zip(same.partner, same.value_mn, same.qualifier):
                lo, hi = bounds(value, qualifier)
                h = hulls.get(p)
                hulls[p] = (lo, hi) if h is None else (min(h[0], lo), max(h[1], hi))
            total = add(*(hulls[p] for p in sorted(hulls)))
            complete = len(hulls) == len(member_codes)
            if (complete and not overlap(total, _iv(t))) or total[0] > _iv(t)[1]:
                summed = same.groupby("partner")["value_mn"].first().sum()
                listed = ", ".join(sorted(same.partner.unique()))
                scope = "the members" if complete else f"the members with figures ({listed})"
                out.append(_finding(
                    "group-total-mismatch", data, [t, *_rows(same)],
                    f"{_describe(t, names)} differs from the sum of {scope}:"
                    f" {fmt.money_mn(summed, currency.comparison_currency(data.settings))}", KEEP,
                    {"total": t.value_mn, "sum": float(summed), "complete": bool(complete)}))
    return out


def _group_total_suspects(data: Dataset, members: dict[str, list[str]]):
    """Group totals that may differ from their members' sum, and a lookup of a row's same-flow-and-period rows."""
    k = _keys(data)
    figures = data.figures
    n = len(figures)
    rfp = k.group("reporter", "flow", *PERIOD)
    order = np.argsort(rfp, kind="stable")
    starts = np.r_[0, np.cumsum(np.bincount(rfp, minlength=int(rfp.max(initial=-1)) + 1))]  # run of each key

    def same_rows(position: int) -> np.ndarray:
        key = rfp[position]
        return np.sort(order[starts[key]:starts[key + 1]])

    suspects = np.zeros(n, dtype=bool)
    pairs = [(g, m) for g, ms in members.items() for m in ms]
    if not pairs or not n:
        return suspects, same_rows
    hull_key = k.group("reporter", "flow", *PERIOD, "partner")
    size = int(hull_key.max()) + 1
    if size == n:  # one row per partner, flow and period: each row is its own hull
        first = np.empty(n, dtype=np.int64)
        first[hull_key] = np.arange(n)  # the row of each hull, as np.unique's first index (all distinct)
        h_lo, h_hi = k.lo[first], k.hi[first]
    else:
        first = np.unique(hull_key, return_index=True)[1]
        h_lo = _by_group(hull_key, k.lo, "min", size)[hull_key[first]]
        h_hi = _by_group(hull_key, k.hi, "max", size)[hull_key[first]]
    h_rfp = rfp[first]
    n_rfp = int(rfp.max()) + 1
    lo = np.full(n, np.nan)
    hi = np.full(n, np.nan)
    found = np.zeros(n)
    need = np.zeros(n)
    for group_code, member_codes in members.items():  # per group: sums of member hulls per flow and period
        inside = k.isin("partner", member_codes)[first]
        totals = np.flatnonzero(k.isin("partner", [group_code]))
        if not inside.any() or not len(totals):
            continue
        count = np.bincount(h_rfp[inside], minlength=n_rfp)
        lo_sum = np.bincount(h_rfp[inside], weights=h_lo[inside], minlength=n_rfp)
        hi_sum = np.bincount(h_rfp[inside], weights=h_hi[inside], minlength=n_rfp)
        at = rfp[totals]
        found[totals], lo[totals], hi[totals] = count[at], lo_sum[at], hi_sum[at]
        need[totals] = len(member_codes)
    rows = np.flatnonzero(found > 0)
    lo, hi, t_lo, t_hi = lo[rows], hi[rows], k.lo[rows], k.hi[rows]
    s = _slack(hi, t_hi)
    complete = found[rows] == need[rows]
    suspect = (complete & ((lo > t_hi - s) | (t_lo > hi - s))) | (lo > t_hi - s)
    suspects[rows[suspect]] = True
    return suspects, same_rows


def part_exceeds_whole(data: Dataset) -> list[Problem]:
    """A figure for part of a period cannot exceed the figure for the whole of it."""
    names, out = _names(data), []
    figures = data.figures
    pairs = _part_whole_suspects(data)
    rows = _rows_at(figures, [p for pair in pairs for p in pair])
    for part_pos, whole_pos in pairs:
        part, whole = rows[part_pos], rows[whole_pos]
        if _iv(part)[0] > _iv(whole)[1]:
            out.append(_finding(
                "part-exceeds-whole", data, [part, whole],
                f"the part-period figure {_describe(part, names)} is larger than the figure for the whole"
                f" period {_describe(whole, names)}", KEEP,
                {"part": part.value_mn, "whole": whole.value_mn}))
    return out


def _part_whole_suspects(data: Dataset) -> list[tuple[int, int]]:
    """(part, whole) row positions, same reporter, partner and flow, the part's period strictly inside the whole's.

    Found without pairing every row with every other: per group and period the
    largest lower bound (as a part) and the smallest upper bound (as a whole)
    decide whether any pair of those two periods can contradict. Returned in the
    order the row-by-row rule meets them: group, then part row, then whole row.
    """
    k = _keys(data)
    n = len(data.figures)
    if not n:
        return []
    grp = k.group("reporter", "partner", "flow")
    per = k.group(*PERIOD)
    starts = data.figures["period_start"].to_numpy(dtype=object)
    ends = data.figures["period_end"].to_numpy(dtype=object)
    first = np.unique(per, return_index=True)[1]
    p_start = np.array([d.toordinal() for d in starts[first]])
    p_end = np.array([d.toordinal() for d in ends[first]])
    n_per = len(first)
    # The periods that strictly contain each period.
    wholes = []
    for i in range(n_per):
        inside = (p_start <= p_start[i]) & (p_end[i] <= p_end) & ~((p_start == p_start[i]) & (p_end == p_end[i]))
        wholes.append(np.flatnonzero(inside))
    cell = grp * n_per + per
    cells, inverse = _dense_unique(cell, (int(grp.max()) + 1) * n_per)
    runs = _runs(inverse)
    lo_max = _by_group(inverse, k.lo, "max", len(cells), runs)
    hi_min = _by_group(inverse, k.hi, "min", len(cells), runs)
    c_grp, c_per = cells // n_per, cells % n_per
    n_grp = int(grp.max()) + 1
    if n_grp * n_per <= 20_000_000:
        # Dense: for each group and period, the smallest upper bound among the periods around it.
        hi = np.full((n_grp, n_per), np.inf)
        hi[c_grp, c_per] = hi_min
        around = np.full((n_grp, n_per), np.inf)
        for i, w in enumerate(wholes):
            if len(w):
                around[:, i] = hi[:, w].min(axis=1)
        nearest = around[c_grp, c_per]
        maybe = lo_max > nearest - _slack(lo_max, np.where(np.isfinite(nearest), nearest, 0))
        src_cells = np.flatnonzero(maybe)
        src, at = [], []
        for a in src_cells.tolist():  # the few suspect parts: pair them with each whole around them
            for j in wholes[c_per[a]].tolist():
                b = np.searchsorted(cells, c_grp[a] * n_per + j)
                if b < len(cells) and cells[b] == c_grp[a] * n_per + j:
                    src.append(a)
                    at.append(int(b))
        src, at = np.array(src, dtype=np.int64), np.array(at, dtype=np.int64)
    else:
        flat = np.concatenate(wholes + [np.array([], dtype=np.int64)]).astype(np.int64)
        offsets = np.r_[0, np.cumsum([len(w) for w in wholes])].astype(np.int64)
        counts = (offsets[c_per + 1] - offsets[c_per])
        if not counts.sum():
            return []
        src = np.repeat(np.arange(len(cells)), counts)
        step = np.arange(len(src)) - np.repeat(np.cumsum(counts) - counts, counts)
        tgt_cell = c_grp[src] * n_per + flat[np.repeat(offsets[c_per], counts) + step]
        at = np.minimum(np.searchsorted(cells, tgt_cell), len(cells) - 1)
        present = cells[at] == tgt_cell
        src, at = src[present], at[present]
    s = _slack(lo_max[src], hi_min[at])
    hit = lo_max[src] > hi_min[at] - s
    order = runs[0]
    cut = np.r_[runs[2], len(inverse)]  # every cell has rows: its rows are order[cut[c]:cut[c + 1]]
    pairs = []
    for a, b in zip(src[hit].tolist(), at[hit].tolist()):
        pairs += [(int(p), int(w)) for p in order[cut[a]:cut[a + 1]] for w in order[cut[b]:cut[b + 1]]]
    rank = (k.codes["reporter"], k.codes["partner"], k.codes["flow"])
    return sorted(pairs, key=lambda pw: (rank[0][pw[0]], rank[1][pw[0]], rank[2][pw[0]], pw[0], pw[1]))


def conflicting_figures(data: Dataset) -> list[Problem]:
    """Two figures for the same reporter, partner, flow and period that cannot both be right."""
    names, out = _names(data), []
    k = _keys(data)
    g = k.group("reporter", "partner", "flow", *PERIOD)
    size = int(g.max(initial=-1)) + 1
    runs = _runs(g) if size else None
    lo_max, hi_min = _by_group(g, k.lo, "max", size, runs), _by_group(g, k.hi, "min", size, runs)
    suspect = (lo_max > hi_min - _slack(lo_max, hi_min))[g] if size else np.zeros(0, dtype=bool)
    for _, group in data.figures[suspect].groupby(["reporter", "partner", "flow", *PERIOD], sort=True):
        for a, b in itertools.combinations(sorted(_rows(group), key=lambda r: r.csv_line), 2):
            if not overlap(_iv(a), _iv(b)):
                out.append(_finding(
                    "conflicting-figures", data, [a, b],
                    f"two sources disagree: {_describe(a, names)} from {a.source_id},"
                    f" but {published(b)} (line {b.csv_line}) from {b.source_id}", KEEP,
                    {"values": [a.value_mn, b.value_mn]}))
    return out


def _figure_lookup(data: Dataset, frame: pd.DataFrame, columns: list[str]):
    """For each row of `frame`, the figure rows with the same reporter, partner, flow and period, in file order.

    `columns` name frame's reporter, partner, flow, start and end. Keys are
    mixed-radix integers over the figures' codes, so no Python tuple is built
    per figure.
    """
    k = _keys(data)
    own = ["reporter", "partner", "flow", *PERIOD]
    fkey = np.zeros(len(data.figures), dtype=np.int64)
    qkey = np.zeros(len(frame), dtype=np.int64)
    known = np.ones(len(frame), dtype=bool)
    for name, column in zip(own, columns):
        radix = len(k.uniques[name]) + 1
        fkey = fkey * radix + k.codes[name]
        code = pd.Index(k.uniques[name]).get_indexer(frame[column].to_numpy(dtype=object))
        known &= code >= 0
        qkey = qkey * radix + np.maximum(code, 0)
    order = np.argsort(fkey, kind="stable")
    sorted_keys = fkey[order]
    lo = np.searchsorted(sorted_keys, qkey, side="left")
    hi = np.searchsorted(sorted_keys, qkey, side="right")
    return [order[a:b] if ok else order[:0] for a, b, ok in zip(lo, hi, known)]


def growth_mismatch(data: Dataset) -> list[Problem]:
    """A stated growth rate should match the two period values it connects, where both are published."""
    growth = data.tables.get("growth")
    if growth is None or growth.empty:
        return []
    figures, names, out = data.figures, _names(data), []
    rel = data.files["growth"]
    key = ["reporter", "partner", "flow"]
    currents = _figure_lookup(data, growth, [*key, "period_start", "period_end"])
    bases = _figure_lookup(data, growth, [*key, "base_start", "base_end"])
    taken = _rows_at(figures, itertools.chain(*(c for c, b in zip(currents, bases, strict=True)
                                                if len(c) and len(b)),
                                              *(b for c, b in zip(currents, bases, strict=True) if len(c) and len(b))))
    for g, current_rows, base_rows in zip(_rows(growth), currents, bases):
        if not len(current_rows) or not len(base_rows):
            continue
        current, base = [taken[int(p)] for p in current_rows], [taken[int(p)] for p in base_rows]
        stated = bounds(g.change_pct, g.qualifier)
        for c, b in itertools.product(current, base):
            ci, bi = _iv(c), _iv(b)
            if bi[0] <= 0:
                continue
            implied = ((ci[0] / bi[1] - 1) * 100, (ci[1] / bi[0] - 1) * 100)
            if not overlap(implied, stated):
                actual = (c.value_mn / b.value_mn - 1) * 100
                rows = sorted([c, b], key=lambda r: r.csv_line)
                out.append(Problem(
                    "finding", "growth-mismatch", rel, g.csv_line, "change_pct",
                    f"stated change {g.change_pct:+g}% ({g.id}) does not match {_describe(b, names)}"
                    f" → {published(c)} (line {c.csv_line}), a change of {actual:+.1f}%",
                    KEEP, ids=(g.id, *(r.id for r in rows)),
                    sources=tuple(dict.fromkeys([g.source_id, *(r.source_id for r in rows)])),
                    details={"stated_pct": g.change_pct, "actual_pct": round(actual, 2)}))
    return out


def trade_exceeds_gdp(data: Dataset) -> list[Problem]:
    """Trade with one partner larger than the whole economy's GDP for the same period.

    Not impossible (trade is gross, GDP is value added), but for a whole
    economy against one partner it says one side's records are incomplete.
    """
    indicators = data.tables.get("indicators")
    if indicators is None:
        return []
    # GDP is compared only where it is in the comparison currency: indicators carry no rate of their own.
    units = [u for u, c in currency.INDICATOR_CURRENCY.items() if c == currency.comparison_currency(data.settings)]
    gdp = indicators[(indicators.indicator == "gdp") & indicators.unit.isin(units)]
    figures, names, out = data.figures, _names(data), []
    if gdp.empty or figures.empty:
        return out
    k = _keys(data)
    national = set(data.countries.code[data.countries.kind == "country"])
    turnover = np.flatnonzero(k.isin("flow", ["turnover"]) & k.isin("partner", national))
    period = k.group(*PERIOD)
    by_period: dict[tuple, np.ndarray] = {}
    if len(turnover):
        p_start = figures["period_start"].to_numpy(dtype=object)
        p_end = figures["period_end"].to_numpy(dtype=object)
        order = turnover[np.argsort(period[turnover], kind="stable")]
        cuts = np.flatnonzero(np.r_[True, period[order][1:] != period[order][:-1], True])
        for a, b in zip(cuts[:-1], cuts[1:]):
            by_period[(p_start[order[a]], p_end[order[a]])] = np.sort(order[a:b])
    code = {c: {v: i for i, v in enumerate(k.uniques[c])} for c in ("partner", "reporter")}
    for g in _rows(gdp):
        gi = bounds(g.value, g.qualifier)
        rows = by_period.get((g.period_start, g.period_end), np.array([], dtype=np.int64))
        # the country as a partner or reporter code (-1 is a missing value's code, -2 matches no row)
        absent = -1 if g.country is None else -2
        partner, reporter = code["partner"].get(g.country, absent), code["reporter"].get(g.country, absent)
        rows = rows[((k.codes["partner"][rows] == partner) | (k.codes["reporter"][rows] == reporter))
                    & (k.lo[rows] > gi[1] - _slack(k.lo[rows], gi[1]))]
        if not len(rows):
            continue
        for t in _rows(figures.iloc[rows]):
            if _iv(t)[0] > gi[1]:
                out.append(Problem(
                    "finding", "trade-exceeds-gdp", data.files["figures"], t.csv_line, "value",
                    f"{_describe(t, names)} is larger than {names.get(g.country, g.country)}'s GDP for the same"
                    f" period, {fmt.money_mn(g.value, currency.INDICATOR_CURRENCY[g.unit], g.qualifier)}"
                    f" ({data.files['indicators']} line {g.csv_line})",
                    "keep both as published; the site points out that one side's records must be incomplete",
                    ids=(t.id, g.id), sources=tuple(dict.fromkeys([t.source_id, g.source_id])),
                    details={"trade": t.value_mn, "gdp": g.value}))
    return out


# --- Units slips ----------------------------------------------------------------
# A value in billions typed in as millions (516.3 for 516,300) passes every other
# check: it is a plausible number on its own. It shows against the figures that
# should be near it: the other side of the same trade, and the same series in
# other periods. A slip is a factor of a thousand; real disagreements are
# percentages, so the thresholds (settings) sit far from both.


UNITS_FIX = ("check both against the source: if one was typed in the wrong unit (billions or thousands"
             " as millions), correct it; if both are as published, keep them; the site reports the difference")


def mirror_units_slip(data: Dataset) -> list[Problem]:
    """The two sides of a mirror pair differ by more than settings.UNITS_PAIR_FACTOR: one is probably in the wrong unit.

    Decided on the rounding intervals, so only a difference no rounding can
    explain is reported; a zero side is left alone (a zero is not a unit).
    """
    names, out = _names(data), []
    pairs = _mirror_units_suspects(data)
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


def _mirror_units_suspects(data: Dataset) -> list[tuple[int, int]]:
    """(a, b) row positions, a before b in the file, that are the two sides of one mirror pair and may be apart.

    Each figure is joined to the figures carrying its mirror key (partner as
    reporter, reporter as partner, the mirror flow, the same period) on integer
    codes, then kept when its interval may lie beyond the factor of the other's.
    """
    k = _keys(data)
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
    own = pd.DataFrame({"r": reporter[side], "p": partner[side], "f": flow[side], "t": period[side], "a": side})
    other = pd.DataFrame({"r": partner[side], "p": reporter[side], "f": mirror_flow[side], "t": period[side],
                          "b": side})
    joined = own.merge(other, on=["r", "p", "f", "t"])
    joined = joined[(joined.a < joined.b) & (joined.r != joined.p)]
    a, b = joined.a.to_numpy(dtype=np.int64), joined.b.to_numpy(dtype=np.int64)
    factor = settings.UNITS_PAIR_FACTOR
    lo_a, hi_a, lo_b, hi_b = k.lo[a], k.hi[a], k.lo[b], k.hi[b]
    s = _slack(lo_a, hi_a, lo_b, hi_b) * (1 + factor)
    maybe = (lo_a > factor * hi_b - s) | (lo_b > factor * hi_a - s)
    return sorted(zip(a[maybe].tolist(), b[maybe].tolist()))


def _months(start: date, end: date) -> int:
    return (end.year - start.year) * 12 + end.month - start.month + 1


def series_units_slip(data: Dataset) -> list[Problem]:
    """A figure settings.UNITS_SERIES_FACTOR times above or below the rest of its series.

    A series is one reporter, partner and flow; each figure is scaled to one
    month of its period, so a month, a half-year and a year are comparable. The
    yardstick is the median (on a log scale) of the *other* figures, so one slip
    cannot hide itself by moving the yardstick. With two figures, neither is the
    odd one out: one finding names both.
    """
    names, out = _names(data), []
    figures = data.figures
    limit = math.log10(settings.UNITS_SERIES_FACTOR)
    for positions in _series_units_suspects(data):
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


def _series_units_suspects(data: Dataset) -> list[np.ndarray]:
    """Row positions of each series (in file order) whose per-month values span the factor; series in code order.

    A figure can only be that far from the median of the others if the
    series' smallest and largest values are at least that far apart.
    """
    k = _keys(data)
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


FINDING_CHECKS: list[Callable[[Dataset], list[Problem]]] = [
    turnover_vs_components, group_vs_members, part_exceeds_whole,
    conflicting_figures, growth_mismatch, trade_exceeds_gdp, mirror_units_slip, series_units_slip,
]


def _error(code: str, file: str, row, field, message: str, fix: str) -> Problem:
    return Problem("error", code, file, row, field, message, fix)
