"""The consistency checks as first written, row by row: the oracle for the vectorised `trademirror.checks`.

Kept as written, row by row, so tests can assert that the fast checks return
exactly the same problems, in the same order. The scalar helpers (intervals,
the way a row is described and a finding built) are imported from the library:
what is compared is the checks' logic, and the helpers have tests of their own. Too slow for big
packages; never imported by the library.

Original docstring follows.

Consistency checks: rules that span rows, beyond what a Table Schema can say.

Two kinds of result. An *error* is malformed data (a reversed period, a group
that lists an unknown country): the build stops. A *finding* is published
figures that contradict each other: the data is kept as published, the build
goes on, and the site reports it. Nothing here knows any country or year; the
checks find contradictions from the data alone.

Comparisons allow for rounding: each value stands for an interval (see
`bounds`), and two statements contradict only when their intervals cannot meet.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable
from datetime import date

from trademirror import fmt, mirror, official, settings
from trademirror.checks import (
    _describe,
    _error,
    _finding,
    _iv,
    _months,
    _names,
    _rows,
    add,
    bounds,
    hull,
    overlap,
    published,
)
from trademirror.package import Dataset, codes
from trademirror.report import Problem

PERIOD = ["period_start", "period_end"]


# --- Intervals ----------------------------------------------------------------


# --- Entry point --------------------------------------------------------------


def run(data: Dataset, today: date | None = None) -> list[Problem]:
    """All consistency errors and findings for a schema-valid package."""
    today = today or date.today()
    errors: list[Problem] = []
    errors += check_periods(data, today)
    errors += check_countries(data)
    errors += check_corroborations(data)
    errors += check_settings(data)
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
        for row in frame.itertuples(index=False):
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
    for row in frame.itertuples(index=False):
        if (row.figure_id is None) == (row.growth_id is None):
            out.append(_error("corroboration-target", rel, row.csv_line, "figure_id",
                              "needs exactly one of figure_id and growth_id",
                              "fill in the id of the figure or of the growth rate this source restates"))
    return out


def check_settings(data: Dataset) -> list[Problem]:
    codes = set(data.countries["code"])
    out = []
    for key in ("focus_reporter", "region"):
        value = data.settings.get(key)
        if value is not None and value not in codes:
            out.append(_error("unknown-country", "datapackage.json", None, f"trademirror.{key}",
                              f"'{value}' is not in countries.csv", "use a code listed in countries.csv"))
    return out


# --- Findings -----------------------------------------------------------------


KEEP = "keep the figures as published; the site reports the contradiction"


def turnover_vs_components(data: Dataset) -> list[Problem]:
    """Turnover should equal exports + imports for the same reporter, partner and period."""
    names, out = _names(data), []
    for _, group in data.figures.groupby(["reporter", "partner", *PERIOD], sort=True):
        by_flow = {f: _rows(group[group.flow == f]) for f in settings.FLOWS}
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


def group_vs_members(data: Dataset) -> list[Problem]:
    """A group total (e.g. the region) should equal the sum of its members' figures."""
    countries = data.countries
    members: dict[str, list[str]] = {}
    for code, groups in zip(countries["code"], countries["groups"], strict=False):
        for g in codes(groups):
            members.setdefault(g, []).append(code)
    names, out = _names(data), []
    figures = data.figures
    for group_code, member_codes in sorted(members.items()):
        totals = figures[figures.partner == group_code]
        for t in _rows(totals):
            same = figures[(figures.reporter == t.reporter) & (figures.flow == t.flow)
                           & (figures.period_start == t.period_start) & (figures.period_end == t.period_end)
                           & figures.partner.isin(member_codes)]
            if same.empty:
                continue
            parts = [hull(_iv(r) for r in _rows(rows)) for _, rows in same.groupby("partner", sort=True)]
            total = add(*parts)
            complete = same.partner.nunique() == len(member_codes)
            if (complete and not overlap(total, _iv(t))) or total[0] > _iv(t)[1]:
                summed = same.groupby("partner")["value_mn"].first().sum()
                listed = ", ".join(sorted(same.partner.unique()))
                scope = "the members" if complete else f"the members with figures ({listed})"
                out.append(_finding(
                    "group-total-mismatch", data, [t, *_rows(same)],
                    f"{_describe(t, names)} differs from the sum of {scope}: {fmt.money_mn(summed, 'USD')}", KEEP,
                    {"total": t.value_mn, "sum": float(summed), "complete": bool(complete)}))
    return out


