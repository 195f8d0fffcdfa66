"""From validated data to what each page and chart shows: template contexts and chart rows.

Pure functions of the data, the validation report and a message catalogue.
Nothing here names a country, a reporter or a year: the focus reporter and the
region come from the data package's `trademirror` settings, and every country
that trades with the focus reporter gets a page.
"""

from __future__ import annotations

import copy
import dataclasses
import re
import unicodedata
from collections import Counter
from dataclasses import dataclass, field
from datetime import date

import pandas as pd
from markupsafe import Markup

from . import charts, currency, fmt, mirror, settings
from .charts import ChartText
from .economy import Rows, select
from .i18n import Catalogue, InSentence, attr, md
from .package import NOT_STATED, Dataset, agencies, codes
from .report import Problem, Report

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


def period_key(start: date, end: date) -> tuple:
    return (end, start)


@dataclass
class Chart:
    name: str
    spec: dict
    data: pd.DataFrame
    text: ChartText


@dataclass
class Page:
    path: str  # relative to docs/, e.g. "countries/tajikistan.md"
    template: str
    context: dict = field(default_factory=dict)
    charts: list[Chart] = field(default_factory=list)
    leads_with_chart: bool = False  # the first chart goes above everything else, under the lead paragraph


class Views:
    def __init__(self, data: Dataset, report: Report, pairs: pd.DataFrame, unmatched: pd.DataFrame,
                 derived: pd.DataFrame, catalogue: Catalogue, display: str | None = None):
        """`display` is the edition's currency (mkdocs.yml `extra.currency`); `data`'s value_mn must be in it
        (`build.in_display_currency`). By default, the package's comparison currency."""
        self.data, self.report, self.cat = data, report, catalogue
        self.comparison = currency.comparison_currency(data.settings)
        self.currency = display or self.comparison
        self.value_field = charts.value_field(self.currency)
        # GDP has no rate of its own: it is set beside trade only where it is in the display currency.
        self.indicator_units = [u for u, code in currency.INDICATOR_CURRENCY.items() if code == self.currency]
        self.rates = data.tables.get("rates")
        self.pairs, self.unmatched, self.derived = pairs, unmatched, derived
        self.locale = catalogue.locale
        countries = data.countries
        data_names = dict(zip(countries["code"], countries["name"], strict=True))
        own = own_names(data.tables.get("names"), self.locale)
        # `names` label titles, tables, axes and the navigation; `said` is the form inside a sentence.
        self.names = {code: catalogue.country_name(code, name, own.get(code, (None, None))[0])
                      for code, name in data_names.items()}
        self.said = {code: InSentence(own.get(code, (None, None))[1] or name) for code, name in self.names.items()}
        self.kinds = dict(zip(countries["code"], countries["kind"], strict=True))
        self.sources = {r.id: r for r in data.sources.itertuples(index=False)}
        self.figures = data.figures
        self.by_id = {r.id: r for r in data.figures.itertuples(index=False)}
        self.growth_by_id = {r.id: r for r in data.growth.itertuples(index=False)}
        self.indicator_by_id = {r.id: r for r in data.indicators.itertuples(index=False)}
        self.focus = data.settings.get("focus_reporter") or _most_frequent(data.figures.reporter)
        self.region = data.settings.get("region")
        self.members = sorted(c for c, groups in zip(countries["code"], countries["groups"], strict=True)
                              if self.region and self.region in codes(groups))
        self.slugs = unique_slugs(data_names, self.kinds)  # the same file names in every language

    def for_economy(self, rows: Rows) -> Views:
        """These views restricted to one economy's rows (see economy.py): its page made from them is the
        page made from all the data, and reads nothing the economy's cache key does not cover."""
        view = copy.copy(self)
        view.data = dataclasses.replace(self.data, tables={**self.data.tables, "figures": rows.figures,
                                                           "growth": rows.growth, "indicators": rows.indicators})
        view.report = Report(list(rows.findings))
        view.pairs, view.unmatched, view.derived = rows.pairs, rows.unmatched, rows.derived
        view.figures = rows.figures
        view.by_id = {r.id: r for r in rows.figures.itertuples(index=False)}
        view.growth_by_id = {r.id: r for r in rows.growth.itertuples(index=False)}
        view.indicator_by_id = {r.id: r for r in rows.indicators.itertuples(index=False)}
        return view

    # --- small formatters -----------------------------------------------------

    def money(self, value: float, qualifier: str = "exact") -> str:
        """An amount in millions of the display currency: a computed one (a gap, a sum) or a figure's value_mn."""
        word = self.cat.text(f"qualifier.{qualifier}")
        number = fmt.money_mn(value, self.currency, "exact", self.locale)
        return f"{word} {number}" if word else number

    def comparison_money(self, value: float, qualifier: str = "exact") -> str:
        """An amount the checks computed, or a threshold of settings.py: in the package's comparison currency."""
        word = self.cat.text(f"qualifier.{qualifier}")
        number = fmt.money_mn(value, self.comparison, "exact", self.locale)
        return f"{word} {number}" if word else number

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
        word = self.cat.text(f"qualifier.{r.qualifier}")
        number = fmt.money_mn(r.value * currency.UNIT_IN_MN[r.unit], r.currency, "exact", self.locale)
        return f"{word} {number}" if word else number

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
            return self.value_link(r.value_mn, r.qualifier, r.source_id, prefix, status)
        published = Markup(f"[{md(self.published_text(r))}]({prefix}data.md#src-{r.source_id})")
        said = md(self.cat.text("money.rate", period=self.period(rate.start, rate.end)))
        text = self.cat.t("money.converted", published=published, converted=self.money(r.value_mn),
                          rate=Markup(f"[{said}]({prefix}data.md#src-{rate.source_id})"))
        return self.with_status(text, status)

    def period(self, start: date, end: date) -> str:
        return fmt.period(start, end, self.locale)

    def pct(self, value: float, signed: bool = True) -> str:
        return fmt.percent(value, 1, self.locale, signed=signed)

    def source_label(self, source_id: str) -> str:
        s = self.sources[source_id]
        return f"{s.publisher}, {s.published}"

    def source_link(self, source_id: str, prefix: str, locator: str | None = None) -> Markup:
        label = self.source_label(source_id) + (f", {locator}" if locator else "")
        return Markup(f"[{md(label)}]({prefix}data.md#src-{source_id})")

    def value_link(self, value: float, qualifier: str, source_id: str, prefix: str, status: str | None = None
                   ) -> Markup:
        """The value linked to its source, and "(preliminary)" beside it when the source called it that."""
        link = Markup(f"[{md(self.money(value, qualifier))}]({prefix}data.md#src-{source_id})")
        return self.with_status(link, status)

    def with_status(self, value: Markup | str, status: str | None) -> Markup:
        """A value with its status beside it; a final figure (an empty status) is shown as it is."""
        if (status or mirror.FINAL) == mirror.FINAL:
            return md(value)
        return self.cat.t("status.beside", value=md(value), status=self.cat.text(f"status.{status}"))

    def figure_value(self, r, prefix: str) -> Markup:
        """A figure row's value as tables and lists show it: linked to its source, its status beside it."""
        return self.figure_link(r, prefix, mirror.status(r))

    # --- who published a figure -----------------------------------------------

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

    def home_lead(self) -> str:
        """The home page's opening: the focus reporter's agency and its partners', as the sources name them."""
        c, f = self.cat, self.figures
        own = self.agency_kinds(f[f.reporter == self.focus]) or [NOT_STATED]
        partners = self.agency_kinds(f[(f.partner == self.focus) & (f.reporter != self.focus)]) or [NOT_STATED]

        def either(words: list[str]) -> str:
            text = words[0]
            for word in words[1:]:
                text = c.text("agency.or", a=text, b=word)
            return text

        return c.t("home.lead", focus=self.said[self.focus],
                   focus_agency=either([c.text(f"agency.service.{k}", country=self.said[self.focus]) for k in own]),
                   partner_agencies=either([c.text(f"agency.plural.{k}") for k in partners]))

    def flow_text(self, flow: str, partner: str) -> str:
        return self.cat.text(f"flow.{flow}", partner=self.said.get(partner, partner))

    def country_link(self, code: str, prefix: str) -> Markup:
        return Markup(f"[{md(self.names[code])}]({prefix}countries/{self.slugs[code]}.md)")

    # --- which pages exist ----------------------------------------------------

    def partner_countries(self) -> list[str]:
        """The economies with a page: every country that trades with the focus reporter, and every economy,
        country or group, on the other side of a mirror comparison (with the focus or not), so that each
        pair the site lists links to a page that shows it."""
        f = self.figures
        involved = set(f.partner[f.reporter == self.focus]) | set(f.reporter[f.partner == self.focus])
        countries = {c for c in involved if self.kinds.get(c) == "country"}
        compared = set(self.pairs.country) | set(self.unmatched.country)
        return sorted((countries | compared) - {self.focus}, key=lambda c: self.names[c])

    def site_pages(self, countries: list[str]) -> list[Page]:
        """The pages about the whole site; each economy's page is made on its own (see economy.py)."""
        return [self.home(countries), self.findings_page(), self.methodology(), self.data_page()]

    def economy_rows(self, countries: list[str]) -> dict[str, Rows]:
        return select(self.figures, self.derived, self.data.growth, self.data.indicators, self.pairs,
                      self.unmatched, self.report.findings, countries)

    # --- rows for tables --------------------------------------------------------

    def figure_rows(self, frame: pd.DataFrame, prefix: str) -> list[dict]:
        frame = frame.sort_values(["reporter", "period_end", "period_start", "flow", "csv_line"])
        return [{
            "period": self.period(r.period_start, r.period_end),
            "reporter": self.names[r.reporter],
            "flow": self.flow_text(r.flow, r.partner),
            "value": self.figure_value(r, prefix),
            "source": self.source_link(r.source_id, prefix, r.locator),
            "note": r.note or "",
            "id": r.id,
        } for r in frame.itertuples(index=False)]

    def derived_rows(self, frame: pd.DataFrame, prefix: str) -> list[dict]:
        rows = []
        for r in frame.sort_values(["reporter", "period_end", "flow"]).itertuples(index=False):
            figure, growth = self.by_id[r.from_figure], self.growth_by_id[r.from_growth]
            rows.append({
                "period": self.period(r.period_start, r.period_end),
                "reporter": self.names[r.reporter],
                "flow": self.flow_text(r.flow, r.partner),
                "value": self.figure_text(r),
                "from": self.cat.t("country.derived_value",
                                   figure=self.figure_link(figure, prefix),
                                   change=self.source_link_text(self.pct(growth.change_pct / 100),
                                                                growth.source_id, prefix)),
            })
        return rows

    def source_link_text(self, text: str, source_id: str, prefix: str) -> Markup:
        return Markup(f"[{md(text)}]({prefix}data.md#src-{source_id})")

    def pair_rows(self, pairs: pd.DataFrame, prefix: str) -> list[dict]:
        rows = []
        for p in pairs.itertuples(index=False):
            x, m = self.by_id[p.x_id], self.by_id[p.m_id]
            rows.append({
                "country": self.country_link(p.country, prefix),
                "period": self.period(p.period_start, p.period_end),
                "flow": self.pair_flow(p),
                "x": Markup(f"{self.figure_value(x, prefix)} ({md(self.names[x.reporter])})"),
                "m": Markup(f"{self.figure_value(m, prefix)} ({md(self.names[m.reporter])})"),
                "gap": self.gap_text(p),
                "class": self.cat.text(f"classification.{p.classification}"),
                "flow_period": Markup(f"{md(self.pair_flow(p))}, {md(self.period(p.period_start, p.period_end))}"),
                "verdict": Markup(f'<span class="tm-badge tm-badge--{attr(p.classification)}">'
                                  f'{attr(self.cat.text(f"classification.{p.classification}"))}</span>'
                                  + (f' {attr(self.cat.text("status.pair"))}' if p.status == mirror.PRELIMINARY
                                     else "")),
                "status": p.status,
                "sentence": self.pair_sentence(p),
                "classification": p.classification,
            })
        return rows

    def gap_text(self, p) -> str:
        """The one gap measure a reader sees: the receiver against the sender, after the CIF/FOB allowance.

        Positive when the receiver records more. For small flows, where a
        percentage says little, the difference in money with the same sign.
        """
        if p.classification == "small" or pd.isna(p.gap):
            money = self.money(abs(p.gap_mn))
            return money if p.gap_mn == 0 else ("+" if p.gap_mn > 0 else fmt.MINUS) + money
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

    # --- findings -------------------------------------------------------------

    def finding_sentence(self, p: Problem) -> str:
        from .checks import Wording, sentence  # each kind's sentence sits beside its check (checks/kind.py)

        return sentence(p, Wording(
            text=self.cat.text, said=self.said, period=self.period, pct=self.pct, figure=self.figure_text,
            money=self.comparison_money, flow=self.flow_text, kinds=self.kinds, figures=self.by_id,
            growth=self.growth_by_id, indicators=self.indicator_by_id, locale=self.locale))

    def finding_items(self, findings: list[Problem], prefix: str) -> list[dict]:
        items = []
        for p in findings:
            involved = []
            for i in p.ids:
                if i in self.by_id:
                    r = self.by_id[i]
                    involved.append(Markup(f"{md(self.names[r.reporter])}, {md(self.flow_text(r.flow, r.partner))},"
                                           f" {md(self.period(r.period_start, r.period_end))}:"
                                           f" {self.figure_value(r, prefix)}"
                                           f" — {self.source_link(r.source_id, prefix, r.locator)}"
                                           f" (`{md(r.id)}`)"))
                else:
                    r = self.growth_by_id.get(i) or self.indicator_by_id[i]
                    involved.append(Markup(f"{self.source_link(r.source_id, prefix, r.locator)} (`{md(r.id)}`)"))
            items.append({"code": p.code, "sentence": self.finding_sentence(p), "rows": involved})
        return items

    def findings_for(self, country: str) -> list[Problem]:
        out = []
        for p in self.report.findings:
            rows = [self.by_id[i] for i in p.ids if i in self.by_id]
            indicators = [self.indicator_by_id[i] for i in p.ids if i in self.indicator_by_id]
            if any(country in (r.reporter, r.partner) for r in rows) or any(i.country == country
                                                                            for i in indicators):
                out.append(p)
        return out

    # --- charts ---------------------------------------------------------------

    def chart_text(self, title: str, alt_text: str, rows: pd.DataFrame, category: str, series: str) -> ChartText:
        reporters, publications = [], []
        for source_ids in rows["source"]:
            for sid in str(source_ids).split():
                publications.append(self.sources[sid].publisher)
        reporters = sorted(set(rows.attrs.get("reporters", [])), key=lambda c: self.names[c])
        subtitle = self.cat.text("chart.source_line",
                                 reporters=", ".join(self.names[r] for r in reporters),
                                 publications="; ".join(sorted(set(publications))))
        c = self.cat
        symbol = fmt.currency_symbol(self.currency, self.locale)
        return ChartText(title=title, subtitle=subtitle, value_axis=c.text("units.bn", symbol=symbol),
                         value_field=self.value_field, category=category,
                         series=series, value=c.text("chart.value"), status=c.text("chart.status"),
                         published=c.text("site.published"), derived=c.text("site.derived"), alt=alt_text)

    def _chart_row(self, category, series, value, qualifier, status, source, annotation=None, figure=None) -> dict:
        """A plotted row, in the display currency; its tooltip gives a figure as published, with the conversion."""
        label = self.money(value, qualifier) if figure is None else self.figure_text(figure)
        return {"category": category, "series": series, self.value_field: value / 1000,
                "label": label, "status": self.cat.text(f"site.{status}"),
                "annotation": annotation, "source": source}

    def _make(self, name: str, fn, rows: list[dict], reporters: list[str], title: str, alt_text: str,
              category: str, series: str) -> Chart:
        frame = charts.tidy(rows, self.value_field)
        frame.attrs["reporters"] = reporters
        # The focus reporter's series first, so each reporter keeps its colour from chart to chart.
        focus_name = self.names[self.focus]
        frame.attrs["series_order"] = sorted(dict.fromkeys(frame["series"]), key=lambda s: s != focus_name)
        text = self.chart_text(title, alt_text, frame, category, series)
        return Chart(name=name, spec=charts.with_locale(charts.to_spec(fn(frame, text)), self.locale), data=frame,
                     text=text)

    def full_year_flows(self, flow: str, reporter: str, partners: list[str]) -> pd.DataFrame:
        f = self.figures
        sel = f[(f.reporter == reporter) & f.partner.isin(partners) & (f.flow == flow)]
        return sel[full_year_mask(sel)]

    def region_charts(self) -> list[Chart]:
        out: list[Chart] = []
        gaps = self.region_gaps_chart()
        if gaps:
            out.append(gaps)
        focus, members, c = self.focus, self.members, self.cat
        published = self.full_year_flows("turnover", focus, members).assign(status="published")
        d = self.derived
        derived = d[(d.reporter == focus) & d.partner.isin(members) & (d.flow == "turnover")]
        derived = derived[full_year_mask(derived)].assign(status="derived")
        both = pd.concat([published, derived], ignore_index=True)
        if not published.empty:
            latest = max(published.period_start).year
            latest_rows = published[published.period_start.map(_year).eq(latest)]
            order = latest_rows.sort_values("value_mn", ascending=False).partner.tolist()
            order += sorted(set(both.partner) - set(order))
            top = self.by_id[latest_rows.sort_values(["value_mn", "id"], ascending=[False, True]).id.iloc[0]]
            rows = []
            for code in order:
                sub = both[both.partner == code].sort_values(["period_start", "status"])
                for r in sub.itertuples(index=False):
                    rows.append(self._chart_row(self.names[code], str(r.period_start.year), r.value_mn,
                                                r.qualifier, r.status, r.source_id, figure=r))
            title = c.text("chart.region_turnover.title", top=self.said[top.partner], focus=self.said[focus],
                           value=self.figure_text(top), year=latest)
            out.append(self._make("region-turnover", charts.region_turnover, rows, [focus], title,
                                  c.text("chart.region_turnover.alt", focus=self.said[focus]),
                                  c.text("chart.region_turnover.category"), c.text("chart.region_turnover.series")))
        balance = self.latest_balance()
        if balance:
            year, items = balance
            rows = []
            for code, x, m, sources in items:
                series = "surplus" if x.value_mn >= m.value_mn else "deficit"
                rows.append(self._chart_row(self.names[code],
                                            c.text(f"chart.region_balance.{series}", focus=self.names[focus]),
                                            x.value_mn - m.value_mn, "exact", "published", sources))
            deficit = [code for code, x, m, _ in items if x.value_mn < m.value_mn]
            if len(items) == 1:  # one partner: "only" and "1 of 1" would read oddly
                side = "deficit" if deficit else "surplus"
                title = c.text(f"chart.region_balance.title_single_{side}", partner=self.said[items[0][0]],
                               focus=self.said[focus], year=year)
            elif len(deficit) == 1:
                title = c.text("chart.region_balance.title_one", names=self.said[deficit[0]],
                               focus=self.said[focus], year=year)
            else:
                title = c.text("chart.region_balance.title_many", count=len(items) - len(deficit), total=len(items),
                               focus=self.said[focus], year=year)
            out.append(self._make("region-balance", charts.region_balance, rows, [focus], title,
                                  c.text("chart.region_balance.alt", focus=self.said[focus], year=year),
                                  c.text("chart.region_balance.category"), c.text("chart.region_balance.series")))
        return out

    def largest_gaps(self) -> pd.DataFrame:
        """The focus reporter's pairs with the largest gaps in money, the widest first (at most
        settings.LEAD_GAPS); pairs between two other economies are in the tables, not in this chart of the focus
        against its partners."""
        return widest_first(self.pairs[self.pairs.reporter_a == self.focus]).head(settings.LEAD_GAPS)

    def dumbbell_rows(self, pairs: pd.DataFrame, category, series) -> list[dict]:
        """Both figures of each pair as chart rows, side a's first (the focus reporter, when it is in the pair:
        see mirror.pair), the gap written once, on the other side's.

        `category(p)` names a pair's line and `series(figure)` a figure's side.
        """
        rows = []
        for p in pairs.itertuples(index=False):
            for fig in sorted([self.by_id[p.x_id], self.by_id[p.m_id]], key=lambda r: r.reporter != p.reporter_a):
                status = "preliminary" if mirror.status(fig) == mirror.PRELIMINARY else "published"
                rows.append(self._chart_row(category(p), series(fig), fig.value_mn, fig.qualifier, status,
                                            fig.source_id, self.gap_text(p) if fig.reporter != p.reporter_a else None,
                                            figure=fig))
        return rows

    def region_gaps_chart(self) -> Chart | None:
        """Where the two sides disagree most, across every country: the home page's lead chart."""
        top = self.largest_gaps()
        if top.empty:
            return None
        c, focus = self.cat, self.focus
        rows = self.dumbbell_rows(
            top, lambda p: f"{self.names[p.country]}: {self.pair_flow(p)}, {self.period(p.period_start, p.period_end)}",
            lambda fig: c.text("chart.region_gaps." + ("focus" if fig.reporter == focus else "partner"),
                               focus=self.names[focus]))
        first = top.iloc[0]
        title = c.text("chart.region_gaps.title", sentence=self.pair_sentence(first).rstrip("."),
                       period=self.period(first.period_start, first.period_end))
        return self._make("region-gaps", charts.region_gaps, rows, sorted({focus, *top.country}), title,
                          c.text("chart.region_gaps.alt", focus=self.said[focus]),
                          c.text("chart.mirror.category"), c.text("chart.region_gaps.series"))

    def latest_balance(self):
        exports = self.full_year_flows("exports", self.focus, self.members)
        imports = self.full_year_flows("imports", self.focus, self.members)
        years = sorted({s.year for s in exports.period_start} & {s.year for s in imports.period_start})
        if not years:
            return None
        year = years[-1]
        items = []
        for code in self.members:
            x = exports[(exports.partner == code) & exports.period_start.map(_year).eq(year)]
            m = imports[(imports.partner == code) & imports.period_start.map(_year).eq(year)]
            if len(x) and len(m):
                xr, mr = x.sort_values("csv_line").iloc[0], m.sort_values("csv_line").iloc[0]
                items.append((code, xr, mr, f"{xr.source_id} {mr.source_id}"))
        items.sort(key=lambda i: i[1].value_mn - i[2].value_mn, reverse=True)
        return year, items

    def country_charts(self, code: str) -> list[Chart]:
        out: list[Chart] = []
        focus, c, f = self.focus, self.cat, self.figures
        name, fname = self.names[code], self.names[focus]  # labels; the sentences (titles) use said, said_focus
        said, said_focus = self.said[code], self.said[focus]
        between = f[((f.reporter == focus) & (f.partner == code)) | ((f.reporter == code) & (f.partner == focus))]
        d = self.derived
        derived = d[((d.reporter == focus) & (d.partner == code)) | ((d.reporter == code) & (d.partner == focus))]
        # the mirror comparison leads: it is what the page is about
        pairs = self.pairs[self.pairs.country == code]
        if not pairs.empty:
            rows = self.dumbbell_rows(
                pairs, lambda p: f"{self.pair_flow(p)}, {self.period(p.period_start, p.period_end)}",
                lambda fig: self.reporter_series(fig.reporter))
            biggest = widest_first(pairs).iloc[0]
            title = c.text("chart.mirror.title", sentence=self.pair_sentence(biggest).rstrip("."),
                           period=self.period(biggest.period_start, biggest.period_end))
            # the other side of each pair: the focus reporter, or, for a pair without it, that pair's partner
            others = sorted(set(pairs.reporter_a) | set(pairs.reporter_b) - {code}, key=lambda o: o != focus)
            out.append(self._make("mirror", charts.mirror, rows, [*others, code], title,
                                  c.text("chart.mirror.alt", focus=", ".join(self.said[o] for o in others),
                                         country=said),
                                  c.text("chart.mirror.category"), c.text("chart.series")))
        # turnover over time
        turnover = pd.concat([between[between.flow == "turnover"].assign(status="published"),
                              derived[derived.flow == "turnover"].assign(status="derived")], ignore_index=True)
        if not turnover.empty:
            turnover = turnover.sort_values(["period_end", "period_start", "reporter", "status"],
                                            key=lambda s: s if s.name != "reporter" else s.ne(focus))
            rows = [self._chart_row(self.period(r.period_start, r.period_end), self.reporter_series(r.reporter),
                                    r.value_mn, r.qualifier, r.status, r.source_id, figure=r)
                    for r in turnover.itertuples(index=False)]
            pub = turnover[turnover.status == "published"]
            headline = pub[pub.reporter == focus] if (pub.reporter == focus).any() else pub
            h = headline.sort_values(["period_end", "period_start"]).iloc[-1]
            title = c.text("chart.country_turnover.title", reporter=self.names[h.reporter], country=name,
                           value=self.figure_text(h), period=self.period(h.period_start,
                                                                                            h.period_end))
            out.append(self._make("turnover", charts.country_turnover, rows, sorted(set(turnover.reporter)), title,
                                  c.text("chart.country_turnover.alt", focus=fname, country=name),
                                  c.text("chart.category"), c.text("chart.series")))
        # exports vs imports (the focus reporter's view)
        flows = pd.concat([between[(between.reporter == focus) & between.flow.isin(["exports", "imports"])]
                           .assign(status="published"),
                           derived[(derived.reporter == focus) & derived.flow.isin(["exports", "imports"])]
                           .assign(status="derived")], ignore_index=True)
        if not flows.empty:
            flows = flows.sort_values(["period_end", "period_start", "flow", "status"])
            rows = [self._chart_row(self.period(r.period_start, r.period_end),
                                    f"{fname}: {c.text(f'flow_short.{r.flow}').lower()}",
                                    r.value_mn, r.qualifier, r.status, r.source_id, figure=r)
                    for r in flows.itertuples(index=False)]
            pub = flows[flows.status == "published"]
            title = None
            for (s, e), grp in sorted(pub.groupby(["period_start", "period_end"]), key=lambda g: (g[0][1], g[0][0]),
                                      reverse=True):
                x, m = grp[grp.flow == "exports"], grp[grp.flow == "imports"]
                if len(x) and len(m) and min(x.value_mn.iloc[0], m.value_mn.iloc[0]) > 0:
                    xv, mv = x.value_mn.iloc[0], m.value_mn.iloc[0]
                    key = "title_surplus" if xv >= mv else "title_deficit"
                    ratio = fmt.number(max(xv, mv) / min(xv, mv), 1, self.locale)
                    title = c.text(f"chart.country_flows.{key}", focus=said_focus, country=said, ratio=ratio,
                                   period=self.period(s, e))
                    break
            if title is None:
                h = pub.sort_values(["period_end"]).iloc[-1] if len(pub) else flows.iloc[-1]
                title = c.text("chart.country_turnover.title", reporter=said_focus, country=said,
                               value=self.figure_text(h), period=self.period(h.period_start,
                                                                                                h.period_end))
            out.append(self._make("flows", charts.country_flows, rows, [focus], title,
                                  c.text("chart.country_flows.alt", focus=said_focus, country=said),
                                  c.text("chart.category"), c.text("chart.series")))
        context = self.context_chart(code, between)
        if context:
            out.append(context)
        return out

    def reporter_series(self, reporter: str) -> str:
        return self.names[reporter]

    def context_chart(self, code: str, between: pd.DataFrame) -> Chart | None:
        c, focus = self.cat, self.focus
        ind = self.data.indicators
        candidates = []
        gdp = ind[(ind.country == code) & (ind.indicator == "gdp") & ind.unit.isin(self.indicator_units)]
        for g in gdp.itertuples(index=False):
            candidates.append(("gdp", g.period_start, g.period_end, g.value, g.qualifier, g.source_id))
        f = self.figures
        world = f[(f.reporter == code) & (f.partner.map(self.kinds) == "group") & (f.flow == "turnover")
                  & (f.partner != self.region)]
        for w in world.itertuples(index=False):
            candidates.append(("world_turnover", w.period_start, w.period_end, w.value_mn, w.qualifier,
                               w.source_id))
        rows, title = [], None
        for kind, start, end, value, qualifier, source in sorted(candidates, key=lambda x: (x[2], x[1], x[0])):
            trade = between[(between.flow == "turnover") & (between.period_start == start)
                            & (between.period_end == end)].sort_values("reporter", key=lambda s: s.ne(focus))
            if trade.empty:
                continue
            t = trade.iloc[0]
            label = self.period(start, end)
            indicator = c.text(f"indicator.{kind}", partner=self.names[focus])
            rows.append(self._chart_row(label, c.text("chart.context.trade", focus=self.names[focus],
                                                      reporter=self.names[t.reporter]),
                                        t.value_mn, t.qualifier, "published", t.source_id, figure=t))
            rows.append(self._chart_row(label, f"{self.names[code]}: {indicator}", value, qualifier, "published",
                                        source))
            if t.value_mn > value:
                title = c.text("chart.context.title_larger", reporter=self.said[t.reporter], country=self.said[code],
                               focus=self.said[focus], indicator=indicator, period=label)
            elif title is None:
                title = c.text("chart.context.title_share", reporter=self.said[t.reporter], country=self.said[code],
                               focus=self.said[focus], indicator=indicator, period=label,
                               share=self.pct(t.value_mn / value, False))
        if not rows:
            return None
        return self._make("context", charts.context, rows, sorted({focus, code}), title,
                          c.text("chart.context.alt", focus=self.said[focus], country=self.said[code],
                                 indicator=c.text("indicator.gdp")),
                          c.text("chart.context.category"), c.text("chart.series"))

    # --- pages ----------------------------------------------------------------

    def home(self, countries: list[str]) -> Page:
        c, focus, prefix = self.cat, self.focus, ""
        region_rows = self.full_year_flows("turnover", focus, [self.region] if self.region else [])
        numbers = None
        if not region_rows.empty:
            t = region_rows.sort_values(["period_end", "csv_line"]).iloc[-1]
            year_rows = self.figures[(self.figures.reporter == focus) & (self.figures.partner == self.region)
                                     & (self.figures.period_start == t.period_start)
                                     & (self.figures.period_end == t.period_end)]
            x = year_rows[year_rows.flow == "exports"]
            m = year_rows[year_rows.flow == "imports"]
            g = self.data.growth
            growth = g[(g.reporter == focus) & (g.partner == self.region) & (g.flow == "turnover")
                       & (g.period_start == t.period_start) & (g.period_end == t.period_end)
                       & (g.base_end < t.period_start)
                       & g.base_start.map(_year).eq(t.period_start.year - 1)]
            numbers = {
                "turnover": c.t("home.region_turnover", year=t.period_start.year, focus=self.said[focus],
                                agency=self.agency(focus, t.source_id),
                                region=self.said[self.region],
                                value=self.figure_link(t, prefix),
                                exports=self.figure_link(x.iloc[0], prefix) if len(x) else "–",
                                imports=self.figure_link(m.iloc[0], prefix) if len(m) else "–"),
                "growth": c.t("home.region_growth", source_owner=self.source_label(growth.source_id.iloc[0]),
                              change=self.source_link_text(self.pct(growth.change_pct.iloc[0] / 100),
                                                           growth.source_id.iloc[0], prefix))
                if len(growth) else None,
            }
        compared, year = [], None
        balance = self.latest_balance()
        if balance:
            year, items = balance
            turnover = self.full_year_flows("turnover", focus, self.members)
            for code, x, m, _ in sorted(items, key=lambda i: self.names[i[0]]):
                t = turnover[(turnover.partner == code) & turnover.period_start.map(_year).eq(year)]
                compared.append({
                    "country": self.country_link(code, prefix),
                    "turnover": self.figure_link(t.iloc[0], prefix) if len(t) else "–",
                    "exports": self.figure_link(x, prefix),
                    "imports": self.figure_link(m, prefix),
                    "balance": self.money(x.value_mn - m.value_mn),
                })
        finding = None
        widest = self.largest_gaps()
        if not widest.empty:
            first = widest.iloc[0]
            apart = int(self.pairs.classification.isin(["notable", "large"]).sum())
            finding = c.t("home.finding", focus=self.said[focus], apart=apart, total=len(self.pairs),
                          consistent=self.pct(settings.CONSISTENT_MAX, False),
                          sentence=self.pair_sentence(first),
                          period=self.period(first.period_start, first.period_end))
        return Page("index.md", "home.md.j2", {
            "lead": self.home_lead(), "finding": finding, "numbers": numbers, "compared": compared, "year": year,
            "pairs": self.pair_rows(self.pairs, prefix),
            "countries": [self.country_link(code, prefix) for code in countries],
            "finding_count": len(self.report.findings),
        }, charts=self.region_charts(), leads_with_chart=True)

    def country(self, code: str) -> Page:
        prefix, f, focus = "../", self.figures, self.focus
        between = f[((f.reporter == focus) & (f.partner == code)) | ((f.reporter == code) & (f.partner == focus))]
        d = self.derived
        derived = d[((d.reporter == focus) & (d.partner == code)) | ((d.reporter == code) & (d.partner == focus))]
        lead = None
        ft = between[(between.reporter == focus) & (between.flow == "turnover")]
        if not ft.empty:
            h = ft.sort_values(["period_end", "period_start"], key=lambda s: s).iloc[-1]
            full = ft[full_year_mask(ft)]
            if not full.empty:
                h = full.sort_values("period_end").iloc[-1]
            lead = self.cat.t("country.lead", focus=self.said[focus], country=self.said[code],
                              agency=self.agency(h.reporter, h.source_id),
                              period=self.period(h.period_start, h.period_end),
                              value=self.figure_link(h, prefix))
        unmatched = self.unmatched_items(code)
        ind = self.data.indicators
        context = ind[ind.country == code].sort_values(["period_end", "indicator", "id"])
        context_rows = [{
            "indicator": self.cat.text(f"indicator.{r.indicator}", partner=self.said.get(r.partner or "", "")),
            "period": self.period(r.period_start, r.period_end),
            "value": Markup(f"[{md(self.indicator_value(r))}]({prefix}data.md#src-{r.source_id})"),
            "source": self.source_link(r.source_id, prefix, r.locator), "note": r.note or "",
        } for r in context.itertuples(index=False)]
        pairs = self.pairs[self.pairs.country == code]
        lead_gap = None
        if not pairs.empty:
            widest = widest_first(pairs).iloc[0]
            lead_gap = self.cat.t("country.lead_gap", sentence=self.pair_sentence(widest),
                                  period=self.period(widest.period_start, widest.period_end),
                                  gap=self.gap_text(widest))
        return Page(f"countries/{self.slugs[code]}.md", "country.md.j2", {
            "name": self.names[code], "said": self.said[code], "lead": lead, "lead_gap": lead_gap,
            "figures": self.figure_rows(between, prefix),
            "derived": self.derived_rows(derived, prefix),
            "pairs": self.pair_rows(pairs, prefix),
            "unmatched": unmatched,
            "findings": self.finding_items(self.findings_for(code), prefix),
            "context": context_rows,
        }, charts=self.country_charts(code), leads_with_chart=True)

    def unmatched_items(self, code: str) -> list[str]:
        """One line per flow that both sides publish, but never for the same period: who publishes which."""
        lines, seen = [], set()
        rows = self.unmatched[self.unmatched.country == code]
        for (reporter, flow, partner), group in rows.groupby(["reporter", "flow", "partner"], sort=False):
            if (partner, settings.MIRROR_FLOW[flow], reporter) in seen:  # the same flow seen from the other side
                continue
            seen.add((reporter, flow, partner))
            periods = ", ".join(self.period(s, e) for s, e in zip(group.period_start, group.period_end))
            others = ", ".join(self.period(s, e) for s, e in group.other_periods.iloc[0])
            lines.append(self.cat.text("country.unmatched_item", reporter=self.said[reporter],
                                       flow=self.flow_text(flow, partner), periods=periods,
                                       partner=self.said[partner], others=others))
        return lines

    def indicator_value(self, r) -> str:
        if r.unit == "percent":
            word = self.cat.text(f"qualifier.{r.qualifier}")
            value = fmt.number(r.value, 1 if r.value % 1 else 0, self.locale) + "%"
            return f"{word} {value}" if word else value
        return self.money(r.value, r.qualifier)

    def changelog_page(self, changes, correction: str = "") -> Page:
        """The difference from the previous data release (see changelog.py), and why it was republished, if it was."""
        c = self.cat

        def what(row: dict) -> str:
            start, end = date.fromisoformat(row["period_start"]), date.fromisoformat(row["period_end"])
            return c.text("changelog.what", reporter=self.names.get(row["reporter"], row["reporter"]),
                          flow=self.flow_text(row["flow"], row["partner"]), period=self.period(start, end))

        def figure(row: dict) -> str:
            return c.text("changelog.figure", what=what(row),
                          value=self.comparison_money(float(row["value_mn"]), row["qualifier"]))

        def cell(field: str, value: str) -> str:
            """A changed cell as a reader reads it: money formatted, a source by its name, a word for a code."""
            if field == "value_mn":
                return self.comparison_money(float(value))
            if field == "source_id" and value in self.sources:
                return self.source_label(value)
            if field == "qualifier":
                return c.text(f"changelog.qualifier.{value}")
            return value or "–"

        def revision(item: dict) -> str:
            field = item["field"]
            source = item["row"]["source_id"]
            return c.text("changelog.revision", what=what(item["row"]), id=item["id"],
                          source=self.source_label(source) if source in self.sources else source,
                          field=c.text(f"changelog.field.{field}") if c.has(f"changelog.field.{field}") else field,
                          old=cell(field, item["old"]), new=cell(field, item["new"]))

        def finding(f: dict) -> str:
            return c.text("changelog.finding", kind=c.text(f"findings.heading.{f['code']}"), ids=", ".join(f["ids"]))

        sections = []
        if changes is not None:
            sections = [("added", [figure(r) for r in changes.added]),
                        ("revised", [revision(r) for r in changes.revised]),
                        ("removed", [figure(r) for r in changes.removed]),
                        ("findings_new", [finding(f) for f in changes.findings_new]),
                        ("findings_gone", [finding(f) for f in changes.findings_gone])]
        return Page("changelog.md", "changelog.md.j2", {
            "version": self.data.meta.get("version", ""),
            "previous": changes.previous if changes is not None else None,
            "empty": changes.empty if changes is not None else True,
            "sections": sections,
            "correction": correction,
        })

    def findings_page(self) -> Page:
        groups: dict[str, list[Problem]] = {}
        for p in self.report.findings:
            groups.setdefault(p.code, []).append(p)
        return Page("findings.md", "findings.md.j2", {
            "count": len(self.report.findings), "pairs": self.pair_rows(self.pairs, ""),
            "groups": [{"code": code, "items": self.finding_items(items, "")} for code, items in groups.items()],
        })

    def methodology(self) -> Page:
        return Page("methodology.md", "methodology.md.j2", {
            "factor": fmt.number(settings.CIF_FOB_FACTOR, 2, self.locale),
            "neighbours": fmt.number(settings.CIF_FOB_FACTOR_NEIGHBOURS, 2, self.locale),
            "consistent": self.pct(settings.CONSISTENT_MAX, False),
            "notable": self.pct(settings.NOTABLE_MAX, False),
            "large_min": self.comparison_money(settings.LARGE_MIN_MN),
            "small": self.comparison_money(settings.SMALL_FLOW_MN),
        })

    def data_page(self) -> Page:
        meta = self.data.meta
        resources = []
        for r in meta["resources"]:
            fields = [{"name": f["name"], "type": f["type"],
                       "required": bool(f.get("constraints", {}).get("required")),
                       "description": f.get("description", "")} for f in r["schema"]["fields"]]
            resources.append({"name": r["name"], "title": r.get("title", r["name"]),
                              "file": r["path"].split("/")[-1], "fields": fields,
                              "description": r.get("description", "")})
        sources = [{"id": s.id, "publisher": s.publisher, "title": s.title, "published": s.published,
                    "url": s.url, "primary": s.primary_source}
                   for s in sorted(self.sources.values(), key=lambda s: s.id)]
        return Page("data.md", "data.md.j2", {
            "package": meta["name"], "gaps_file": GAPS_FILE, "version": meta.get("version", ""),
            "title": meta.get("title", ""), "resources": resources, "sources": sources,
        })


