"""Each generated page's template context and charts: home, country, findings, methodology, data and changelog.

A page is made from the rows it reads (selection.Tables) and the edition's words (formatting.Words); its
tables' rows come from tablerows.py, its charts' rows and texts from chartdata.py, their specs from charts.py.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from datetime import date

from . import chartdata, charts, fmt, official, settings
from .charts import Chart, ChartData
from .formatting import Words
from .mirror import GAPS_FILE
from .package import NOT_STATED
from .report import Problem
from .selection import (
    Tables,
    between,
    findings_for,
    full_year_flows,
    full_years,
    in_year,
    largest_gaps,
    latest_balance,
    region_year,
    widest_first,
)
from .tablerows import derived_rows, figure_rows, finding_items, indicator_rows, pair_rows, unmatched_items


@dataclass
class Page:
    path: str  # relative to docs/, e.g. "countries/tajikistan.md"
    template: str
    context: dict = field(default_factory=dict)
    charts: list[Chart] = field(default_factory=list)
    leads_with_chart: bool = False  # the first chart goes above everything else, under the lead paragraph


def specs(w: Words, shown: list[ChartData]) -> list[Chart]:
    return [charts.chart(chart, w.locale) for chart in shown]


# --- the home page ------------------------------------------------------------------------------------------


def home(t: Tables, w: Words, countries: list[str], pairs: list[dict] | None = None) -> Page:
    """`pairs` are the rows of every pair (tablerows.pair_rows at the site's root), when the caller has them."""
    prefix = ""
    return Page("index.md", "home.md.j2", {
        "lead": home_lead(t, w), "finding": home_finding(t, w), "numbers": region_numbers(t, w, prefix),
        **compared_with_members(t, w, prefix),
        "pairs": pair_rows(t, w, t.pairs, prefix) if pairs is None else pairs,
        "countries": [w.country_link(code, prefix) for code in countries],
        "finding_count": len(t.findings),
    }, charts=specs(w, chartdata.region_charts(t, w)), leads_with_chart=True)


def home_lead(t: Tables, w: Words) -> str:
    """The home page's opening: the focus reporter's agency and its partners', as the sources name them."""
    c, f, focus = w.cat, t.figures, w.focus
    own = w.agency_kinds(f[f.reporter == focus]) or [NOT_STATED]
    partners = w.agency_kinds(f[(f.partner == focus) & (f.reporter != focus)]) or [NOT_STATED]

    def either(words: list[str]) -> str:
        text = words[0]
        for word in words[1:]:
            text = c.text("agency.or", a=text, b=word)
        return text

    return c.t("home.lead", focus=w.said[focus],
               focus_agency=either([c.text(f"agency.service.{k}", country=w.said[focus]) for k in own]),
               partner_agencies=either([c.text(f"agency.plural.{k}") for k in partners]))


def home_finding(t: Tables, w: Words) -> str | None:
    """How many pairs are far apart, and the widest gap of the focus reporter's."""
    widest = largest_gaps(t.pairs, w.focus)
    if widest.empty:
        return None
    first = widest.iloc[0]
    apart = int(t.pairs.classification.isin(["notable", "large"]).sum())
    return w.cat.t("home.finding", focus=w.said[w.focus], apart=apart, total=len(t.pairs),
                   consistent=w.pct(settings.CONSISTENT_MAX, False), sentence=w.pair_sentence(first),
                   period=w.period(first.period_start, first.period_end))


def region_numbers(t: Tables, w: Words, prefix: str) -> dict | None:
    """The focus reporter's latest full-year trade with the region, and its growth over the year before."""
    found = region_year(t, w.focus, w.region)
    if found is None:
        return None
    r, x, m, growth = found
    c, focus = w.cat, w.focus
    return {
        "turnover": c.t("home.region_turnover", year=r.period_start.year, focus=w.said[focus],
                        agency=w.agency(focus, r.source_id), region=w.said[w.region],
                        value=w.figure_link(r, prefix),
                        exports=w.figure_link(x.iloc[0], prefix) if len(x) else "–",
                        imports=w.figure_link(m.iloc[0], prefix) if len(m) else "–"),
        "growth": c.t("home.region_growth", source_owner=w.source_label(growth.source_id.iloc[0]),
                      change=w.linked(w.pct(growth.change_pct.iloc[0] / 100), growth.source_id.iloc[0], prefix))
        if len(growth) else None,
    }


def compared_with_members(t: Tables, w: Words, prefix: str) -> dict:
    """The region's members side by side in the latest full year with both flows: {"compared": rows, "year"}."""
    compared, year = [], None
    balance = latest_balance(t.figures, w.focus, w.members)
    if balance:
        year, items = balance
        turnover = full_year_flows(t.figures, "turnover", w.focus, w.members)
        for code, x, m, _ in sorted(items, key=lambda i: w.names[i[0]]):
            r = turnover[(turnover.partner == code) & in_year(turnover, year)]
            compared.append({
                "country": w.country_link(code, prefix),
                "turnover": w.with_origin(w.figure_link(r.iloc[0], prefix), r.iloc[0]) if len(r) else "–",
                "exports": w.with_origin(w.figure_link(x, prefix), x),
                "imports": w.with_origin(w.figure_link(m, prefix), m),
                "balance": w.money(x.value_mn - m.value_mn),
            })
    return {"compared": compared, "year": year}


# --- a country's page ---------------------------------------------------------------------------------------


def country(t: Tables, w: Words, code: str) -> Page:
    prefix = "../"
    figures = between(t.figures, w.focus, code)
    pairs = t.pairs[t.pairs.country == code]
    return Page(f"countries/{w.slugs[code]}.md", "country.md.j2", {
        "name": w.names[code], "said": w.said[code], "lead": country_lead(w, code, figures, prefix),
        "lead_gap": lead_gap(w, pairs),
        "figures": figure_rows(w, figures, prefix),
        "derived": derived_rows(t, w, between(t.derived, w.focus, code), prefix),
        "pairs": pair_rows(t, w, chartdata.quoted_pairs(t, w, code), prefix),
        "official": official_section(t, w, pairs, prefix),
        "unmatched": unmatched_items(t, w, code),
        "findings": finding_items(t, w, findings_for(t, code), prefix),
        "context": indicator_rows(t, w, code, prefix),
    }, charts=specs(w, chartdata.country_charts(t, w, code)), leads_with_chart=True)


def official_section(t: Tables, w: Words, pairs, prefix: str) -> dict | None:
    """The official mirror series, year by year (official.series_pairs), and the databases it comes from;
    None when the package has no such pairs for the country, so its page is made as it always was."""
    series = official.series_pairs(pairs, w.databases)
    if series.empty:
        return None
    used = sorted(set(series.x_source) | set(series.m_source))
    # Every value here is an official declaration, as the section says: no label on each of them.
    return {"pairs": pair_rows(t, dataclasses.replace(w, databases=frozenset()), series, prefix),
            "databases": ", ".join(w.sources[s].title for s in used)}


def country_lead(w: Words, code: str, figures, prefix: str) -> str | None:
    """The focus reporter's latest turnover with the country: its latest full year, else its latest period."""
    turnover = figures[(figures.reporter == w.focus) & (figures.flow == "turnover")]
    if turnover.empty:
        return None
    h = turnover.sort_values(["period_end", "period_start"], key=lambda s: s).iloc[-1]
    full = full_years(turnover)
    if not full.empty:
        h = full.sort_values("period_end").iloc[-1]
    return w.cat.t("country.lead", focus=w.said[w.focus], country=w.said[code],
                   agency=w.agency(h.reporter, h.source_id), period=w.period(h.period_start, h.period_end),
                   value=w.figure_link(h, prefix))


def lead_gap(w: Words, pairs) -> str | None:
    """The country's widest gap in money."""
    if pairs.empty:
        return None
    widest = widest_first(pairs).iloc[0]
    return w.cat.t("country.lead_gap", sentence=w.pair_sentence(widest),
                   period=w.period(widest.period_start, widest.period_end), gap=w.gap_text(widest))


# --- the site's other pages ---------------------------------------------------------------------------------


def findings_page(t: Tables, w: Words, pairs: list[dict] | None = None) -> Page:
    groups: dict[str, list[Problem]] = {}
    for p in t.findings:
        groups.setdefault(p.code, []).append(p)
    return Page("findings.md", "findings.md.j2", {
        "count": len(t.findings), "pairs": pair_rows(t, w, t.pairs, "") if pairs is None else pairs,
        "groups": [{"code": code, "items": finding_items(t, w, items, "")} for code, items in groups.items()],
    })


def methodology(w: Words) -> Page:
    return Page("methodology.md", "methodology.md.j2", {
        "factor": fmt.number(settings.CIF_FOB_FACTOR, 2, w.locale),
        "neighbours": fmt.number(settings.CIF_FOB_FACTOR_NEIGHBOURS, 2, w.locale),
        "consistent": w.pct(settings.CONSISTENT_MAX, False),
        "notable": w.pct(settings.NOTABLE_MAX, False),
        "large_min": w.comparison_money(settings.LARGE_MIN_MN),
        "small": w.comparison_money(settings.SMALL_FLOW_MN),
    })


def data_page(w: Words, meta: dict) -> Page:
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
               for s in sorted(w.sources.values(), key=lambda s: s.id)]
    return Page("data.md", "data.md.j2", {
        "package": meta["name"], "gaps_file": GAPS_FILE, "version": meta.get("version", ""),
        "title": meta.get("title", ""), "resources": resources, "sources": sources,
    })


