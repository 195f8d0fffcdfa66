"""Chart specs: one function per chart kind, tidy data and texts in, an Altair chart out; and their images.

No file I/O and no wording here: the caller passes the exact rows to plot
(which are also written out as the chart's CSV) and the texts, already in the
reader's language. Values from the data reach Vega only as data, never inside
an expression string.
"""

from __future__ import annotations

import functools
import hashlib
import json
import re
from dataclasses import dataclass

import altair as alt
import jsonschema
import pandas as pd

from . import drawing, theme
from .drawing import VL_VERSION
from .serieschart import series

SVG_WIDTH = 640  # the static image's width; the interactive chart fills its container
ROW_HEIGHT = 18  # per bar, so a chart stays readable at 360 px wide
CHART_COLUMNS = ["category", "series", "value_usd_bn", "label", "status", "annotation", "source"]


def value_field(currency: str) -> str:
    """The plotted column, named for the currency it is in ("value_usd_bn", "value_eur_bn"), so that the
    chart's CSV download says what its numbers are."""
    return f"value_{currency.lower()}_bn"


def columns(field: str) -> list[str]:
    """CHART_COLUMNS with the value column for the edition's display currency."""
    return [field if c == CHART_COLUMNS[2] else c for c in CHART_COLUMNS]


@dataclass(frozen=True)
class ChartText:
    title: str  # states the finding
    subtitle: str  # the source line, naming the reporters
    value_axis: str  # e.g. "US$ bn"
    category: str  # tooltip/legend names for the columns
    series: str
    value: str
    status: str
    published: str
    derived: str
    alt: str  # text alternative for readers without the chart
    value_field: str = CHART_COLUMNS[2]  # the plotted column: value_field(display currency)


def tidy(rows: list[dict], field: str = CHART_COLUMNS[2]) -> pd.DataFrame:
    """The plotted rows in a fixed column order (this is also the chart's CSV); `field` is the value column."""
    frame = pd.DataFrame(rows, columns=columns(field))
    frame[field] = frame[field].astype(float).round(4)
    frame["annotation"] = frame["annotation"].fillna("")  # a text mark draws "" as nothing (and null as "null")
    return frame


# Category labels wrap onto lines of at most this many characters, so a long label ("goods from China to
# Tajikistan, 2025") takes height rather than the plot's width on a phone. An expression on the label only,
# never on the data; the same in the interactive chart and the static images.
WRAP_CHARS = 18
# A line: up to WRAP_CHARS characters, ended by a plain space or the end; a no-break space ("2025 г.") holds.
WRAP_PATTERN = rf"(.{{1,{WRAP_CHARS}}})( +|$)"
_PATTERN_LITERAL = WRAP_PATTERN.replace("\\", "\\\\")  # inside a quoted string of the expression
WRAP_LABEL = f"split(trim(replace(datum.label, regexp('{_PATTERN_LITERAL}', 'g'), '$1\\n')), '\\n')"
LABEL_LIMIT = 140  # px per line, a guard for one long word; the wrap keeps ordinary labels well inside it
LINE_HEIGHT = 14  # px per line of a wrapped category label


def category_axis(**kwargs) -> alt.Axis:
    return alt.Axis(labelExpr=WRAP_LABEL, labelLimit=LABEL_LIMIT, labelLineHeight=LINE_HEIGHT, **kwargs)


def label_lines(label: str) -> int:
    """How many lines WRAP_LABEL gives a label, so a chart's rows can be made tall enough for them."""
    return max(1, len(re.findall(WRAP_PATTERN, label.strip())))


def _value_axis(text: ChartText, scale: alt.Scale | None = None) -> alt.X:
    return alt.X(f"{text.value_field}:Q", title=text.value_axis, axis=alt.Axis(format=",.1~f", tickCount=4),
                 scale=scale or alt.Undefined)


HEADROOM = 1.15  # the dumbbell's value axis runs this far past the largest figure: room for a gap written there


