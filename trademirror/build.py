"""The build: validated data package in, every generated file for docs/ out.

`compose` is pure (data in, list of outputs out); `build` adds the edges:
reading the package, writing through `site.write`, and reporting progress.
"""

from __future__ import annotations

import dataclasses
import json
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import yaml

from . import changelog, charts, clock, derive, languages, mirror, pages, site, spreadsheet
from .changelog import Release
from .i18n import Catalogue, title_text
from .package import Dataset
from .paths import Paths
from .report import Report
from .staging import NAV_FILE, Staging
from .validate import validate


class BuildError(Exception):
    """The build cannot go on; the message is one line for the user."""

    def __init__(self, message: str, report: Report | None = None):
        super().__init__(message)
        self.report = report


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
            folder: str = "", handwritten: tuple[str, ...] = ()) -> tuple[list[site.Output], dict]:
    """All generated files of one language edition, plus its navigation, from validated data.

    `folder` is where the edition lives in docs/ ("" for the main language, "ru/" for another);
    `handwritten` lists the hand-written pages the navigation should link to.
    """
    outputs, nav = _compose(data, report, catalogue, previous, handwritten)
    return [dataclasses.replace(o, path=folder + o.path) for o in outputs], nav


def _compose(data: Dataset, report: Report, catalogue: Catalogue, previous: Release | None,
             handwritten: tuple[str, ...]) -> tuple[list[site.Output], dict]:
    from .views import Views

    derived = derive.derived_values(data.figures, data.growth)
    focus = data.settings.get("focus_reporter")
    pairs, unmatched = mirror.pair(data.figures, data.countries, focus)
    views = Views(data, report, pairs, unmatched, derived, catalogue)
    env = pages.environment()
    outputs: list[site.Output] = []
    current = Release(data.meta.get("version", ""), data.figures, json.loads(report.to_json())["findings"])
    all_pages = views.pages() + [views.changelog_page(changelog.compare(current, previous))]
    for page in all_pages:
        text = pages.render(page, views, env, catalogue)
        outputs.append(site.Output(page.path, text.encode("utf-8")))
        stem = f"{pages.CHART_DIR}/{pages.chart_stem(page.path)}"
        for chart in page.charts:
            spec = spec_bytes(chart.spec)
            outputs.append(site.Output(f"{stem}/{chart.name}.vl.json", spec))
            outputs.append(site.Output(f"{stem}/{chart.name}.csv", chart_csv(chart.data)))
            svg = f"{stem}/{chart.name}.svg"
            outputs.append(site.Output(svg, render=_svg_renderer(chart.spec, svg), key=site.sha256(spec)))
    files = {}
    text_fields = {r["path"]: {f["name"] for f in r["schema"]["fields"] if f["type"] == "string"}
                   for r in data.meta["resources"]}
    for rel in sorted(data.files.values()):
        raw = (data.root / rel).read_bytes()
        # The CSV downloads are for spreadsheets, so formulas are defused; the zip is the package as published.
        outputs.append(site.Output(f"downloads/{Path(rel).name}", spreadsheet.guard_csv(raw, text_fields[rel])))
        files[rel] = raw
    files["datapackage.json"] = (data.root / "datapackage.json").read_bytes()
    outputs.append(site.Output(f"downloads/{data.meta['name']}.zip", site.deterministic_zip(files)))
    outputs.append(site.Output("downloads/validation-report.json", report.to_json().encode("utf-8")))
    outputs.append(site.Output(charts.BUNDLE_PATH, render=charts.javascript_bundle, key=charts.bundle_key()))
    nav = navigation(views, catalogue, handwritten)
    return outputs, nav


def chart_csv(frame) -> bytes:
    return spreadsheet.guard_frame(frame).to_csv(index=False, lineterminator="\n", float_format="%.4g").encode("utf-8")


def _svg_renderer(spec: dict, path: str) -> Callable[[], bytes]:
    def render() -> bytes:
        try:
            return charts.render_svg(spec).encode("utf-8")
        except Exception as exc:  # vl-convert raises plain exceptions for a spec it cannot draw
            raise BuildError(f"{path}: the chart could not be drawn ({exc}) — check the chart's spec in"
                             f" {path.removesuffix('.svg')}.vl.json; nothing was changed") from None
    return render


