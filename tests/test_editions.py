"""Language editions, embeds, images, citations and the release feed, on a full build of the real data."""

from __future__ import annotations

import json
import os
import re
import shutil
import struct
import subprocess
import sys
import xml.etree.ElementTree as ET
from html.parser import HTMLParser
from pathlib import Path

import pytest
import yaml

from trademirror import languages
from trademirror.build import build
from trademirror.i18n import LOCALES
from trademirror.paths import Paths
from trademirror.releases import nothing_published

from .conftest import REAL_PACKAGE, ROOT, copy_site_skeleton

pytestmark = pytest.mark.slow


def quiet(_: str) -> None:
    pass


def new_project(target: Path, mkdocs_edit=None) -> tuple[Paths, Path]:
    root = copy_site_skeleton(target)
    shutil.copytree(REAL_PACKAGE, root / "datapackages" / "trade")
    if mkdocs_edit:
        mkdocs_edit(root / "mkdocs.yml")
    return Paths(root), root / "datapackages" / "trade" / "datapackage.json"


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Paths:
    paths, descriptor = new_project(tmp_path_factory.mktemp("editions") / "project")
    build(descriptor, paths, log=quiet, previous=nothing_published, html=True)
    return paths


def other_editions(paths: Paths) -> list[languages.Language]:
    found = [lang for lang in languages.configured(paths.mkdocs_yml) if not lang.is_main]
    assert found, "mkdocs.yml lists more than one language"
    return found


class Text(HTMLParser):
    """The text a reader sees in the page's article, without scripts."""

    def __init__(self):
        super().__init__()
        self.parts: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag, attrs):
        self._skip += tag in ("script", "style")

    def handle_endtag(self, tag):
        self._skip -= tag in ("script", "style") and self._skip > 0

    def handle_data(self, data):
        if not self._skip:
            self.parts.append(data)


def article_text(html: str) -> str:
    body = html.split('<article class="md-content__inner md-typeset">', 1)[-1].split("</article>", 1)[0]
    parser = Text()
    parser.feed(body)
    return " ".join(" ".join(parser.parts).split())


def test_every_page_exists_in_every_language(built):
    main_pages = {p.relative_to(built.site).as_posix() for p in built.site.rglob("*.html")
                  if not any(p.relative_to(built.site).as_posix().startswith(e.folder) for e in other_editions(built))}
    assert len(main_pages) > 20  # pages and embed pages
    for edition in other_editions(built):
        edition_pages = {p.relative_to(built.site / edition.folder).as_posix()
                         for p in (built.site / edition.folder).rglob("*.html")}
        assert edition_pages == main_pages, edition.code
        html = (built.site / edition.folder / "index.html").read_text(encoding="utf-8")
        assert f'<html lang="{edition.code}"' in html


def english_sentences() -> list[str]:
    """Fixed English wording from en.yml: each message's longest run of words between placeholders."""
    found = []

    def walk(node):
        if isinstance(node, dict):
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)
        elif isinstance(node, str):
            for piece in re.split(r"\{[^}]*\}", node):
                words = piece.strip(" .,:;()“”\"'").split()
                if len(words) >= 4:
                    found.append(" ".join(words))

    walk(yaml.safe_load((LOCALES / "en.yml").read_text(encoding="utf-8")))
    return found


def test_no_english_message_leaks_into_the_russian_pages(built):
    sentences = english_sentences()
    assert len(sentences) > 50
    edition = next(e for e in other_editions(built) if e.code == "ru")
    checked = 0
    for page in sorted((built.site / edition.folder).rglob("*.html")):
        html = page.read_text(encoding="utf-8")
        if "tm-fallback" in html or "/embed/" in page.as_posix() or page.name == "404.html":
            continue  # a hand-written page not translated yet says so, in Russian, above the English
        text = article_text(html)
        leaks = [s for s in sentences if s in text]
        assert leaks == [], f"{page.relative_to(built.site)}: {leaks[:3]}"
        checked += 1
    assert checked >= 10


