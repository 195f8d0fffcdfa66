"""Chart specs: valid Vega-Lite, a title that states a finding, units, a source line, data only as data."""

from __future__ import annotations

import json
import re
from functools import cache

import jsonschema
import pytest
from altair.vegalite.v6.schema.core import load_schema  # altair's bundled Vega-Lite schema, no network

from trademirror import charts, derive, mirror, settings, theme
from trademirror.build import spec_bytes
from trademirror.bundle import javascript_bundle
from trademirror.i18n import Catalogue
from trademirror.validate import validate
from trademirror.views import Views

from .conftest import REAL_DESCRIPTOR, check_golden


@cache
def real_views() -> Views:
    report, data = validate(REAL_DESCRIPTOR)
    pairs, unmatched = mirror.pair(data.figures, data.countries, "CHN")
    derived = derive.derived_values(data.figures, data.growth)
    return Views(data, report, pairs, unmatched, derived, Catalogue("en"))


def all_charts():
    views = real_views()
    found = [("index", c) for c in views.region_charts()]
    for code in views.partner_countries():
        found += [(code, c) for c in views.country_charts(code)]
    return found


CHARTS = all_charts()


@pytest.mark.parametrize("page, chart", CHARTS, ids=[f"{p}-{c.name}" for p, c in CHARTS])
def test_every_chart_spec_is_valid_vega_lite_with_title_units_and_source(page, chart):
    jsonschema.validate(chart.spec, load_schema())
    assert chart.spec["title"]["text"] and chart.spec["title"]["subtitle"].startswith("Source: ")
    layers = chart.spec.get("layer", [chart.spec])
    marks = [layer for layer in layers if layer["mark"]["type"] in ("bar", "point")]  # the values themselves
    x_titles = {layer["encoding"]["x"].get("title") for layer in marks}
    assert x_titles == {"US$ bn"}
    assert marks and all(layer["encoding"].get("tooltip") for layer in marks)
    assert chart.spec["width"] == "container" and "$schema" not in chart.spec


@pytest.mark.parametrize("page, chart", CHARTS, ids=[f"{p}-{c.name}" for p, c in CHARTS])
def test_the_csv_holds_exactly_the_rows_plotted(page, chart):
    datasets = chart.spec["datasets"]
    plotted = next(rows for rows in datasets.values() if rows and "value_usd_bn" in rows[0])
    assert [r["value_usd_bn"] for r in plotted] == chart.data["value_usd_bn"].tolist()
    assert [r["category"] for r in plotted] == chart.data["category"].tolist()


def test_chart_values_never_reach_a_vega_expression():
    for _, chart in CHARTS:
        text = json.dumps(chart.spec)
        assert '"expr"' not in text and '"filter": "' not in text


def test_the_tajikistan_mirror_chart_annotates_the_gap_once_per_pair_and_leads_the_page():
    country = real_views().country("TJK")
    chart = country.charts[0]
    assert chart.name == "mirror" and country.leads_with_chart
    annotated = chart.data[chart.data["annotation"] != ""]
    assert set(annotated["series"]) == {"Tajikistan"}
    assert len(annotated) == chart.data["category"].nunique()
    assert "−37.8%" in set(annotated["annotation"])
    assert chart.spec["title"]["text"].startswith("China records US$1.4bn more goods sent than Tajikistan")
    marks = {layer["mark"]["type"] for layer in chart.spec["layer"]}
    assert marks == {"rule", "point", "text"}  # a dumbbell: two dots joined by a line, the gap written above


def test_the_home_page_leads_with_the_widest_gaps_across_countries():
    views = real_views()
    home = views.home(views.partner_countries())
    chart = home.charts[0]
    assert chart.name == "region-gaps" and home.leads_with_chart
    gaps = views.pairs.gap_mn.abs()
    widest = views.pairs.loc[gaps.idxmax()]
    assert chart.data["category"].iloc[0].startswith(views.names[widest.country])
    assert chart.data["category"].nunique() == min(len(views.pairs), settings.LEAD_GAPS)
    assert chart.spec["title"]["text"].startswith("The widest gap: China records US$1.4bn more goods sent")


@pytest.mark.parametrize("colour", theme.PALETTE)
@pytest.mark.parametrize("background", ["#ffffff", "#1e2129"], ids=["light page", "dark page"])
def test_every_series_colour_stands_out_3_to_1_on_both_schemes(colour, background):
    assert contrast(colour, background) >= 3.0