# Hand-written pages that have a place in the navigation, when they exist (label key, file).
HANDWRITTEN_NAV = (("nav.about", "about.md"), ("nav.fork", "fork.md"), ("nav.security", "security.md"))


def navigation(views, catalogue: Catalogue, handwritten: tuple[str, ...]) -> dict:
    c = catalogue
    countries = [{title_text(views.names[code]): f"countries/{views.slugs[code]}.md"}
                 for code in views.partner_countries()]
    nav = [{c.text("nav.overview"): "index.md"}]
    if countries:
        nav.append({c.text("nav.countries"): countries})
    nav += [{c.text("nav.findings"): "findings.md"}, {c.text("nav.methodology"): "methodology.md"},
            {c.text("nav.data"): "data.md"}, {c.text("nav.changelog"): "changelog.md"}]
    nav += [{c.text(key): page} for key, page in HANDWRITTEN_NAV if page in handwritten]
    return {"nav": nav}


def nav_bytes(nav: dict) -> bytes:
    return ("# Generated by build_charts.py: the site navigation, from the data.\n" + yaml.safe_dump(
        nav, allow_unicode=True, sort_keys=False)).encode("utf-8")


def edition_files(docs: Path, generated: set[str], folder: str, catalogue: Catalogue) -> list[site.Output]:
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
            if translated.is_file() and folder + rel not in generated:
                continue  # a hand-written translation: never touched
            note = f'<p class="tm-fallback">{catalogue.t("language.fallback")}</p>\n\n'
            english = path.read_text(encoding="utf-8")
            outputs.append(site.Output(folder + rel, (note + f'<div lang="en" markdown>\n\n{english}\n</div>\n')
                                       .encode("utf-8")))
    return outputs


def handwritten_pages(docs: Path, generated: set[str]) -> tuple[str, ...]:
    return tuple(sorted(p.name for p in docs.glob("*.md") if p.name not in generated))


def build(descriptor: Path, paths: Paths, log: Callable[[str], None] = print,
          previous: Release | None | bool = True, html: bool = False) -> Summary:
    """Validate, then write docs/ (and with `html`, site/): all of it, or on any failure none of it.

    `previous` is the release to compare with; True reads it from gh-pages.
    """
    from .htmlsite import HtmlError, build_html

    started = time.perf_counter()
    stages = 5 if html else 4
    log(f"[1/{stages}] validate  {descriptor}")
    report, data = validate(descriptor, clock.today())
    if data is None:
        raise BuildError(f"{len(report.errors)} error(s) in the data package; nothing was built", report)
    log(f"      {len(report.findings)} finding(s)")
    log(f"[2/{stages}] compute   pairs, derived values, charts and pages")
    if previous is True:
        from .releases import previous_release

        previous = previous_release(paths.root, data.meta.get("version", ""))
    generated = set(site.read_manifest(paths.docs))
    handwritten = handwritten_pages(paths.docs, generated)
    outputs: list[site.Output] = []
    nav: dict = {}
    for language in languages.configured(paths.mkdocs_yml):
        catalogue = Catalogue(language.code)
        edition, edition_nav = compose(data, report, catalogue, previous or None, language.folder, handwritten)
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
        result = site.write(staging.docs, outputs)
        site.atomic_write(staging.nav, nav_text.encode("utf-8"))
        if html:
            log(f"[4/{stages}] html      mkdocs build --strict -> {paths.site}")
            if not (paths.root / NAV_FILE).exists():  # first build: mkdocs.yml INHERITs a nav.yml that must exist
                site.atomic_write(paths.root / NAV_FILE, nav_text.encode("utf-8"))
            try:
                build_html(paths.mkdocs_yml, staging.docs, staging.site, nav["nav"])
            except HtmlError as exc:
                raise BuildError(f"{exc} — nothing was changed") from None
        staging.commit()
    n_pages = sum(o.path.endswith(".md") for o in outputs)
    n_charts = sum(o.path.endswith(".vl.json") for o in outputs)
    log(f"[{stages}/{stages}] done      {len(result.written)} written, {len(result.unchanged)} unchanged,"
        f" {len(result.removed)} removed")
    return Summary(n_pages, n_charts, len(report.findings), result.written, result.unchanged, result.removed,
                   time.perf_counter() - started)