def part_exceeds_whole(data: Dataset) -> list[Problem]:
    """A figure for part of a period cannot exceed the figure for the whole of it."""
    names, out = _names(data), []
    for _, group in data.figures.groupby(["reporter", "partner", "flow"], sort=True):
        rows = _rows(group)
        for part, whole in itertools.permutations(rows, 2):
            nested = whole.period_start <= part.period_start and part.period_end <= whole.period_end
            same_period = (part.period_start, part.period_end) == (whole.period_start, whole.period_end)
            if nested and not same_period and _iv(part)[0] > _iv(whole)[1]:
                out.append(_finding(
                    "part-exceeds-whole", data, [part, whole],
                    f"the part-period figure {_describe(part, names)} is larger than the figure for the whole"
                    f" period {_describe(whole, names)}", KEEP,
                    {"part": part.value_mn, "whole": whole.value_mn}))
    return out


def conflicting_figures(data: Dataset) -> list[Problem]:
    """Two figures for the same reporter, partner, flow and period that cannot both be right."""
    names, out = _names(data), []
    found = official.databases(data.settings)
    for _, group in data.figures.groupby(["reporter", "partner", "flow", *PERIOD], sort=True):
        for a, b in itertools.combinations(sorted(_rows(group), key=lambda r: r.csv_line), 2):
            if not overlap(_iv(a), _iv(b)) and (a.source_id in found) == (b.source_id in found):
                out.append(_finding(
                    "conflicting-figures", data, [a, b],
                    f"two sources disagree: {_describe(a, names)} from {a.source_id},"
                    f" but {published(b)} (line {b.csv_line}) from {b.source_id}", KEEP,
                    {"values": [a.value_mn, b.value_mn]}))
    return out


def press_vs_database(data: Dataset) -> list[Problem]:
    """A press figure that the official declaration for the same reporter, partner, flow and period contradicts."""
    names, out = _names(data), []
    found = official.databases(data.settings)
    if not found:
        return out
    for _, group in data.figures.groupby(["reporter", "partner", "flow", *PERIOD], sort=True):
        rows = sorted(_rows(group), key=lambda r: r.csv_line)
        for press in [r for r in rows if r.source_id not in found]:
            for decl in [r for r in rows if r.source_id in found]:
                if not overlap(_iv(press), _iv(decl)):
                    out.append(_finding(
                        "press-vs-database", data, [press, decl],
                        f"the press figure {_describe(press, names)} from {press.source_id} does not match the"
                        f" official declaration {decl.value_mn:g} mn (line {decl.csv_line}) from {decl.source_id}",
                        KEEP, {"press": press.id, "declared": decl.id}))
    return out