def widest_first(pairs: pd.DataFrame) -> pd.DataFrame:
    """Pairs by the size of their gap in money, the widest first; ties: the later period, then country and id."""
    return pairs.assign(abs_gap=pairs.gap_mn.abs()).sort_values(
        ["abs_gap", "period_end", "country", "x_id"], ascending=[False, False, True, True], kind="stable")


GAPS_FILE = "mirror-gaps.csv"
GAPS_COLUMNS = ["country", "flow", "exporter", "importer", "period_start", "period_end", "currency", "x_id", "x_value",
                "m_id",
                "m_value", "factor", "x_value_cif", "gap_mn", "gap", "index", "classification",
                "x_status", "m_status", "status"]  # status: preliminary when either side is


def gaps_table(pairs: pd.DataFrame, currency_code: str = settings.DEFAULT_CURRENCY) -> pd.DataFrame:
    """Every computed pair for download: what the pages show, plus the measures they leave to the methodology.

    The money columns (x_value, m_value, x_value_cif, gap_mn) are in millions of `currency_code`, which
    the `currency` column states on every row, so a spreadsheet never loses what its numbers are in.
    """
    table = pairs.assign(x_value_cif=(pairs.x_value * pairs.factor).round(4), gap=pairs.gap.astype(float).round(6),
                         index=pairs["index"].astype(float).round(6), currency=currency_code)
    return table[GAPS_COLUMNS]


def full_year_mask(frame: pd.DataFrame) -> pd.Series:
    """Rows covering one whole calendar year; a boolean Series, so an empty frame keeps its columns."""
    return pd.Series([fmt.is_full_year(s, e) for s, e in zip(frame.period_start, frame.period_end, strict=True)],
                     index=frame.index, dtype=bool)


def _year(d: date) -> int:
    return d.year


def _most_frequent(series: pd.Series) -> str:
    return series.value_counts().sort_index().idxmax()