def _status_encodings(data: pd.DataFrame, text: ChartText) -> dict:
    """Derived values are drawn hollow (an outline in the series colour), published ones solid.

    A pale fill alone would fail the 3:1 contrast a chart mark needs against the page.
    """
    derived = (data["status"] == text.derived).any()
    domain = [text.published, text.derived]
    legend = alt.Legend(symbolType="square", symbolStrokeWidth=1.5) if derived else None
    return {"fillOpacity": alt.FillOpacity("status:N", sort=domain, scale=alt.Scale(domain=domain, range=[1.0, 0.15]),
                                           title=text.status, legend=legend)}


def _rows_height(categories: list[str], per_line: int, per_row: int) -> int:
    return sum(max(per_row, label_lines(c) * LINE_HEIGHT + 8) for c in categories) + per_line


def bars(data: pd.DataFrame, text: ChartText) -> alt.Chart:
    """Grouped bars, each category's series side by side: turnover by country or over time, exports beside
    imports, trade beside GDP."""
    theme.register()
    order = series_order(data)
    categories = list(dict.fromkeys(data["category"]))
    position = {"y": alt.Y("category:N", sort=categories, title=None, axis=category_axis()),
                "yOffset": alt.YOffset("series:N", sort=order), "x": _value_axis(text)}
    layers = alt.Chart(data).mark_bar(strokeWidth=1.5).encode(
        **position,
        color=alt.Color("series:N", sort=order, title=text.series,
                        legend=alt.Legend(columns=1, symbolType="square")),
        stroke=alt.Stroke("series:N", sort=order, legend=None),
        **_status_encodings(data, text),
        tooltip=[alt.Tooltip("category:N", title=text.category), alt.Tooltip("series:N", title=text.series),
                 alt.Tooltip("label:N", title=text.value), alt.Tooltip("status:N", title=text.status)],
    )
    if data["annotation"].ne("").any():  # e.g. the gap, written beside the receiver's bar, in the text colour
        layers += alt.Chart(data).mark_text(align="left", dx=4, fontSize=11, fontWeight=600).encode(
            **position, text="annotation:N")  # a row without one draws no text: no filter needed
    band = max(1, len(order)) * ROW_HEIGHT
    height = max(60, _rows_height(categories, 0, band + 8))
    return layers.properties(
        width="container", height=height,
        title=alt.Title(text.title, subtitle=text.subtitle),
        description=text.alt,
    )


def balance(data: pd.DataFrame, text: ChartText) -> alt.Chart:
    """Exports minus imports by country: who sells more to the focus reporter than it buys."""
    theme.register()
    categories = list(dict.fromkeys(data["category"]))
    chart = alt.Chart(data).mark_bar().encode(
        y=alt.Y("category:N", sort=categories, title=None, axis=category_axis()),
        x=_value_axis(text),
        color=alt.Color("series:N", title=text.series, sort=sorted(set(data["series"])),
                        legend=alt.Legend(columns=1, symbolType="square")),
        tooltip=[alt.Tooltip("category:N", title=text.category), alt.Tooltip("label:N", title=text.value),
                 alt.Tooltip("series:N", title=text.series)],
    )
    rule = alt.Chart(pd.DataFrame({"zero": [0]})).mark_rule(color="#888").encode(x="zero:Q")
    return (chart + rule).properties(
        width="container", height=max(60, _rows_height(categories, 0, 26)),
        title=alt.Title(text.title, subtitle=text.subtitle), description=text.alt,
    )


def series_order(data: pd.DataFrame) -> list[str]:
    """The order the caller gave (so a reporter keeps its colour from chart to chart), else order of appearance."""
    return list(data.attrs.get("series_order") or dict.fromkeys(data["series"]))


DUMBBELL_ROW = 54  # px per paired flow: room for three lines of label and the gap above the line


