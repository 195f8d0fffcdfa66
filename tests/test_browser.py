"""The published site in a real browser: Debian's Chromium driven by Playwright, served on 127.0.0.1.

Versions, languages, dark mode, the policy and embeds; what a reader sees at each width and scheme (every
page drawn, nothing clipped, axe clean) is in test_reading.py.

Skipped, loudly, when /usr/bin/chromium is missing (`make test` installs it as root; CI always does).
"""

from __future__ import annotations

import pytest

from .conftest import CHROMIUM, header_policy
from .serve import serve

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="BROWSER TESTS SKIPPED: /usr/bin/chromium is missing — "
                       "install it with `sudo apt-get install chromium` (make test does this when run as root)"),
]


@pytest.fixture(scope="module")
def site(two_releases):
    _, _, served = two_releases
    with serve(served) as base:
        yield base, served


class Watch:
    """Blocks and records every request that would leave 127.0.0.1, and every console error."""

    def __init__(self, page, base: str):
        self.external: list[str] = []
        self.errors: list[str] = []
        page.on("console", lambda m: self.errors.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e: self.errors.append(str(e)))
        page.route("**/*", self._route(base))

    def _route(self, base: str):
        def handle(route):
            url = route.request.url
            if url.startswith(base) or url.startswith("data:") or url.startswith("blob:"):
                route.continue_()
            else:
                self.external.append(url)
                route.abort()
        return handle


# A function, not an expression string: Playwright evaluates strings with eval, which the site's policy forbids.
COUNT_AT_LEAST = "([selector, n]) => document.querySelectorAll(selector).length >= n"


def wait_for_charts(page) -> int:
    """Point at every chart, as a reader would (they are drawn on the first hover, tap or focus), and wait."""
    expected = page.locator(".tm-vega").count()
    for i in range(expected):
        page.locator(".tm-chart").nth(i).hover()
    if expected:
        page.wait_for_function(COUNT_AT_LEAST, arg=[".tm-vega svg", expected], timeout=15000)
        page.mouse.move(0, 0)  # and moves on: the last chart's tooltip closes
    return expected


def test_the_version_selector_lists_every_published_version(site, browser):
    base, _ = site
    page = browser.new_page()
    Watch(page, base)
    page.goto(f"{base}/latest/index.html")
    page.wait_for_selector(".tm-version .md-version__list", state="attached", timeout=10000)
    versions = page.locator(".md-version__link").all_inner_texts()
    assert [v.split() for v in versions] == [["1.1.0", "latest"], ["1.0.0"]]
    page.close()


def test_dark_mode_toggles_and_the_charts_follow(site, browser):
    base, _ = site
    page = browser.new_page(color_scheme="light")
    Watch(page, base)
    page.goto(f"{base}/latest/countries/tajikistan.html")
    charts = wait_for_charts(page)
    page.wait_for_function(COUNT_AT_LEAST, arg=[".tm-vega[data-theme=light]", charts])
    page.locator("form[data-md-component=palette] label:visible").first.click()
    assert page.locator("body").get_attribute("data-md-color-scheme") == "slate"
    page.wait_for_function(COUNT_AT_LEAST, arg=[".tm-vega[data-theme=dark]", charts],
                           timeout=15000)
    label = page.locator(".tm-vega svg text").first
    colour = label.evaluate("e => getComputedStyle(e).fill")
    assert colour != "rgb(0, 0, 0)"  # light text on the dark page
    page.close()


def test_without_javascript_the_static_charts_and_tables_are_visible(site, browser):
    base, _ = site
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(f"{base}/latest/countries/tajikistan.html")
    images = page.locator(".tm-chart-static img")
    assert images.count() >= 3
    for i in range(images.count()):
        image = images.nth(i)
        image.scroll_into_view_if_needed()
        assert image.is_visible()
        assert image.evaluate("img => img.complete && img.naturalWidth > 0")
    gaps = page.locator("table.tm-table--gaps")
    assert gaps.is_visible()
    gap = (2300 / 3750 - 1) * 100  # release 1.1.0 revised China's figure to US$3.75bn
    assert f"−{abs(gap):.1f}%" in gaps.inner_text()
    context.close()


PAGE_KINDS = ["index.html", "countries/tajikistan.html", "findings.html", "methodology.html", "data.html",
              "changelog.html", "about.html"]