def changelog_page(w: Words, version: str, changes, correction: str = "") -> Page:
    """The difference from the previous data release (see changelog.py), and why it was republished, if it was."""
    c = w.cat

    def what(row: dict) -> str:
        start, end = date.fromisoformat(row["period_start"]), date.fromisoformat(row["period_end"])
        return c.text("changelog.what", reporter=w.names.get(row["reporter"], row["reporter"]),
                      flow=w.flow_text(row["flow"], row["partner"]), period=w.period(start, end))

    def figure(row: dict) -> str:
        return c.text("changelog.figure", what=what(row),
                      value=w.comparison_money(float(row["value_mn"]), row["qualifier"]))

    def cell(field: str, value: str) -> str:
        """A changed cell as a reader reads it: money formatted, a source by its name, a word for a code."""
        if field == "value_mn":
            return w.comparison_money(float(value))
        if field == "source_id" and value in w.sources:
            return w.source_label(value)
        if field == "qualifier":
            return c.text(f"changelog.qualifier.{value}")
        return value or "–"

    def revision(item: dict) -> str:
        field = item["field"]
        source = item["row"]["source_id"]
        return c.text("changelog.revision", what=what(item["row"]), id=item["id"],
                      source=w.source_label(source) if source in w.sources else source,
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
        "version": version,
        "previous": changes.previous if changes is not None else None,
        "empty": changes.empty if changes is not None else True,
        "sections": sections,
        "correction": correction,
    })
