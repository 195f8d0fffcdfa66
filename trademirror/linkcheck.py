"""Check that every link in a built site lands on a file (and anchor) of that site.

A reader who follows a link, a chart that fetches its spec, a page that loads a
script: each needs a file that the build actually wrote. This module reads a
built site folder (a plain `mkdocs build`, or a gh-pages tree with mike's
version folders) and returns what does not resolve. It never touches the
network: links to other hosts are collected and listed, not fetched.

URLs are resolved the way a browser does, against the page's own address under
`site_url` (pages are `name.html`, as with `use_directory_urls: false`), so a
relative link, a root-absolute `/base/...` link and an absolute link to the
site itself are all checked against the folder. Query strings are ignored and
`#fragments` are checked against the `id`s of the target page. Besides the
pages, it reads what the site uses to link: `sitemap.xml`, MkDocs' search
index, the `url()`s of linked stylesheets and Material's search worker. A
`javascript:` or `data:` link is a problem too: a reader must never follow one.
"""

from __future__ import annotations

import json
import os
import re
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import quote, unquote, urljoin, urlsplit

# Used as the site's address when none is given: any host works, as long as it is not a real one.
PLACEHOLDER_URL = "https://site.invalid/"
# Attributes whose value is one URL, on any element.
URL_ATTRS = frozenset({"href", "src", "data-spec", "poster", "action", "xlink:href"})
# Schemes that run code or inline a document when followed: never acceptable in a link.
UNSAFE_SCHEMES = frozenset({"javascript", "vbscript", "data"})
# Elements whose `data:` URL is an inline image or font, not a link a reader follows.
INLINE_DATA_OK = frozenset({"img", "source", "link", "image", "use", "video", "audio", "css"})
CSS_URL = re.compile(r"""url\(\s*(['"]?)([^'")]+)\1\s*\)|@import\s+(['"])([^'"]+)\3""")


@dataclass(frozen=True, order=True)
class Problem:
    """A reference that does not resolve: where it is, what it says, and what is wrong."""

    file: str  # path of the referring file, relative to the site folder
    line: int
    where: str  # the element and attribute, e.g. "img src"
    url: str
    message: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {self.where}: {self.url!r} {self.message}"


@dataclass
class LinkReport:
    """Everything a link check found: problems, and the links to other hosts (never fetched)."""

    pages: int = 0
    references: int = 0
    problems: list[Problem] = field(default_factory=list)
    external: dict[str, list[str]] = field(default_factory=dict)  # URL -> files that link to it

    @property
    def ok(self) -> bool:
        return not self.problems

    def summary(self) -> str:
        verdict = "OK" if self.ok else "BROKEN: fix the links above"
        return (f"{self.pages} page(s), {self.references} internal reference(s), {len(self.problems)} problem(s),"
                f" {len(self.external)} external link(s) listed, not fetched: {verdict}")


@dataclass(frozen=True)
class _Ref:
    line: int
    where: str
    url: str
    base: str = ""  # resolve against this instead of the file's own address (a <base href> or a CSS file)


@dataclass
class _Page:
    ids: set[str] = field(default_factory=set)
    refs: list[_Ref] = field(default_factory=list)