RECORD_VIOLATIONS = """
window.__cspViolations = [];
document.addEventListener('securitypolicyviolation',
  e => window.__cspViolations.push(e.violatedDirective + ' ' + (e.blockedURI || 'inline')));
"""


def test_every_page_kind_works_under_the_content_security_policy(strict_site, browser):
    base, served = strict_site
    assert "'unsafe-eval'" not in header_policy(served)
    assert "script-src 'self' 'sha256-" in header_policy(served)
    rendered = 0
    for path in PAGE_KINDS:
        page = browser.new_page()
        page.add_init_script(RECORD_VIOLATIONS)
        watch = Watch(page, base)
        page.goto(f"{base}/latest/{path}")
        meta = page.locator('meta[http-equiv="Content-Security-Policy"]').get_attribute("content")
        assert meta and "'unsafe-inline'" not in meta.split("script-src")[1].split(";")[0], path
        charts = wait_for_charts(page)
        assert page.locator(".tm-chart--live").count() == charts, path
        rendered += charts
        page.wait_for_timeout(300)
        assert page.evaluate("window.__cspViolations") == [], path
        assert [e for e in watch.errors if "Content Security Policy" in e] == [], (path, watch.errors)
        page.close()
    assert rendered >= 5  # the overview and the country page draw their charts under the policy


def test_the_policy_blocks_an_injected_inline_script(strict_site, browser):
    """The other side of the test above: the policy is enforced and violations are seen."""
    base, _ = strict_site
    page = browser.new_page()
    page.add_init_script(RECORD_VIOLATIONS)
    page.goto(f"{base}/latest/index.html")
    try:
        page.add_script_tag(content="window.__injected = 1;")
    except Exception:  # noqa: BLE001 - Playwright may report the refused script as an error
        pass
    page.wait_for_timeout(200)
    assert page.evaluate("() => window.__injected === undefined")
    assert any(v.startswith("script-src") for v in page.evaluate("() => window.__cspViolations"))
    page.close()


def test_instant_navigation_renders_charts_under_the_policy(strict_site, browser):
    base, _ = strict_site
    page = browser.new_page()
    page.add_init_script(RECORD_VIOLATIONS)
    Watch(page, base)
    page.goto(f"{base}/latest/index.html")
    wait_for_charts(page)
    page.locator(".md-content a[href$='countries/tajikistan.html']:visible").first.click()
    page.wait_for_url("**/countries/tajikistan.html")
    charts = wait_for_charts(page)
    assert charts >= 2 and page.locator(".tm-chart--live").count() == charts
    assert page.evaluate("window.__cspViolations") == []
    page.close()


def test_the_language_switcher_works_inside_an_older_version(site, browser):
    """mike publishes each version in its own folder: the switcher must stay inside it, on the same page."""
    base, _ = site
    page = browser.new_page()
    watch = Watch(page, base)
    page.goto(f"{base}/1.0.0/countries/tajikistan.html")
    page.wait_for_load_state("networkidle")  # the theme's own language handler has read the sitemaps
    russian = page.locator(".md-select__link[hreflang=ru]")
    page.locator(".md-header__option .md-select").first.hover()
    russian.click()
    page.wait_for_url(f"{base}/1.0.0/ru/countries/tajikistan.html")
    assert page.locator("html").get_attribute("lang") == "ru"
    assert wait_for_charts(page) >= 2
    page.wait_for_load_state("networkidle")
    page.locator(".md-header__option .md-select").first.hover()
    page.locator(".md-select__link[hreflang=en]").click()
    page.wait_for_url(f"{base}/1.0.0/countries/tajikistan.html")
    assert page.locator("html").get_attribute("lang") == "en"
    assert watch.errors == [] and watch.external == []
    page.close()


def test_an_embed_page_draws_its_chart_alone_under_the_policy(strict_site, browser):
    base, served = strict_site
    embeds = sorted((served / "latest" / "embed" / "countries").rglob("*.html"))
    assert embeds
    page = browser.new_page(viewport={"width": 480, "height": 600})
    page.add_init_script(RECORD_VIOLATIONS)
    watch = Watch(page, base)
    page.goto(f"{base}/{embeds[0].relative_to(served).as_posix()}")
    assert wait_for_charts(page) == 1
    assert page.locator(".tm-chart--live").count() == 1
    assert page.locator(".tm-chart__tools a").get_attribute("href").endswith(".html#chart-" + embeds[0].stem)
    assert page.evaluate("window.__cspViolations") == [] and watch.external == [] and watch.errors == []
    page.close()