def dumbbell(data: pd.DataFrame, text: ChartText) -> alt.Chart:
    """Both sides' figures for each paired flow and period as two dots on one line, the gap written above it.

    A dumbbell rather than paired bars: the eye reads the distance between the
    dots, which is the story, and a row stays one line high however many pairs.
    """
    theme.register()
    categories = list(dict.fromkeys(data["category"]))
    order = series_order(data)
    y = alt.Y("category:N", sort=categories, title=None, axis=category_axis(ticks=False, domain=False))
    base = alt.Chart(data)
    line = base.mark_rule(strokeWidth=2.5, color="#8a8a8a").encode(
        y=y, x=alt.X(f"min({text.value_field}):Q"), x2=alt.X2(f"max({text.value_field}):Q"))
    headroom = alt.Scale(zero=True, domainMax=round(float(data[text.value_field].max()) * HEADROOM, 4))
    dots = base.mark_point(filled=True, size=150, opacity=1).encode(
        y=y, x=_value_axis(text, headroom),
        color=alt.Color("series:N", sort=order, title=text.series, legend=alt.Legend(columns=1)),
        shape=alt.Shape("series:N", sort=order, legend=None),
        tooltip=[alt.Tooltip("category:N", title=text.category), alt.Tooltip("series:N", title=text.series),
                 alt.Tooltip("label:N", title=text.value)],
    )
    layers = line + dots
    if data["annotation"].ne("").any():  # the gap, written above the middle of the line between the two dots
        layers += base.transform_joinaggregate(middle=f"mean({text.value_field})", groupby=["category"]).mark_text(
            align="center", baseline="bottom", dy=-8, fontSize=12, fontWeight=700).encode(
            y=y, x=alt.X("middle:Q"), text="annotation:N")
    return layers.properties(
        width="container", height=max(60, _rows_height(categories, 0, DUMBBELL_ROW)),
        title=alt.Title(text.title, subtitle=text.subtitle), description=text.alt,
    )


KINDS = {"bars": bars, "balance": balance, "dumbbell": dumbbell, "series": series}


@dataclass
class ChartData:
    """What a chart shows (chartdata.py): its rows (also its CSV) and texts, and the kind of chart they make."""

    name: str  # the chart's file name on its page, e.g. "mirror"
    kind: str  # a key of KINDS
    data: pd.DataFrame  # tidy rows; attrs: "reporters" (the source line's) and "series_order"
    text: ChartText


@dataclass
class Chart:
    name: str
    spec: dict
    data: pd.DataFrame
    text: ChartText


def chart(shown: ChartData, locale: str) -> Chart:
    """The chart's Vega-Lite spec, in the language's number format."""
    spec = with_locale(to_spec(KINDS[shown.kind](shown.data, shown.text)), locale)
    return Chart(name=shown.name, spec=spec, data=shown.data, text=shown.text)


def to_spec(chart: alt.Chart) -> dict:
    """The Vega-Lite spec as written to disk: validated by Altair, with no link to an external schema.

    Validation against the Vega-Lite schema is most of the cost of a spec, and
    a spec is a pure function of its rows and texts: a spec already validated
    (in this process, or recorded in the image cache, see site.cache_dir) is
    not validated again. Anything new is.
    """
    spec = chart.to_dict(validate=False)
    key = hashlib.sha256(json.dumps(spec, sort_keys=True, ensure_ascii=False).encode("utf-8")).hexdigest()
    if not _known_valid(key):
        # The finished spec against the schema, once: the same verdict as Altair's validating to_dict, without
        # laying out the chart's data a second time.
        error = jsonschema.exceptions.best_match(_validator().iter_errors(spec))
        if error is not None:
            raise alt.utils.schemapi.SchemaValidationError(chart, error)
        _record_valid(key)
    spec.pop("$schema", None)
    return spec


@functools.cache
def _validator():
    schema = alt.vegalite.v6.schema.core.load_schema()
    return jsonschema.validators.validator_for(schema)(schema)


_validated: set[str] = set()


def _marker(key: str):
    from .site import cache_dir

    folder = cache_dir()
    return folder / f"valid-vega-lite-{VL_VERSION}-{key}" if folder else None


def _known_valid(key: str) -> bool:
    marker = _marker(key)
    return key in _validated or bool(marker and marker.is_file())


def _record_valid(key: str) -> None:
    _validated.add(key)
    marker = _marker(key)
    if marker:
        marker.parent.mkdir(parents=True, exist_ok=True)
        marker.touch()


def with_locale(spec: dict, locale: str) -> dict:
    """The spec with the language's number format (separators from CLDR) for axes and tooltips."""
    from babel.numbers import get_decimal_symbol, get_group_symbol

    number = {"decimal": get_decimal_symbol(locale), "thousands": get_group_symbol(locale), "grouping": [3],
              "currency": ["", ""]}
    return {**spec, "config": {**spec.get("config", {}), "locale": {"number": number}}}


