"""Mirror pairing: same period only, the right direction, the CIF/FOB factor, and the verdict."""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest
from hypothesis import given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from trademirror import mirror

COUNTRIES = pd.DataFrame([
    {"code": "AAA", "name": "A", "kind": "country", "groups": None, "borders": "BBB"},
    {"code": "BBB", "name": "B", "kind": "country", "groups": None, "borders": "AAA"},
    {"code": "CCC", "name": "C", "kind": "country", "groups": None, "borders": None},
    {"code": "WLD", "name": "World", "kind": "group", "groups": None, "borders": None},
])
FY = (date(2025, 1, 1), date(2025, 12, 31))
H1 = (date(2025, 1, 1), date(2025, 6, 30))


def fig(fid, reporter, partner, flow, value, period=FY, qualifier="exact"):
    return {"id": fid, "reporter": reporter, "partner": partner, "flow": flow, "period_start": period[0],
            "period_end": period[1], "value_mn": float(value), "qualifier": qualifier, "source_id": "s"}


def pair(*rows, focus="AAA"):
    return mirror.pair(pd.DataFrame(list(rows)), COUNTRIES, focus)


@pytest.mark.parametrize("rows, expected", [
    # A's exports to C against C's imports from A, no common border: factor 1.06
    ([fig("x", "AAA", "CCC", "exports", 1000), fig("m", "CCC", "AAA", "imports", 1060)],
     [{"exporter": "AAA", "importer": "CCC", "factor": 1.06, "gap": 0.0, "classification": "consistent"}]),
    # neighbours: factor 1.00, so a 6% higher import figure is a notable gap
    ([fig("x", "AAA", "BBB", "exports", 1000), fig("m", "BBB", "AAA", "imports", 1060)],
     [{"exporter": "AAA", "importer": "BBB", "factor": 1.0, "gap": 0.06, "classification": "notable"}]),
    # A's imports pair with the partner's exports: the partner is the exporter
    ([fig("m", "AAA", "CCC", "imports", 530), fig("x", "CCC", "AAA", "exports", 1000)],
     [{"exporter": "CCC", "importer": "AAA", "gap": 530 / 1060 - 1, "classification": "large",
       "higher": "exporter"}]),
    # the unusual direction: the importer records less, and it is large only with US$100m or more at stake
    ([fig("x", "AAA", "BBB", "exports", 500), fig("m", "BBB", "AAA", "imports", 420)],
     [{"gap": -0.16, "classification": "notable", "higher": "exporter"}]),
    ([fig("x", "AAA", "BBB", "exports", 700), fig("m", "BBB", "AAA", "imports", 580)],
     [{"gap": 580 / 700 - 1, "classification": "large"}]),
    # small flows: only the dollar gap means something
    ([fig("x", "AAA", "BBB", "exports", 40), fig("m", "BBB", "AAA", "imports", 10)],
     [{"classification": "small", "gap_mn": -30.0}]),
    # turnover pairs with turnover, without a CIF/FOB factor
    ([fig("t", "AAA", "CCC", "turnover", 1000), fig("u", "CCC", "AAA", "turnover", 1100)],
     [{"flow": "turnover", "factor": 1.0, "gap": 0.1, "exporter": None}]),
    # qualifiers travel with the numbers
    ([fig("x", "AAA", "CCC", "exports", 2500, qualifier="under"), fig("m", "CCC", "AAA", "imports", 1900)],
     [{"x_qualifier": "under", "m_qualifier": "exact", "x_value": 2500.0}]),
])
def test_pairs_compare_the_two_sides_of_the_same_flow(rows, expected):
    pairs, _ = pair(*rows)
    assert len(pairs) == len(expected)
    for got, want in zip(pairs.to_dict("records"), expected, strict=True):
        for key, value in want.items():
            assert got[key] == (pytest.approx(value) if isinstance(value, float) else value), key


def test_different_periods_are_never_compared_and_are_listed_instead():
    pairs, unmatched = pair(fig("x", "AAA", "BBB", "exports", 1000, FY), fig("m", "BBB", "AAA", "imports", 400, H1))
    assert pairs.empty
    assert sorted(zip(unmatched.reporter, unmatched.period_end)) == [("AAA", FY[1]), ("BBB", H1[1])]
    assert unmatched.set_index("reporter").loc["AAA", "other_periods"] == (H1,)


def test_a_country_without_figures_of_its_own_has_no_pairs():
    pairs, unmatched = pair(fig("x", "AAA", "BBB", "exports", 1000), fig("t", "AAA", "CCC", "turnover", 5))
    assert pairs.empty and unmatched.empty


def test_a_group_that_nobody_reports_for_never_pairs():
    pairs, _ = pair(fig("w", "AAA", "WLD", "exports", 10), fig("v", "BBB", "AAA", "imports", 10))
    assert pairs.empty


GROUPED = pd.concat([COUNTRIES, pd.DataFrame([
    {"code": "GGG", "name": "G", "kind": "group", "groups": None, "borders": None},
])], ignore_index=True)


