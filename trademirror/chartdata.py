"""What each chart shows: its rows (also its CSV download) and its texts, in the edition's language.

Each function takes the rows it reads (selection.Tables) and the edition's words (formatting.Words) and
returns a `charts.ChartData`, or None when there is nothing to plot; charts.py alone turns it into a spec.
"""

from __future__ import annotations

import pandas as pd

from . import charts, fmt, mirror, official
from .charts import ChartData, ChartText
from .formatting import Words
from .selection import (
    Tables,
    between,
    context_candidates,
    full_year_flows,
    in_year,
    largest_gaps,
    latest_balance,
    widest_first,
)


def chart_text(w: Words, title: str, alt_text: str, rows: pd.DataFrame, category: str, series: str) -> ChartText:
    publications = [w.sources[sid].publisher for source_ids in rows["source"] for sid in str(source_ids).split()]
    reporters = sorted(set(rows.attrs.get("reporters", [])), key=lambda c: w.names[c])
    subtitle = w.cat.text("chart.source_line", reporters=", ".join(w.names[r] for r in reporters),
                          publications="; ".join(sorted(set(publications))))
    c = w.cat
    symbol = fmt.currency_symbol(w.currency, w.locale)
    return ChartText(title=title, subtitle=subtitle, value_axis=c.text("units.bn", symbol=symbol),
                     value_field=w.value_field, category=category,
                     series=series, value=c.text("chart.value"), status=c.text("chart.status"),
                     published=c.text("site.published"), derived=c.text("site.derived"), alt=alt_text)


def chart_row(w: Words, category, series, value, qualifier, status, source, annotation=None, figure=None) -> dict:
    """A plotted row, in the display currency; its tooltip gives a figure as published, with the conversion."""
    label = w.money(value, qualifier) if figure is None else w.figure_text(figure)
    return {"category": category, "series": series, w.value_field: value / 1000,
            "label": label, "status": w.cat.text(f"site.{status}"),
            "annotation": annotation, "source": source}


def shown(w: Words, name: str, kind: str, rows: list[dict], reporters: list[str], texts: tuple[str, str, str, str],
          series_order: list[str] | None = None) -> ChartData:
    """The chart's tidy rows and texts; `texts` are its title, text alternative, category and series names."""
    frame = charts.tidy(rows, w.value_field)
    frame.attrs["reporters"] = reporters
    # The focus reporter's series first, so each reporter keeps its colour from chart to chart.
    focus_name = w.names[w.focus]
    frame.attrs["series_order"] = series_order or sorted(dict.fromkeys(frame["series"]), key=lambda s: s != focus_name)
    title, alt_text, category, series = texts
    return ChartData(name, kind, frame, chart_text(w, title, alt_text, frame, category, series))


def dumbbell_rows(t: Tables, w: Words, pairs: pd.DataFrame, category, series) -> list[dict]:
    """Both figures of each pair as chart rows, side a's first (the focus reporter, when it is in the pair:
    see mirror.pair), the gap written once, on the other side's.

    `category(p)` names a pair's line and `series(figure)` a figure's side.
    """
    rows = []
    for p in pairs.itertuples(index=False):
        for fig in sorted([t.by_id[p.x_id], t.by_id[p.m_id]], key=lambda r: r.reporter != p.reporter_a):
            status = "preliminary" if mirror.status(fig) == mirror.PRELIMINARY else "published"
            rows.append(chart_row(w, category(p), series(fig), fig.value_mn, fig.qualifier, status,
                                  fig.source_id, w.gap_text(p) if fig.reporter != p.reporter_a else None,
                                  figure=fig))
    return rows


# --- the home page ------------------------------------------------------------------------------------------


def region_charts(t: Tables, w: Words) -> list[ChartData]:
    made = [region_gaps(t, w), region_turnover(t, w), region_balance(t, w)]
    return [chart for chart in made if chart is not None]


