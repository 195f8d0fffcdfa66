"""What a reader sees, at the widths and in the schemes readers use: a real Chromium on the published site.

Each page is read at 360 px (a phone), 768 px (a tablet) and 1280 px (a laptop), in the light and the
dark scheme, served with its Content-Security-Policy as a header. Charts are drawn on the reader's first
hover, tap or focus, so pointing at each chart is part of each visit. Skipped, loudly, without /usr/bin/chromium.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from .conftest import CHROMIUM
from .serve import serve
from .test_browser import Watch, wait_for_charts

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="BROWSER TESTS SKIPPED: /usr/bin/chromium is missing — "
                       "install it with `sudo apt-get install chromium` (make test does this when run as root)"),
]

WIDTHS = (360, 768, 1280)
SCHEMES = ("light", "dark")
WIDE = 1024  # from here on, no table may need a sideways scroll


def reader_pages(served: Path) -> list[str]:
    """The overview, every country page, the findings page, and the other edition's overview and a country."""
    latest = served / "latest"
    countries = sorted(p.name for p in (latest / "countries").glob("*.html"))
    return ["latest/index.html", *(f"latest/countries/{c}" for c in countries), "latest/findings.html",
            "latest/ru/index.html", f"latest/ru/countries/{countries[0]}"]


# One look at the whole page, in the page: every number a test below needs, measured the way a reader's
# screen shows it. A function (not an expression string): the site's policy forbids eval.
MEASURE = """() => {
  const doc = document.documentElement;
  const inside = (inner, outer) => inner.left >= outer.left - 1 && inner.right <= outer.right + 1
      && inner.top >= outer.top - 1 && inner.bottom <= outer.bottom + 1;
  const charts = [...document.querySelectorAll('.tm-vega')].map(el => {
    const svg = el.querySelector('svg');
    const box = el.getBoundingClientRect();
    const out = {spec: el.dataset.spec, drawn: !!svg, width: box.width, clipped: [], cut: []};
    if (!svg) { return out; }
    const frame = svg.getBoundingClientRect();
    out.svgInside = frame.right <= box.right + 1 && frame.left >= box.left - 1;
    const axis = [...svg.querySelectorAll('.role-axis')]
        .find(a => (a.getAttribute('aria-label') || '').startsWith('X-axis'));
    const domain = axis && axis.querySelector('.role-axis-domain line, .role-axis-domain path');
    out.plot = domain ? domain.getBoundingClientRect().width : 0;
    for (const t of svg.querySelectorAll('text')) {
      if (!t.textContent) { continue; }
      if (!inside(t.getBoundingClientRect(), frame)) { out.clipped.push(t.textContent); }
      if (t.textContent.includes('…')) { out.cut.push(t.textContent); }
    }
    return out;
  });
  const heads = [...document.querySelectorAll('.tm-chart__title, .tm-chart__dek')]
      .filter(h => h.scrollWidth > h.clientWidth + 1).map(h => h.textContent);
  const article = document.querySelector('.md-content__inner').getBoundingClientRect();
  const tables = [...document.querySelectorAll('.md-content table')].filter(t => t.offsetParent !== null)
      .filter(t => {
        const wrap = t.closest('.md-typeset__scrollwrap, .tm-table-wrap');
        return t.getBoundingClientRect().right > article.right + 1 || (wrap && wrap.scrollWidth > wrap.clientWidth + 1);
      }).map(t => t.className || t.querySelector('th') && t.querySelector('th').textContent);
  return {overflow: doc.scrollWidth - doc.clientWidth, charts, heads, tables};
}"""


@pytest.mark.parametrize("scheme", SCHEMES)
@pytest.mark.parametrize("width", WIDTHS)
def test_every_chart_and_table_reads_at_this_width_and_scheme(strict_site, browser, width, scheme):
    base, served = strict_site
    context = browser.new_context(viewport={"width": width, "height": 800}, color_scheme=scheme)
    page = context.new_page()
    watch = Watch(page, base)
    problems = []
    for path in reader_pages(served):
        page.goto(f"{base}/{path}")
        expected = wait_for_charts(page)
        seen = page.evaluate(MEASURE)
        if seen["overflow"] > 0:
            problems.append((path, "the page scrolls sideways by", seen["overflow"]))
        if seen["heads"]:
            problems.append((path, "chart titles cut off", seen["heads"]))
        if width >= WIDE and seen["tables"]:
            problems.append((path, "tables wider than their column", seen["tables"]))
        assert len(seen["charts"]) == expected
        for chart in seen["charts"]:
            if not chart["drawn"]:
                problems.append((path, chart["spec"], "not drawn"))
                continue
            if chart["plot"] < chart["width"] / 2:
                problems.append((path, chart["spec"], f"plot {chart['plot']:.0f} px of {chart['width']:.0f} px"))
            if chart["clipped"] or chart["cut"] or not chart["svgInside"]:
                problems.append((path, chart["spec"], "clipped text", chart["clipped"], chart["cut"]))
    assert problems == []
    assert page.evaluate("document.body.getAttribute('data-md-color-scheme')") == (
        "slate" if scheme == "dark" else "default")
    assert watch.errors == [] and watch.external == []
    context.close()


# Each kind of page once, at the phone's width (cards, the narrowest chart) and the laptop's (the full table).
AXE_PAGES = {360: ("latest/index.html", "latest/countries/tajikistan.html", "latest/ru/countries/tajikistan.html"),
             1280: ("latest/countries/tajikistan.html", "latest/findings.html")}


