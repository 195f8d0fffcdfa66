"""From validated data to what each page and chart shows: one edition's pages, as its callers ask for them.

`Views` holds an edition's state, its words (formatting.Words, built by edition.py) and the tables its pages
read (selection.Tables), and hands them to the steps that do the work: contexts.py for the pages,
chartdata.py and charts.py for the charts, tablerows.py for the finding sentences. `for_economy` gives the
same views restricted to one economy's rows (see economy.py).
"""

from __future__ import annotations

import copy

import pandas as pd

from . import chartdata, contexts, edition, selection, tablerows
from .charts import Chart
from .contexts import Page
from .economy import Rows, Selected, select
from .i18n import Catalogue
from .package import Dataset
from .report import Problem, Report


class Views:
    def __init__(self, data: Dataset, report: Report, pairs: pd.DataFrame, unmatched: pd.DataFrame,
                 derived: pd.DataFrame, catalogue: Catalogue, display: str | None = None):
        """`display` is the edition's currency (mkdocs.yml `extra.currency`); `data`'s value_mn must be in it
        (`build.in_display_currency`). By default, the package's comparison currency."""
        self.meta = data.meta
        self.words = edition.words(data, catalogue, display)
        self.tables = selection.Tables(figures=data.figures, derived=derived, growth=data.growth,
                                       indicators=data.indicators, pairs=pairs, unmatched=unmatched,
                                       findings=tuple(report.findings))

    def for_economy(self, rows: Rows) -> Views:
        """These views restricted to one economy's rows (see economy.py): its page made from them is the
        page made from all the data, and reads nothing the economy's cache key does not cover."""
        view = copy.copy(self)
        view.tables = selection.Tables.of(rows)
        return view

    # --- the edition's state, as callers read it ------------------------------

    @property
    def cat(self) -> Catalogue:
        return self.words.cat

    @property
    def names(self) -> dict[str, str]:
        return self.words.names

    @property
    def said(self) -> dict[str, str]:
        return self.words.said

    @property
    def slugs(self) -> dict[str, str]:
        return self.words.slugs

    @property
    def focus(self) -> str:
        return self.words.focus

    @property
    def region(self) -> str | None:
        return self.words.region

    @property
    def figures(self) -> pd.DataFrame:
        return self.tables.figures

    @property
    def pairs(self) -> pd.DataFrame:
        return self.tables.pairs

    def period(self, start, end) -> str:
        return self.words.period(start, end)

    def pair_flow(self, p) -> str:
        return self.words.pair_flow(p)

    def finding_sentence(self, p: Problem) -> str:
        return tablerows.finding_sentence(self.tables, self.words, p)

    # --- which pages exist ----------------------------------------------------

    def partner_countries(self) -> list[str]:
        """The economies with a page (selection.partner_countries), by name."""
        return sorted(selection.partner_countries(self.tables, self.focus, self.words.kinds),
                      key=lambda c: self.names[c])

    def economy_rows(self, countries: list[str]) -> dict[str, Selected]:
        t = self.tables
        return select(t.figures, t.derived, t.growth, t.indicators, t.pairs, t.unmatched, t.findings, countries)

    def site_pages(self, countries: list[str]) -> list[Page]:
        """The pages about the whole site; each economy's page is made on its own (see economy.py)."""
        pairs = tablerows.pair_rows(self.tables, self.words, self.tables.pairs, "")  # both pages list every pair
        return [contexts.home(self.tables, self.words, countries, pairs),
                contexts.findings_page(self.tables, self.words, pairs), self.methodology(), self.data_page()]

    # --- pages and charts -----------------------------------------------------

    def home(self, countries: list[str]) -> Page:
        return contexts.home(self.tables, self.words, countries)

    def country(self, code: str) -> Page:
        return contexts.country(self.tables, self.words, code)

    def methodology(self) -> Page:
        return contexts.methodology(self.words)

    def data_page(self) -> Page:
        return contexts.data_page(self.words, self.meta)

    def changelog_page(self, changes, correction: str = "") -> Page:
        return contexts.changelog_page(self.words, self.meta.get("version", ""), changes, correction)

    def region_charts(self) -> list[Chart]:
        return contexts.specs(self.words, chartdata.region_charts(self.tables, self.words))

    def country_charts(self, code: str) -> list[Chart]:
        return contexts.specs(self.words, chartdata.country_charts(self.tables, self.words, code))

