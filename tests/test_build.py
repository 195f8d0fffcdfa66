"""The whole build: deterministic, incremental, data-driven, and safe with hostile text."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from trademirror import inputs, languages, site
from trademirror.build import BuildError, build
from trademirror.paths import Paths
from trademirror.releases import nothing_published

from .conftest import REAL_PACKAGE, ROOT, PackageCopy, check_golden, copy_site_skeleton, write_package


def quiet(_: str) -> None:
    pass


def edition_path(paths: Paths, path: str) -> str:
    """A path in docs/ without its language edition's folder: ru/index.md -> index.md."""
    for language in languages.configured(paths.mkdocs_yml):
        if language.folder and path.startswith(language.folder):
            return path[len(language.folder):]
    return path


def tree(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


@pytest.fixture
def project(tmp_path: Path, real_site_drawn) -> tuple[Paths, PackageCopy]:
    """A copy of the site skeleton and of the real data package, to build into."""
    root = copy_site_skeleton(tmp_path / "project")
    shutil.copytree(REAL_PACKAGE, root / "datapackages" / "trade")
    return Paths(root), PackageCopy(root / "datapackages" / "trade")


@pytest.fixture(scope="module")
def _built_once(tmp_path_factory, real_site_drawn) -> dict[str, Path]:
    """The real project built once each way (docs/ only, and docs/ with site/), to be copied by the tests that
    start from a built project and then change it."""
    made = {}
    for how in ("docs", "site"):
        root = copy_site_skeleton(tmp_path_factory.mktemp(f"built-{how}") / "project")
        shutil.copytree(REAL_PACKAGE, root / "datapackages" / "trade")
        if how == "docs":
            build(PackageCopy(root / "datapackages" / "trade").descriptor, Paths(root), log=quiet)
        else:
            first = _cli(Paths(root), "build", "--site")
            assert first.returncode == 0, first.stdout + first.stderr
        made[how] = root
    return made


@pytest.fixture
def built(_built_once) -> Paths:
    """The real project as its build left it, for the tests that only read what it made (never write to it)."""
    return Paths(_built_once["docs"])


def _copy_of(original: Path, tmp_path: Path) -> tuple[Paths, PackageCopy]:
    root = tmp_path / "project"
    shutil.copytree(original, root, symlinks=True)  # nav.yml and site/ are links into docs/: kept as links
    return Paths(root), PackageCopy(root / "datapackages" / "trade")


@pytest.fixture
def built_project(_built_once, tmp_path) -> tuple[Paths, PackageCopy]:
    """A copy of the real project as its build left it (docs/ only)."""
    return _copy_of(_built_once["docs"], tmp_path)


@pytest.fixture
def built_site_project(_built_once, tmp_path) -> tuple[Paths, PackageCopy]:
    """A copy of the real project as `build --site` left it (docs/, site/ and nav.yml)."""
    return _copy_of(_built_once["site"], tmp_path)


def test_two_builds_in_two_folders_are_byte_identical_site_included(tmp_path, monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1767225600")  # 2026-01-01: the sitemap's date comes from it
    outputs = []
    for name in ("one", "two"):
        (tmp_path / name).mkdir()
        root = copy_site_skeleton(tmp_path / name)
        build(ROOT / "datapackages" / "china-central-asia-trade" / "datapackage.json", Paths(root), log=quiet,
              previous=nothing_published, html=True)
        outputs.append({**{f"docs/{k}": v for k, v in tree(root / "docs").items()},
                        **{f"site/{k}": v for k, v in tree(root / "site").items()},
                        "nav.yml": (root / "nav.yml").read_bytes()})
    assert outputs[0].keys() == outputs[1].keys()
    assert {"site/sitemap.xml", "site/sitemap.xml.gz", "site/search/search_index.json"} <= outputs[0].keys()
    assert b"<lastmod>2026-01-01</lastmod>" in outputs[0]["site/sitemap.xml"]
    assert [k for k in outputs[0] if outputs[0][k] != outputs[1][k]] == []


def test_a_rebuild_without_changes_writes_nothing(built_project):
    paths, pkg = built_project
    again = build(pkg.descriptor, paths, log=quiet)
    assert again.written == [] and again.removed == []


def test_an_unchanged_project_is_not_built_again(project):
    paths, pkg = project
    build(pkg.descriptor, paths, log=quiet, previous=nothing_published)
    before = {p: p.stat().st_mtime_ns for p in paths.docs.rglob("*") if p.is_file()}
    messages: list[str] = []
    again = build(pkg.descriptor, paths, log=messages.append, previous=nothing_published)
    assert any("nothing to do" in m for m in messages) and again.written == []
    assert {p: p.stat().st_mtime_ns for p in paths.docs.rglob("*") if p.is_file()} == before
    (paths.docs / "countries" / "tajikistan.md").write_text("damaged", encoding="utf-8")  # an output edited
    repaired = build(pkg.descriptor, paths, log=quiet, previous=nothing_published)
    assert repaired.written == ["countries/tajikistan.md"]


@pytest.mark.parametrize("change", ["a figure", "a hand-written page", "mkdocs.yml", "a message", "the date"])
def test_any_change_to_an_input_means_a_new_build(project, change, monkeypatch):
    paths, pkg = project
    before = inputs.current_key(pkg.descriptor, paths)
    if change == "a figure":
        pkg.set("figures", "chn-tjk-exports-2025", value="3800")
    elif change == "a hand-written page":
        (paths.docs / "about.md").write_text("# About\n\nChanged.\n", encoding="utf-8")
    elif change == "mkdocs.yml":
        paths.mkdocs_yml.write_text(paths.mkdocs_yml.read_text().replace("site_name: Trade Mirror",
                                                                          "site_name: Other Mirror"))
    elif change == "a message":
        monkeypatch.setattr(inputs, "LIBRARY", paths.root)  # stands in for an edited locale file
    else:
        monkeypatch.setenv("SOURCE_DATE_EPOCH", "1767225600")
    assert inputs.current_key(pkg.descriptor, paths) != before


def test_changing_one_figure_rewrites_only_that_country_and_the_region_pages(built_project):
    paths, pkg = built_project
    first = site.read_manifest(paths.docs)  # every file the first build wrote
    pkg.set("figures", "chn-tjk-exports-2025", value="3800")
    second = build(pkg.descriptor, paths, log=quiet)
    # the findings page lists every mirror gap, so a changed figure of a pair changes it too
    allowed = ("countries/tajikistan.md", "assets/charts/countries/tajikistan/", "index.md", "assets/charts/index/",
               "embed/countries/tajikistan/", "embed/index/", "downloads/", "findings.md")
    assert second.written, "the change must be written"
    assert [p for p in second.written if not edition_path(paths, p).startswith(allowed)] == []
    assert "countries/tajikistan.md" in second.written and "ru/countries/tajikistan.md" in second.written
    assert not any("kazakhstan" in p or "kyrgyzstan" in p for p in second.written)
    assert len(second.written) < len(first) / 3


def test_outputs_whose_inputs_vanished_are_removed(built_project):
    paths, pkg = built_project
    assert (paths.docs / "countries" / "turkmenistan.md").exists()
    pkg.write_rows("figures", [r for r in pkg.rows("figures") if "TKM" not in (r["reporter"], r["partner"])])
    pkg.write_rows("growth", [r for r in pkg.rows("growth") if "TKM" not in (r["reporter"], r["partner"])])
    pkg.write_rows("indicators", [r for r in pkg.rows("indicators") if r["country"] != "TKM"])
    result = build(pkg.descriptor, paths, log=quiet)
    assert "countries/turkmenistan.md" in result.removed
    assert not (paths.docs / "countries" / "turkmenistan.md").exists()
    assert not (paths.docs / "assets" / "charts" / "countries" / "turkmenistan").exists()
    assert (paths.docs / "about.md").exists()  # hand-written pages are never touched


def test_a_package_with_errors_builds_nothing_and_leaves_the_old_output(built_project):
    paths, pkg = built_project
    before = tree(paths.docs)
    pkg.set("figures", "chn-kaz-turnover-2025", value="-1")
    with pytest.raises(BuildError) as error:
        build(pkg.descriptor, paths, log=quiet)
    assert "error" in str(error.value) and error.value.report.errors[0].code == "negative-value"
    assert tree(paths.docs) == before


def _cli(paths: Paths, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, str(ROOT / "build_charts.py"), "--root", str(paths.root), *args],
                          capture_output=True, text=True, cwd=paths.root, env=_env())


def _published(paths: Paths) -> dict[str, bytes]:
    return {**{f"docs/{k}": v for k, v in tree(paths.docs).items()},
            **{f"site/{k}": v for k, v in tree(paths.site).items()}, "nav.yml": (paths.root / "nav.yml").read_bytes()}


@pytest.mark.parametrize("breakage", ["bad data", "site fails strict build"])
def test_a_failed_build_leaves_docs_and_site_byte_identical(built_site_project, breakage):
    paths, pkg = built_site_project
    before = _published(paths)
    assert "site/countries/tajikistan.html" in before
    pkg.set("figures", "chn-tjk-exports-2025", value="3900")  # a change that would rewrite pages
    if breakage == "bad data":
        pkg.set("figures", "chn-kaz-turnover-2025", value="-1")
        expected = "negative"
    else:  # the data is fine, but a hand-written page links to a page that does not exist
        (paths.docs / "about.md").write_text("# About\n\n[gone](missing-page.md)\n", encoding="utf-8")
        before["docs/about.md"] = (paths.docs / "about.md").read_bytes()
        expected = "missing-page.md"
    result = _cli(paths, "build", "--site")
    assert result.returncode == 1
    assert expected in result.stdout + result.stderr and "Traceback" not in result.stdout + result.stderr
    assert _published(paths) == before
    assert not (paths.root / ".trademirror-build").exists()


def test_the_build_command_exits_1_with_the_errors_and_no_traceback(project):
    paths, pkg = project
    pkg.set("figures", "chn-kaz-turnover-2025", partner="XXX")
    result = subprocess.run([sys.executable, str(ROOT / "build_charts.py"), "--package", str(pkg.descriptor)],
                            capture_output=True, text=True, cwd=paths.root)
    assert result.returncode == 1
    assert "data/figures.csv:" in result.stdout and "'XXX' is not in countries.csv" in result.stdout
    assert "Traceback" not in result.stdout + result.stderr


def test_golden_page_for_tajikistan(built, update_goldens):
    paths = built
    page = (paths.docs / "countries" / "tajikistan.md").read_text(encoding="utf-8")
    check_golden("tajikistan.md", page, update_goldens)


def test_tajikistan_page_shows_the_2025_gap_computed_from_both_sides(project):
    paths, pkg = project
    pkg.set("figures", "tjk-chn-imports-2025", value="2000")  # a different figure gives a different gap
    build(pkg.descriptor, paths, log=quiet)
    page = (paths.docs / "countries" / "tajikistan.md").read_text(encoding="utf-8")
    row = next(line for line in page.splitlines()
               if "data-label=\"Sender says\"" in line and "goods from China to Tajikistan" in line)
    assert "[US$3.7bn](../data.md#src-caspianpost-2026-01) (China)" in row
    assert "[US$2bn](../data.md#src-caspianpost-2026-01) (Tajikistan)" in row
    assert ">−45.9%</td>" in row and 'class="tm-badge tm-badge--large">large</span>' in row
    assert "China records US$1.7bn more goods sent than Tajikistan records received." in page


def test_negative_amounts_print_one_minus_sign_on_pages_and_plain_ascii_in_data_files(built):
    paths = built
    for page in (paths.docs / "index.md", paths.docs / "ru" / "index.md"):
        text = page.read_text(encoding="utf-8")
        assert "−" in text and not re.search(r"US\$-|-\d[\d,.]* (млн|млрд)", text), page
    assert "−US$6.8bn" in (paths.docs / "index.md").read_text(encoding="utf-8")  # Turkmenistan's balance
    chart = (paths.docs / "assets" / "charts" / "index" / "region-balance.csv").read_text(encoding="utf-8")
    row = next(line for line in chart.splitlines() if line.startswith("Turkmenistan,"))
    assert ",-6.8,−US$6.8bn," in row  # the number for programs, the label for readers


def test_a_preliminary_figure_is_marked_beside_its_value_and_its_mirror_pairs_are_labelled(built):
    paths = built
    page = (paths.docs / "countries" / "uzbekistan.md").read_text(encoding="utf-8")
    gap_rows = [line for line in page.splitlines() if 'data-label="Verdict"' in line]
    labelled = [line for line in gap_rows if "(one side preliminary)" in line]
    # Uzbekistan's 2025 turnover and exports are the partial numbers its statistics agency released
    assert len(labelled) == 2 and all("(preliminary) (Uzbekistan)" in line for line in labelled)
    assert all("(preliminary)" not in line for line in gap_rows if line not in labelled)
    assert "[US$17.1bn](../data.md#src-caspianpost-2026-01) (preliminary)</td>" in page  # key figures
    ru = (paths.docs / "ru" / "countries" / "uzbekistan.md").read_text(encoding="utf-8")
    assert "(предв. данные)" in ru and "(у одной стороны — предв. данные)" in ru
    gaps = (paths.docs / "downloads" / "mirror-gaps.csv").read_text(encoding="utf-8").splitlines()
    assert gaps[0].endswith(",x_status,m_status,status")
    uzb = [line for line in gaps[1:] if line.startswith("UZB,") and ",2025-01-01,2025-12-31," in line]
    assert len(uzb) == 2 and all(line.endswith(",preliminary") for line in uzb)
    assert all(line.endswith(",final,final,final") for line in gaps[1:] if line not in uzb)


def test_who_recorded_a_figure_is_the_agency_kind_its_source_names_in_both_languages(built_project):
    paths, pkg = built_project
    page = (paths.docs / "countries" / "kazakhstan.md").read_text(encoding="utf-8")
    assert "China's customs put its trade with Kazakhstan in 2025" in page  # caspianpost-2026-01: CHN:customs
    home = (paths.docs / "index.md").read_text(encoding="utf-8")
    # Tajikistan's customs and the others' statistics offices: the partners' kinds, most figures first
    assert "China's customs service and the statistics offices or customs services of its partners" in home
    # The same source, its agency for China now a statistics office, and then not named at all.
    for kind, en, ru in (("statistics", "China's statistics office put its trade with Kazakhstan",
                          "По данным национальной статистики, которую публикует Китай, товарооборот"),
                         ("", "China, in figures whose source names no agency, put its trade with Kazakhstan",
                          "(ведомство в источнике не названо), товарооборот")):
        agency = "UZB:statistics TJK:customs KGZ:statistics" + (f" CHN:{kind}" if kind else "")
        pkg.set("sources", "caspianpost-2026-01", agency=agency)
        build(pkg.descriptor, paths, log=quiet)
        assert en in (paths.docs / "countries" / "kazakhstan.md").read_text(encoding="utf-8")
        assert ru in (paths.docs / "ru" / "countries" / "kazakhstan.md").read_text(encoding="utf-8")
        assert "customs recorded" not in (paths.docs / "index.md").read_text(encoding="utf-8")


def test_hostile_text_in_the_data_is_printed_as_text(project):
    paths, pkg = project
    payload = '<script>alert(1)</script> [x](javascript:alert(1)) {{ 7*7 }} <img src=x onerror=alert(1)>'
    pkg.set("figures", "chn-tjk-exports-2025", note=payload)
    pkg.set("sources", "caspianpost-2026-01", title=payload)
    build(pkg.descriptor, paths, log=quiet)
    page = (paths.docs / "countries" / "tajikistan.md").read_text(encoding="utf-8")
    data_page = (paths.docs / "data.md").read_text(encoding="utf-8")
    for text in (page, data_page):
        assert "<script>" not in text and "<img src=x" not in text
        assert not re.search(r"(?<!\\)\]\(javascript:", text)  # a link only if the bracket is unescaped
    assert "&lt;script&gt;alert(1)&lt;/script&gt; \\[x\\](javascript:alert(1)) \\{\\{ 7\\*7 \\}\\}" in page


OTHER_REGION = {
    "countries": [
        {"code": "BRA", "name": "Brazil", "kind": "country", "borders": "ARG PRY URY"},
        {"code": "ARG", "name": "Argentina", "kind": "country", "groups": "XMS", "borders": "BRA PRY URY"},
        {"code": "PRY", "name": "Paraguay", "kind": "country", "groups": "XMS", "borders": "ARG BRA"},
        {"code": "URY", "name": "Uruguay", "kind": "country", "groups": "XMS", "borders": "ARG BRA"},
        {"code": "XMS", "name": "Southern neighbours", "kind": "group"},
    ],
    "sources": [{"id": "wire", "publisher": "A wire service", "title": "Trade in 2024", "published": "2025-02",
                 "url": "https://example.org/trade", "primary_source": "Customs", "language": "en"}],
}


def _fig(fid, reporter, partner, flow, value, year=2024):
    return {"id": fid, "reporter": reporter, "partner": partner, "flow": flow, "period_start": f"{year}-01-01",
            "period_end": f"{year}-12-31", "value": str(value), "unit": "mn", "currency": "USD", "qualifier": "exact",
            "source_id": "wire",
            "locator": "para 1"}


def test_a_second_region_builds_a_complete_site_without_code_changes(tmp_path):
    figures = [_fig("bra-arg-x", "BRA", "ARG", "exports", 12000), _fig("bra-arg-m", "BRA", "ARG", "imports", 11000),
               _fig("bra-arg-t", "BRA", "ARG", "turnover", 23000), _fig("arg-bra-m", "ARG", "BRA", "imports", 14500),
               _fig("bra-pry-t", "BRA", "PRY", "turnover", 4100), _fig("pry-bra-t", "PRY", "BRA", "turnover", 4000),
               _fig("bra-ury-x", "BRA", "URY", "exports", 1500), _fig("bra-ury-m", "BRA", "URY", "imports", 900),
               _fig("bra-xms-t", "BRA", "XMS", "turnover", 29000), _fig("bra-arg-t-23", "BRA", "ARG", "turnover",
                                                                       20000, 2023)]
    root = copy_site_skeleton(tmp_path)
    descriptor = write_package(root / "datapackages" / "other", {**OTHER_REGION, "figures": figures},
                               settings={"focus_reporter": "BRA", "region": "XMS"})
    summary = build(descriptor, Paths(root), log=quiet)
    assert sorted(p.name for p in (root / "docs" / "countries").glob("*.md")) == [
        "argentina.md", "paraguay.md", "uruguay.md"]
    assert summary.findings == 0
    argentina = (root / "docs" / "countries" / "argentina.md").read_text()
    assert "goods from Brazil to Argentina" in argentina and "tm-badge--large" in argentina
    assert "Brazil" in (root / "docs" / "index.md").read_text()
    nav = (root / "nav.yml").read_text()
    assert "Argentina: countries/argentina.md" in nav and "Kazakhstan" not in nav
    result = subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict", "-q"], cwd=root,
                            capture_output=True, text=True, env=_env())
    assert result.returncode == 0, result.stderr


