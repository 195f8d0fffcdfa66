"""One language edition's state: who the economies are, what they are called, and what it shows money in.

Built once per edition from the data package's tables that every page reads (countries, names, sources,
rates, settings) and the edition's catalogue and currency; the formatters of formatting.py write with it.
Nothing here names a country, a reporter or a year: the focus reporter and the region come from the data
package's `trademirror` settings.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter

import pandas as pd

from . import charts, currency, official
from .formatting import Words
from .i18n import Catalogue, InSentence
from .package import Dataset, codes

SLUG_MAX = 40


def slugify(text: str) -> str:
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower())[:SLUG_MAX].strip("-")


def unique_slugs(names: dict[str, str], kinds: dict[str, str] | None = None) -> dict[str, str]:
    """File names for countries: from the name where it gives a short, unique one, else from the code.

    A country keeps its name when only a group shares it (a region of one partner, named after it): the
    country is the one with a page a reader may link to.
    """
    kinds = kinds or {}
    slugs = {code: slugify(name) for code, name in names.items()}
    everyone = Counter(slugs.values())
    countries = Counter(slug for code, slug in slugs.items() if kinds.get(code) == "country")

    def unique(code: str, slug: str) -> bool:
        return bool(slug) and (countries if kinds.get(code) == "country" else everyone)[slug] == 1

    return {code: slug if unique(code, slug) else slugify(code) for code, slug in slugs.items()}


def own_names(frame: pd.DataFrame | None, locale: str) -> dict[str, tuple[str | None, str | None]]:
    """The data package's names in one language (names.csv): code -> (name, in-sentence form).

    A row for the base language ("pt") serves a regional edition ("pt-BR") that has no row of its own.
    A package from before names.csv existed has no such table, and no names of its own.
    """
    if frame is None or frame.empty:
        return {}
    base = locale.split("-")[0].split("_")[0]
    found: dict[str, tuple[str | None, str | None]] = {}
    for wanted in (base, locale) if base != locale else (locale,):
        for r in frame[frame.language == wanted].itertuples(index=False):
            found[r.code] = (r.name, r.in_sentence)
    return found


def focus_reporter(data: Dataset) -> str:
    """The reporter every page is about: the setting, else the reporter with the most figures."""
    return data.settings.get("focus_reporter") or data.figures.reporter.value_counts().sort_index().idxmax()


def words(data: Dataset, catalogue: Catalogue, display: str | None = None) -> Words:
    """The edition's formatters and state. `display` is the edition's currency (mkdocs.yml `extra.currency`);
    `data`'s value_mn must be in it (`build.in_display_currency`). By default, the package's comparison
    currency."""
    comparison = currency.comparison_currency(data.settings)
    shown = display or comparison
    countries = data.countries
    data_names = dict(zip(countries["code"], countries["name"], strict=True))
    own = own_names(data.tables.get("names"), catalogue.locale)
    # `names` label titles, tables, axes and the navigation; `said` is the form inside a sentence.
    names = {code: catalogue.country_name(code, name, own.get(code, (None, None))[0])
             for code, name in data_names.items()}
    kinds = dict(zip(countries["code"], countries["kind"], strict=True))
    region = data.settings.get("region")
    return Words(
        cat=catalogue, locale=catalogue.locale, currency=shown, comparison=comparison,
        value_field=charts.value_field(shown),
        # GDP has no rate of its own: it is set beside trade only where it is in the display currency.
        indicator_units=[u for u, code in currency.INDICATOR_CURRENCY.items() if code == shown],
        rates=data.tables.get("rates"), names=names,
        said={code: InSentence(own.get(code, (None, None))[1] or name) for code, name in names.items()},
        kinds=kinds, sources={r.id: r for r in data.sources.itertuples(index=False)},
        focus=focus_reporter(data), region=region,
        members=sorted(c for c, groups in zip(countries["code"], countries["groups"], strict=True)
                       if region and region in codes(groups)),
        slugs=unique_slugs(data_names, kinds),  # the same file names in every language
        databases=official.databases(data.settings))