@pytest.mark.parametrize(("rows", "focus", "expected"), [
    # a group that reports as one (a customs union, the EU) pairs like a country, as the focus
    ([fig("x", "GGG", "CCC", "exports", 1000), fig("m", "CCC", "GGG", "imports", 1060)], "GGG",
     [("CCC", "GGG", "CCC", "GGG", "CCC")]),
    # ... and as the partner of the focus
    ([fig("x", "AAA", "GGG", "exports", 1000), fig("m", "GGG", "AAA", "imports", 1200)], "AAA",
     [("GGG", "AAA", "GGG", "AAA", "GGG")]),
    # a pair without the focus is paired too; its page is the later code's
    ([fig("x", "BBB", "CCC", "exports", 1000), fig("m", "CCC", "BBB", "imports", 1100)], "AAA",
     [("CCC", "BBB", "CCC", "BBB", "CCC")]),
])
def test_any_two_economies_that_report_each_other_are_paired(rows, focus, expected):
    pairs, _ = mirror.pair(pd.DataFrame(rows), GROUPED, focus)
    columns = ["country", "reporter_a", "reporter_b", "exporter", "importer"]
    assert list(pairs[columns].itertuples(index=False, name=None)) == expected


@hypothesis_settings(deadline=None, max_examples=25)  # a pandas pairing per example: slow, not wrong
@given(focus=st.sampled_from(["AAA", "BBB", "CCC", "GGG"]), value=st.floats(1, 1e6))
def test_the_focus_is_side_a_of_every_pair_it_is_in(focus, value):
    codes = ["AAA", "BBB", "CCC", "GGG"]
    rows = [fig(f"{a}-{b}", a, b, "turnover", value) for a in codes for b in codes if a != b]
    pairs, _ = mirror.pair(pd.DataFrame(rows), GROUPED, focus)
    assert len(pairs) == 6  # every two of the four, once
    with_focus = pairs[(pairs.reporter_a == focus) | (pairs.reporter_b == focus)]
    assert len(with_focus) == 3 and set(with_focus.reporter_a) == {focus} and focus not in set(pairs.country)


@given(x=st.floats(50, 1e6), m=st.floats(50, 1e6))
def test_the_discrepancy_index_and_gap_agree_on_who_records_more(x, m):
    stats = mirror.measure(x, m, 1.0)
    assert -1 <= stats["index"] <= 1
    if m > x:
        assert stats["index"] < 0 and stats["gap"] > 0 and stats["higher"] == "importer"
    elif m < x:
        assert stats["index"] > 0 and stats["gap"] < 0 and stats["higher"] == "exporter"


def test_tajikistan_2025_pair_is_computed_from_the_two_published_figures():
    from trademirror import package

    from .conftest import REAL_DESCRIPTOR

    data = package.load(REAL_DESCRIPTOR)
    pairs, _ = mirror.pair(data.figures, data.countries, "CHN")
    row = pairs[(pairs.x_id == "chn-tjk-exports-2025") & (pairs.m_id == "tjk-chn-imports-2025")].iloc[0]
    x = data.figures.set_index("id").loc["chn-tjk-exports-2025", "value_mn"]
    m = data.figures.set_index("id").loc["tjk-chn-imports-2025", "value_mn"]
    assert (row.exporter, row.importer, row.factor) == ("CHN", "TJK", 1.0)  # the two share a border
    assert row.gap == pytest.approx(m / x - 1) and row.gap_mn == m - x
    assert row.classification == "large"



@hypothesis_settings(deadline=None, max_examples=50)
@given(x=st.floats(min_value=1, max_value=1e6), m=st.floats(min_value=1, max_value=1e6))
def test_the_gaps_download_keeps_the_measures_the_pages_leave_out(x, m):
    from trademirror.mirror import GAPS_COLUMNS, gaps_table

    pairs, _ = pair(fig("x", "AAA", "CCC", "exports", x), fig("m", "CCC", "AAA", "imports", m))
    table = gaps_table(pairs)
    assert list(table.columns) == GAPS_COLUMNS
    row = table.iloc[0]
    assert row.x_value_cif == pytest.approx(x * 1.06, abs=1e-3)
    assert row.gap == pytest.approx(m / (x * 1.06) - 1, abs=1e-5)
    assert row["index"] == pytest.approx((x - m) / (x + m), abs=1e-5)
    # the sign the pages state in the gap column's header: + when the receiver records more
    if abs(m - x * 1.06) > 1e-3 * m:
        assert (row.gap > 0) == (m > x * 1.06)


@pytest.mark.parametrize("x_status, m_status, expected", [
    (None, None, ("final", "final", "final")),  # an empty cell means final
    ("final", "final", ("final", "final", "final")),
    ("preliminary", None, ("preliminary", "final", "preliminary")),
    (None, "preliminary", ("final", "preliminary", "preliminary")),  # a gap is only as settled as its less settled side
])
def test_a_pair_carries_each_sides_status_and_is_preliminary_when_either_side_is(x_status, m_status, expected):
    pairs, _ = pair(dict(fig("x", "AAA", "CCC", "exports", 1000), status=x_status),
                    dict(fig("m", "CCC", "AAA", "imports", 1100), status=m_status))
    assert tuple(pairs.iloc[0][["x_status", "m_status", "status"]]) == expected


def test_figures_without_a_status_column_pair_as_final():
    pairs, _ = pair(fig("x", "AAA", "CCC", "exports", 1000), fig("m", "CCC", "AAA", "imports", 1100))
    assert pairs.iloc[0].status == "final"
