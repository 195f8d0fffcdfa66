"""Economy pages as a step of their own (trademirror/economy.py): made from their own rows, kept by hash.

Two promises make the cache safe, and each has its test: a page made from an
economy's rows alone is the page made from all the data (so the step reads
nothing its key leaves out), and after any series of edits, the files a build
takes from the cache are the files a build from nothing makes.
"""

from __future__ import annotations

import csv
import importlib
import shutil
import sys
from datetime import date
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from trademirror import currency, derive, economy, mirror, pages
from trademirror.build import compose, in_display_currency, release_info
from trademirror.i18n import Catalogue
from trademirror.validate import validate
from trademirror.views import Views

from .conftest import REAL_DESCRIPTOR, ROOT

sys.path.insert(0, str(ROOT / "bench"))
synth = importlib.import_module("synth")

TODAY = date(2026, 12, 1)


def _views(descriptor: Path, locale: str) -> Views:
    report, data = validate(descriptor, TODAY)
    assert data is not None, [p.line() for p in report.errors]
    shown = in_display_currency(data, currency.comparison_currency(data.settings))
    pairs, unmatched = mirror.pair(shown.figures, shown.countries, data.settings.get("focus_reporter"))
    derived = derive.derived_values(shown.figures, shown.growth)
    return Views(shown, report, pairs, unmatched, derived, Catalogue(locale))


def _made(views: Views, page) -> tuple:
    env = pages.environment()
    return (pages.render(page, views, env, views.cat),
            [(c.name, c.spec, c.data.to_csv(index=False)) for c in page.charts])


@pytest.fixture(scope="module")
def synthetic(tmp_path_factory) -> Path:
    made = synth.generate(tmp_path_factory.mktemp("economy") / "pkg", 5, years=range(2022, 2026))
    return made.descriptor


@pytest.mark.parametrize("locale", ["en", "ru"])
@pytest.mark.parametrize("which", ["real", "synthetic"])
def test_an_economys_page_from_its_own_rows_is_its_page_from_all_the_data(which, locale, synthetic):
    views = _views(REAL_DESCRIPTOR if which == "real" else synthetic, locale)
    countries = views.partner_countries()
    rows = views.economy_rows(countries)
    assert len(countries) >= 5
    for code in countries:
        alone = views.for_economy(rows[code].rows())
        assert len(alone.figures) < len(views.figures), "the economy's rows are a part of the data, not all of it"
        assert _made(alone, alone.country(code)) == _made(views, views.country(code)), code


def _figures(descriptor: Path) -> Path:
    return descriptor.parent / "data" / "figures.csv"


def _edit(folder: Path, table: str, pick: int, column: str, change) -> None:
    path = folder / "data" / f"{table}.csv"
    with path.open(encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    row = rows[pick % len(rows)]
    row[column] = change(row[column])
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(rows[0]), lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)


EDITS = {
    # a corrected figure: pages, pairs, derived values and findings of one or two economies change
    "value": lambda folder, pick, factor: _edit(folder, "figures", pick, "value",
                                                lambda v: f"{float(v) * factor:.1f}"),
    # a renamed economy: its name is in every page that mentions it
    "name": lambda folder, pick, factor: _edit(folder, "countries", pick, "name", lambda v: f"{v} {factor:.0f}"),
    # a source's publisher: every chart's source line naming it
    "publisher": lambda folder, pick, factor: _edit(folder, "sources", pick, "publisher",
                                                    lambda v: f"{v} ({factor:.0f})"),
}


def _outputs(descriptor: Path, cache: economy.Cache, today: date = TODAY) -> list[tuple]:
    report, data = validate(descriptor, today)
    assert data is not None, [p.line() for p in report.errors]
    release = release_info(data.meta, {}, today)
    files, _ = compose(data, report, Catalogue("en"), None, "", (), release, None, None, cache)
    return [(o.path, o.content, o.key) for o in files]


@pytest.fixture(scope="module")
def cached_project(tmp_path_factory, synthetic):
    """A package and a cache that lives through every example: each example edits on from the last."""
    root = tmp_path_factory.mktemp("cached")
    shutil.copytree(synthetic.parent, root / "pkg")
    descriptor, cache = root / "pkg" / "datapackage.json", economy.Cache(root / "cache")
    _outputs(descriptor, cache)
    return descriptor, cache


@settings(max_examples=5, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(edits=st.lists(st.tuples(st.sampled_from(sorted(EDITS)), st.integers(0, 10_000),
                                st.sampled_from([0.5, 1.1, 3.0, 1000.0])), min_size=1, max_size=3))
def test_after_any_edits_the_cached_build_equals_a_build_from_nothing(cached_project, edits):
    descriptor, cache = cached_project
    for kind, pick, factor in edits:
        EDITS[kind](descriptor.parent, pick, factor)
    from_cache = _outputs(descriptor, cache)
    afresh = _outputs(descriptor, economy.Cache(None))
    assert [o[0] for o in from_cache] == [o[0] for o in afresh]
    assert [o[0] for o, n in zip(from_cache, afresh, strict=True) if o != n] == []


def test_a_partners_own_figure_remakes_that_partners_page_alone(tmp_path, synthetic):
    shutil.copytree(synthetic.parent, tmp_path / "pkg")
    descriptor, cache = tmp_path / "pkg" / "datapackage.json", economy.Cache(tmp_path / "cache")
    _outputs(descriptor, cache)
    made_first = cache.misses
    with _figures(descriptor).open(encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    partner = synth.code(1)
    pick = next(n for n, r in enumerate(rows) if r["reporter"] == partner and r["flow"] == "imports")
    EDITS["value"](descriptor.parent, pick, 1.1)
    before = cache.hits, cache.misses
    _outputs(descriptor, cache)
    assert made_first >= 5
    assert (cache.hits - before[0], cache.misses - before[1]) == (made_first - 1, 1)


def test_a_cache_entry_that_cannot_be_read_is_made_again(tmp_path, synthetic):
    cache = economy.Cache(tmp_path / "cache")
    first = _outputs(synthetic, cache)
    for entry in (tmp_path / "cache").iterdir():
        entry.write_bytes(b"{not json")
    damaged = economy.Cache(tmp_path / "cache")
    assert _outputs(synthetic, damaged) == first
    assert damaged.hits == 0 and damaged.misses > 0


def test_a_build_on_another_day_takes_every_economy_page_from_the_cache(tmp_path, synthetic):
    """The build's date is in the feed and the theme, not in an economy's page: a correction made the next
    day must not remake every page."""
    cache = economy.Cache(tmp_path / "cache")
    _outputs(synthetic, cache)
    made, hits = cache.misses, cache.hits
    _outputs(synthetic, cache, date(2026, 12, 2))
    assert made >= 5 and (cache.hits - hits, cache.misses - made) == (made, 0)
