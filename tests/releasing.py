"""Build a project in a temporary git repository and publish data releases from it with mike."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import urllib.request
from pathlib import Path

from .conftest import REAL_PACKAGE, ROOT, PackageCopy, copy_site_skeleton


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
    git("config", "user.name", "Release Bot", cwd=root)
    git("config", "user.email", "bot@example.org", cwd=root)
    commit(root, "start", FIRST_COMMIT)
    return root, PackageCopy(root / "datapackages" / "trade")


# Two commits on one day: their releases' feed entries must still be told apart.
FIRST_COMMIT = "2026-03-02T09:15:00Z"
SECOND_COMMIT = "2026-03-02T16:40:00Z"


def commit(root: Path, message: str, when: str) -> str:
    git("add", "-A", cwd=root)
    subprocess.run(["git", "commit", "-qm", message], cwd=root, check=True,
                   env={**os.environ, "GIT_AUTHOR_DATE": when, "GIT_COMMITTER_DATE": when})
    return git("rev-parse", "HEAD", cwd=root).strip()


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


def two_releases(tmp: Path):
    root, pkg = make_repo(tmp / "repo")
    first = run("release", cwd=root)
    assert first.returncode == 0, first.stdout + first.stderr
    pkg.set("figures", "chn-tjk-exports-2025", value="3750")
    set_version(pkg, "1.1.0")
    commit(root, "China's exports to Tajikistan revised", SECOND_COMMIT)
    second = run("release", cwd=root)
    assert second.returncode == 0, second.stdout + second.stderr
    return root, pkg, export_branch(root, tmp / "served")
