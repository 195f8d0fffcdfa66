"""Readers across data releases, in Chromium, with gh-pages answered at the site's real address.

Two releases are published with the real `release` command (conftest's two_releases); the browser asks
for https://trade-mirror.github.io/trade-mirror/… (mkdocs.yml's site_url) and the test answers from the
gh-pages branch as files, the way GitHub Pages would (a missing file gets the root 404.html and status
404), so absolute links, canonical addresses and the selector's requests are exercised as published.
"""

from __future__ import annotations

import mimetypes
from urllib.parse import urljoin, urlsplit

import pytest

from .conftest import CHROMIUM, header_policy
from .releasing import run

pytestmark = [pytest.mark.slow,
              pytest.mark.skipif(not CHROMIUM.exists(), reason="needs Debian's chromium (apt-get install chromium)")]

SITE = "https://trade-mirror.github.io/trade-mirror/"
PAGES = ("countries/kazakhstan.html", "changelog.html", "findings.html")
EDITIONS = ("", "ru/")
# A page the old release is made not to have (as if it was added later), to see where the selector lands.
NEW_PAGE = "methodology.html"


@pytest.fixture(scope="module")
def pages_host(two_releases):
    """A function that opens a browser page whose requests to SITE are answered from the gh-pages files."""
    _, _, served = two_releases
    policy = header_policy(served)
    outside: list[str] = []

    def answer(route):
        url = route.request.url
        if not url.startswith(SITE):
            outside.append(url)
            return route.abort()
        rel = urlsplit(url).path[len(urlsplit(SITE).path):]
        target = served / rel
        if target.is_dir():
            target = target / "index.html"
        if rel in (f"1.0.0/{NEW_PAGE}", f"1.0.0/ru/{NEW_PAGE}") or not target.is_file():
            return route.fulfill(status=404, body=(served / "404.html").read_bytes(), content_type="text/html")
        kind = mimetypes.guess_type(target.name)[0] or "application/octet-stream"
        return route.fulfill(status=200, body=target.read_bytes(), content_type=kind,
                             headers={"Content-Security-Policy": policy})

    def open_page(browser, path: str):
        context = browser.new_context(viewport={"width": 1280, "height": 900})
        context.route("**/*", answer)
        page = context.new_page()
        page.goto(SITE + path)
        return page

    yield open_page
    assert outside == [], f"the site asked other hosts: {outside[:5]}"


def choose(page, version: str) -> None:
    """Open the release selector in the header and pick a release, as a reader does."""
    page.locator(".tm-version").hover()  # the list opens over the button, as in the theme
    link = page.locator(".tm-version .md-version__link", has_text=version)
    link.wait_for(state="visible", timeout=5000)
    with page.expect_navigation():
        link.click()
    page.wait_for_load_state("domcontentloaded")


@pytest.mark.parametrize("edition", EDITIONS)
def test_switching_release_keeps_the_page_both_ways(pages_host, browser, edition):
    for path in PAGES:
        for here, there in (("1.1.0", "1.0.0"), ("1.0.0", "1.1.0")):
            page = pages_host(browser, f"{here}/{edition}{path}")
            page.locator(".tm-version").wait_for(timeout=10000)
            current = page.locator(".tm-version .md-version__current").inner_text().strip()
            assert current == here
            choose(page, there)
            assert page.url == f"{SITE}{there}/{edition}{path}", (edition, path, here)
            assert page.locator(".tm-version .md-version__current").inner_text().strip() == there
            page.context.close()


@pytest.mark.parametrize("edition", EDITIONS)
def test_a_page_the_other_release_lacks_lands_on_its_home_with_a_note(pages_host, browser, edition):
    page = pages_host(browser, f"1.1.0/{edition}{NEW_PAGE}")
    page.locator(".tm-version").wait_for(timeout=10000)
    choose(page, "1.0.0")
    assert urlsplit(page.url).path == f"{urlsplit(SITE).path}1.0.0/{edition}index.html"
    note = page.locator(".tm-release")
    note.wait_for(state="visible", timeout=5000)
    expected = "not part of data release 1.0.0" if not edition else "нет в выпуске данных 1.0.0"
    assert expected in note.inner_text()
    page.context.close()


