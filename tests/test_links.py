"""Every link of the built site resolves: pages, anchors, images, scripts, chart specs, downloads.

Table-driven cases on tiny hand-written sites show what the check catches; the
published releases (mike's version folders) and a plain `mkdocs build --strict`
of the real site must come out clean, with links to other hosts listed, never fetched.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from trademirror import siteconfig
from trademirror.build import build
from trademirror.linkcheck import check_site
from trademirror.paths import Paths

from .conftest import REAL_PACKAGE, ROOT, PackageCopy, copy_site_skeleton

SITE_URL = "https://example.org/base/"
SITEMAP = '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"><url><loc>{}</loc></url></urlset>'

# Sites whose every reference resolves, each showing one way of writing a link.
CLEAN = {
    "relative links between folders, with a query string and a fragment": {
        "index.html": '<a href="countries/a.html?from=home#key">a</a>',
        "countries/a.html": '<h2 id="key">Key</h2><a href="../index.html">home</a><a href="#key">¶</a>',
    },
    "mike's version folders, a folder URL and a redirect": {
        "index.html": '<meta http-equiv="refresh" content="1; url=latest/"><a href="latest/">latest</a>',
        "latest/index.html": '<a href="../1.0.0/index.html#top">old</a>',
        "1.0.0/index.html": '<p id="top">old</p>',
    },
    "root-absolute and absolute links under site_url, as on the 404 page": {
        "404.html": '<a href="/base/index.html">home</a><link rel="canonical" href="https://example.org/base/404.html">',
        "index.html": "",
    },
    "escaped names, srcset candidates and a download": {
        "index.html": '<img src="img/a%20b.svg" srcset="img/a%20b.svg 1x, img/c.svg 2x" alt="">'
                      '<a href="downloads/figures.csv" download>csv</a>',
        "img/a b.svg": "<svg/>", "img/c.svg": "<svg/>", "downloads/figures.csv": "id\n",
    },
    "inline data images, a stylesheet and its url()s": {
        "index.html": '<img src="data:image/png;base64,AAAA" alt=""><link rel="stylesheet" href="css/s.css">',
        "css/s.css": 'a { background: url("../i.svg") } b { background: url(data:image/svg+xml;utf8,x) }',
        "i.svg": "<svg/>",
    },
    "a chart spec, a script and Material's search worker": {
        "p/chart.html": '<div class="tm-vega" data-spec="../charts/x.vl.json"></div><script src="../js/a.js"></script>'
                        '<script id="__config" type="application/json">{"search": "../js/w.js"}</script>',
        "charts/x.vl.json": "{}", "js/a.js": "", "js/w.js": "",
    },
    "the sitemap and the search index": {
        "index.html": '<h1 id="a">A</h1>',
        "sitemap.xml": SITEMAP.format("https://example.org/base/index.html"),
        "search/search_index.json": '{"docs": [{"location": "index.html#a"}, {"location": "index.html"}]}',
    },
}

# Sites with one kind of broken reference each: (files, the problems as (file, line, element, url)).
BROKEN = {
    "a missing page": (
        {"index.html": '<a href="missing.html">x</a>'},
        [("index.html", 1, "a href", "missing.html")]),
    "a missing anchor on the same page": (
        {"index.html": '<h2 id="somewhere">S</h2>\n<a href="#nowhere">x</a>'},
        [("index.html", 2, "a href", "#nowhere")]),
    "a missing anchor on another page": (
        {"index.html": '<a href="data.html#src-x">x</a>', "data.html": '<span id="src-y"></span>'},
        [("index.html", 1, "a href", "data.html#src-x")]),
    "a missing image": (
        {"countries/a.html": '<img src="../assets/a.svg" alt="chart">'},
        [("countries/a.html", 1, "img src", "../assets/a.svg")]),
    "a missing chart spec": (
        {"index.html": '<figure>\n\n<div class="tm-vega" data-spec="assets/charts/x.vl.json"></div></figure>'},
        [("index.html", 3, "div data-spec", "assets/charts/x.vl.json")]),
    "a missing script, stylesheet and download": (
        {"index.html": '<script src="a.js"></script><link rel="stylesheet" href="s.css"><a href="f.csv">csv</a>'},
        [("index.html", 1, "a href", "f.csv"), ("index.html", 1, "link href", "s.css"),
         ("index.html", 1, "script src", "a.js")]),
    "a link written relative to the wrong folder": (
        {"countries/a.html": '<a href="index.html">home</a>', "index.html": ""},
        [("countries/a.html", 1, "a href", "index.html")]),
    "a folder URL without an index.html": (
        {"index.html": '<a href="1.0.0/">x</a>', "1.0.0/about.html": ""},
        [("index.html", 1, "a href", "1.0.0/")]),
    "a redirect to a version that is not there": (
        {"index.html": '<meta http-equiv="refresh" content="0; url=latest/">'},
        [("index.html", 1, "meta refresh", "latest/")]),
    "a root-absolute link outside the site's path": (
        {"index.html": '<a href="/other/index.html">x</a>'},
        [("index.html", 1, "a href", "/other/index.html")]),
    "a script URL and a data URL as links": (
        {"index.html": '<a href="javascript:alert(1)">x</a><a href="data:text/html,hi">y</a>'},
        [("index.html", 1, "a href", "data:text/html,hi"), ("index.html", 1, "a href", "javascript:alert(1)")]),
    "an empty link": (
        {"index.html": '<a href="">x</a>'},
        [("index.html", 1, "a href", "")]),
    "a stylesheet's missing url()": (
        {"index.html": '<link rel="stylesheet" href="s.css">', "s.css": "a {}\n\nb { background: url(gone.png) }"},
        [("s.css", 3, "css url", "gone.png")]),
    "a sitemap entry for a missing page": (
        {"index.html": "", "sitemap.xml": SITEMAP.format("https://example.org/base/gone.html")},
        [("sitemap.xml", 1, "sitemap loc", "https://example.org/base/gone.html")]),
    "a search result for a heading that is gone": (
        {"index.html": '<h1 id="a">A</h1>', "search/search_index.json": '{"docs": [{"location": "index.html#b"}]}'},
        [("search/search_index.json", 1, "search location", "index.html#b")]),
    "an escaped way out of the site's folder": (
        {"a/index.html": '<a href="%2e%2e/%2e%2e/secret.txt">x</a>', "secret.txt": ""},
        [("a/index.html", 1, "a href", "%2e%2e/%2e%2e/secret.txt")]),
    "a search index that is not JSON": (
        {"index.html": "", "search/search_index.json": "{"},
        [("search/search_index.json", 1, "search index", "")]),
    "a missing search worker": (
        {"index.html": '<script id="__config" type="application/json">{"search": "w.js"}</script>'},
        [("index.html", 1, "script __config search", "w.js")]),
}


def write_site(root: Path, files: dict[str, str]) -> Path:
    for rel, text in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return root


@pytest.mark.parametrize("files", CLEAN.values(), ids=CLEAN.keys())
def test_a_site_whose_links_all_resolve_has_no_problems(tmp_path, files):
    report = check_site(write_site(tmp_path, files), SITE_URL)
    assert report.problems == [], "\n".join(map(str, report.problems))
    assert report.references > 0 and report.external == {}


@pytest.mark.parametrize(("files", "expected"), BROKEN.values(), ids=BROKEN.keys())
def test_a_broken_reference_is_reported_where_it_is_written(tmp_path, files, expected):
    report = check_site(write_site(tmp_path, files), SITE_URL)
    assert [(p.file, p.line, p.where, p.url) for p in report.problems] == expected
    assert not report.ok


def test_a_problem_is_one_line_naming_the_file_the_target_and_the_fix(tmp_path):
    report = check_site(write_site(tmp_path, {"countries/a.html": '<a href="../data.html#src-x">x</a>',
                                              "data.html": ""}), SITE_URL)
    assert [str(p) for p in report.problems] == [
        "countries/a.html:1: a href: '../data.html#src-x' data.html has no element with id 'src-x'"
        " — fix the link or the heading it names"]
    assert "1 problem(s)" in report.summary() and "BROKEN" in report.summary()


def test_links_to_other_hosts_are_listed_with_their_pages_and_never_count_as_problems(tmp_path):
    # .invalid never resolves: the check passes only because nothing is fetched.
    files = {"index.html": '<a href="https://source.invalid/report">r</a><a href="mailto:desk@source.invalid">m</a>',
             "about.html": '<a href="https://source.invalid/report">r</a><script src="//cdn.invalid/x.js"></script>'}
    report = check_site(write_site(tmp_path, files), SITE_URL)
    assert report.ok
    assert report.external == {"//cdn.invalid/x.js": ["about.html"], "https://source.invalid/report": [
        "about.html", "index.html"], "mailto:desk@source.invalid": ["index.html"]}


def test_an_alias_symlinked_by_mike_resolves_and_its_pages_are_checked_once(tmp_path):
    write_site(tmp_path, {"index.html": '<a href="latest/">l</a><a href="latest/index.html#top">t</a>',
                          "1.0.0/index.html": '<p id="top">top</p><a href="../latest/gone.html">x</a>'})
    (tmp_path / "latest").symlink_to("1.0.0")
    report = check_site(tmp_path, SITE_URL)
    assert report.pages == 2
    assert [(p.file, p.url) for p in report.problems] == [("1.0.0/index.html", "../latest/gone.html")]


def test_without_site_url_the_folder_is_the_root_of_its_host(tmp_path):
    files = {"a/index.html": '<a href="/a/index.html">x</a><a href="/base/index.html">y</a>'}
    report = check_site(write_site(tmp_path, files))
    assert [p.url for p in report.problems] == ["/base/index.html"]


@pytest.mark.parametrize(("text", "expected"), [
    ("site_name: x\nsite_url: https://a.example/b/\n", "https://a.example/b/"),
    ("site_url: 'https://a.example/b/'  # quoted\n", "https://a.example/b/"),
    ('site_url: "https://a.example/"\nextra:\n  site_url: https://other.example/\n', "https://a.example/"),
    ("site_name: no address\n", ""),
])
def test_site_url_is_read_from_mkdocs_yml(tmp_path, text, expected):
    (tmp_path / "mkdocs.yml").write_text(text + "markdown_extensions:\n  - x: !!python/name:a.b\n", encoding="utf-8")
    assert siteconfig.site_url(siteconfig.read(tmp_path / "mkdocs.yml")) == expected


def test_a_folder_without_mkdocs_yml_has_no_site_url(tmp_path):
    assert siteconfig.site_url(siteconfig.read(tmp_path / "mkdocs.yml")) == ""


# The real site.

CONFIG = siteconfig.read(ROOT / "mkdocs.yml")
SITE = siteconfig.site_url(CONFIG)


@pytest.mark.slow  # publishes two releases with mike first (conftest's two_releases), as test_release.py does
def test_the_published_releases_have_no_broken_links(two_releases):
    _, _, served = two_releases
    assert SITE.startswith("https://"), "mkdocs.yml names no site_url"
    report = check_site(served, SITE)
    assert report.ok, "\n".join(map(str, report.problems))
    versions = {p.relative_to(served).parts[0] for p in served.glob("*/index.html")}
    assert {"1.0.0", "1.1.0", "latest"} <= versions
    assert report.pages >= 3 * 8 and report.references > 1000
    assert CONFIG["repo_url"] in report.external


@pytest.fixture(scope="module")
def strict_build(tmp_path_factory, real_site_drawn) -> tuple[Path, str]:
    """The real site with one source given a URL, built by build_charts and `mkdocs build --strict`."""
    root = copy_site_skeleton(tmp_path_factory.mktemp("strict") / "project")
    pkg = PackageCopy(root / "datapackages" / "trade")
    shutil.copytree(REAL_PACKAGE, pkg.root)
    url = "https://source.invalid/trade-report?id=7"
    pkg.set("sources", pkg.rows("sources")[0]["id"], url=url)
    build(pkg.descriptor, Paths(root), log=lambda _: None)
    result = subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict", "-q"], cwd=root,
                            capture_output=True, text=True, env={**os.environ, "NO_MKDOCS_2_WARNING": "1"})
    assert result.returncode == 0, result.stderr
    return root / "site", url


def test_a_strict_build_of_the_real_site_has_no_broken_links_and_lists_source_urls(strict_build):
    site, url = strict_build
    report = check_site(site, SITE)
    assert report.ok, "\n".join(map(str, report.problems))
    assert "data.html" in report.external[url]


def test_deleting_a_chart_spec_from_the_real_site_is_caught(strict_build, tmp_path):
    site = shutil.copytree(strict_build[0], tmp_path / "site")
    spec = sorted(site.glob("assets/charts/**/*.vl.json"))[0]
    spec.unlink()
    name = spec.relative_to(site).as_posix()
    problems = check_site(site, SITE).problems
    assert problems and all(name in p.message for p in problems)
    assert {p.where for p in problems} == {"div data-spec", "a href"}


@pytest.mark.parametrize("files, code, expected", [
    ({"index.html": '<a href="gone.html">x</a>'}, 1, "index.html:1: a href: 'gone.html'"),
    ({"index.html": '<a href="other.html">x</a>', "other.html": "<p>here</p>"}, 0, "0 problem"),
])
def test_the_check_links_command_exits_1_naming_the_broken_link(tmp_path, files, code, expected):
    write_site(tmp_path / "site", files)
    result = subprocess.run([sys.executable, "build_charts.py", "check-links", str(tmp_path / "site"),
                             "--site-url", SITE_URL], capture_output=True, text=True,
                            cwd=Path(__file__).resolve().parent.parent)
    assert result.returncode == code, result.stdout + result.stderr
    assert expected in result.stdout