def test_russian_pages_use_russian_numbers_dates_and_country_names(built):
    page = (built.site / "ru" / "countries" / "tajikistan.html").read_text(encoding="utf-8")
    text = article_text(page)
    assert re.search(r"\d,\d+\s?млрд", text), "a decimal comma in money"
    assert "Таджикистан" in text
    # The only English name left is inside a source's locator, quoted as published ("Tajikistan, para 3").
    assert "Tajikistan" not in re.sub(r"Tajikistan, para \d+", "", text)
    months = re.findall(r"\b(янв|фев|мар|апр|мая|май|июн|июл|авг|сент|окт|нояб|дек)\.?", text)
    assert months, "part-year periods are named with Russian month names"
    nav = (built.docs / "ru" / ".nav.yml").read_text(encoding="utf-8")
    assert "Казахстан" in nav and "Kazakhstan" not in nav
    spec = json.loads((built.docs / "ru" / "assets" / "charts" / "countries" / "tajikistan" / "mirror.vl.json")
                      .read_text(encoding="utf-8"))
    assert spec["config"]["locale"]["number"]["decimal"] == ","  # axes and tooltips: 1,5 not 1.5
    assert spec["config"]["locale"]["number"]["thousands"] == "\u00a0"


def test_a_hand_written_page_without_translation_is_shown_in_english_with_a_note(tmp_path):
    paths, descriptor = new_project(tmp_path / "project")
    (paths.docs / "ru" / "about.md").unlink()
    build(descriptor, paths, log=quiet, previous=nothing_published, html=True)
    page = (paths.site / "ru" / "about.html").read_text(encoding="utf-8")
    assert 'class="tm-fallback"' in page and 'lang="en"' in page
    assert "Trade Mirror is an open-source generator" in article_text(page)
    translation = "# О проекте\n\nПеревод.\n"
    (paths.docs / "ru" / "about.md").write_text(translation, encoding="utf-8")
    build(descriptor, paths, log=quiet, previous=nothing_published)
    assert (paths.docs / "ru" / "about.md").read_text(encoding="utf-8") == translation  # never overwritten


def test_a_third_language_needs_only_a_line_of_configuration(tmp_path):
    """German has no locale file here: its pages fall back to English text, with CLDR's German names."""
    def add_german(mkdocs_yml: Path) -> None:
        text = mkdocs_yml.read_text(encoding="utf-8")
        mkdocs_yml.write_text(text.replace("      lang: ru\n", "      lang: ru\n    - name: Deutsch\n"
                                           "      link: de/\n      lang: de\n"), encoding="utf-8")

    paths, descriptor = new_project(tmp_path / "project", add_german)
    messages = []
    build(descriptor, paths, log=messages.append, previous=nothing_published, html=True)
    assert any("de:" in m and "shown in English" in m for m in messages)
    assert (paths.site / "de" / "countries" / "tajikistan.html").is_file()
    assert "Kasachstan" in (paths.docs / "de" / ".nav.yml").read_text(encoding="utf-8")
    switcher = (paths.site / "ru" / "index.html").read_text(encoding="utf-8")
    assert 'hreflang="de"' in switcher


def png_size(path: Path) -> tuple[int, int]:
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    return struct.unpack(">II", data[16:24])


def test_each_chart_has_a_2x_png_and_each_page_with_charts_a_social_card(built):
    chart_dir = built.docs / "assets" / "charts" / "countries" / "tajikistan"
    svg_width = int(re.search(r'<svg[^>]*width="(\d+)"', (chart_dir / "mirror.svg").read_text()).group(1))
    assert png_size(chart_dir / "mirror.png")[0] == 2 * svg_width
    cards = sorted(chart_dir.glob("*.card.png"))
    assert len(cards) == 1 and png_size(cards[0]) == (1200, 630)
    html = (built.site / "countries" / "tajikistan.html").read_text(encoding="utf-8")
    image = re.search(r'<meta property="og:image" content="([^"]+)"', html).group(1)
    assert image.startswith("https://") and image.endswith(cards[0].relative_to(built.docs).as_posix())