def region_gaps(t: Tables, w: Words) -> ChartData | None:
    """Where the two sides disagree most, across every country: the home page's lead chart."""
    top = largest_gaps(t.pairs, w.focus)
    if top.empty:
        return None
    c, focus = w.cat, w.focus
    rows = dumbbell_rows(
        t, w, top, lambda p: f"{w.names[p.country]}: {w.pair_flow(p)}, {w.period(p.period_start, p.period_end)}",
        lambda fig: c.text("chart.region_gaps." + ("focus" if fig.reporter == focus else "partner"),
                           focus=w.names[focus]))
    first = top.iloc[0]
    title = c.text("chart.region_gaps.title", sentence=w.pair_sentence(first).rstrip("."),
                   period=w.period(first.period_start, first.period_end))
    return shown(w, "region-gaps", "dumbbell", rows, sorted({focus, *top.country}),
                 (title, c.text("chart.region_gaps.alt", focus=w.said[focus]), c.text("chart.mirror.category"),
                  c.text("chart.region_gaps.series")))


def region_turnover(t: Tables, w: Words) -> ChartData | None:
    """Turnover with each country of the region, by year (the focus reporter's figures), the largest first."""
    focus, members, c = w.focus, w.members, w.cat
    published = full_year_flows(t.figures, "turnover", focus, members).assign(status="published")
    if published.empty:
        return None
    derived = full_year_flows(t.derived, "turnover", focus, members).assign(status="derived")
    both = pd.concat([published, derived], ignore_index=True)
    latest = max(published.period_start).year
    latest_rows = published[in_year(published, latest)]
    order = latest_rows.sort_values("value_mn", ascending=False).partner.tolist()
    order += sorted(set(both.partner) - set(order))
    top = t.by_id[latest_rows.sort_values(["value_mn", "id"], ascending=[False, True]).id.iloc[0]]
    rows = []
    for code in order:
        for r in both[both.partner == code].sort_values(["period_start", "status"]).itertuples(index=False):
            rows.append(chart_row(w, w.names[code], str(r.period_start.year), r.value_mn, r.qualifier, r.status,
                                  r.source_id, figure=r))
    title = c.text("chart.region_turnover.title", top=w.said[top.partner], focus=w.said[focus],
                   value=w.figure_text(top), year=latest)
    years = sorted({row["series"] for row in rows})
    return shown(w, "region-turnover", "bars", rows, [focus],
                 (title, c.text("chart.region_turnover.alt", focus=w.said[focus]),
                  c.text("chart.region_turnover.category"), c.text("chart.region_turnover.series")), years)


def region_balance(t: Tables, w: Words) -> ChartData | None:
    """Exports minus imports by country in the latest full year: who sells more to the focus reporter."""
    balance = latest_balance(t.figures, w.focus, w.members)
    if not balance:
        return None
    focus, c = w.focus, w.cat
    year, items = balance
    rows = []
    for code, x, m, sources in items:
        series = "surplus" if x.value_mn >= m.value_mn else "deficit"
        rows.append(chart_row(w, w.names[code], c.text(f"chart.region_balance.{series}", focus=w.names[focus]),
                              x.value_mn - m.value_mn, "exact", "published", sources))
    deficit = [code for code, x, m, _ in items if x.value_mn < m.value_mn]
    if len(items) == 1:  # one partner: "only" and "1 of 1" would read oddly
        side = "deficit" if deficit else "surplus"
        title = c.text(f"chart.region_balance.title_single_{side}", partner=w.said[items[0][0]],
                       focus=w.said[focus], year=year)
    elif len(deficit) == 1:
        title = c.text("chart.region_balance.title_one", names=w.said[deficit[0]], focus=w.said[focus], year=year)
    else:
        title = c.text("chart.region_balance.title_many", count=len(items) - len(deficit), total=len(items),
                       focus=w.said[focus], year=year)
    return shown(w, "region-balance", "balance", rows, [focus],
                 (title, c.text("chart.region_balance.alt", focus=w.said[focus], year=year),
                  c.text("chart.region_balance.category"), c.text("chart.region_balance.series")))


# --- a country's page ---------------------------------------------------------------------------------------


def country_charts(t: Tables, w: Words, code: str) -> list[ChartData]:
    """The mirror comparison leads: it is what the page is about."""
    figures, derived = between(t.figures, w.focus, code), between(t.derived, w.focus, code)
    made = [mirror_chart(t, w, code), official_series(t, w, code), country_turnover(w, code, figures, derived),
            country_flows(w, code, figures, derived), context(t, w, code, figures)]
    return [chart for chart in made if chart is not None]