@pytest.mark.parametrize("scheme", SCHEMES)
def test_axe_finds_no_violation_and_text_contrast_is_aa_in_both_schemes(strict_site, browser, scheme):
    """axe-core's rules, colour contrast (4.5:1 for text, links included) among them, on the drawn page."""
    import axe_playwright_python

    base, _ = strict_site
    axe = Path(axe_playwright_python.__file__).parent / "axe.min.js"
    found = {}
    for width, paths in AXE_PAGES.items():
        # axe is injected as an inline script, which the policy forbids: this context alone bypasses it
        context = browser.new_context(viewport={"width": width, "height": 800}, color_scheme=scheme, bypass_csp=True)
        page = context.new_page()
        for path in paths:
            page.goto(f"{base}/{path}")
            wait_for_charts(page)
            page.add_script_tag(path=str(axe))
            result = page.evaluate("() => axe.run(document, {resultTypes: ['violations']})")
            for v in result["violations"]:
                found.setdefault((path, width, v["id"]), [n["target"] for n in v["nodes"]][:3])
        context.close()
    assert found == {}


def test_without_javascript_every_chart_shows_its_static_image(strict_site, browser):
    base, served = strict_site
    context = browser.new_context(java_script_enabled=False, viewport={"width": 360, "height": 800})
    page = context.new_page()
    for path in reader_pages(served):
        page.goto(f"{base}/{path}")
        figures = page.locator(".tm-chart")
        for i in range(figures.count()):
            image = figures.nth(i).locator(".tm-chart-static img")
            image.scroll_into_view_if_needed()
            assert image.is_visible(), (path, i)
            assert image.evaluate("img => img.complete && img.naturalWidth > 0"), (path, i)
            assert figures.nth(i).locator(".tm-chart__title").is_visible()
    context.close()


def test_an_embedded_chart_takes_its_height_and_reads_from_320_to_640_px(strict_site, browser, tmp_path):
    """A host page pastes the embed code; the iframe grows to the chart, at a phone's width and a column's."""
    base, served = strict_site
    embed = sorted((served / "latest" / "embed" / "countries").rglob("mirror.html"))[0]
    code = page_code(served, embed)
    src = f"{base}/{embed.relative_to(served).as_posix()}"
    code = code.replace(code.split('src="')[1].split('"')[0], src)
    (tmp_path / "host.html").write_text(f"<!doctype html><title>host</title><body style='margin:0'>{code}</body>",
                                        encoding="utf-8")
    with serve(tmp_path) as host:
        for width in (320, 640):
            page = browser.new_page(viewport={"width": width, "height": 900})
            page.goto(f"{host}/host.html")
            frame = page.frame_locator("iframe[data-trade-mirror]")
            frame.locator(".tm-vega svg").wait_for(timeout=15000)
            page.wait_for_function("() => document.querySelector('iframe').style.height !== ''", timeout=5000)
            height = page.evaluate("() => document.querySelector('iframe').getBoundingClientRect().height")
            inner = frame.locator("html").evaluate("e => [e.scrollHeight, e.scrollWidth - e.clientWidth]")
            assert abs(height - inner[0]) <= 2 and inner[1] <= 0, (width, height, inner)
            plot = frame.locator(".role-axis[aria-label^='X-axis'] .role-axis-domain line").first
            assert plot.bounding_box()["width"] >= (width - 24) / 2
            page.close()


def page_code(served: Path, embed: Path) -> str:
    """The embed code as a reader copies it from the chart's page (the <pre> under the chart, unescaped)."""
    import html
    import re

    country = embed.parent.name
    text = (served / "latest" / "countries" / f"{country}.html").read_text(encoding="utf-8")
    blocks = [html.unescape(b) for b in re.findall(r'<pre class="tm-embed-code"><code>(.*?)</code></pre>', text, re.S)]
    return next(b for b in blocks if f"/{country}/{embed.name}" in b)


STATIC = """() => [...document.querySelectorAll('.tm-chart-static img')].map(img => ({
  src: img.currentSrc, shown: img.getBoundingClientRect().width, natural: img.naturalWidth,
  filter: getComputedStyle(img).filter}))"""


@pytest.mark.parametrize("scheme", SCHEMES)
@pytest.mark.parametrize(("width", "variant"), [(360, ".phone.svg"), (1280, ".page.svg")])
def test_before_the_reader_reaches_for_a_chart_its_image_is_laid_out_for_the_screen(strict_site, browser, width,
                                                                                   variant, scheme):
    """The interactive chart is drawn on the first hover, tap or focus; until then the image must read as well:
    laid out for the screen's width (labels at their size, not shrunk), and dark in the dark scheme."""
    base, _ = strict_site
    context = browser.new_context(viewport={"width": width, "height": 800}, color_scheme=scheme)
    page = context.new_page()
    for path in ("latest/index.html", "latest/countries/tajikistan.html", "latest/ru/countries/kyrgyzstan.html"):
        page.goto(f"{base}/{path}")
        for figure in page.locator(".tm-chart").all():
            figure.locator(".tm-chart-static img").scroll_into_view_if_needed()
        page.wait_for_function("() => [...document.querySelectorAll('.tm-chart-static img')].every(i => i.complete)")
        images = page.evaluate(STATIC)
        assert images and page.locator(".tm-vega svg").count() == 0  # nothing drawn without the reader's move
        for image in images:
            assert image["src"].endswith(variant), (path, image)
            assert image["shown"] >= 0.95 * image["natural"], (path, image)  # not shrunk to fit
            assert ("invert" in image["filter"]) == (scheme == "dark"), (path, image)
    context.close()