def test_each_chart_has_an_embed_page_and_a_copyable_iframe(built):
    html = (built.site / "countries" / "tajikistan.html").read_text(encoding="utf-8")
    snippets = re.findall(r'<pre class="tm-embed-code"><code>(&lt;iframe src=&quot;(.*?)&quot;.*?)</code></pre>',
                          html, re.S)
    assert len(snippets) == html.count('class="tm-chart"') >= 3
    for _, url in snippets:
        assert url.startswith("https://") and "/embed/countries/tajikistan/" in url
        local = built.site / ("embed/" + url.split("/embed/", 1)[1])
        assert local.is_file(), local
        page = local.read_text(encoding="utf-8")
        assert 'class="tm-vega"' in page and "Content-Security-Policy" in page and "countries/tajikistan.html" in page


def test_every_page_says_how_to_cite_its_release(built):
    for page in ("index.html", "countries/tajikistan.html", "findings.html", "about.html", "ru/data.html"):
        html = (built.site / page).read_text(encoding="utf-8")
        cite = re.search(r'<p class="tm-cite__text">(.*?)</p>', html, re.S)
        assert cite, page
        version = yaml.safe_load((built.root / "nav.yml").read_text())["extra"]["release"]["version"]
        canonical = re.search(r'<link rel="canonical" href="([^"]+)"', html).group(1)
        assert f"{version}" in cite.group(1) and f'<a href="{canonical}">' in cite.group(1), cite.group(1)
        assert canonical.endswith(page)  # with mike, this address holds the version (see test_release)


def test_the_feed_lists_the_release_and_is_linked_from_every_page(built):
    feed = ET.fromstring((built.site / "feed.xml").read_bytes())
    ns = {"a": "http://www.w3.org/2005/Atom"}
    entries = feed.findall("a:entry", ns)
    assert len(entries) == 1 and entries[0].find("a:link", ns).get("href").endswith("/changelog.html")
    assert 'type="application/atom+xml"' in (built.site / "countries" / "tajikistan.html").read_text()
    assert (built.site / "ru" / "feed.xml").is_file()


def without_russian(mkdocs_yml: Path) -> None:
    """What docs/fork.md tells a fork to do: delete the language's entry from extra.alternate, nothing else."""
    text = mkdocs_yml.read_text(encoding="utf-8")
    entry = re.search(r"    - name: Русский\n(?:      .*\n)+", text)
    assert entry, "mkdocs.yml lists Russian in extra.alternate"
    mkdocs_yml.write_text(text.replace(entry.group(0), ""), encoding="utf-8")


def test_removing_a_language_from_mkdocs_yml_alone_gives_a_clean_strict_build_without_a_language_menu(tmp_path):
    paths, _ = new_project(tmp_path / "project", without_russian)
    assert (paths.docs / "ru" / "about.md").is_file(), "the translated folder is left behind"
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
    command = [sys.executable, str(ROOT / "build_charts.py"), "--root", str(paths.root)]
    built = subprocess.run([*command, "build", "--site"], capture_output=True, text=True, cwd=paths.root, env=env)
    assert built.returncode == 0, built.stdout + built.stderr
    warnings = [line for line in built.stdout.splitlines() if "docs/ru/" in line]
    assert len(warnings) == 1 and "warning" in warnings[0] and "extra.alternate" in warnings[0], built.stdout
    assert "Traceback" not in built.stdout + built.stderr
    links = subprocess.run([*command, "check-links", str(paths.site)], capture_output=True, text=True,
                           cwd=paths.root, env=env)
    assert links.returncode == 0, links.stdout + links.stderr
    assert not (paths.site / "ru").exists()
    left = sorted(p.relative_to(paths.docs / "ru").as_posix() for p in (paths.docs / "ru").rglob("*.md"))
    assert left == ["about.md", "security.md"], "no generated page is written for a removed language"
    for page in paths.site.rglob("*.html"):
        html = page.read_text(encoding="utf-8")
        assert "hreflang" not in html and "md-select__list" not in html, page.relative_to(paths.site)


