"""Trade with one partner larger than that partner's whole GDP for the same period."""

from __future__ import annotations

import numpy as np

from .. import currency, fmt
from ..report import Problem
from .context import Context
from .intervals import bounds, slack
from .kind import Kind, Wording
from .rows import PERIOD, _describe, _iv, _rows


def trade_exceeds_gdp(ctx: Context) -> list[Problem]:
    """Trade with one partner larger than the whole economy's GDP for the same period.

    Not impossible (trade is gross, GDP is value added), but for a whole
    economy against one partner it says one side's records are incomplete.
    """
    data = ctx.data
    indicators = data.tables.get("indicators")
    if indicators is None:
        return []
    # GDP is compared only where it is in the comparison currency: indicators carry no rate of their own.
    units = [u for u, c in currency.INDICATOR_CURRENCY.items() if c == currency.comparison_currency(data.settings)]
    gdp = indicators[(indicators.indicator == "gdp") & indicators.unit.isin(units)]
    figures, names, out = data.figures, ctx.names, []
    if gdp.empty or figures.empty:
        return out
    k = ctx.columns
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
                    & (k.lo[rows] > gi[1] - slack(k.lo[rows], gi[1]))]
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




def trade_exceeds_gdp_sentence(p: Problem, w: Wording) -> str:
    t = w.rows(p)[0]
    g = w.indicators[p.ids[1]]
    return w.text("findings.sentence.trade-exceeds-gdp", reporter=w.said[t.reporter], partner=w.said[g.country],
                  period=w.period(t.period_start, t.period_end), trade=w.figure(t),
                  gdp=fmt.money_mn(g.value, currency.INDICATOR_CURRENCY[g.unit], g.qualifier, w.locale))


KINDS = (
    Kind("trade-exceeds-gdp", trade_exceeds_gdp, trade_exceeds_gdp_sentence,
         {"trade": "the trade figure (value_mn)", "gdp": "the GDP as published (indicators.csv value)"}),
)
