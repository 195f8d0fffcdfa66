"""Figures in any currency: kept as published, converted with a published rate, the conversion stated."""

from __future__ import annotations

import json
import re
from datetime import date

import pandas as pd
import pytest
from hypothesis import given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from trademirror import build, currency
from trademirror.i18n import Catalogue
from trademirror.validate import validate

from .conftest import PackageCopy

YEAR = (date(2024, 1, 1), date(2024, 12, 31))


def rates(*rows) -> pd.DataFrame:
    return pd.DataFrame([{"currency": c, "to": t, "period_start": s, "period_end": e, "rate": r, "source_id": src}
                         for c, t, s, e, r, src in rows])


TABLE = rates(("EUR", "USD", *YEAR, 1.08, "annual"),
              ("EUR", "USD", date(2024, 3, 1), date(2024, 3, 31), 1.09, "march"),
              ("USD", "CNY", *YEAR, 7.2, "cny"))


@pytest.mark.parametrize("wanted, to, start, end, source, factor", [
    ("EUR", "USD", *YEAR, "annual", 1.08),  # the annual average for a figure of that year
    ("EUR", "USD", date(2024, 1, 1), date(2024, 10, 31), "annual", 1.08),  # ...and for months inside it
    ("EUR", "USD", date(2024, 3, 1), date(2024, 3, 31), "march", 1.09),  # the narrowest period that covers wins
    ("CNY", "USD", *YEAR, "cny", 1 / 7.2),  # a rate published the other way round serves as its inverse
    ("EUR", "USD", date(2023, 1, 1), date(2023, 12, 31), None, None),  # no rate for another year
    ("EUR", "USD", date(2024, 6, 1), date(2025, 5, 31), None, None),  # nor for a period the year does not cover
    ("GBP", "USD", *YEAR, None, None),  # nor for another currency
])
def test_the_rate_is_the_one_whose_period_covers_the_figure(wanted, to, start, end, source, factor):
    rate = currency.find_rate(TABLE, wanted, to, start, end)
    if source is None:
        assert rate is None
    else:
        assert rate.source_id == source and rate.factor == pytest.approx(factor)


def figures(*rows) -> pd.DataFrame:
    return pd.DataFrame([{"value": v, "unit": u, "currency": c, "period_start": YEAR[0], "period_end": YEAR[1]}
                         for v, u, c in rows])


@hypothesis_settings(deadline=None, max_examples=60)
@given(value=st.floats(0, 1e6), unit=st.sampled_from(list(currency.UNIT_IN_MN)), rate=st.floats(1e-4, 1e4))
def test_value_mn_is_the_value_times_its_unit_times_the_rate(value, unit, rate):
    table = rates(("EUR", "USD", *YEAR, rate, "s"), ("USD", "JPY", *YEAR, rate, "s"))
    out = currency.convert(figures((value, unit, "USD"), (value, unit, "EUR"), (value, unit, "JPY")), table, "USD")
    in_mn = value * currency.UNIT_IN_MN[unit]
    assert out.value_mn.iloc[0] == in_mn  # in the comparison currency: exactly as published, no rate
    assert out.value_mn.iloc[1] == pytest.approx(in_mn * rate)
    assert out.value_mn.iloc[2] == pytest.approx(in_mn / rate)
    assert list(out.rate_row) == [currency.NO_RATE, 0, 1]


def test_a_figure_no_rate_converts_has_no_value_mn():
    out = currency.convert(figures((5, "bn", "EUR")), None, "USD")
    assert out.value_mn.isna().all() and list(out.rate_row) == [currency.NO_RATE]


# --- Packages with figures in euro ------------------------------------------------

FIGURE = "tjk-chn-imports-2025"  # one side of a mirror pair the Tajikistan page shows (2300 in US$ mn)
RATE_SOURCE = "central-bank-rates"
CHARTS = "assets/charts/countries/tajikistan/"  # the page's chart data (CSV), whose labels are the tooltips


def with_rates(pkg: PackageCopy, rows: list[dict]) -> None:
    descriptor = json.loads(pkg.descriptor.read_text(encoding="utf-8"))
    fields = next(r for r in descriptor["resources"] if r["name"] == "rates")["schema"]["fields"]
    pkg.write_rows("rates", rows, [f["name"] for f in fields])
    if not any(r["id"] == RATE_SOURCE for r in pkg.rows("sources")):
        pkg.add("sources", id=RATE_SOURCE, publisher="A central bank", title="Annual average exchange rates",
                published="2026-01", url="https://example.org/rates", primary_source="A central bank",
                language="en")