def static_spec(spec: dict) -> dict:
    """The spec for the static SVG: a fixed width and a white background."""
    fixed = dict(spec)
    fixed["width"] = SVG_WIDTH
    fixed["config"] = {**spec.get("config", {}), "background": "white"}
    return fixed


def render_svg(spec: dict) -> str:
    """The static SVG. Inside `drawing_processes`, drawn by a worker process, so threads can draw in parallel."""
    return stable_ids(drawing.convert("vegalite_to_svg", static_spec(spec), vl_version=VL_VERSION))


# The chart as the page shows it until the reader reaches for it (charts.js draws the interactive one on the
# first hover, tap or focus): the page's own HTML caption carries the title, so these images leave it out,
# and a phone gets one laid out for its width, so that its labels are read at their size, not shrunk.
PAGE_WIDTH = SVG_WIDTH
PHONE_WIDTH = 340  # the article's width on a 360 px screen, less its margins
PHONE_MAX = 599  # px of screen up to which the phone image is shown


STATIC_LAYOUT = 4  # bump when page_spec changes: it is part of the images' keys, so they are drawn anew


def page_spec(spec: dict, width: int) -> dict:
    """`width` is the whole image's, labels included (it is shown at that size). The left padding leaves
    room for a reader's font that runs wider than the one the labels were measured with."""
    fixed = static_spec(spec)
    fixed.pop("title", None)
    fixed.update(width=width, autosize={"type": "fit-x", "contains": "padding"},
                 padding={"left": 24, "right": 6, "top": 6, "bottom": 6})
    return fixed


def render_page_svg(spec: dict, width: int = PAGE_WIDTH) -> str:
    return stable_ids(drawing.convert("vegalite_to_svg", page_spec(spec, width), vl_version=VL_VERSION))


PNG_SCALE = 2  # for retina screens, print and social media
CARD_SIZE = (1200, 630)  # the Open Graph image size most platforms crop to


PNG_FROM_SVG = "from-svg"  # how the PNG download is drawn; part of its key, so a change of method redraws it


def render_png(spec: dict) -> bytes:
    """The static chart as a PNG at twice the SVG's size, laid out anew (the build uses `svg_png` instead)."""
    return drawing.convert("vegalite_to_png", static_spec(spec), vl_version=VL_VERSION, scale=PNG_SCALE)


def svg_png(svg: str) -> bytes:
    """The static SVG (from `render_svg`) rasterised at twice its size: the PNG download.

    vl-convert's own PNG path lays the chart out into an SVG and rasterises
    that; this skips the second layout, half the cost of a PNG, and gives the
    same bytes as `render_png` (the fonts are the same, text included).
    """
    return drawing.convert("svg_to_png", svg, scale=PNG_SCALE)


def card_spec(spec: dict) -> dict:
    """A page's headline chart laid out to fill a social-media card exactly."""
    width, height = CARD_SIZE
    card = static_spec(spec)
    card.update(width=width, height=height, autosize={"type": "fit", "contains": "padding"}, padding=24)
    title = spec.get("title")
    if isinstance(title, dict):
        card["title"] = {**title, "fontSize": 26, "subtitleFontSize": 16, "limit": width - 60}
    return card


def render_card(spec: dict) -> bytes:
    return drawing.convert("vegalite_to_png", card_spec(spec), vl_version=VL_VERSION, scale=1)


def stable_ids(svg: str) -> str:
    """Number clip-path ids from 1 in each image: the renderer counts across the whole process."""
    numbers: dict[str, int] = {}

    def renumber(match: re.Match) -> str:
        return f"clip{numbers.setdefault(match.group(1), len(numbers) + 1)}"

    return re.sub(r"clip(\d+)", renumber, svg)


@functools.cache
def renderer_version() -> str:
    """The image renderer's version, read without importing it (a warm build that draws nothing stays quick)."""
    from importlib.metadata import version

    # "spec-bytes": images are drawn from the spec file's bytes (keys sorted), not from the dict that made it
    return f"vl-convert {version('vl-convert-python')} vega-lite {VL_VERSION} spec-bytes"
