"""Values implied by a stated growth rate, computed here and never typed into the data.

A source that says "turnover rose 12% to $106.3bn" implies last year's value;
the site may show it, marked as derived, with the figure and the rate it comes
from. Where both values are published, nothing is derived: the checks compare
them instead.
"""

from __future__ import annotations

import pandas as pd

DERIVED_COLUMNS = ["id", "reporter", "partner", "flow", "period_start", "period_end", "value_mn",
                   "qualifier", "from_figure", "from_growth", "source_id"]


def derived_values(figures: pd.DataFrame, growth: pd.DataFrame) -> pd.DataFrame:
    # the first figure of each (reporter, partner, flow, period), in one pass rather than a filter per rate
    first: dict[tuple, object] = {}
    for f in figures.itertuples(index=False):
        first.setdefault((f.reporter, f.partner, f.flow, f.period_start, f.period_end), f)
    rows = []
    for g in growth.itertuples(index=False):
        c = first.get((g.reporter, g.partner, g.flow, g.period_start, g.period_end))
        b = first.get((g.reporter, g.partner, g.flow, g.base_start, g.base_end))
        ratio = 1 + g.change_pct / 100
        if c is not None and b is None and ratio > 0:
            rows.append(_row(g, g.base_start, g.base_end, c.value_mn / ratio, c))
        elif c is None and b is not None:
            rows.append(_row(g, g.period_start, g.period_end, b.value_mn * ratio, b))
    frame = pd.DataFrame(rows, columns=DERIVED_COLUMNS)
    frame = frame.drop_duplicates(subset=["reporter", "partner", "flow", "period_start", "period_end"])
    return frame.sort_values(["reporter", "partner", "flow", "period_end", "period_start"]).reset_index(drop=True)


def _row(g, start, end, value: float, figure) -> dict:
    qualifier = {"over": "under", "under": "over"}.get(g.qualifier, "approx") if start == g.base_start else "approx"
    return {"id": f"{g.id}-derived", "reporter": g.reporter, "partner": g.partner, "flow": g.flow,
            "period_start": start, "period_end": end, "value_mn": round(value, 1), "qualifier": qualifier,
            "from_figure": figure.id, "from_growth": g.id, "source_id": g.source_id}
