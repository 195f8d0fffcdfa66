"""The built site loads nothing from another host: checked in its HTML, CSS and our JavaScript."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest

pytestmark = pytest.mark.slow

EXTERNAL = re.compile(r"^(https?:)?//", re.IGNORECASE)
# Not addresses that are loaded: XML namespaces, and the schema identifiers Vega parses for a version number.
IDENTIFIERS = re.compile(r"https?://(www\.w3\.org/|vega\.github\.io/schema/)")


class Loads(HTMLParser):
    """Collects every URL the page would fetch (scripts, styles, images, frames, icons)."""

    def __init__(self):
        super().__init__()
        self.loads: list[str] = []
        self.links: list[str] = []

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag in ("script", "img", "iframe", "audio", "video", "source", "embed") and a.get("src"):
            self.loads.append(a["src"])
        if tag == "link" and a.get("rel") not in ("canonical", "alternate") and a.get("href"):
            self.loads.append(a["href"])
        if tag == "a" and a.get("href"):
            self.links.append(a["href"])
        if tag == "object" and a.get("data"):
            self.loads.append(a["data"])
        for value in a.values():
            if value and "url(" in value:
                self.loads += re.findall(r"url\(['\"]?([^'\")]+)", value)


def test_no_page_loads_anything_from_another_host(two_releases):
    _, _, served = two_releases
    pages = sorted((served / "1.1.0").rglob("*.html"))
    assert len(pages) >= 10
    external_links = set()
    for page in pages:
        parser = Loads()
        parser.feed(page.read_text(encoding="utf-8"))
        assert [u for u in parser.loads if EXTERNAL.match(u)] == [], page
        external_links |= {u for u in parser.links if EXTERNAL.match(u)}
    # the only links out are to the repository (edit link), to the sources the data names, and to the
    # site's own published address (each page's "How to cite" gives it in full)
    loc = (served / "1.1.0" / "sitemap.xml").read_text().split("<loc>")[1].split("</loc>")[0].strip()
    own = re.sub(r"^https?://([^/]+).*", r"\1", loc)
    assert {re.sub(r"^https?://([^/]+).*", r"\1", u) for u in external_links} <= {"github.com", own}


def test_no_stylesheet_imports_from_another_host(two_releases):
    _, _, served = two_releases
    for css in (served / "1.1.0").rglob("*.css"):
        text = css.read_text(encoding="utf-8")
        urls = re.findall(r"url\(\s*['\"]?([^'\")]+)", text) + re.findall(r"@import\s+['\"]([^'\"]+)", text)
        assert [u for u in urls if EXTERNAL.match(u)] == [], css


def test_our_javascript_names_no_other_host(two_releases):
    _, _, served = two_releases
    for name in ("charts.js", "vega.js"):
        text = (served / "1.1.0" / "assets" / "js" / name).read_text(encoding="utf-8")
        hosts = [u for u in re.findall(r"https?://[^\s'\"`)]+", text) if not IDENTIFIERS.match(u)]
        assert hosts == [], (name, hosts[:5])