@pytest.mark.parametrize(("folders", "listed", "leftover"), [
    (["ru", "assets", "countries"], ["", "ru/"], []),
    (["ru", "assets", "countries"], [""], ["ru/"]),  # ru has a locale file
    (["de", "downloads", "embed"], [""], ["de/"]),  # no locale file, but CLDR knows German
    (["pt-BR"], [""], ["pt-BR/"]),
])
def test_a_folder_is_a_leftover_edition_only_when_it_is_a_language_not_listed(tmp_path, folders, listed, leftover):
    for folder in folders:
        (tmp_path / folder).mkdir()
    editions = [languages.Language(folder.rstrip("/") or "en", "", folder) for folder in listed]
    assert languages.leftover_folders(tmp_path, editions) == leftover


NAMES_CASES = [
    # (rows added to names.csv, what the English pages say, what the Russian pages say)
    pytest.param([], {"index.md": ["# China and Central Asia: two sets of books", "of trade with Central Asia:"]},
                 {"ru/index.md": ["# Китай и Центральная Азия"], "ru/.nav.yml": ["Казахстан"]},
                 id="the real package: a group CLDR lacks is named from names.csv in both editions"),
    pytest.param([{"code": "XCA", "language": "en", "name": "", "in_sentence": "the five Central Asian states"},
                  {"code": "XCA", "language": "ru", "name": "Средняя Азия", "in_sentence": ""}],
                 {"index.md": ["# China and the five Central Asian states: two sets of books",
                               "of trade with the five Central Asian states:"]},
                 {"ru/index.md": ["# Китай и Средняя Азия"]},
                 id="a journalist's edit of names.csv changes both editions, the in-sentence form in English"),
    pytest.param([{"code": "CHN", "language": "en", "name": "", "in_sentence": "the People's Republic of China"}],
                 {"countries/tajikistan.md": ["The People's Republic of China's customs put its trade with Tajikistan",
                                              "# Tajikistan"],
                  "index.md": ["goods from the People's Republic of China to "]},
                 {"ru/countries/tajikistan.md": ["Китай"]},
                 id="a sentence that opens with an in-sentence name capitalises it"),
]


@pytest.mark.parametrize(("rows", "english", "russian"), NAMES_CASES)
def test_names_of_economies_come_from_the_data_package_in_every_edition(tmp_path, rows, english, russian):
    from .conftest import PackageCopy

    paths, descriptor = new_project(tmp_path / "project")
    package = PackageCopy(descriptor.parent)
    edited = {(row["code"], row["language"]) for row in rows}
    kept = [row for row in package.rows("names") if (row["code"], row["language"]) not in edited]
    package.write_rows("names", kept + rows)
    build(descriptor, paths, log=quiet, previous=nothing_published)
    for page, expected in {**english, **russian}.items():
        text = (paths.docs / page).read_text(encoding="utf-8")
        missing = [phrase for phrase in expected if phrase not in text]
        assert missing == [], f"{page}: {missing}"


@pytest.mark.parametrize(("template", "expected"), [
    ("{focus}'s figures for {year}. The balance is {focus}'s exports minus its imports.",
     "The European Union's figures for 2024. The balance is the European Union's exports minus its imports."),
    ("In {year}, {focus} sold more than it bought.", "In 2024, the European Union sold more than it bought."),
])
def test_only_the_name_that_opens_a_sentence_gets_a_capital(template, expected):
    from trademirror.i18n import InSentence, _capitalise_opening

    filled, values = _capitalise_opening(template, {"focus": InSentence("the European Union"), "year": 2024})
    assert filled.format(**values) == expected
