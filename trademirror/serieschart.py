"""The chart kind for a series over the years: each side's declared value as a line, the gap written above the
receiver's point. A module of its own beside charts.py, which lists it among its KINDS; like every kind there
it takes tidy rows and texts (charts.ChartText) and returns an Altair chart.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import altair as alt
import pandas as pd

from . import theme

if TYPE_CHECKING:
    from .charts import ChartText

SERIES_HEIGHT = 260  # px: a year axis reads at 360 px wide; the lines need height, not rows


def series(data: pd.DataFrame, text: ChartText) -> alt.Chart:
    """One line per series (a side and a direction of trade) across the years on the horizontal axis.

    Lines rather than bars: the years run left to right and the reader follows each side's record and the
    distance between the two lines of one direction, which is the gap.
    """
    theme.register()
    from .charts import series_order  # charts.py registers this chart kind, so not at the top

    order = series_order(data)
    years = list(dict.fromkeys(data["category"]))
    x = alt.X("category:O", sort=years, title=None, axis=alt.Axis(labelAngle=0))
    y = alt.Y(f"{text.value_field}:Q", title=text.value_axis, axis=alt.Axis(format=",.1~f", tickCount=4),
              scale=alt.Scale(zero=True))
    base = alt.Chart(data)
    layers = base.mark_line(strokeWidth=2.5, point=alt.OverlayMarkDef(filled=True, size=60)).encode(
        x=x, y=y,
        color=alt.Color("series:N", sort=order, title=text.series, legend=alt.Legend(columns=1)),
        strokeDash=alt.StrokeDash("series:N", sort=order, legend=None),
        tooltip=[alt.Tooltip("category:N", title=text.category), alt.Tooltip("series:N", title=text.series),
                 alt.Tooltip("label:N", title=text.value)],
    )
    if data["annotation"].ne("").any():  # the gap, above the receiver's point of its year
        layers += base.mark_text(align="center", baseline="bottom", dy=-8, fontSize=11, fontWeight=700).encode(
            x=x, y=y, text="annotation:N")
    return layers.properties(
        width="container", height=SERIES_HEIGHT,
        title=alt.Title(text.title, subtitle=text.subtitle), description=text.alt,
    )
