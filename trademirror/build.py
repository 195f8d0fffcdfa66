"""The build: validated data package in, every generated file for docs/ out.

`compose` is pure (data in, list of outputs out); `build` adds the edges:
reading the package, writing through `site.write`, and reporting progress.
"""

from __future__ import annotations

import dataclasses
import functools
import json
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import yaml

from . import (
    changelog,
    charts,
    checks,
    clock,
    currency,
    derive,
    economy,
    feed,
    fmt,
    inputs,
    languages,
    mirror,
    pages,
    resources,
    site,
    spreadsheet,
)
from .changelog import Release
from .errors import UserError
from .i18n import Catalogue, title_text
from .package import Dataset
from .paths import Paths
from .releases import LATEST, PreviousRelease, published_before
from .report import Report
from .staging import NAV_FILE, Staging
from .validate import validate


class BuildError(UserError):
    """The build cannot go on; the message is one line for the user, `report` the validation that stopped it."""


@dataclass
class Summary:
    pages: int
    charts: int
    findings: int
    written: list[str]
    unchanged: list[str]
    removed: list[str]
    seconds: float


def spec_bytes(spec: dict) -> bytes:
    return (json.dumps(spec, indent=1, sort_keys=True, ensure_ascii=False) + "\n").encode("utf-8")


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


def site_extra(catalogue: Catalogue, release: dict, folder: str) -> dict:
    """Settings the theme templates read (citation, feed, social image), in the edition's language."""
    return {"release": release, "edition_folder": folder,
            "cite": {"title": catalogue.text("cite.title"), "lead": catalogue.text("cite.lead"),
                     "text": catalogue.text("cite.text", site="{site}", page="{page}", version="{version}",
                                            date="{date}", url="{url}")},
            "feed": {"title": catalogue.text("feed.title", site=release["site_name"]), "path": feed.FEED_FILE},
            "release_texts": {key: catalogue.text(f"release.{key}", version="{version}", latest="{latest}")
                              for key in ("select", "latest", "notice", "notice_link", "notice_home", "missing")}}


def release_feed(catalogue: Catalogue, release: dict, folder: str, changes: changelog.Changes, report: Report,
                 previous_feed: bytes | None) -> bytes:
    base = release["url"] + folder if release["url"] else f"urn:trademirror:{release['version']}:{folder}"
    latest = release["latest"] + folder if release["latest"] else base
    entry = feed.Entry(
        id=base + "changelog.html", link=base + "changelog.html", updated=release["stamp"],
        title=catalogue.text("feed.entry_title", version=release["version"]),
        summary=catalogue.text("feed.entry_summary", added=len(changes.added), revised=len(changes.revised),
                               removed=len(changes.removed), findings=len(report.findings)))
    entries = feed.with_release(feed.previous_entries(previous_feed), entry)
    return feed.atom(catalogue.text("feed.title", site=release["site_name"]), catalogue.text("feed.subtitle"),
                     latest + feed.FEED_FILE, latest, release["site_name"], catalogue.locale, entries)


def release_info(meta: dict, site_config: dict, today, stamp: str = "", correction: str = "") -> dict:
    """The release a build publishes: its version, its date, the address mike will publish it at, and, when it
    is republished, the correction that is the reason."""
    version = str(meta.get("version", ""))
    base = str(site_config.get("site_url") or "").rstrip("/")
    url = f"{base}/{version}/" if base and version else (f"{base}/" if base else "")
    return {"version": version, "date": today.isoformat(), "stamp": stamp or f"{today.isoformat()}T00:00:00Z",
            "correction": correction, "url": url, "site_url": f"{base}/" if base else "",
            "latest": f"{base}/{LATEST}/" if base else "",
            "site_name": str(site_config.get("site_name") or meta.get("title") or meta.get("name", ""))}


