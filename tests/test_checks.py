"""Consistency checks: the contradictions in the real sources, and properties on generated packages."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from trademirror import checks, package
from trademirror.validate import validate

from .conftest import REAL_DESCRIPTOR, write_package

# The contradictions found by reading the five sources, by the rows involved.
EXPECTED_FINDINGS = {
    # China's Jan-Oct 2025 turnover with Turkmenistan is smaller than its own exports + imports.
    ("turnover-mismatch", ("chn-tkm-turnover-2025-01-10", "chn-tkm-imports-2025-01-10",
                           "chn-tkm-exports-2025-01-10")),
    # Uzbek exports to China for Jan-Oct 2025 (interview) exceed China's whole Jan-Oct turnover with Uzbekistan.
    ("component-exceeds-turnover", ("chn-uzb-turnover-2025-01-10", "chn-uzb-imports-2025-01-10")),
    # ... and are seven times China's full-year 2025 imports from Uzbekistan.
    ("part-exceeds-whole", ("chn-uzb-imports-2025", "chn-uzb-imports-2025-01-10")),
    # Kyrgyz exports to China in 2024: US$2.8bn in one source, US$2.04bn in another.
    ("conflicting-figures", ("chn-kgz-imports-2024", "chn-kgz-imports-2024-vbkg")),
    # China's trade with Kyrgyzstan exceeds Kyrgyz GDP, Jan-Oct 2025 and full-year 2025.
    ("trade-exceeds-gdp", ("chn-kgz-turnover-2025-01-10", "kgz-gdp-2025-01-10")),
    ("trade-exceeds-gdp", ("chn-kgz-turnover-2025", "kgz-gdp-2025")),
}


def test_real_package_findings_are_exactly_the_contradictions_in_the_sources():
    report, data = validate(REAL_DESCRIPTOR)
    assert report.errors == [] and data is not None
    found = {(p.code, p.ids) for p in report.findings}
    assert found == EXPECTED_FINDINGS


@pytest.mark.parametrize("value, qualifier, expected", [
    (784, "exact", (783.5, 784.5)),
    (29700, "exact", (29650, 29750)),
    (10000, "exact", (9500, 10500)),  # "$10 billion": two significant digits assumed
    (78180, "exact", (78175, 78185)),
    (8100, "over", (8100, 8200)),
    (2500, "under", (2400, 2500)),
    (16300, "approx", (16200, 16400)),
    (12, "exact", (11.5, 12.5)),
    (-5.6, "exact", (-5.65, -5.55)),
])
def test_a_published_value_stands_for_the_interval_its_rounding_allows(value, qualifier, expected):
    assert checks.bounds(value, qualifier) == pytest.approx(expected)


# --- Generated packages --------------------------------------------------------

SOURCES = [{"id": "src", "publisher": "P", "title": "T", "published": "2025", "primary_source": "A",
            "language": "en"}]


def _countries(n: int) -> list[dict]:
    rows = [{"code": "AAA", "name": "Reporterland", "kind": "country"},
            {"code": "XGR", "name": "The group", "kind": "group"}]
    rows += [{"code": f"P{i:02d}", "name": f"Partner {i}", "kind": "country", "groups": "XGR"} for i in range(n)]
    return rows


def _fig(fid, partner, flow, value, start="2024-01-01", end="2024-12-31"):
    return {"id": fid, "reporter": "AAA", "partner": partner, "flow": flow, "period_start": start,
            "period_end": end, "value": repr(value), "unit": "mn", "currency": "USD", "qualifier": "exact",
            "source_id": "src",
            "locator": "p1"}


flows = st.lists(st.tuples(st.integers(1, 900_000), st.integers(1, 900_000), st.integers(1, 99)),
                 min_size=1, max_size=6)


def consistent_tables(partners):
    """Exports, imports and turnover per partner, a group total, a part-year figure and a growth rate."""
    figures, growth = [], []
    for i, (x, m, share) in enumerate(partners):
        p = f"P{i:02d}"
        figures += [_fig(f"x{i}", p, "exports", x), _fig(f"m{i}", p, "imports", m),
                    _fig(f"t{i}", p, "turnover", x + m),
                    _fig(f"h{i}", p, "turnover", (x + m) * share // 100, end="2024-06-30")]
    total = sum(x + m for x, m, _ in partners)
    figures.append(_fig("total", "XGR", "turnover", total))
    previous = max(1, total * 9 // 10)
    figures.append(_fig("total-before", "XGR", "turnover", previous, "2023-01-01", "2023-12-31"))
    growth.append({"id": "g", "reporter": "AAA", "partner": "XGR", "flow": "turnover",
                   "period_start": "2024-01-01", "period_end": "2024-12-31", "base_start": "2023-01-01",
                   "base_end": "2023-12-31", "change_pct": repr(round((total / previous - 1) * 100, 1)),
                   "qualifier": "exact", "source_id": "src", "locator": "p1"})
    return {"figures": figures, "growth": growth, "sources": SOURCES, "countries": _countries(len(partners))}


def _findings(tmp_path_factory, tables):
    root = tmp_path_factory.mktemp("gen")
    descriptor = write_package(root, tables, settings={"focus_reporter": "AAA", "region": "XGR"})
    data = package.load(descriptor)
    return checks.run(data, today=date(2026, 1, 1))


HYPOTHESIS = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


@HYPOTHESIS
@given(partners=flows)
def test_a_consistent_package_has_no_findings(tmp_path_factory, partners):
    assert _findings(tmp_path_factory, consistent_tables(partners)) == []


def _perturbed(partners, fid, factor):
    tables = consistent_tables(partners)
    for row in tables["figures"] + tables["growth"]:
        if row["id"] == fid:
            key = "value" if "value" in row else "change_pct"
            row[key] = repr(round(float(row[key]) * factor + (25 if key == "change_pct" else 0), 1))
    return tables


@HYPOTHESIS
@given(partners=flows, pick=st.integers(0, 5), factor=st.floats(2.5, 10))
def test_inflating_one_export_figure_beyond_tolerance_yields_exactly_one_turnover_finding(
        tmp_path_factory, partners, pick, factor):
    i = pick % len(partners)
    x, m, _ = partners[i]
    factor = factor * (1 + m / x)  # the excess must exceed the rounding of the turnover as well
    found = _findings(tmp_path_factory, _perturbed(partners, f"x{i}", factor))
    assert [(p.code, p.ids) for p in found] == [("turnover-mismatch", (f"x{i}", f"m{i}", f"t{i}"))] or \
        [(p.code, set(p.ids)) for p in found] == [("turnover-mismatch", {f"x{i}", f"m{i}", f"t{i}"})]


@HYPOTHESIS
@given(partners=flows, factor=st.floats(1.5, 10))
def test_inflating_the_group_total_yields_exactly_one_group_finding(tmp_path_factory, partners, factor):
    found = _findings(tmp_path_factory, _perturbed(partners, "total", factor))
    codes = [p.code for p in found]
    # the group total also anchors the growth rate, so that check may object too
    assert codes.count("group-total-mismatch") == 1
    assert set(codes) <= {"group-total-mismatch", "growth-mismatch"}


@HYPOTHESIS
@given(partners=flows, factor=st.floats(1.5, 3))
def test_a_growth_rate_that_does_not_match_its_values_yields_exactly_one_finding(tmp_path_factory, partners, factor):
    found = _findings(tmp_path_factory, _perturbed(partners, "g", factor))
    assert [(p.code, p.ids[0]) for p in found] == [("growth-mismatch", "g")]


@HYPOTHESIS
@given(partners=flows, pick=st.integers(0, 5), factor=st.floats(2.5, 10))
def test_a_part_year_figure_larger_than_the_full_year_yields_exactly_one_finding(
        tmp_path_factory, partners, pick, factor):
    i = pick % len(partners)
    tables = consistent_tables(partners)
    x, m, _ = partners[i]
    for row in tables["figures"]:
        if row["id"] == f"h{i}":
            row["value"] = repr(round((x + m) * factor))
    found = _findings(tmp_path_factory, tables)
    assert [(p.code, set(p.ids)) for p in found] == [("part-exceeds-whole", {f"h{i}", f"t{i}"})]


@HYPOTHESIS
@given(partners=flows, pick=st.integers(0, 5), factor=st.floats(2.5, 10))
def test_a_second_source_with_a_different_value_yields_exactly_one_conflict(
        tmp_path_factory, partners, pick, factor):
    i = pick % len(partners)
    tables = consistent_tables(partners)
    x, m, _ = partners[i]
    tables["figures"].append(_fig(f"h{i}-again", f"P{i:02d}", "turnover", round((x + m) * factor) // 100 + 1,
                                  end="2024-06-30"))
    original = next(r for r in tables["figures"] if r["id"] == f"h{i}")
    if checks.overlap(checks.bounds(float(original["value"]), "exact"),
                      checks.bounds(float(tables["figures"][-1]["value"]), "exact")):
        return  # the two happen to agree within rounding: not a conflict
    found = _findings(tmp_path_factory, tables)
    conflicts = [p for p in found if p.code == "conflicting-figures"]
    assert len(conflicts) == 1 and set(conflicts[0].ids) == {f"h{i}", f"h{i}-again"}


# --- The fast checks against the row-by-row oracle ---------------------------------


def _both(tmp_path_factory, tables) -> tuple[list, list]:
    from . import reference_checks

    root = tmp_path_factory.mktemp("oracle")
    descriptor = write_package(root, tables, settings={"focus_reporter": "AAA", "region": "XGR"})
    today = date(2026, 1, 1)
    return checks.run(package.load(descriptor), today), reference_checks.run(package.load(descriptor), today)


def test_real_package_problems_are_those_of_the_row_by_row_checks_in_the_same_order():
    from . import reference_checks

    data = package.load(REAL_DESCRIPTOR)
    assert checks.run(data) == reference_checks.run(package.load(REAL_DESCRIPTOR))


@HYPOTHESIS
@given(partners=flows, picks=st.lists(st.tuples(st.sampled_from(["x", "m", "t", "h", "total", "g"]),
                                                st.integers(0, 5), st.floats(0.2, 10)), max_size=4),
       qualifier=st.sampled_from(["exact", "approx", "over", "under"]))
def test_fast_checks_return_exactly_what_the_row_by_row_checks_return(tmp_path_factory, partners, picks, qualifier):
    tables = consistent_tables(partners)
    for kind, pick, factor in picks:
        fid = kind if kind in ("total", "g") else f"{kind}{pick % len(partners)}"
        for row in tables["figures"] + tables["growth"]:
            if row["id"] == fid:
                key = "value" if "value" in row else "change_pct"
                row[key] = repr(round(float(row[key]) * factor, 1))
                row["qualifier"] = qualifier
    tables["figures"].append(dict(tables["figures"][0], id="again", value="123.4"))
    fast, oracle = _both(tmp_path_factory, tables)
    assert fast == oracle


@settings(max_examples=200, deadline=None)
@given(st.one_of(st.integers(-10**12, 10**12).map(float), st.floats(-1e9, 1e9, allow_nan=False),
                 st.decimals(-10**6, 10**6, places=4).map(float)))
def test_rounding_units_on_arrays_equal_the_scalar_rule(value):
    import numpy as np

    assert checks.rounding_units(np.array([value]))[0] == checks.rounding_unit(value)


# --- Units slips --------------------------------------------------------------------


def _side(fid, reporter, partner, flow, value, year=2024, months=12):
    row = _fig(fid, partner, flow, value, f"{year}-01-01", f"{year}-{months:02d}-{30 if months in (6, 9) else 31}")
    return dict(row, reporter=reporter)


def mirror_tables(series):
    """AAA's exports to each partner over several years, and the partner's imports from AAA: the two sides agree."""
    figures = []
    for i, (values, ratio) in enumerate(series):
        p = f"P{i:02d}"
        for year, value in enumerate(values, start=2018):
            figures.append(_side(f"x{i}-{year}", "AAA", p, "exports", value, year))
            figures.append(_side(f"m{i}-{year}", p, "AAA", "imports", round(value * ratio), year))
    return {"figures": figures, "sources": SOURCES, "countries": _countries(len(series))}


# Each partner: 3-6 years of exports, within a factor of 1.5 of each other (so a slip of 1,000 stays beyond the
# series factor of 500 from their median); the importer records 0.8-1.5 times as much.
mirror_series = st.lists(st.tuples(st.integers(1000, 90_000).flatmap(
    lambda base: st.lists(st.integers(base, base * 3 // 2), min_size=3, max_size=6)), st.floats(0.8, 1.5)),
    min_size=1, max_size=3)
UNITS_HYPOTHESIS = settings(HYPOTHESIS, max_examples=25)


@UNITS_HYPOTHESIS
@given(series=mirror_series)
def test_two_sides_that_agree_within_ordinary_gaps_are_no_units_slip(tmp_path_factory, series):
    assert _findings(tmp_path_factory, mirror_tables(series)) == []


@UNITS_HYPOTHESIS
@given(series=mirror_series, pick=st.integers(0, 100), side=st.sampled_from(["x", "m"]),
       slip=st.sampled_from([1000, 0.001]))
def test_one_figure_typed_in_the_wrong_unit_is_named_by_both_units_checks(tmp_path_factory, series, pick, side,
                                                                           slip):
    tables = mirror_tables(series)
    i = pick % len(series)
    year = 2018 + pick % len(series[i][0])
    fid, other = f"{side}{i}-{year}", f"{'m' if side == 'x' else 'x'}{i}-{year}"
    row = next(r for r in tables["figures"] if r["id"] == fid)
    row["value"] = repr(round(float(row["value"]) * slip, 3))  # 516300 typed as 516.3, or the reverse
    found = {(p.code, tuple(sorted(p.ids))) for p in _findings(tmp_path_factory, tables)}
    assert found == {("units-slip-mirror", tuple(sorted([fid, other]))), ("units-slip-series", (fid,))}


@UNITS_HYPOTHESIS
@given(series=mirror_series, slips=st.lists(st.tuples(st.integers(0, 100), st.sampled_from(["x", "m"]),
                                                      st.sampled_from([1000, 0.001, 0.0, 4.9, 6.0, 450.0])),
                                            max_size=4))
def test_fast_units_checks_return_exactly_what_the_row_by_row_checks_return(tmp_path_factory, series, slips):
    tables = mirror_tables(series)
    for pick, side, factor in slips:
        i = pick % len(series)
        fid = f"{side}{i}-{2018 + pick % len(series[i][0])}"
        row = next(r for r in tables["figures"] if r["id"] == fid)
        row["value"] = repr(round(float(row["value"]) * factor, 3))
    tables["figures"].append(dict(tables["figures"][0], id="again", value="12.5"))  # two figures, one side
    fast, oracle = _both(tmp_path_factory, tables)
    assert fast == oracle


@pytest.mark.parametrize("sender, receiver, expected", [
    (516_300, 516.3, True),  # billions typed as millions: the example in the issue
    (516.3, 516_300, True),
    (3700, 2300, False),  # a real gap (Tajik imports from China, 2025): large, but no units slip
    (100, 540, True),  # beyond 5x even at the ends of the rounding intervals (105 and 535)
    (100, 520, False),  # 5.2x as typed, but 100 may be 105 and 520 may be 515: within 5x
    (100, 499, False),
    (0, 500, False),  # a zero side is no unit
])
def test_a_mirror_pair_is_a_units_slip_only_beyond_the_factor_whatever_the_rounding(tmp_path_factory, sender,
                                                                                     receiver, expected):
    tables = {"figures": [_side("x", "AAA", "P00", "exports", sender), _side("m", "P00", "AAA", "imports", receiver)],
              "sources": SOURCES, "countries": _countries(1)}
    found = [(p.code, p.ids) for p in _findings(tmp_path_factory, tables)]
    assert found == ([("units-slip-mirror", ("x", "m"))] if expected else [])


@pytest.mark.parametrize("values, months, expected", [
    ([520, 610, 0.7, 580], [12, 12, 12, 12], {("s2",)}),  # one year typed in billions
    ([520, 610, 580_000], [12, 12, 12], {("s2",)}),  # one year typed in thousands
    ([520, 610, 45], [12, 12, 1], set()),  # a month against years: per month, nothing odd
    ([520, 610, 0.05], [12, 12, 1], {("s2",)}),  # ... unless the month is a thousand times off too
    ([520, 0.52], [12, 12], {("s0", "s1")}),  # two figures: which is wrong cannot be told, both are named
    ([520, 2.0], [12, 12], set()),  # 260x: far apart, but not the factor of a slip
    ([520, 0, 610], [12, 12, 12], set()),  # a zero is not compared
])
def test_a_figure_far_out_of_its_series_is_a_units_slip(tmp_path_factory, values, months, expected):
    figures = [_side(f"s{i}", "AAA", "P00", "exports", value, 2018 + i, m)
               for i, (value, m) in enumerate(zip(values, months))]
    found = {p.ids for p in _findings(tmp_path_factory, {"figures": figures, "sources": SOURCES,
                                                         "countries": _countries(1)}) if p.code == "units-slip-series"}
    assert found == expected


def test_a_value_in_billions_typed_as_millions_in_the_real_package_is_a_finding_naming_both_rows(tmp_path):
    import shutil

    from .conftest import PackageCopy

    shutil.copytree(REAL_DESCRIPTOR.parent, tmp_path / "pkg")
    copy = PackageCopy(tmp_path / "pkg")
    line = copy.set("figures", "chn-tjk-exports-2025", value="3.7")  # US$3.7bn typed as 3.7 million
    report, _ = validate(copy.descriptor)
    slips = [p for p in report.findings if p.code.startswith("units-slip")]
    assert [(p.code, p.row, p.ids) for p in slips] == [
        ("units-slip-mirror", line, ("chn-tjk-exports-2025", "tjk-chn-imports-2025"))]
    assert "differ 620-fold" in slips[0].message and "Tajikistan" in slips[0].message
