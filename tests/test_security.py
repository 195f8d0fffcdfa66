"""Hostile text in every text field of the data reaches readers only as inert text.

One full build (pages, charts, CSV downloads and `mkdocs build --strict`) with a
string of attacks planted in every text cell of the package: script tags, event
handlers, `javascript:` and `data:` links, Markdown link tricks, Jinja-like
braces, a Vega expression, a spreadsheet formula, a table-breaking pipe. The
build must succeed (hostile text is content, not an error), and the built HTML,
JSON and CSV must carry the payloads only as text.
"""

from __future__ import annotations

import csv
import io
import json
import re
import shutil
from html.parser import HTMLParser
from pathlib import Path

import pytest

from trademirror.build import build
from trademirror.paths import Paths
from trademirror.releases import nothing_published
from trademirror.validate import validate

from .conftest import REAL_PACKAGE, PackageCopy, copy_site_skeleton

pytestmark = pytest.mark.slow

PAYLOADS = [
    '=HYPERLINK("http://evil.example/","click")',  # first: a cell that starts a formula
    '<script>alert("xss1")</script>',
    "<img src=x onerror=alert(2)>",
    '"><svg onload=alert(3)>',
    "[link](javascript:alert(4))",
    "<javascript:alert(5)>",
    "![pixel](data:image/svg+xml,<svg onload=alert(6)>)",
    "{{ 7*7 }} {% if true %}jinja{% endif %}",
    '{"signal": "alert(7)"} datum.x || alert(8)',
    "| cell | break |",
    "*bold* _under_ `code` <!-- comment",
    "</title><script>alert(9)</script>",
    "[ref]: javascript:alert(10)",
]
# Text columns of each resource (identifiers, codes, dates and numbers are constrained by the schema).
TEXT_FIELDS = {
    "figures": ["locator", "note"],
    "growth": ["locator", "note"],
    "indicators": ["locator", "note"],
    "corroborations": ["locator", "note"],
    "sources": ["publisher", "title", "primary_source"],
    "countries": ["name"],
}
HOSTILE_URL = "https://example.org/a_b_c?q=<x>\"'|)(](javascript:alert(11))"
DANGEROUS_SCHEMES = re.compile(r"^\s*(javascript|data|vbscript):", re.IGNORECASE)
URL_ATTRIBUTES = {"href", "src", "action", "formaction", "data", "xlink:href", "poster"}
EXPRESSION_KEYS = {"expr", "signal", "test", "filter", "calculate", "labelExpr", "update"}


def hostile(tag: str) -> str:
    return " ".join([PAYLOADS[0], tag, *PAYLOADS[1:]])


def fitted(tag: str, number: int, limit: int | None) -> str:
    """The attacks for one cell, within the field's maxLength: the formula first, then the script tag, then as
    many others as fit, starting at a different one on each row, so each is planted in the field somewhere."""
    value = hostile(tag)
    if limit is None or len(value) <= limit:
        return value
    rest = PAYLOADS[2:]
    start = number % len(rest)
    parts = [PAYLOADS[0], tag, PAYLOADS[1]]
    for payload in rest[start:] + rest[:start]:
        if len(" ".join([*parts, payload])) <= limit:
            parts.append(payload)
    return " ".join(parts)


def plant(pkg: PackageCopy) -> None:
    meta = json.loads(pkg.descriptor.read_text(encoding="utf-8"))
    limits = {(r["name"], f["name"]): f.get("constraints", {}).get("maxLength")
              for r in meta["resources"] for f in r["schema"]["fields"]}
    for resource, fields in TEXT_FIELDS.items():
        rows = pkg.rows(resource)
        for number, row in enumerate(rows):
            for name in fields:
                row[name] = fitted(f"{resource}.{name}.{number}", number, limits[(resource, name)])
            if resource == "sources":
                row["url"] = HOSTILE_URL
        pkg.write_rows(resource, rows)