def test_a_reporter_keeps_its_colour_from_chart_to_chart():
    views = real_views()
    for code in views.partner_countries():
        for chart in views.country_charts(code):
            order = chart.data.attrs["series_order"]
            if "China" in order:
                assert order[0] == "China", (code, chart.name)


def test_long_category_labels_wrap_onto_lines_instead_of_taking_the_plots_width():
    chart = next(c for p, c in CHARTS if p == "index" and c.name == "region-gaps")
    svg = charts.render_svg(chart.spec)
    label = chart.data["category"].iloc[0]
    lines = [line for line in re.findall(r"<tspan[^>]*>([^<]*)</tspan>", svg) if line and line in label][:3]
    assert len(lines) == charts.label_lines(label) >= 2
    assert all(len(line) <= charts.WRAP_CHARS for line in lines)
    assert " ".join(lines) == label
    assert "…" not in svg  # nothing cut short


@pytest.mark.parametrize("label, lines", [
    ("2025", 1), ("Jan–Oct 2025", 1), ("goods from China to Tajikistan, 2025", 3), ("", 1),
    ("Kazakhstan: goods from China to Kazakhstan, Jan–Oct 2025", 4),
    ("Таджикистан: поставки Китай → Таджикистан, 2025\u00a0г.", 4),  # the year and «г.» stay on one line
])
def test_label_lines_counts_the_lines_the_chart_draws(label, lines):
    assert charts.label_lines(label) == lines
    drawn = [m[0] for m in re.findall(charts.WRAP_PATTERN, label.strip())]
    assert all(len(line) <= charts.WRAP_CHARS for line in drawn)
    assert not any(line.endswith(("\u00a0", " г.")) or line == "г." for line in drawn)


def contrast(a: str, b: str) -> float:
    def luminance(colour: str) -> float:
        r, g, b = (int(colour.lstrip("#")[i:i + 2], 16) / 255 for i in (0, 2, 4))
        lin = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in (r, g, b)]
        return 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2]
    high, low = sorted([luminance(a), luminance(b)], reverse=True)
    return (high + 0.05) / (low + 0.05)


def test_golden_chart_spec_for_the_tajikistan_mirror(update_goldens):
    chart = next(c for p, c in CHARTS if p == "TJK" and c.name == "mirror")
    check_golden("tajikistan-mirror.vl.json", spec_bytes(chart.spec).decode(), update_goldens)


def test_the_static_image_is_an_svg_rendered_offline():
    chart = next(c for p, c in CHARTS if p == "index" and c.name == "region-balance")
    svg = charts.render_svg(chart.spec)
    assert svg.startswith("<svg") and "Kyrgyzstan" in svg and 'width="' in svg


def test_the_png_download_is_the_svg_download_rasterised_at_twice_its_size():
    """Rasterising the laid-out SVG gives the very bytes of a second layout through Vega (text included)."""
    chart = next(c for p, c in CHARTS if p == "TJK" and c.name == "mirror")
    svg = charts.render_svg(chart.spec)
    png = charts.svg_png(svg)
    assert png == charts.render_png(chart.spec)
    width, height = (int(float(v)) for v in re.search(r'<svg[^>]* width="([\d.]+)" height="([\d.]+)"', svg).groups())
    assert (int.from_bytes(png[16:20], "big"), int.from_bytes(png[20:24], "big")) == (2 * width, 2 * height)


def test_the_javascript_bundle_has_vega_embed_and_no_external_editor():
    bundle = javascript_bundle().decode()
    assert "window.vegaEmbed" in bundle and "vega.github.io/editor" not in bundle


def test_one_theme_is_registered_once():
    import altair as alt

    from trademirror import theme

    theme.register()
    theme.register()
    assert alt.theme.active == theme.NAME



def test_a_spec_the_schema_refuses_stops_the_build_even_when_its_data_is_fine():
    """to_spec validates the finished spec once (not through a second, validating to_dict): a chart with a
    property of the wrong type is refused with the schema's own words."""
    import altair as alt
    import pandas as pd
    import pytest

    from trademirror import charts

    chart = alt.Chart(pd.DataFrame({"a": [1.0]})).mark_bar().encode(x="a:Q")
    assert charts.to_spec(chart)["mark"] == {"type": "bar"}
    chart.width = "wide"  # Vega-Lite wants a number or "container"
    with pytest.raises(alt.utils.schemapi.SchemaValidationError, match="wide"):
        charts.to_spec(chart)
