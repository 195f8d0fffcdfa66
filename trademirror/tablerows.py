"""The rows of the pages' tables and lists: figures, derived values, pairs, findings, unmatched flows, indicators.

Each function takes the rows it shows and the edition's words (formatting.Words) and returns a list of
dicts (or lines) for a template; `prefix` leads from the page back to the docs root.
"""

from __future__ import annotations

import pandas as pd
from markupsafe import Markup

from . import mirror
from .formatting import Words
from .i18n import attr, md
from .report import Problem
from .selection import Tables, unmatched_groups


def figure_rows(w: Words, frame: pd.DataFrame, prefix: str) -> list[dict]:
    frame = frame.sort_values(["reporter", "period_end", "period_start", "flow", "csv_line"])
    return [{
        "period": w.period(r.period_start, r.period_end),
        "reporter": w.names[r.reporter],
        "flow": w.flow_text(r.flow, r.partner),
        "value": w.figure_value(r, prefix),
        "source": w.source_link(r.source_id, prefix, r.locator),
        "note": r.note or "",
        "id": r.id,
    } for r in frame.itertuples(index=False)]


def derived_rows(t: Tables, w: Words, frame: pd.DataFrame, prefix: str) -> list[dict]:
    rows = []
    for r in frame.sort_values(["reporter", "period_end", "flow"]).itertuples(index=False):
        figure, growth = t.by_id[r.from_figure], t.growth_by_id[r.from_growth]
        rows.append({
            "period": w.period(r.period_start, r.period_end),
            "reporter": w.names[r.reporter],
            "flow": w.flow_text(r.flow, r.partner),
            "value": w.figure_text(r),
            "from": w.cat.t("country.derived_value", figure=w.figure_link(figure, prefix),
                            change=w.linked(w.pct(growth.change_pct / 100), growth.source_id, prefix)),
        })
    return rows


def pair_rows(t: Tables, w: Words, pairs: pd.DataFrame, prefix: str) -> list[dict]:
    return [pair_row(t, w, p, prefix) for p in pairs.itertuples(index=False)]


def pair_row(t: Tables, w: Words, p, prefix: str) -> dict:
    x, m = t.by_id[p.x_id], t.by_id[p.m_id]
    classification = w.cat.text(f"classification.{p.classification}")
    return {
        "country": w.country_link(p.country, prefix),
        "period": w.period(p.period_start, p.period_end),
        "flow": w.pair_flow(p),
        "x": Markup(f"{w.figure_value(x, prefix)} ({md(w.names[x.reporter])})"),
        "m": Markup(f"{w.figure_value(m, prefix)} ({md(w.names[m.reporter])})"),
        "gap": w.gap_text(p),
        "class": classification,
        "flow_period": Markup(f"{md(w.pair_flow(p))}, {md(w.period(p.period_start, p.period_end))}"),
        "verdict": Markup(f'<span class="tm-badge tm-badge--{attr(p.classification)}">{attr(classification)}</span>'
                          + (f' {attr(w.cat.text("status.pair"))}' if p.status == mirror.PRELIMINARY else "")),
        "status": p.status,
        "sentence": w.pair_sentence(p),
        "classification": p.classification,
    }


def finding_sentence(t: Tables, w: Words, p: Problem) -> str:
    from .checks import Wording, sentence  # each kind's sentence sits beside its check (checks/kind.py)

    return sentence(p, Wording(
        text=w.cat.text, said=w.said, period=w.period, pct=w.pct, figure=w.figure_text,
        money=w.comparison_money, flow=w.flow_text, kinds=w.kinds, figures=t.by_id,
        growth=t.growth_by_id, indicators=t.indicator_by_id, locale=w.locale, sources=w.sources))


def finding_items(t: Tables, w: Words, findings: list[Problem], prefix: str) -> list[dict]:
    items = []
    for p in findings:
        involved = []
        for i in p.ids:
            if i in t.by_id:
                r = t.by_id[i]
                involved.append(Markup(f"{md(w.names[r.reporter])}, {md(w.flow_text(r.flow, r.partner))},"
                                       f" {md(w.period(r.period_start, r.period_end))}:"
                                       f" {w.figure_value(r, prefix)}"
                                       f" — {w.source_link(r.source_id, prefix, r.locator)}"
                                       f" (`{md(r.id)}`)"))
            else:
                r = t.growth_by_id.get(i) or t.indicator_by_id[i]
                involved.append(Markup(f"{w.source_link(r.source_id, prefix, r.locator)} (`{md(r.id)}`)"))
        items.append({"code": p.code, "sentence": finding_sentence(t, w, p), "rows": involved})
    return items


def unmatched_items(t: Tables, w: Words, code: str) -> list[str]:
    """One line per flow that both sides publish, but never for the same period: who publishes which."""
    lines = []
    for reporter, flow, partner, group in unmatched_groups(t.unmatched, code):
        periods = ", ".join(w.period(s, e) for s, e in zip(group.period_start, group.period_end))
        others = ", ".join(w.period(s, e) for s, e in group.other_periods.iloc[0])
        lines.append(w.cat.text("country.unmatched_item", reporter=w.said[reporter],
                                flow=w.flow_text(flow, partner), periods=periods,
                                partner=w.said[partner], others=others))
    return lines


def indicator_rows(t: Tables, w: Words, code: str, prefix: str) -> list[dict]:
    """The country's indicators (GDP, trade's share of it...), the earliest first."""
    ind = t.indicators
    return [{
        "indicator": w.cat.text(f"indicator.{r.indicator}", partner=w.said.get(r.partner or "", "")),
        "period": w.period(r.period_start, r.period_end),
        "value": w.linked(w.indicator_value(r), r.source_id, prefix),
        "source": w.source_link(r.source_id, prefix, r.locator), "note": r.note or "",
    } for r in ind[ind.country == code].sort_values(["period_end", "indicator", "id"]).itertuples(index=False)]