def _compose(data: Dataset, report: Report, catalogue: Catalogue, previous: Release | None,
             handwritten: tuple[str, ...], release: dict, folder: str, display: str | None,
             cache: economy.Cache) -> tuple[list[site.Output], dict]:
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
    make = functools.partial(_made, views=views, env=env, catalogue=catalogue, edition_url=edition_url,
                             embed_source=embed_source)
    countries = views.partner_countries()
    for page in views.site_pages(countries) + [views.changelog_page(changes, release.get("correction", ""))]:
        outputs += _page_outputs(make(page))
    edition = _edition_digest(shown, views, catalogue, display, release, edition_url, embed_source)
    for code, selected in views.economy_rows(countries).items():
        key = economy.edition_digest(edition, code, selected.key)
        made = cache.get(key)
        if made is None:
            made = make(views.for_economy(selected.rows()).country(code))
            cache.put(key, made)
        catalogue.missing.update(made.missing)
        outputs += _page_outputs(made)
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
    gaps = gaps.encode("utf-8")
    outputs.append(site.Output(f"downloads/{mirror.GAPS_FILE}", gaps))
    outputs.append(site.Output(charts.BUNDLE_PATH, render=charts.javascript_bundle, key=charts.bundle_key()))
    nav = navigation(views, catalogue, handwritten)
    return outputs, nav, changes


def _made(page, views, env, catalogue: Catalogue, edition_url: str, embed_source: str) -> economy.Made:
    """A page's Markdown and, for each chart, its spec, data and embed page (the images are drawn later)."""
    before = set(catalogue.missing)
    text = pages.render(page, views, env, catalogue, edition_url)
    made_charts = tuple((chart.name, spec_bytes(chart.spec).decode("utf-8"), chart_csv(chart.data).decode("utf-8"),
                         pages.render_embed(page, chart, env, catalogue, embed_source)) for chart in page.charts)
    return economy.Made(page.path, text, made_charts, tuple(sorted(catalogue.missing - before)))


def _page_outputs(made: economy.Made) -> list[site.Output]:
    """The files of one made page: the page, and per chart its spec, data, embed page and images."""
    outputs = [site.Output(made.path, made.page.encode("utf-8"))]
    for number, (name, spec_text, csv_text, embed) in enumerate(made.charts):
        files = pages.chart_paths(made.path, name)
        spec = spec_text.encode("utf-8")
        key = f"{charts.renderer_version()} {site.sha256(spec)}"  # a new renderer draws every image anew
        outputs.append(site.Output(files["spec"], spec))
        outputs.append(site.Output(files["csv"], csv_text.encode("utf-8")))
        svg = site.Shared(_renderer(charts.render_svg, spec, files["svg"]))
        outputs.append(site.Output(files["svg"], render=svg, key=key))
        outputs.append(site.Output(files["png"], render=_rasteriser(svg, files["png"]),
                                   key=f"png {charts.PNG_FROM_SVG} {charts.PNG_SCALE} {key}"))
        for kind, width in (("page", charts.PAGE_WIDTH), ("phone", charts.PHONE_WIDTH)):
            draw = functools.partial(charts.render_page_svg, width=width)
            outputs.append(site.Output(files[kind], key=f"{kind} {width} {charts.STATIC_LAYOUT} {key}",
                                       render=_renderer(draw, spec, files[kind])))
        if number == 0:  # the page's headline chart is its social-media card
            outputs.append(site.Output(files["card"], key=f"card {charts.CARD_SIZE} {key}",
                                       render=_renderer(charts.render_card, spec, files["card"])))
        outputs.append(site.Output(files["embed"], embed.encode("utf-8")))
    return outputs