class _PageParser(HTMLParser):
    """Collects the ids of one page and every URL it references, with line numbers."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.page = _Page()
        self.base = ""
        self._config: tuple[int, list[str]] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        line = self.getpos()[0]
        values = {name: value or "" for name, value in attrs}
        if "id" in values:
            self.page.ids.add(values["id"])
        if tag == "a" and "name" in values:
            self.page.ids.add(values["name"])
        if tag == "base" and "href" in values:
            self.base = values["href"]
            return
        for name, value in values.items():
            if name in URL_ATTRS or (tag == "object" and name == "data"):
                self._add(line, f"{tag} {name}", value.strip())
            elif name in ("srcset", "imagesrcset"):
                for candidate in value.split(","):
                    if candidate.strip():
                        self._add(line, f"{tag} {name}", candidate.split()[0])
        if tag == "meta" and values.get("http-equiv", "").lower() == "refresh":
            target = re.search(r"url\s*=\s*['\"]?([^'\"\s]+)", values.get("content", ""), re.I)
            if target:
                self._add(line, "meta refresh", target.group(1))
        if tag == "script" and values.get("id") == "__config":
            self._config = (line, [])

    def handle_data(self, data: str) -> None:
        if self._config is not None:
            self._config[1].append(data)

    def handle_endtag(self, tag: str) -> None:
        if tag == "script" and self._config is not None:
            line, text = self._config
            self._config = None
            # Material's settings name the search worker script, which the page loads on first search.
            try:
                worker = json.loads("".join(text)).get("search")
            except (json.JSONDecodeError, AttributeError):
                worker = None
            if isinstance(worker, str):
                self._add(line, "script __config search", worker)

    def _add(self, line: int, where: str, url: str) -> None:
        self.page.refs.append(_Ref(line, where, url, self.base))


def _parse_page(text: str) -> _Page:
    parser = _PageParser()
    parser.feed(text)
    parser.close()
    return parser.page


def _sitemap_refs(text: str) -> list[_Ref]:
    """Raises ET.ParseError for a sitemap that is not XML."""
    root = ET.fromstring(text)
    return [_Ref(1, "sitemap loc", (loc.text or "").strip()) for loc in root.iter() if loc.tag.endswith("}loc")]


def _search_index_refs(text: str) -> list[_Ref]:
    """MkDocs' search results link to these locations, relative to the site (version) root."""
    docs = json.loads(text).get("docs", [])
    return [_Ref(1, "search location", doc.get("location", ""), "../") for doc in docs]


class _Site:
    """The built folder seen through the site's address: URL in, file path out."""

    def __init__(self, folder: Path, site_url: str):
        self.folder = folder
        self.site_url = site_url if site_url.endswith("/") else site_url + "/"
        parts = urlsplit(self.site_url)
        self.origin = f"{parts.scheme}://{parts.netloc}"
        self.prefix = parts.path

    def url_of(self, rel: str) -> str:
        return self.site_url + quote(rel)

    def internal_path(self, absolute: str) -> str | None:
        """The folder-relative path of an absolute URL on this site, or None when it is elsewhere."""
        parts = urlsplit(absolute)
        if f"{parts.scheme}://{parts.netloc}" != self.origin or not parts.path.startswith(self.prefix):
            return None
        return unquote(parts.path[len(self.prefix):])

    def file_for(self, rel: str) -> Path | None:
        """The file a server would send for this path: a file, or a folder's index.html; never one outside."""
        if ".." in Path(rel).parts:  # an escaped "%2e%2e" survives URL resolution; a server refuses it
            return None
        target = self.folder / rel if rel else self.folder
        if rel and not rel.endswith("/") and target.is_file():
            return target
        index = target / "index.html"
        return index if index.is_file() else None


def _walk(folder: Path) -> list[str]:
    """Every file's folder-relative path, sorted. Symlinked folders (mike's aliases, such as `latest`) are
    not entered: their pages are checked once, in the version folder they point to; links into them resolve."""
    found = []
    for directory, _, names in os.walk(folder):  # followlinks=False
        found.extend((Path(directory) / name).relative_to(folder).as_posix() for name in names)
    return sorted(rel for rel in found if (folder / rel).is_file())


def check_site(folder: Path, site_url: str = "") -> LinkReport:
    """Check every reference in the built site in `folder`, served at `site_url` (its mkdocs.yml value).

    Without `site_url`, the folder is taken to be served at the root of a host.
    """
    folder = Path(folder)
    site = _Site(folder, site_url or PLACEHOLDER_URL)
    report = LinkReport()
    pages, sources = _read_sources(folder, report)
    report.pages = len(pages)
    stylesheets: set[str] = set()
    for rel, refs in sources:
        for ref in refs:
            problem = _check(site, pages, report, rel, ref, stylesheets)
            if problem:
                report.problems.append(problem)
    for rel in sorted(stylesheets):
        for ref in _stylesheet_refs((folder / rel).read_text(encoding="utf-8", errors="replace")):
            problem = _check(site, pages, report, rel, ref, set())
            if problem:
                report.problems.append(problem)
    report.problems.sort()
    report.external = {url: sorted(set(files)) for url, files in sorted(report.external.items())}
    return report