def growth_mismatch(data: Dataset) -> list[Problem]:
    """A stated growth rate should match the two period values it connects, where both are published."""
    growth = data.tables.get("growth")
    if growth is None or growth.empty:
        return []
    figures, names, out = data.figures, _names(data), []
    rel = data.files["growth"]
    for g in _rows(growth):
        key = (figures.reporter == g.reporter) & (figures.partner == g.partner) & (figures.flow == g.flow)
        current = _rows(figures[key & (figures.period_start == g.period_start) & (figures.period_end == g.period_end)])
        base = _rows(figures[key & (figures.period_start == g.base_start) & (figures.period_end == g.base_end)])
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
    gdp = indicators[(indicators.indicator == "gdp") & (indicators.unit == "usd_mn")]
    figures, names, out = data.figures, _names(data), []
    for g in _rows(gdp):
        gi = bounds(g.value, g.qualifier)
        trade = figures[(figures.flow == "turnover") & (figures.period_start == g.period_start)
                        & (figures.period_end == g.period_end)
                        & ((figures.partner == g.country) | (figures.reporter == g.country))
                        & figures.partner.isin(set(data.countries.code[data.countries.kind == "country"]))]
        for t in _rows(trade):
            if _iv(t)[0] > gi[1]:
                out.append(Problem(
                    "finding", "trade-exceeds-gdp", data.files["figures"], t.csv_line, "value",
                    f"{_describe(t, names)} is larger than {names.get(g.country, g.country)}'s GDP for the same"
                    f" period, {fmt.money_mn(g.value, 'USD', g.qualifier)}"
                    f" ({data.files['indicators']} line {g.csv_line})",
                    "keep both as published; the site points out that one side's records must be incomplete",
                    ids=(t.id, g.id), sources=tuple(dict.fromkeys([t.source_id, g.source_id])),
                    details={"trade": t.value_mn, "gdp": g.value}))
    return out


# --- Added with the units-slip checks: written row by row first, as the oracle for the fast ones. ---


UNITS_FIX = ("check both against the source: if one was typed in the wrong unit (billions or thousands"
             " as millions), correct it; if both are as published, keep them; the site reports the difference")


def mirror_units_slip(data: Dataset) -> list[Problem]:
    """Every two figures that are the two sides of one mirror pair, compared pair by pair in file order."""
    names, out = _names(data), []
    side = _rows(data.figures[mirror.pairable(data.figures, data.countries)])
    for a, b in itertools.combinations(sorted(side, key=lambda r: r.csv_line), 2):
        if a.reporter == a.partner or (b.reporter, b.partner, b.flow, b.period_start, b.period_end) != (
                a.partner, a.reporter, settings.MIRROR_FLOW[a.flow], a.period_start, a.period_end):
            continue
        small, big = sorted([a, b], key=lambda r: r.value_mn)
        if small.value_mn > 0 and _iv(big)[0] > settings.UNITS_PAIR_FACTOR * _iv(small)[1]:
            ratio = big.value_mn / small.value_mn
            out.append(_finding(
                "units-slip-mirror", data, [a, b],
                f"the two sides of the same trade differ {fmt.fold(ratio)}-fold: {_describe(a, names)} against"
                f" {_describe(b, names)}; one of them is probably in the wrong unit", UNITS_FIX,
                {"ratio": round(ratio, 2), "larger": big.id, "smaller": small.id}))
    return out


def series_units_slip(data: Dataset) -> list[Problem]:
    """Each series (reporter, partner, flow), each positive figure against the log-median of the others."""
    names, out = _names(data), []
    limit = math.log10(settings.UNITS_SERIES_FACTOR)
    for _, group in data.figures.groupby(["reporter", "partner", "flow"], sort=True):
        rows = [r for r in sorted(_rows(group), key=lambda r: r.csv_line) if r.value_mn > 0]
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
            others = sorted(logs[:i] + logs[i + 1:])
            if not others:
                continue
            mid = len(others) // 2
            yardstick = others[mid] if len(others) % 2 else (others[mid - 1] + others[mid]) / 2
            if abs(logs[i] - yardstick) >= limit - 1e-12:
                ratio = 10 ** abs(logs[i] - yardstick)
                word = "above" if logs[i] > yardstick else "below"
                out.append(_finding(
                    "units-slip-series", data, [row],
                    f"{_describe(row, names)} is {fmt.fold(ratio)} times {word} the other {len(rows) - 1} figures of"
                    f" the same series, month for month; it is probably in the wrong unit", UNITS_FIX,
                    {"ratio": round(ratio, 2), "direction": word}))
    return out


FINDING_CHECKS: list[Callable[[Dataset], list[Problem]]] = [
    turnover_vs_components, group_vs_members, part_exceeds_whole,
    conflicting_figures, press_vs_database, growth_mismatch, trade_exceeds_gdp, mirror_units_slip, series_units_slip,
]
