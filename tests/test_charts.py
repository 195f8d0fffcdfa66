"""Chart specs: valid Vega-Lite, a title that states a finding, units, a source line, data only as data."""

from __future__ import annotations

import json
from functools import cache

import jsonschema
import pytest
from altair.vegalite.v6.schema.core import load_schema  # altair's bundled Vega-Lite schema, no network

from trademirror import charts, derive, mirror
from trademirror.build import spec_bytes
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
    bars = [layer for layer in layers if layer["mark"]["type"] == "bar"]
    x_titles = {layer["encoding"]["x"].get("title") for layer in bars}
    assert x_titles == {"US$ bn"}
    assert bars and all(layer["encoding"].get("tooltip") for layer in bars)
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


def test_the_tajikistan_mirror_chart_annotates_the_gap_on_the_partners_bar():
    chart = next(c for p, c in CHARTS if p == "TJK" and c.name == "mirror")
    annotated = chart.data.dropna(subset=["annotation"])
    assert set(annotated["series"]) == {"Tajikistan"}
    assert "−37.8%" in set(annotated["annotation"])
    assert chart.spec["title"]["text"].startswith("China records US$1.4bn more goods sent than Tajikistan")


def test_golden_chart_spec_for_the_tajikistan_mirror(update_goldens):
    chart = next(c for p, c in CHARTS if p == "TJK" and c.name == "mirror")
    check_golden("tajikistan-mirror.vl.json", spec_bytes(chart.spec).decode(), update_goldens)


def test_the_static_image_is_an_svg_rendered_offline():
    chart = next(c for p, c in CHARTS if p == "index" and c.name == "region-balance")
    svg = charts.render_svg(chart.spec)
    assert svg.startswith("<svg") and "Kyrgyzstan" in svg and 'width="' in svg


def test_the_javascript_bundle_has_vega_embed_and_no_external_editor():
    bundle = charts.javascript_bundle().decode()
    assert "window.vegaEmbed" in bundle and "vega.github.io/editor" not in bundle


def test_one_theme_is_registered_once():
    import altair as alt

    from trademirror import theme

    theme.register()
    theme.register()
    assert alt.theme.active == theme.NAME