def quoted_pairs(t: Tables, w: Words, code: str) -> pd.DataFrame:
    """The country's pairs with a press figure on at least one side: those of the official series (both sides
    official, whole years) are shown year by year in a chart and table of their own."""
    pairs = t.pairs[t.pairs.country == code]
    return pairs.drop(official.series_pairs(pairs, w.databases).index)


def official_series(t: Tables, w: Words, code: str) -> ChartData | None:
    """Both sides' official declarations year by year, one line per side and direction, and the gap per year."""
    pairs = official.series_pairs(t.pairs[t.pairs.country == code], w.databases)
    if pairs.empty:
        return None
    c, rows = w.cat, []
    for p in pairs.itertuples(index=False):
        for fig in sorted([t.by_id[p.x_id], t.by_id[p.m_id]], key=lambda r: r.reporter != p.reporter_a):
            status = "preliminary" if mirror.status(fig) == mirror.PRELIMINARY else "published"
            series = c.text("chart.mirror.series_value", reporter=w.names[fig.reporter],
                            flow=w.flow_text(fig.flow, fig.partner))
            rows.append(chart_row(w, str(p.period_start.year), series, fig.value_mn, fig.qualifier, status,
                                  fig.source_id, w.gap_text(p) if fig.id == p.m_id else None, figure=fig))
    widest = widest_first(pairs).iloc[0]
    title = c.text("chart.official.title", sentence=w.pair_sentence(widest).rstrip("."),
                   period=w.period(widest.period_start, widest.period_end))
    others = sorted(set(pairs.reporter_a) | set(pairs.reporter_b) - {code}, key=lambda o: o != w.focus)
    return shown(w, "official", "series", rows, [*others, code],  # series in order of appearance: year, then side
                 (title, c.text("chart.official.alt"), c.text("chart.official.category"),
                  c.text("chart.official.series")), list(dict.fromkeys(r["series"] for r in rows)))


def mirror_chart(t: Tables, w: Words, code: str) -> ChartData | None:
    """Both sides' figures of each of the country's pairs (with a press figure: see `quoted_pairs`)."""
    pairs = quoted_pairs(t, w, code)
    if pairs.empty:
        return None
    focus, c = w.focus, w.cat
    rows = dumbbell_rows(t, w, pairs, lambda p: f"{w.pair_flow(p)}, {w.period(p.period_start, p.period_end)}",
                         lambda fig: w.names[fig.reporter])
    biggest = widest_first(pairs).iloc[0]
    title = c.text("chart.mirror.title", sentence=w.pair_sentence(biggest).rstrip("."),
                   period=w.period(biggest.period_start, biggest.period_end))
    # the other side of each pair: the focus reporter, or, for a pair without it, that pair's partner
    others = sorted(set(pairs.reporter_a) | set(pairs.reporter_b) - {code}, key=lambda o: o != focus)
    return shown(w, "mirror", "dumbbell", rows, [*others, code],
                 (title, c.text("chart.mirror.alt", focus=", ".join(w.said[o] for o in others), country=w.said[code]),
                  c.text("chart.mirror.category"), c.text("chart.series")))


def country_turnover(w: Words, code: str, figures: pd.DataFrame, derived: pd.DataFrame) -> ChartData | None:
    """The country's turnover with the focus reporter over time, as each side reports it."""
    focus, c = w.focus, w.cat
    turnover = pd.concat([figures[figures.flow == "turnover"].assign(status="published"),
                          derived[derived.flow == "turnover"].assign(status="derived")], ignore_index=True)
    if turnover.empty:
        return None
    turnover = turnover.sort_values(["period_end", "period_start", "reporter", "status"],
                                    key=lambda s: s if s.name != "reporter" else s.ne(focus))
    rows = [chart_row(w, w.period(r.period_start, r.period_end), w.names[r.reporter], r.value_mn, r.qualifier,
                      r.status, r.source_id, figure=r) for r in turnover.itertuples(index=False)]
    pub = turnover[turnover.status == "published"]
    headline = pub[pub.reporter == focus] if (pub.reporter == focus).any() else pub
    h = headline.sort_values(["period_end", "period_start"]).iloc[-1]
    name = w.names[code]
    title = c.text("chart.country_turnover.title", reporter=w.names[h.reporter], country=name,
                   value=w.figure_text(h), period=w.period(h.period_start, h.period_end))
    return shown(w, "turnover", "bars", rows, sorted(set(turnover.reporter)),
                 (title, c.text("chart.country_turnover.alt", focus=w.names[focus], country=name),
                  c.text("chart.category"), c.text("chart.series")))


