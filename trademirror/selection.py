"""Which rows a page, table or chart shows: pure functions of the tables, DataFrames in, DataFrames out.

`Tables` holds the rows a page is made from: all of them for the site-wide pages, one economy's
(economy.Rows) for its own page, so that what a step reads is what its cache key covers.
"""

from __future__ import annotations

import dataclasses
import functools
from datetime import date

import pandas as pd

from . import fmt, settings
from .economy import Rows
from .report import Problem


class Tables(Rows):
    """The rows a page is made from (economy.Rows), with figures, growth and indicators by id."""

    @classmethod
    def of(cls, rows: Rows) -> Tables:
        return cls(**{f.name: getattr(rows, f.name) for f in dataclasses.fields(rows)})

    @functools.cached_property
    def by_id(self) -> dict:
        return {r.id: r for r in self.figures.itertuples(index=False)}

    @functools.cached_property
    def growth_by_id(self) -> dict:
        return {r.id: r for r in self.growth.itertuples(index=False)}

    @functools.cached_property
    def indicator_by_id(self) -> dict:
        return {r.id: r for r in self.indicators.itertuples(index=False)}


def between(frame: pd.DataFrame, a: str, b: str) -> pd.DataFrame:
    """The rows between two economies, either one reporting."""
    return frame[((frame.reporter == a) & (frame.partner == b)) | ((frame.reporter == b) & (frame.partner == a))]


def full_year_mask(frame: pd.DataFrame) -> pd.Series:
    """Rows covering one whole calendar year; a boolean Series, so an empty frame keeps its columns."""
    return pd.Series([fmt.is_full_year(s, e) for s, e in zip(frame.period_start, frame.period_end, strict=True)],
                     index=frame.index, dtype=bool)


def full_years(frame: pd.DataFrame) -> pd.DataFrame:
    return frame[full_year_mask(frame)]


def in_year(frame: pd.DataFrame, year: int) -> pd.Series:
    """Rows whose period starts in `year`."""
    return frame.period_start.map(_year).eq(year)


def full_year_flows(frame: pd.DataFrame, flow: str, reporter: str, partners: list[str]) -> pd.DataFrame:
    """A reporter's full-year rows of one flow with any of `partners` (figures or derived values)."""
    return full_years(frame[(frame.reporter == reporter) & frame.partner.isin(partners) & (frame.flow == flow)])


def latest_balance(figures: pd.DataFrame, focus: str, members: list[str]):
    """The latest full year with both the focus reporter's exports and imports, and per member that has both
    (its first rows in the CSV): (code, exports row, imports row, their source ids), the largest surplus first.
    None when there is no such year."""
    exports = full_year_flows(figures, "exports", focus, members)
    imports = full_year_flows(figures, "imports", focus, members)
    years = sorted({s.year for s in exports.period_start} & {s.year for s in imports.period_start})
    if not years:
        return None
    year = years[-1]
    items = []
    for code in members:
        x = exports[(exports.partner == code) & in_year(exports, year)]
        m = imports[(imports.partner == code) & in_year(imports, year)]
        if len(x) and len(m):
            xr, mr = x.sort_values("csv_line").iloc[0], m.sort_values("csv_line").iloc[0]
            items.append((code, xr, mr, f"{xr.source_id} {mr.source_id}"))
    items.sort(key=lambda i: i[1].value_mn - i[2].value_mn, reverse=True)
    return year, items


def widest_first(pairs: pd.DataFrame) -> pd.DataFrame:
    """Pairs by the size of their gap in money, the widest first; ties: the later period, then country and id."""
    return pairs.assign(abs_gap=pairs.gap_mn.abs()).sort_values(
        ["abs_gap", "period_end", "country", "x_id"], ascending=[False, False, True, True], kind="stable")


