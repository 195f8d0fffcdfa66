"""The build: validated data package in, every generated file for docs/ out.

`compose` (composition.py) is pure (data in, list of outputs out); `build` adds the edges: reading the
package, writing through `site.write`, and reporting progress. The names other modules and the tests use
are importable from here.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from . import clock, currency, economy, fmt, inputs, languages, site, siteconfig
from .composition import compose, in_display_currency
from .errors import BuildError
from .i18n import Catalogue
from .navigation import edition_files, handwritten_pages, nav_bytes
from .package import Dataset
from .pagefiles import spec_bytes
from .paths import Paths
from .publication import published_feed, release_info
from .releases import PreviousRelease, published_before
from .report import Report
from .staging import NAV_FILE, Staging
from .validate import valid

__all__ = ["BuildError", "Summary", "build", "compose", "in_display_currency", "release_info", "spec_bytes"]


@dataclass
class Summary:
    pages: int
    charts: int
    findings: int
    written: list[str]
    unchanged: list[str]
    removed: list[str]
    seconds: float


def build(descriptor: Path, paths: Paths, log: Callable[[str], None] = print,
          previous: PreviousRelease = published_before, html: bool = False, correction: str = "",
          in_place: bool = False, input_key: str | None = None,
          validated: tuple[Report, Dataset] | None = None) -> Summary:
    """Validate, then write docs/ (and with `html`, site/): all of it, or on any failure none of it.

    `previous` finds the release to compare with (by default the last one on gh-pages; see releases.py);
    `input_key` is the inputs' hash when the caller has computed it (and found the outputs stale), and
    `validated` the package's validation (`validate.valid`) when the caller has done it.
    `correction` is the reason a published release is built again; the changelog states it. `in_place` is
    the live preview's build: it keeps the docs/ folder, replacing its changed files (see Staging.commit),
    and leaves redrawing the downloadable images to the next full build (see site.write).
    """
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
    report, data = validated or valid(descriptor, clock.today())
    log(f"      {len(report.findings)} finding(s)")
    log(f"[2/{stages}] compute   pairs, derived values, charts and pages")
    cache = economy.Cache(paths.root / economy.CACHE_FOLDER)
    outputs, nav = _compose_editions(data, report, paths, previous, correction, cache, log)
    counts = {"pages": sum(o.path.endswith(".md") for o in outputs),
              "charts": sum(o.path.endswith(".vl.json") for o in outputs), "findings": len(report.findings)}
    stamps = site.Stamps(paths.root / site.STAMPS_FILE)
    result = _publish(paths, outputs, nav, stages, _Publish(html, in_place, input_key, counts, stamps), log)
    cache.prune()
    stamps.save()
    inputs.save_digests(paths.root)
    log(f"      economies' pages: {cache.hits} from the cache, {cache.misses} made")
    log(f"[{stages}/{stages}] done      {len(result.written)} written, {len(result.unchanged)} unchanged,"
        f" {len(result.removed)} removed")
    return Summary(counts["pages"], counts["charts"], counts["findings"], result.written, result.unchanged,
                   result.removed, time.perf_counter() - started)


def _compose_editions(data: Dataset, report: Report, paths: Paths, previous: PreviousRelease, correction: str,
                      cache: economy.Cache, log: Callable[[str], None]) -> tuple[list[site.Output], dict]:
    """Every language edition's files, and the main edition's navigation."""
    before = previous(paths.root, str(data.meta.get("version", "")), currency.comparison_currency(data.settings))
    generated = site.read_manifest(paths.docs)
    handwritten = handwritten_pages(paths.docs, generated)
    site_config = siteconfig.read(paths.mkdocs_yml)
    release = release_info(data.meta, site_config, clock.today(), clock.stamp(), correction)
    outputs: list[site.Output] = []
    nav: dict = {}
    editions = languages.from_config(site_config)
    for folder in languages.leftover_folders(paths.docs, editions):
        log(f"      warning: docs/{folder} is not an edition in mkdocs.yml (extra.alternate), so it is left out"
            f" of the site — add '{folder.rstrip('/')}' back to extra.alternate to publish it, or delete the folder")
    for language in editions:
        catalogue = Catalogue(language.code)
        previous_feed = published_feed(paths.root, before, language.folder)
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
    return outputs, nav


@dataclass(frozen=True)
class _Publish:
    """How the outputs are published: with the HTML site or not, in place (the preview) or swapped whole."""

    html: bool
    in_place: bool
    input_key: str
    counts: dict
    stamps: site.Stamps


def _publish(paths: Paths, outputs: list[site.Output], nav: dict, stages: int, how: _Publish,
             log: Callable[[str], None]) -> site.WriteResult:
    """Write docs/ and nav.yml (and with `how.html`, site/) in staging, then switch them in together."""
    from .htmlsite import HtmlError, build_html

    nav_text = nav_bytes(nav)
    with Staging(paths) as staging:
        log(f"[3/{stages}] write     {paths.docs}")
        result = site.write(staging.docs, outputs, defer=_download_image if how.in_place else None,
                            stamps=how.stamps)
        site.atomic_write(staging.nav, nav_text)
        if how.html:
            log(f"[4/{stages}] html      mkdocs build --strict -> {paths.site}")
            if not (paths.root / NAV_FILE).exists():  # first build: mkdocs.yml INHERITs a nav.yml that must exist
                site.atomic_write(paths.root / NAV_FILE, nav_text)
            try:
                build_html(paths.mkdocs_yml, staging.docs, staging.site, nav)
            except HtmlError as exc:
                raise BuildError(f"{exc} — nothing was changed") from None
        inputs.record(staging.docs, how.input_key, how.counts)
        if how.html:
            inputs.record(staging.site, how.input_key, how.counts)
        staging.commit(in_place=how.in_place)
    return result


def _download_image(path: str) -> bool:
    """A chart image only offered for download (PNG, card, the titled SVG), not the ones the page shows."""
    return path.endswith(".png") or (path.endswith(".svg") and not path.endswith((".page.svg", ".phone.svg")))
