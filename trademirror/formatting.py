"""How one edition writes what its pages and charts show: money, figures, periods, sources, flows and pairs.

`Words` holds the edition's state (see edition.py: names, in-sentence names, file names, sources, rates,
catalogue and currency) and writes with it; it reads no table of figures, so one economy's page and the
whole site's pages write alike. Numbers themselves are formatted by fmt.py; every link to a source's entry
on the data page is built by `source_href`.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date
from typing import Any

import pandas as pd
from markupsafe import Markup

from . import currency, fmt, mirror
from .i18n import Catalogue, attr, md
from .package import NOT_STATED, agencies


def source_href(source_id: str, prefix: str) -> str:
    """The address of a source's entry on the data page, from a page `prefix` away from the docs root."""
    return f"{prefix}data.md#src-{source_id}"


@dataclass
class Words:
    cat: Catalogue
    locale: str
    currency: str  # the edition's display currency: every figure's value_mn is in it
    comparison: str  # the package's comparison currency: what the checks compute in
    value_field: str  # the charts' plotted column, named for the display currency
    indicator_units: list[str]  # indicator units in the display currency (GDP is set beside trade only then)
    rates: pd.DataFrame | None
    names: dict[str, str]  # code -> name for titles, tables, axes and the navigation
    said: dict[str, str]  # code -> name inside a sentence
    kinds: dict[str, str]  # code -> "country" or "group"
    sources: dict[str, Any]  # source id -> row
    focus: str
    region: str | None
    members: list[str]  # the region's countries
    slugs: dict[str, str]  # code -> the file name of its page
    databases: frozenset[str] = frozenset()  # the sources that are official databases (official.py); none: no labels

    # --- numbers --------------------------------------------------------------

    def money(self, value: float, qualifier: str = "exact") -> str:
        """An amount in millions of the display currency: a computed one (a gap, a sum) or a figure's value_mn."""
        return fmt.money_mn(value, self.currency, qualifier, self.locale)

    def comparison_money(self, value: float, qualifier: str = "exact") -> str:
        """An amount the checks computed, or a threshold of settings.py: in the package's comparison currency."""
        return fmt.money_mn(value, self.comparison, qualifier, self.locale)

    def period(self, start: date, end: date) -> str:
        return fmt.period(start, end, self.locale)

    def pct(self, value: float, signed: bool = True) -> str:
        return fmt.percent(value, 1, self.locale, signed=signed)

    def indicator_value(self, r) -> str:
        if r.unit == "percent":
            return fmt.qualified(fmt.number(r.value, 1 if r.value % 1 else 0, self.locale) + "%", r.qualifier,
                                 self.locale)
        return self.money(r.value, r.qualifier)

    # --- figures --------------------------------------------------------------

    def conversion(self, r) -> currency.Rate | None:
        """The rate a figure row was brought into the display currency with; None when it is published in it.

        Derived values (derive.py) have no currency of their own: they are computed in the display currency.
        """
        published_in = getattr(r, "currency", None)
        if not isinstance(published_in, str) or published_in == self.currency:
            return None
        row = int(getattr(r, "rate_row", currency.NO_RATE))
        rate = self.rates.iloc[row]
        return currency.Rate(row, float(r.rate), rate.period_start, rate.period_end, rate.source_id)

    def published_text(self, r) -> str:
        """A figure's value as its source printed it, in its own currency: '€516.3bn'."""
        return fmt.money_mn(r.value * currency.UNIT_IN_MN[r.unit], r.currency, r.qualifier, self.locale)

    def figure_text(self, r) -> str:
        """A figure as plain text: as published, and, in another currency than the display currency, its
        conversion stated ('€516.3bn, about US$558.8bn at the 2024 average rate'), so no converted number
        passes for a published one."""
        rate = self.conversion(r)
        if rate is None:
            return self.money(r.value_mn, r.qualifier)
        return self.cat.text("money.converted", published=self.published_text(r),
                             converted=self.money(r.value_mn),
                             rate=self.cat.text("money.rate", period=self.period(rate.start, rate.end)))

    def figure_link(self, r, prefix: str, status: str | None = None) -> Markup:
        """A figure as tables and lists show it: the published value linked to its source and, when converted,
        the rate linked to the rate's source, like every other number."""
        rate = self.conversion(r)
        if rate is None:
            return self.with_status(self.linked(self.money(r.value_mn, r.qualifier), r.source_id, prefix), status)
        said = self.cat.text("money.rate", period=self.period(rate.start, rate.end))
        text = self.cat.t("money.converted", published=self.linked(self.published_text(r), r.source_id, prefix),
                          converted=self.money(r.value_mn), rate=self.linked(said, rate.source_id, prefix))
        return self.with_status(text, status)

    def figure_value(self, r, prefix: str) -> Markup:
        """A figure row's value as tables and lists show it: linked to its source, its status beside it, and,
        in a package with official databases, whether it is a press report or an official declaration."""
        return self.with_origin(self.figure_link(r, prefix, mirror.status(r)), r)

    def with_origin(self, value: Markup, r) -> Markup:
        """A value with a label saying where its figure comes from: a press report or an official database.

        Only in a package that names official databases (`trademirror.databases`); elsewhere every figure is
        a quote and the value is shown as it is.
        """
        if not self.databases:
            return value
        origin = "official" if r.source_id in self.databases else "press"
        label = self.cat.text(f"origin.{origin}")
        return Markup(f'{value} <span class="tm-badge tm-badge--small tm-origin--{origin}">{attr(label)}</span>')

    def with_status(self, value: Markup | str, status: str | None) -> Markup:
        """A value with its status beside it; a final figure (an empty status) is shown as it is."""
        if (status or mirror.FINAL) == mirror.FINAL:
            return md(value)
        return self.cat.t("status.beside", value=md(value), status=self.cat.text(f"status.{status}"))

    # --- sources and who published a figure -----------------------------------

    def linked(self, text: str, source_id: str, prefix: str) -> Markup:
        """Text linked to its source's entry on the data page."""
        return Markup(f"[{md(text)}]({source_href(source_id, prefix)})")

    def source_label(self, source_id: str) -> str:
        s = self.sources[source_id]
        return f"{s.publisher}, {s.published}"

    def source_link(self, source_id: str, prefix: str, locator: str | None = None) -> Markup:
        return self.linked(self.source_label(source_id) + (f", {locator}" if locator else ""), source_id, prefix)

    def agency_kind(self, reporter: str, source_id: str) -> str:
        """The kind of agency a source names for a reporter's figures (sources.agency); 'not-stated' if none.

        Sentences about who recorded a figure are built from this, never assumed:
        a statistics office is not a customs service, and a source that names no
        agency must not be made to name one.
        """
        return agencies(getattr(self.sources[source_id], "agency", None)).get(reporter, NOT_STATED)

    def agency(self, reporter: str, source_id: str) -> str:
        """Who recorded a figure, in the words the language's sentences need (agency.according.*)."""
        return self.cat.text(f"agency.according.{self.agency_kind(reporter, source_id)}",
                             country=self.said[reporter])

    def agency_kinds(self, figures: pd.DataFrame) -> list[str]:
        """The kinds of agency behind these figures, most figures first; 'not-stated' only if no kind is stated."""
        counts = Counter(self.agency_kind(r, s) for r, s in zip(figures.reporter, figures.source_id, strict=True))
        stated = [k for k, _ in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])) if k != NOT_STATED]
        return stated or ([NOT_STATED] if counts else [])

    # --- economies, flows and pairs -------------------------------------------

    def country_link(self, code: str, prefix: str) -> Markup:
        return Markup(f"[{md(self.names[code])}]({prefix}countries/{self.slugs[code]}.md)")

    def flow_text(self, flow: str, partner: str) -> str:
        return self.cat.text(f"flow.{flow}", partner=self.said.get(partner, partner))

    def gap_text(self, p) -> str:
        """The one gap measure a reader sees: the receiver against the sender, after the CIF/FOB allowance.

        Positive when the receiver records more. For small flows, where a
        percentage says little, the difference in money with the same sign.
        """
        if p.classification == "small" or pd.isna(p.gap):
            return fmt.money_mn(p.gap_mn, self.currency, "exact", self.locale, plus=True)
        return self.pct(p.gap)

    def pair_flow(self, p) -> str:
        if p.flow == "turnover":
            return self.cat.text("flow.turnover_pair")
        return self.cat.text("flow.goods", exporter=self.said[p.exporter], importer=self.said[p.importer])

    def pair_sentence(self, p) -> str:
        amount = self.money(abs(p.gap_mn))
        if p.higher == "equal":
            return self.cat.text("higher.equal")
        if p.flow == "turnover":
            key = "higher.turnover_b" if p.higher == "importer" else "higher.turnover_a"
            return self.cat.text(key, a=self.said[p.reporter_a], b=self.said[p.reporter_b], amount=amount)
        key = "higher.goods_importer" if p.higher == "importer" else "higher.goods_exporter"
        return self.cat.text(key, exporter=self.said[p.exporter], importer=self.said[p.importer], amount=amount)