def rate(year: int, value: str, frm: str = "EUR", to: str = "USD") -> dict:
    return {"currency": frm, "to": to, "period_start": f"{year}-01-01", "period_end": f"{year}-12-31", "rate": value,
            "source_id": RATE_SOURCE, "locator": "table 1"}


@pytest.fixture
def euro(real_copy: PackageCopy) -> PackageCopy:
    real_copy.set("figures", FIGURE, value="2.1", unit="bn", currency="EUR")
    with_rates(real_copy, [rate(2025, "1.1")])
    return real_copy


def test_a_figure_without_a_currency_is_one_line_naming_the_row(real_copy):
    line = real_copy.set("figures", FIGURE, currency="")
    report, data = validate(real_copy.descriptor, date(2026, 6, 1))
    assert data is None
    assert [p.line() for p in report.errors] == [
        f"data/figures.csv:{line}: currency: is empty but required — write the ISO 4217 code of the currency the"
        " source printed the value in, e.g. USD, EUR or CNY"]


def test_a_currency_no_rate_converts_for_the_figures_period_is_one_line_naming_the_rate_to_add(real_copy):
    line = real_copy.set("figures", FIGURE, value="2.1", unit="bn", currency="EUR")
    with_rates(real_copy, [rate(2024, "1.08")])  # a rate, but for another year
    report, data = validate(real_copy.descriptor, date(2026, 6, 1))
    assert data is None
    assert [p.line() for p in report.errors] == [
        f"data/figures.csv:{line}: currency: no rate in rates.csv converts EUR to USD for 2025-01-01–2025-12-31"
        " — add the average rate for that period to rates.csv, with its source"]


def test_a_zero_rate_is_an_error_not_a_conversion(real_copy):
    real_copy.set("figures", FIGURE, value="2.1", unit="bn", currency="EUR")
    with_rates(real_copy, [rate(2025, "0")])
    report, data = validate(real_copy.descriptor, date(2026, 6, 1))
    assert data is None and {p.code for p in report.errors} == {"zero-rate", "no-rate"}


def pages(pkg: PackageCopy, language: str, display: str | None = None) -> dict[str, str]:
    report, data = validate(pkg.descriptor, date(2026, 6, 1))
    assert data is not None, report.format()
    outputs, _ = build.compose(data, report, Catalogue(language), display=display)
    return {o.path: o.content.decode("utf-8") for o in outputs
            if o.content is not None and o.path.endswith((".md", ".csv"))}


def test_a_euro_figure_is_shown_as_published_with_its_conversion_in_english(euro):
    built = pages(euro, "en")
    page = built["countries/tajikistan.md"]
    assert "[€2.1bn](../data.md#src-caspianpost-2026-01), about US$2.31bn at" \
           f" [the 2025 average rate](../data.md#src-{RATE_SOURCE})" in page
    tooltips = "".join(text for path, text in built.items() if path.startswith(CHARTS))
    assert "€2.1bn, about US$2.31bn at the 2025 average rate" in tooltips  # the chart's data, as the tooltip reads
    # the mirror gap is computed in the comparison currency: 2,310 against China's 3,700
    assert "−37.6%" in page or "−37.5%" in page


def test_a_euro_figure_is_shown_as_published_with_its_conversion_in_russian(euro):
    page = pages(euro, "ru")["countries/tajikistan.md"]
    assert "[2,1 млрд €](../data.md#src-caspianpost-2026-01), около 2,31 млрд долл. США по" \
           f" [среднему курсу за 2025\u00a0г.](../data.md#src-{RATE_SOURCE})" in page


def test_an_edition_in_another_display_currency_states_every_conversion_and_says_its_currency(real_copy):
    with_rates(real_copy, [rate(year, "1.1") for year in (2023, 2024, 2025)])
    built = pages(real_copy, "en", display="EUR")
    page = built["countries/tajikistan.md"]
    # China's US$3.7bn, shown as published, converted with the EUR→USD rate read the other way round
    assert re.search(r"\[US\$3\.7bn\]\([^)]*\), about €3\.36bn at \[the 2025 average rate\]", page)
    gaps = built["downloads/mirror-gaps.csv"].splitlines()
    assert gaps[0].split(",")[6] == "currency" and all(",EUR," in row for row in gaps[1:])
    chart = next(text for path, text in built.items() if path.startswith(CHARTS) and path.endswith(".csv"))
    assert chart.splitlines()[0].split(",")[2] == "value_eur_bn"


def test_the_real_package_needs_no_rate_and_converts_nothing(real_copy):
    report, data = validate(real_copy.descriptor, date(2026, 6, 1))
    assert data is not None
    assert (data.figures.value_mn == data.figures.value).all() and set(data.figures.currency) == {"USD"}
    assert (data.figures.rate_row == currency.NO_RATE).all()