def _edition_digest(shown: Dataset, views, catalogue: Catalogue, display: str, release: dict, edition_url: str,
                    embed_source: str) -> str:
    """Everything an economy's page reads besides its own rows (see economy.py)."""
    tables = shown.tables
    return economy.edition_digest(
        inputs.code_digest(), catalogue.locale, display, edition_url, embed_source,
        json.dumps(release, sort_keys=True), json.dumps(shown.meta, sort_keys=True, default=str),
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


def chart_csv(frame) -> bytes:
    return spreadsheet.guard_frame(frame).to_csv(index=False, lineterminator="\n", float_format="%.4g").encode("utf-8")


def _renderer(draw: Callable[[dict], str | bytes], spec: bytes, path: str) -> Callable[[], bytes]:
    """An image's renderer, drawing from the spec's bytes as written: an image is a function of its key."""
    def render() -> bytes:
        try:
            image = draw(json.loads(spec))
        except Exception as exc:  # vl-convert raises plain exceptions for a spec it cannot draw
            raise BuildError(f"{path}: the chart could not be drawn ({exc}) — check the chart's spec beside it"
                             " (.vl.json); nothing was changed") from None
        return image.encode("utf-8") if isinstance(image, str) else image
    return render


def _rasteriser(svg: Callable[[], bytes], path: str) -> Callable[[], bytes]:
    """The PNG download's renderer: the SVG download's bytes (drawn once, see site.Shared), rasterised."""
    def render() -> bytes:
        drawn = svg()  # a chart the renderer cannot lay out fails here, with the SVG's path
        try:
            return charts.svg_png(drawn.decode("utf-8"))
        except Exception as exc:  # vl-convert raises plain exceptions
            raise BuildError(f"{path}: the chart's SVG could not be rasterised ({exc}); nothing was changed") from None
    return render


# Hand-written pages under "About", when they exist (label key, file), after the generated methodology and
# changelog: the reader's navigation is the story (overview, countries, disagreements, data); how the site is
# made sits one level down.
HANDWRITTEN_NAV = (("nav.fork", "fork.md"), ("nav.security", "security.md"))


def navigation(views, catalogue: Catalogue, handwritten: tuple[str, ...]) -> dict:
    c = catalogue
    countries = [{title_text(views.names[code]): f"countries/{views.slugs[code]}.md"}
                 for code in views.partner_countries()]
    nav = [{c.text("nav.overview"): "index.md"}]
    if countries:
        nav.append({c.text("nav.countries"): countries})
    nav += [{c.text("nav.findings"): "findings.md"}, {c.text("nav.data"): "data.md"}]
    about = [{c.text("nav.about"): "about.md"}] if "about.md" in handwritten else []
    about += [{c.text("nav.methodology"): "methodology.md"}, {c.text("nav.changelog"): "changelog.md"}]
    about += [{c.text(key): page} for key, page in HANDWRITTEN_NAV if page in handwritten]
    nav.append({c.text("nav.about_section"): about})
    return {"nav": nav}


def nav_bytes(nav: dict) -> bytes:
    return ("# Generated by build_charts.py: the site navigation, from the data.\n" + yaml.safe_dump(
        nav, allow_unicode=True, sort_keys=False)).encode("utf-8")


def edition_files(docs: Path, generated: dict, folder: str, catalogue: Catalogue) -> list[site.Output]:
    """What a language edition needs besides its generated pages: the hand-written assets, and each
    hand-written page, translated where a translation exists in docs/<lang>/, else in English with a note."""
    outputs = []
    for path in sorted(docs.rglob("*")):
        rel = path.relative_to(docs).as_posix()
        if not path.is_file() or rel in generated or rel.startswith(".") or "/." in rel:
            continue
        if rel.startswith("assets/"):
            outputs.append(site.Output(folder + rel, path.read_bytes()))
        elif "/" not in rel and rel.endswith(".md"):
            translated = docs / folder / rel
            if translated.is_file() and _edited_by_hand(translated, generated.get(folder + rel)):
                continue  # a hand-written translation (perhaps written over an earlier fallback): never touched
            note = f'<p class="tm-fallback">{catalogue.t("language.fallback")}</p>\n\n'
            english = path.read_text(encoding="utf-8")
            outputs.append(site.Output(folder + rel, (note + f'<div lang="en" markdown>\n\n{english}\n</div>\n')
                                       .encode("utf-8")))
    return outputs


def _edited_by_hand(path: Path, record: dict | None) -> bool:
    return record is None or site.sha256(path.read_bytes()) != record["output"]


def handwritten_pages(docs: Path, generated: dict) -> tuple[str, ...]:
    return tuple(sorted(p.name for p in docs.glob("*.md") if p.name not in generated))


def build(descriptor: Path, paths: Paths, log: Callable[[str], None] = print,
          previous: PreviousRelease = published_before, html: bool = False, correction: str = "",
          in_place: bool = False, input_key: str | None = None) -> Summary:
    """Validate, then write docs/ (and with `html`, site/): all of it, or on any failure none of it.

    `previous` finds the release to compare with (by default the last one on gh-pages; see releases.py);
    `input_key` is the inputs' hash when the caller has computed it (and found the outputs stale).
    `correction` is the reason a published release is built again; the changelog states it. `in_place` is
    the live preview's build: it keeps the docs/ folder, replacing its changed files (see Staging.commit),
    and leaves redrawing the downloadable images to the next full build (see site.write).
    """
    from .htmlsite import HtmlError, build_html

    started = time.perf_counter()
    unchanged = None
    if input_key is None:
        input_key = inputs.current_key(descriptor, paths)
        unchanged = inputs.up_to_date(descriptor, paths, html, input_key)
    if unchanged is not None:
        log("[1/1] unchanged: the data, pages, code and settings are those of the last build; nothing to do")
        return Summary(unchanged.get("pages", 0), unchanged.get("charts", 0), unchanged.get("findings", 0), [], [],
                       [], time.perf_counter() - started)
    fmt.forget()
    stages = 5 if html else 4
    log(f"[1/{stages}] validate  {descriptor}")
    report, data = validate(descriptor, clock.today())
    if data is None:
        raise BuildError(f"{len(report.errors)} error(s) in the data package; nothing was built", report)
    log(f"      {len(report.findings)} finding(s)")
    log(f"[2/{stages}] compute   pairs, derived values, charts and pages")
    before = previous(paths.root, str(data.meta.get("version", "")), currency.comparison_currency(data.settings))
    generated = site.read_manifest(paths.docs)
    handwritten = handwritten_pages(paths.docs, generated)
    site_config = languages.read_config(paths.mkdocs_yml) if paths.mkdocs_yml.is_file() else {}
    release = release_info(data.meta, site_config, clock.today(), clock.stamp(), correction)
    outputs: list[site.Output] = []
    nav: dict = {}
    editions = languages.from_config(site_config)
    cache = economy.Cache(paths.root / economy.CACHE_FOLDER)
    for folder in languages.leftover_folders(paths.docs, editions):
        log(f"      warning: docs/{folder} is not an edition in mkdocs.yml (extra.alternate), so it is left out"
            f" of the site — add '{folder.rstrip('/')}' back to extra.alternate to publish it, or delete the folder")
    for language in editions:
        catalogue = Catalogue(language.code)
        previous_feed = _published_feed(paths.root, before, language.folder)
        edition, edition_nav = compose(data, report, catalogue, before, language.folder, handwritten,
                                       release, previous_feed, language.currency, cache)
        if language.is_main:
            nav = edition_nav
        else:
            edition += edition_files(paths.docs, generated, language.folder, catalogue)
            edition.append(site.Output(f"{language.folder}{languages.NAV_FILE}", nav_bytes(edition_nav)))
            if catalogue.missing:
                log(f"      {language.code}: {len(catalogue.missing)} message(s) not yet in"
                    f" locales/{language.code}.yml, shown in English")
        outputs += edition
    nav_text = nav_bytes(nav).decode("utf-8")
    with Staging(paths) as staging:
        log(f"[3/{stages}] write     {paths.docs}")
        stamps = site.Stamps(paths.root / site.STAMPS_FILE)
        result = site.write(staging.docs, outputs, defer=_download_image if in_place else None, stamps=stamps)
        site.atomic_write(staging.nav, nav_text.encode("utf-8"))
        if html:
            log(f"[4/{stages}] html      mkdocs build --strict -> {paths.site}")
            if not (paths.root / NAV_FILE).exists():  # first build: mkdocs.yml INHERITs a nav.yml that must exist
                site.atomic_write(paths.root / NAV_FILE, nav_text.encode("utf-8"))
            try:
                build_html(paths.mkdocs_yml, staging.docs, staging.site, nav)
            except HtmlError as exc:
                raise BuildError(f"{exc} — nothing was changed") from None
        n_pages = sum(o.path.endswith(".md") for o in outputs)
        n_charts = sum(o.path.endswith(".vl.json") for o in outputs)
        counts = {"pages": n_pages, "charts": n_charts, "findings": len(report.findings)}
        inputs.record(staging.docs, input_key, counts)
        if html:
            inputs.record(staging.site, input_key, counts)
        staging.commit(in_place=in_place)
    cache.prune()
    stamps.save()
    log(f"      economies' pages: {cache.hits} from the cache, {cache.misses} made")
    log(f"[{stages}/{stages}] done      {len(result.written)} written, {len(result.unchanged)} unchanged,"
        f" {len(result.removed)} removed")
    return Summary(n_pages, n_charts, len(report.findings), result.written, result.unchanged, result.removed,
                   time.perf_counter() - started)


def _download_image(path: str) -> bool:
    """A chart image only offered for download (PNG, card, the titled SVG), not the ones the page shows."""
    return path.endswith(".png") or (path.endswith(".svg") and not path.endswith((".page.svg", ".phone.svg")))


def _published_feed(repo: Path, previous: Release | None, folder: str) -> bytes | None:
    if previous is None:
        return None
    from .releases import published_file

    return published_file(repo, previous.version, folder + feed.FEED_FILE)