def _env() -> dict:
    import os

    return {**os.environ, "NO_MKDOCS_2_WARNING": "1"}


def test_the_real_site_builds_with_mkdocs_strict(built_project):
    paths, _ = built_project
    result = subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict"], cwd=paths.root,
                            capture_output=True, text=True, env=_env())
    assert result.returncode == 0, result.stderr
    assert "WARNING" not in result.stderr
    html = (paths.root / "site" / "countries" / "tajikistan.html").read_text()
    assert 'class="tm-vega"' in html and "tajikistan/mirror.svg" in html


def _key(folder: Path) -> str:
    """The inputs' key, its digests kept as a successful build keeps them."""
    value = inputs.key(folder / "pkg" / "datapackage.json", folder / "docs", folder / "mkdocs.yml", b"",
                       "2026-12-01")
    inputs.save_digests(folder)
    return value


def test_a_big_package_file_changed_behind_its_recorded_stat_still_changes_the_key(tmp_path):
    """Big files are known from their stat; an edit that keeps the size and puts the old times back shows."""
    pkg = tmp_path / "pkg"
    pkg.mkdir()
    (pkg / "datapackage.json").write_text("{}", encoding="utf-8")
    big = pkg / "goods.csv"
    big.write_bytes(b"a" * inputs.BIG)
    old = big.stat()
    os.utime(big, ns=(old.st_atime_ns, old.st_mtime_ns - 10 * inputs.RACY_NS))  # long before the record
    first = _key(tmp_path)
    assert _key(tmp_path) == first  # known from the record now, and the same
    before = big.stat()
    big.write_bytes(b"b" * inputs.BIG)  # same size
    os.utime(big, ns=(before.st_atime_ns, before.st_mtime_ns))  # same modification time: only ctime moved
    assert _key(tmp_path) != first
    big.write_bytes(b"a" * inputs.BIG)
    assert _key(tmp_path) == first


def test_a_big_file_changed_in_the_tick_of_its_record_is_read_again(tmp_path):
    pkg = tmp_path / "pkg"
    pkg.mkdir()
    (pkg / "datapackage.json").write_text("{}", encoding="utf-8")
    big = pkg / "goods.csv"
    big.write_bytes(b"a" * inputs.BIG)
    first = _key(tmp_path)  # recorded within RACY_NS of the file's modification: not trusted next time
    stat = big.stat()
    # a change the stat cannot show: same size, same times, same inode (as a coarse clock would leave it)
    with big.open("r+b") as fh:
        fh.write(b"b")
    os.utime(big, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    recorded = json.loads((tmp_path / inputs.DIGESTS_FILE).read_text(encoding="utf-8"))
    entry = recorded["files"][str(big)]
    entry[2] = big.stat().st_ctime_ns  # as if the change time had not moved either
    (tmp_path / inputs.DIGESTS_FILE).write_text(json.dumps(recorded), encoding="utf-8")
    inputs._open.clear()  # the next build is another process: it reads the record
    assert _key(tmp_path) != first