class Elements(HTMLParser):
    """What a browser would act on: tags, attributes, inline script bodies; and the visible text."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict]] = []
        self.scripts: list[str] = []
        self.text: list[str] = []
        self._in_script = False

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, {k: v or "" for k, v in attrs}))
        self._in_script = tag == "script"

    def handle_endtag(self, tag):
        self._in_script = False

    def handle_data(self, data):
        (self.scripts if self._in_script else self.text).append(data)


@pytest.fixture(scope="module")
def hostile_site(tmp_path_factory, real_site_drawn) -> Path:
    root = copy_site_skeleton(tmp_path_factory.mktemp("hostile") / "project")
    shutil.copytree(REAL_PACKAGE, root / "datapackages" / "trade")
    pkg = PackageCopy(root / "datapackages" / "trade")
    plant(pkg)
    report, data = validate(pkg.descriptor)
    assert report.errors == [], "hostile text is content, not an error"
    build(pkg.descriptor, Paths(root), log=lambda _: None, previous=nothing_published, html=True)
    return root


def html_pages(root: Path) -> list[Path]:
    pages = sorted((root / "site").rglob("*.html"))
    assert len(pages) > 10
    return pages


def test_no_page_gains_a_script_a_handler_or_a_dangerous_link(hostile_site):
    for page in html_pages(hostile_site):
        parsed = Elements()
        parsed.feed(page.read_text(encoding="utf-8"))
        where = page.relative_to(hostile_site / "site")
        for tag, attrs in parsed.tags:
            handlers = [name for name in attrs if name.startswith("on")]
            assert handlers == [], f"{where}: <{tag}> has an event handler {handlers}"
            for name in URL_ATTRIBUTES & attrs.keys():
                assert not DANGEROUS_SCHEMES.match(attrs[name]), f"{where}: <{tag} {name}={attrs[name]!r}>"
            assert not (tag == "img" and attrs.get("src") == "x"), f"{where}: a planted <img> became a tag"
            assert tag != "svg" or "alert" not in json.dumps(attrs), f"{where}: a planted <svg> became a tag"
        for body in parsed.scripts:
            assert "alert(" not in body, f"{where}: planted script runs: {body[:80]}"


def test_the_payloads_are_shown_as_text(hostile_site):
    """Escaping must not swallow the text: a reader sees exactly what the source field says."""
    page = next(p for p in html_pages(hostile_site) if p.parent.name == "countries")
    parsed = Elements()
    parsed.feed(page.read_text(encoding="utf-8"))
    text = " ".join(parsed.text)
    for payload in ('<script>alert("xss1")</script>', "<img src=x onerror=alert(2)>", "[link](javascript:alert(4))",
                    "{{ 7*7 }}", '=HYPERLINK("http://evil.example/","click")', "| cell | break |"):
        assert payload in text, f"{payload!r} is not shown as text on {page.name}"


def test_titles_and_navigation_cannot_carry_tags(hostile_site):
    """The theme prints titles as HTML and strips one level of escaping in <title>."""
    for page in html_pages(hostile_site):
        head = page.read_text(encoding="utf-8").split("</head>")[0]
        title = re.search(r"<title>(.*?)</title>", head, re.S)
        assert title and "<" not in title.group(1), f"{page.name}: {title.group(1) if title else 'no title'}"
    nav = (hostile_site / "nav.yml").read_text(encoding="utf-8")
    assert "<" not in nav and "\u2039script\u203a" in nav


def walk(node, key=None):
    if isinstance(node, dict):
        for k, v in node.items():
            yield from walk(v, k)
    elif isinstance(node, list):
        for v in node:
            yield from walk(v, key)
    elif isinstance(node, str):
        yield key, node


def test_chart_specs_keep_hostile_text_as_data_never_as_an_expression(hostile_site):
    specs = sorted((hostile_site / "docs" / "assets" / "charts").rglob("*.vl.json"))
    assert specs
    planted = 0
    for path in specs:
        for key, value in walk(json.loads(path.read_text(encoding="utf-8"))):
            if key in EXPRESSION_KEYS:
                assert "alert" not in value and "HYPERLINK" not in value, f"{path.name}: {key} = {value[:80]}"
            planted += "alert(" in value
    assert planted, "the payloads should reach the charts (titles, labels, tooltips) as plain strings"
    index = json.loads((hostile_site / "site" / "search" / "search_index.json").read_text(encoding="utf-8"))
    for _, value in walk(index):
        assert "<script" not in value and "<img" not in value


def test_csv_cells_cannot_start_a_spreadsheet_formula(hostile_site):
    files = sorted((hostile_site / "docs" / "assets" / "charts").rglob("*.csv"))
    files += sorted((hostile_site / "docs" / "downloads").glob("*.csv"))
    assert len(files) > 5
    guarded = 0
    for path in files:
        for row in csv.reader(io.StringIO(path.read_text(encoding="utf-8"))):
            for cell in row:
                if cell[:1] in ("=", "+", "-", "@", "\t", "\r"):
                    assert re.fullmatch(r"[-+]?\d+(\.\d+)?([eE][-+]?\d+)?", cell), f"{path.name}: {cell[:40]!r}"
                guarded += cell.startswith("'=HYPERLINK")
    assert guarded, "planted formulas should be kept, as text"
