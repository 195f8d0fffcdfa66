"""One language edition composed from validated data: every generated file and the navigation, no disk.

`compose` is pure (data in, list of outputs out); build.py adds the edges: reading the package, writing
through `site.write`, and reporting progress.
"""

from __future__ import annotations

import dataclasses
import functools
import json
from pathlib import Path
from urllib.parse import urlsplit

from . import (
    bundle,
    changelog,
    checks,
    clock,
    currency,
    derive,
    economy,
    feed,
    inputs,
    mirror,
    pages,
    resources,
    site,
    spreadsheet,
)
from .changelog import Release
from .errors import BuildError
from .i18n import Catalogue
from .navigation import navigation
from .package import Dataset
from .pagefiles import made, page_outputs
from .publication import release_feed, release_info, site_extra
from .report import Report


def compose(data: Dataset, report: Report, catalogue: Catalogue, previous: Release | None = None,
            folder: str = "", handwritten: tuple[str, ...] = (), release: dict | None = None,
            previous_feed: bytes | None = None, display: str | None = None,
            cache: economy.Cache | None = None) -> tuple[list[site.Output], dict]:
    """All generated files of one language edition, plus its navigation, from validated data.

    `folder` is where the edition lives in docs/ ("" for the main language, "ru/" for another);
    `handwritten` lists the hand-written pages the navigation should link to; `release` is the data
    release's version, date and published address (for citations, embed codes and the feed); `display` is
    the edition's currency (mkdocs.yml `extra.currency`), by default the package's comparison currency;
    `cache` keeps economies' pages between builds (see economy.py), by default nowhere.
    """
    release = release or release_info(data.meta, {}, clock.today())
    outputs, nav, changes = _compose(data, report, catalogue, previous, handwritten, release, folder, display,
                                     cache or economy.Cache(None))
    outputs.append(site.Output(feed.FEED_FILE, release_feed(catalogue, release, folder, changes, report,
                                                            previous_feed)))
    nav["extra"] = site_extra(catalogue, release, folder)
    return [dataclasses.replace(o, path=folder + o.path) for o in outputs], nav


def _compose(data: Dataset, report: Report, catalogue: Catalogue, previous: Release | None,
             handwritten: tuple[str, ...], release: dict, folder: str, display: str | None,
             cache: economy.Cache) -> tuple[list[site.Output], dict, changelog.Changes]:
    from .views import Views

    display = display or currency.comparison_currency(data.settings)
    shown = in_display_currency(data, display)  # what this edition's pages, charts and gaps are in
    derived = derive.derived_values(shown.figures, shown.growth)
    focus = data.settings.get("focus_reporter")
    pairs, unmatched = mirror.pair(shown.figures, shown.countries, focus)
    views = Views(shown, report, pairs, unmatched, derived, catalogue, display)
    env = pages.environment()
    outputs: list[site.Output] = []
    current = Release(data.meta.get("version", ""), data.figures, json.loads(report.to_json())["findings"])
    changes = changelog.compare(current, previous)
    edition_url = release["url"] + folder if release["url"] else ""
    embed_source = catalogue.text("chart.embed_source", site=release["site_name"], version=release["version"])
    make = functools.partial(made, views=views, env=env, catalogue=catalogue, edition_url=edition_url,
                             embed_source=embed_source)
    countries = views.partner_countries()
    for page in views.site_pages(countries) + [views.changelog_page(changes, release.get("correction", ""))]:
        outputs += page_outputs(make(page))
    edition = _edition_digest(shown, views, catalogue, display, edition_url, embed_source)
    for code, selected in views.economy_rows(countries).items():
        key = economy.edition_digest(edition, code, selected.key)
        page = cache.get(key)
        if page is None:
            page = make(views.for_economy(selected.rows()).country(code))
            cache.put(key, page)
        catalogue.missing.update(page.missing)
        outputs += page_outputs(page)
    outputs += _downloads(data, report, pairs, display)
    outputs.append(site.Output(bundle.BUNDLE_PATH, render=bundle.javascript_bundle, key=bundle.bundle_key()))
    return outputs, navigation(views, catalogue, handwritten), changes


def _downloads(data: Dataset, report: Report, pairs, display: str) -> list[site.Output]:
    """The data as readers download it: each table (guarded for spreadsheets), the package as a zip, the
    validation report and the gaps table."""
    outputs = []
    files = {}
    text_fields = {r["path"]: {f["name"] for f in r["schema"]["fields"] if f["type"] == "string"}
                   for r in data.meta["resources"]}
    for rel in sorted(data.files.values()):
        raw = data.raw[rel]  # the bytes validation read and accepted: the package folder is not read again
        # The CSV downloads are for spreadsheets, so formulas are defused; the zip is the package as published.
        name = Path(urlsplit(rel).path).name if resources.is_remote(rel) else Path(rel).name
        outputs.append(site.Output(f"downloads/{name}", spreadsheet.guard_csv(raw, text_fields[rel])))
        if not resources.is_remote(rel):  # a remote resource is published by its address, in datapackage.json
            files[rel] = raw
    files["datapackage.json"] = data.raw[resources.DESCRIPTOR]
    outputs.append(site.Output(f"downloads/{data.meta['name']}.zip", site.deterministic_zip(files)))
    outputs.append(site.Output("downloads/validation-report.json", report.to_json().encode("utf-8")))
    gaps = spreadsheet.guard_frame(mirror.gaps_table(pairs, display)).to_csv(index=False, lineterminator="\n")
    outputs.append(site.Output(f"downloads/{mirror.GAPS_FILE}", gaps.encode("utf-8")))
    return outputs


def _edition_digest(shown: Dataset, views, catalogue: Catalogue, display: str, edition_url: str,
                    embed_source: str) -> str:
    """Everything an economy's page reads besides its own rows (see economy.py)."""
    tables = shown.tables
    return economy.edition_digest(
        # Of the release, a page reads its address and the embed line (its date is in the theme and the feed):
        # a correction made on another day must not remake every page.
        inputs.code_digest(), catalogue.locale, display, edition_url, embed_source,
        json.dumps(shown.meta, sort_keys=True, default=str),
        str(views.focus), str(views.region),
        *(economy.table_bytes(tables.get(name)) for name in ("countries", "names", "sources", "rates")))


def in_display_currency(data: Dataset, display: str) -> Dataset:
    """The data with every figure's value_mn in an edition's display currency, converted with rates.csv.

    Validation converted into the package's comparison currency; an edition that shows another currency
    converts again, from the figures as published, so no amount goes through two rates. A figure the
    rates cannot convert into it stops the build with the line that says which rate to add.
    """
    if display == currency.comparison_currency(data.settings):
        return data
    figures = currency.convert(data.figures, data.tables.get("rates"), display)
    shown = dataclasses.replace(data, tables={**data.tables, "figures": figures})
    problems = checks.check_currencies(shown, display)
    if problems:
        raise BuildError(f"{len(problems)} figure(s) cannot be shown in {display} (mkdocs.yml extra.currency);"
                         " nothing was built", Report(problems))
    return shown
