"""Versioned data releases with mike: two versions side by side, a changelog, and no silent overwrite."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import urllib.request
from pathlib import Path

import pytest

from .conftest import REAL_PACKAGE, ROOT, PackageCopy, copy_site_skeleton
from .serve import serve

pytestmark = pytest.mark.slow


def run(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, str(ROOT / "build_charts.py"), "--root", str(cwd), *args], cwd=cwd,
                          capture_output=True, text=True)


def git(*args: str, cwd: Path) -> str:
    return subprocess.run(["git", *args], cwd=cwd, capture_output=True, text=True, check=True).stdout


def make_repo(target: Path) -> tuple[Path, PackageCopy]:
    root = copy_site_skeleton(target)
    shutil.copytree(REAL_PACKAGE, root / "datapackages" / "trade")
    shutil.copy2(ROOT / ".gitignore", root / ".gitignore")
    git("init", "-q", "-b", "main", cwd=root)
    git("-c", "user.name=t", "-c", "user.email=t@t", "add", "-A", cwd=root)
    git("-c", "user.name=t", "-c", "user.email=t@t", "commit", "-qm", "start", cwd=root)
    git("config", "user.name", "Release Bot", cwd=root)
    git("config", "user.email", "bot@example.org", cwd=root)
    return root, PackageCopy(root / "datapackages" / "trade")


def set_version(pkg: PackageCopy, version: str) -> None:
    meta = json.loads(pkg.descriptor.read_text())
    meta["version"] = version
    pkg.descriptor.write_text(json.dumps(meta, indent=2))


def export_branch(root: Path, target: Path) -> Path:
    """The gh-pages branch as files, as GitHub Pages would serve it."""
    target.mkdir()
    archive = subprocess.run(["git", "archive", "gh-pages"], cwd=root, capture_output=True, check=True).stdout
    subprocess.run(["tar", "-x", "-C", str(target)], input=archive, check=True)
    return target


def get(url: str) -> str:
    with urllib.request.urlopen(url) as response:
        return response.read().decode("utf-8")


@pytest.fixture(scope="module")
def two_releases(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("release")
    root, pkg = make_repo(tmp / "repo")
    first = run("release", cwd=root)
    assert first.returncode == 0, first.stdout + first.stderr
    pkg.set("figures", "chn-tjk-exports-2025", value_usd_mn="3750")
    set_version(pkg, "1.1.0")
    second = run("release", cwd=root)
    assert second.returncode == 0, second.stdout + second.stderr
    return root, pkg, export_branch(root, tmp / "served")


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
    assert "chn-tjk-exports-2025" in changelog and "US$3.7bn → US$3.75bn" in changelog
    assert "first one published" in (served / "1.0.0" / "changelog.html").read_text()


def test_publishing_an_existing_version_again_is_refused(two_releases):
    root, _, _ = two_releases
    before = git("rev-parse", "gh-pages", cwd=root)
    again = run("release", cwd=root)
    assert again.returncode == 1
    assert "version 1.1.0 is already published" in again.stderr and "--force-republish" in again.stderr
    assert "Traceback" not in again.stderr
    assert git("rev-parse", "gh-pages", cwd=root) == before