def largest_gaps(pairs: pd.DataFrame, focus: str) -> pd.DataFrame:
    """The focus reporter's pairs with the largest gaps in money, the widest first (at most
    settings.LEAD_GAPS); pairs between two other economies are in the tables, not in this chart of the focus
    against its partners."""
    return widest_first(pairs[pairs.reporter_a == focus]).head(settings.LEAD_GAPS)


def partner_countries(t: Tables, focus: str, kinds: dict[str, str]) -> set[str]:
    """The economies with a page: every country that trades with the focus reporter, and every economy,
    country or group, on the other side of a mirror comparison (with the focus or not), so that each
    pair the site lists links to a page that shows it."""
    f = t.figures
    involved = set(f.partner[f.reporter == focus]) | set(f.reporter[f.partner == focus])
    countries = {c for c in involved if kinds.get(c) == "country"}
    compared = set(t.pairs.country) | set(t.unmatched.country)
    return (countries | compared) - {focus}


def findings_for(t: Tables, country: str) -> list[Problem]:
    """The findings that name a figure of the country's (either side) or one of its indicators."""
    out = []
    for p in t.findings:
        rows = [t.by_id[i] for i in p.ids if i in t.by_id]
        indicators = [t.indicator_by_id[i] for i in p.ids if i in t.indicator_by_id]
        if any(country in (r.reporter, r.partner) for r in rows) or any(i.country == country for i in indicators):
            out.append(p)
    return out


def region_year(t: Tables, focus: str, region: str | None):
    """The focus reporter's latest full-year turnover with the region, its exports and imports rows for the same
    period, and the growth over the year before: (turnover row, exports, imports, growth); None without one."""
    region_rows = full_year_flows(t.figures, "turnover", focus, [region] if region else [])
    if region_rows.empty:
        return None
    turnover = region_rows.sort_values(["period_end", "csv_line"]).iloc[-1]
    f, g = t.figures, t.growth
    same = f[(f.reporter == focus) & (f.partner == region) & (f.period_start == turnover.period_start)
             & (f.period_end == turnover.period_end)]
    growth = g[(g.reporter == focus) & (g.partner == region) & (g.flow == "turnover")
               & (g.period_start == turnover.period_start) & (g.period_end == turnover.period_end)
               & (g.base_end < turnover.period_start) & g.base_start.map(_year).eq(turnover.period_start.year - 1)]
    return turnover, same[same.flow == "exports"], same[same.flow == "imports"], growth


def context_candidates(t: Tables, code: str, units: list[str], kinds: dict[str, str], region: str | None) -> list:
    """What a country's trade with the focus reporter can be set beside: its GDP in the display currency and its
    turnover with the world (a group other than the region), as (kind, start, end, value, qualifier, source),
    the earliest period first."""
    ind, f = t.indicators, t.figures
    gdp = ind[(ind.country == code) & (ind.indicator == "gdp") & ind.unit.isin(units)]
    candidates = [("gdp", g.period_start, g.period_end, g.value, g.qualifier, g.source_id)
                  for g in gdp.itertuples(index=False)]
    world = f[(f.reporter == code) & (f.partner.map(kinds) == "group") & (f.flow == "turnover") & (f.partner != region)]
    candidates += [("world_turnover", w.period_start, w.period_end, w.value_mn, w.qualifier, w.source_id)
                   for w in world.itertuples(index=False)]
    return sorted(candidates, key=lambda x: (x[2], x[1], x[0]))


def unmatched_groups(unmatched: pd.DataFrame, code: str):
    """Per flow that both sides publish but never for the same period, seen from one side only: (reporter,
    flow, partner, its rows)."""
    seen = set()
    rows = unmatched[unmatched.country == code]
    for (reporter, flow, partner), group in rows.groupby(["reporter", "flow", "partner"], sort=False):
        if (partner, settings.MIRROR_FLOW[flow], reporter) in seen:  # the same flow seen from the other side
            continue
        seen.add((reporter, flow, partner))
        yield reporter, flow, partner, group


def _year(d: date) -> int:
    return d.year