def _read_sources(folder: Path, report: LinkReport) -> tuple[dict[str, _Page], list[tuple[str, list[_Ref]]]]:
    """The site's pages, and every file that holds references (pages, the sitemap, the search index) with
    them; a sitemap or search index that cannot be read is a problem in `report`."""
    pages: dict[str, _Page] = {}
    sources: list[tuple[str, list[_Ref]]] = []
    for rel in _walk(folder):
        path = folder / rel
        if path.suffix == ".html":
            pages[rel] = _parse_page(path.read_text(encoding="utf-8", errors="replace"))
            sources.append((rel, pages[rel].refs))
        elif path.name == "sitemap.xml":
            try:
                sources.append((rel, _sitemap_refs(path.read_text(encoding="utf-8"))))
            except ET.ParseError as exc:
                report.problems.append(Problem(rel, exc.position[0], "sitemap", "", f"is not valid XML ({exc})"
                                               " — rebuild the site"))
        elif path.name == "search_index.json" and path.parent.name == "search":
            try:
                sources.append((rel, _search_index_refs(path.read_text(encoding="utf-8"))))
            except (json.JSONDecodeError, AttributeError) as exc:
                report.problems.append(Problem(rel, 1, "search index", "", f"is not an MkDocs search index ({exc})"
                                               " — rebuild the site"))
    return pages, sources


def _stylesheet_refs(css: str) -> Iterator[_Ref]:
    for match in CSS_URL.finditer(css):
        url = match.group(2) or match.group(4)
        line = css.count("\n", 0, match.start()) + 1
        yield _Ref(line, "css url", url.strip())


def _check(site: _Site, pages: dict[str, _Page], report: LinkReport, rel: str, ref: _Ref,
           stylesheets: set[str]) -> Problem | None:
    """Resolve one reference; record external links and stylesheets to read; return what is wrong, if anything."""
    url = ref.url
    if not url:
        return Problem(rel, ref.line, ref.where, url, "is empty — give the link a target")
    scheme = urlsplit(url).scheme.lower()
    if scheme in UNSAFE_SCHEMES:
        tag = ref.where.split()[0]
        if scheme == "data" and tag in INLINE_DATA_OK:
            return None
        return Problem(rel, ref.line, ref.where, url[:80],
                       f"uses the {scheme}: scheme — links must be relative or http(s)")
    base = urljoin(site.url_of(rel), ref.base) if ref.base else site.url_of(rel)
    absolute = urljoin(base, url)
    parts = urlsplit(absolute)
    target_rel = site.internal_path(absolute)
    if target_rel is None:
        if parts.scheme in ("http", "https") and parts.netloc == urlsplit(site.site_url).netloc:
            return Problem(rel, ref.line, ref.where, url,
                           f"leads outside the site ({site.site_url}) — make it relative")
        report.external.setdefault(url, []).append(rel)
        return None
    report.references += 1
    target = site.file_for(target_rel)
    if target is None:
        return Problem(rel, ref.line, ref.where, url,
                       f"points to {target_rel or '/'}, which is not in the built site"
                       " — fix the link or build the file")
    target_key = target.relative_to(site.folder).as_posix()
    if target.suffix == ".css":
        stylesheets.add(target_key)
    fragment = unquote(parts.fragment)
    if fragment and target_key in pages and fragment not in pages[target_key].ids:
        return Problem(rel, ref.line, ref.where, url,
                       f"{target_key} has no element with id '{fragment}' — fix the link or the heading it names")
    return None
