"""The house look for every chart, registered once with Altair.

Colours are taken from the Okabe–Ito palette, which stays distinguishable for
the common forms of colour blindness, keeping only hues whose contrast is at
least 3:1 against both the light page (white) and the dark one (Material's
slate), so one palette serves both schemes and the static images. Text colours are left to the page: the chart script
passes a dark configuration when the reader switches Material to dark mode,
and the static SVG is rendered on white.
"""

from __future__ import annotations

import altair as alt

NAME = "trademirror"
PALETTE = ["#0072B2", "#D55E00", "#009E73", "#CC79A7", "#8A6FBF", "#B06F00", "#3D8FD1", "#C1543A"]
FONT = "system-ui, -apple-system, 'Segoe UI', Roboto, 'Helvetica Neue', Arial, sans-serif"


def config() -> dict:
    return {
        "config": {
            "background": "transparent",
            "font": FONT,
            "view": {"stroke": "transparent", "continuousWidth": 320, "discreteWidth": 320},
            "range": {"category": PALETTE},
            "title": {"anchor": "start", "fontSize": 15, "fontWeight": 600, "subtitleFontSize": 11,
                      "limit": 0, "offset": 10},
            "axis": {"labelFontSize": 11, "titleFontSize": 11, "titleFontWeight": 500, "labelLimit": 180,
                     "gridOpacity": 0.5},
            "legend": {"orient": "bottom", "direction": "vertical", "labelFontSize": 11, "titleFontSize": 11,
                       "labelLimit": 300},
            "bar": {"cornerRadiusEnd": 2},
        }
    }


def register() -> None:
    """Register and enable the theme (idempotent)."""
    if NAME not in alt.theme.names():
        alt.theme.register(NAME, enable=False)(config)
    alt.theme.enable(NAME)