@pytest.mark.parametrize(("edition", "says", "link"), [
    ("", "You are reading data release 1.0.0. The latest is 1.1.0", "see this page there"),
    ("ru/", "Вы читаете выпуск данных 1.0.0. Последний выпуск — 1.1.0", "эта страница в нём"),
])
def test_an_old_release_says_so_and_leads_to_the_same_page_in_latest(pages_host, browser, edition, says, link):
    page = pages_host(browser, f"1.0.0/{edition}countries/tajikistan.html")
    notice = page.locator(".tm-release")
    notice.wait_for(state="visible", timeout=10000)
    assert says in notice.inner_text()
    box = notice.bounding_box()
    heading = page.locator("article h1").bounding_box()
    assert box["y"] < heading["y"]  # read before the page's own headline
    with page.expect_navigation():
        notice.get_by_role("link", name=link).click()
    assert page.url == f"{SITE}latest/{edition}countries/tajikistan.html"
    revised = "US$3.75bn" if not edition else "3,75 млрд долл. США"  # the newest release's revised figure
    assert revised in page.content()
    page.locator(".tm-version").wait_for(timeout=10000)
    assert page.locator(".tm-release").is_hidden()  # the newest release has no notice
    page.context.close()


def test_the_russian_edition_has_the_release_selector_in_russian(pages_host, browser):
    page = pages_host(browser, "latest/ru/index.html")
    button = page.locator(".tm-version .md-version__current")
    button.wait_for(timeout=10000)
    assert button.get_attribute("aria-label") == "Выпуск данных"
    page.locator(".tm-version").hover()
    items = [t.split()[0] for t in page.locator(".tm-version .md-version__link").all_inner_texts()]
    assert items == ["1.1.0", "1.0.0"]
    assert "последний" in page.locator(".tm-version .md-version__link").first.inner_text()
    page.context.close()


def test_a_missing_address_gets_the_sites_404_page(pages_host, browser):
    page = pages_host(browser, "no-such-release/countries/nowhere.html")
    assert page.locator("article h1").inner_text().strip() == "404 - Not found"
    assert page.locator("link[rel=stylesheet]").count() >= 2
    assert page.evaluate("() => getComputedStyle(document.querySelector('.md-header')).position") == "sticky"
    page.context.close()


def test_pages_name_their_stable_address_and_the_growing_feed(two_releases):
    _, _, served = two_releases
    for version in ("1.0.0", "1.1.0"):
        for edition in EDITIONS:
            html = (served / version / edition / "countries/kazakhstan.html").read_text(encoding="utf-8")
            assert f'<link rel="canonical" href="{SITE}latest/{edition}countries/kazakhstan.html">' in html
            feed = html.split('type="application/atom+xml"', 1)[1].split('href="', 1)[1].split('"', 1)[0]
            page = f"{SITE}{version}/{edition}countries/kazakhstan.html"
            assert urljoin(page, feed) == f"{SITE}latest/{edition}feed.xml"
            # the citation keeps the release's own address: it never changes once published
            assert f'href="{SITE}{version}/{edition}countries/kazakhstan.html"' in html


def test_republishing_needs_a_reason_and_the_changelog_states_it(two_releases, tmp_path):
    import shutil

    root, _, _ = two_releases
    repo = tmp_path / "repo"
    shutil.copytree(root, repo, symlinks=True)
    refused = run("release", "--force-republish", cwd=repo)
    assert refused.returncode == 2 and "--reason" in refused.stderr
    reason = "the Tajikistan export figure was typed as 3,750 instead of 3,705"
    done = run("release", "--force-republish", "--reason", reason, cwd=repo)
    assert done.returncode == 0, done.stderr
    from .releasing import export_branch

    served = export_branch(repo, tmp_path / "served")
    for edition, word in (("", "Correction."), ("ru/", "Исправление.")):
        changelog = (served / "1.1.0" / edition / "changelog.html").read_text(encoding="utf-8")
        assert word in changelog and "typed as 3,750 instead of 3,705" in changelog