def country_flows(w: Words, code: str, figures: pd.DataFrame, derived: pd.DataFrame) -> ChartData | None:
    """Exports and imports side by side for each period (the focus reporter's view)."""
    focus, c = w.focus, w.cat
    flows = pd.concat([figures[(figures.reporter == focus) & figures.flow.isin(["exports", "imports"])]
                       .assign(status="published"),
                       derived[(derived.reporter == focus) & derived.flow.isin(["exports", "imports"])]
                       .assign(status="derived")], ignore_index=True)
    if flows.empty:
        return None
    flows = flows.sort_values(["period_end", "period_start", "flow", "status"])
    rows = [chart_row(w, w.period(r.period_start, r.period_end),
                      f"{w.names[focus]}: {c.text(f'flow_short.{r.flow}').lower()}",
                      r.value_mn, r.qualifier, r.status, r.source_id, figure=r)
            for r in flows.itertuples(index=False)]
    title = flows_title(w, code, flows)
    return shown(w, "flows", "bars", rows, [focus],
                 (title, c.text("chart.country_flows.alt", focus=w.said[focus], country=w.said[code]),
                  c.text("chart.category"), c.text("chart.series")))


def flows_title(w: Words, code: str, flows: pd.DataFrame) -> str:
    """How many times the larger flow is the smaller, in the latest period with both; else the latest figure."""
    c, said, said_focus = w.cat, w.said[code], w.said[w.focus]
    pub = flows[flows.status == "published"]
    for (s, e), grp in sorted(pub.groupby(["period_start", "period_end"]), key=lambda g: (g[0][1], g[0][0]),
                              reverse=True):
        x, m = grp[grp.flow == "exports"], grp[grp.flow == "imports"]
        if len(x) and len(m) and min(x.value_mn.iloc[0], m.value_mn.iloc[0]) > 0:
            xv, mv = x.value_mn.iloc[0], m.value_mn.iloc[0]
            key = "title_surplus" if xv >= mv else "title_deficit"
            ratio = fmt.number(max(xv, mv) / min(xv, mv), 1, w.locale)
            return c.text(f"chart.country_flows.{key}", focus=said_focus, country=said, ratio=ratio,
                          period=w.period(s, e))
    h = pub.sort_values(["period_end"]).iloc[-1] if len(pub) else flows.iloc[-1]
    return c.text("chart.country_turnover.title", reporter=said_focus, country=said, value=w.figure_text(h),
                  period=w.period(h.period_start, h.period_end))


def context(t: Tables, w: Words, code: str, figures: pd.DataFrame) -> ChartData | None:
    """Trade with the focus reporter next to the country's GDP or total trade for the same period."""
    c, focus = w.cat, w.focus
    rows, title = [], None
    for kind, start, end, value, qualifier, source in context_candidates(t, code, w.indicator_units, w.kinds,
                                                                         w.region):
        trade = figures[(figures.flow == "turnover") & (figures.period_start == start)
                        & (figures.period_end == end)].sort_values("reporter", key=lambda s: s.ne(focus))
        if trade.empty:
            continue
        r = trade.iloc[0]
        label = w.period(start, end)
        indicator = c.text(f"indicator.{kind}", partner=w.names[focus])
        rows.append(chart_row(w, label, c.text("chart.context.trade", focus=w.names[focus],
                                               reporter=w.names[r.reporter]),
                              r.value_mn, r.qualifier, "published", r.source_id, figure=r))
        rows.append(chart_row(w, label, f"{w.names[code]}: {indicator}", value, qualifier, "published", source))
        said = {"reporter": w.said[r.reporter], "country": w.said[code], "focus": w.said[focus],
                "indicator": indicator, "period": label}
        if r.value_mn > value:
            title = c.text("chart.context.title_larger", **said)
        elif title is None:
            title = c.text("chart.context.title_share", **said, share=w.pct(r.value_mn / value, False))
    if not rows:
        return None
    return shown(w, "context", "bars", rows, sorted({focus, code}),
                 (title, c.text("chart.context.alt", focus=w.said[focus], country=w.said[code],
                                indicator=c.text("indicator.gdp")),
                  c.text("chart.context.category"), c.text("chart.series")))
