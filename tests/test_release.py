"""Versioned data releases with mike: two versions side by side, a changelog, and no silent overwrite."""

from __future__ import annotations

import json

import pytest

from .releasing import get, git, run
from .serve import serve

pytestmark = pytest.mark.slow


def test_both_versions_are_served_and_the_old_one_keeps_the_old_figure(two_releases):
    root, _, served = two_releases
    versions = json.loads((served / "versions.json").read_text())
    assert [(v["version"], v["aliases"]) for v in versions] == [("1.1.0", ["latest"]), ("1.0.0", [])]
    with serve(served) as base:
        old = get(f"{base}/1.0.0/countries/tajikistan.html")
        new = get(f"{base}/latest/countries/tajikistan.html")
        assert "US$3.7bn" in old and "US$3.75bn" not in old
        assert "US$3.75bn" in new
        assert 'url=latest/' in get(f"{base}/")  # the root redirects to the default version


def test_the_new_versions_changelog_lists_the_revision(two_releases):
    _, _, served = two_releases
    changelog = (served / "1.1.0" / "changelog.html").read_text()
    assert "Figures revised" in changelog
    assert "chn-tjk-exports-2025" in changelog and "the value revised from US$3.7bn to US$3.75bn" in changelog
    assert "first one published" in (served / "1.0.0" / "changelog.html").read_text()


def test_publishing_an_existing_version_again_is_refused(two_releases):
    root, _, _ = two_releases
    before = git("rev-parse", "gh-pages", cwd=root)
    again = run("release", cwd=root)
    assert again.returncode == 3
    assert "version 1.1.0 is already published" in again.stderr and "--force-republish" in again.stderr
    assert "Traceback" not in again.stderr
    assert git("rev-parse", "gh-pages", cwd=root) == before


def test_the_feed_of_the_latest_release_lists_every_release_newest_first(two_releases):
    import xml.etree.ElementTree as ET

    _, _, served = two_releases
    ns = {"a": "http://www.w3.org/2005/Atom"}
    for folder in ("", "ru/"):
        feed = ET.fromstring((served / "latest" / f"{folder}feed.xml").read_bytes())
        links = [e.find("a:link", ns).get("href") for e in feed.findall("a:entry", ns)]
        assert [link.split("/trade-mirror/")[1] for link in links] == [
            f"1.1.0/{folder}changelog.html", f"1.0.0/{folder}changelog.html"]
        for link in links:  # each entry points at a page that exists in its own version
            assert (served / link.split("/trade-mirror/")[1]).is_file()
    old = ET.fromstring((served / "1.0.0" / "feed.xml").read_bytes())
    assert len(old.findall("a:entry", ns)) == 1  # a published version's feed is never rewritten


def test_each_version_cites_its_own_address(two_releases):
    _, _, served = two_releases
    for version in ("1.0.0", "1.1.0"):
        for page in ("countries/tajikistan.html", "ru/about.html"):
            html = (served / version / page).read_text(encoding="utf-8")
            cite = html.split('class="tm-cite__text">', 1)[1].split("</p>", 1)[0]
            assert f"{version}" in cite and f'/trade-mirror/{version}/{page}"' in cite, cite


def test_each_release_records_its_source_commit(two_releases):
    root, _, served = two_releases
    commits = git("log", "--format=%H", "main", cwd=root).split()
    log = git("log", "--format=%B", "gh-pages", cwd=root)
    versions = {v["version"]: v["properties"] for v in json.loads((served / "versions.json").read_text())}
    # main's two commits, newest first, published as 1.1.0 and 1.0.0
    for version, commit in zip(("1.1.0", "1.0.0"), commits, strict=True):
        assert versions[version] == {"source_commit": commit, "data_version": version}
        assert f"Data release {version} from {commit[:12]}\n\nSource commit: {commit}\nData version: {version}" in log


def test_two_releases_on_one_day_carry_their_commits_times_in_the_feed(two_releases):
    import xml.etree.ElementTree as ET

    from .releasing import FIRST_COMMIT, SECOND_COMMIT

    _, _, served = two_releases
    ns = {"a": "http://www.w3.org/2005/Atom"}
    feed = ET.fromstring((served / "latest" / "feed.xml").read_bytes())
    assert [e.findtext("a:updated", namespaces=ns) for e in feed.findall("a:entry", ns)] == [
        SECOND_COMMIT, FIRST_COMMIT]
    assert feed.findtext("a:updated", namespaces=ns) == SECOND_COMMIT


def test_gh_pages_answers_a_missing_address_with_the_sites_own_404_page(two_releases):
    _, _, served = two_releases
    page = (served / "404.html").read_text(encoding="utf-8")
    assert page == (served / "1.1.0" / "404.html").read_text(encoding="utf-8")  # the newest release's
    assert 'href="/trade-mirror/1.1.0/assets/' in page  # absolute: it is served at any depth


def test_an_uncommitted_change_is_not_released(two_releases, tmp_path):
    import shutil

    from .conftest import PackageCopy
    from .releasing import set_version

    root, pkg, _ = two_releases
    repo = tmp_path / "repo"
    shutil.copytree(root, repo, symlinks=True)
    copy = PackageCopy(repo / pkg.root.relative_to(root))
    copy.set("figures", "chn-tjk-exports-2025", value="3705")
    set_version(copy, "1.2.0")
    before = git("rev-parse", "gh-pages", cwd=repo)
    refused = run("release", cwd=repo)
    assert refused.returncode == 1 and "Traceback" not in refused.stderr
    assert "2 uncommitted change(s)" in refused.stderr and "figures.csv" in refused.stderr
    assert "commit them first, or pass --allow-dirty" in refused.stderr
    assert git("rev-parse", "gh-pages", cwd=repo) == before
