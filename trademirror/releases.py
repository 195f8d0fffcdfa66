"""Published data releases: read earlier ones from the gh-pages branch, deploy new ones with mike.

Each published version carries its own data (the site's downloads/ folder),
so the previous release's figures and findings are read back from the branch
mike writes to: no separate archive to keep in step.
"""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pandas as pd
from packaging.version import InvalidVersion, Version

from .changelog import Release

BRANCH = "gh-pages"


class ReleaseError(Exception):
    """A release cannot go ahead; the message says why and what to do."""

    exit_code = 1


class AlreadyPublished(ReleaseError):
    """Refused: the version exists. Its own exit code lets the publish workflow report it as a notice."""

    exit_code = 3


def _git(repo: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(["git", *args], cwd=repo, capture_output=True)


def _show(repo: Path, ref: str) -> bytes | None:
    result = _git(repo, "show", ref)
    return result.stdout if result.returncode == 0 else None


def published_file(repo: Path, version: str, path: str, branch: str = BRANCH) -> bytes | None:
    """A file of a published version (e.g. its feed), or None."""
    return _show(repo, f"{branch}:{version}/{path}")


def published_versions(repo: Path, branch: str = BRANCH) -> list[str]:
    raw = _show(repo, f"{branch}:versions.json")
    return [entry["version"] for entry in json.loads(raw)] if raw else []


def _order(version: str):
    try:
        return (1, Version(version))
    except InvalidVersion:
        return (0, version)


def load_release(repo: Path, version: str, branch: str = BRANCH) -> Release | None:
    figures = _show(repo, f"{branch}:{version}/downloads/figures.csv")
    if figures is None:
        return None
    report = _show(repo, f"{branch}:{version}/downloads/validation-report.json")
    findings = json.loads(report)["findings"] if report else []
    frame = pd.read_csv(io.BytesIO(figures), dtype=str, keep_default_na=False)
    frame["value_usd_mn"] = pd.to_numeric(frame["value_usd_mn"])
    return Release(version, frame, findings)


def previous_release(repo: Path, current: str, branch: str = BRANCH) -> Release | None:
    """The newest published release older than `current`, if any."""
    older = [v for v in published_versions(repo, branch) if v != current and _order(v) < _order(current)]
    for version in sorted(older, key=_order, reverse=True):
        release = load_release(repo, version, branch)
        if release is not None:
            return release
    return None


def check_new_version(repo: Path, version: str, force: bool, branch: str = BRANCH) -> None:
    if version in published_versions(repo, branch) and not force:
        raise AlreadyPublished(
            f"version {version} is already published, and published versions are never rebuilt — bump 'version'"
            " in datapackage.json for a new data release, or pass --force-republish to document a correction")


def deploy(repo: Path, version: str, push: bool, branch: str = BRANCH) -> None:
    """mike deploy <version> latest --update-aliases, then make 'latest' the default (once)."""
    bin_dir = Path(sys.executable).parent
    mike = str(bin_dir / "mike")
    # mike runs `mkdocs` from PATH: make it this environment's; silence the theme's banner.
    env = {**os.environ, "PATH": f"{bin_dir}{os.pathsep}{os.environ.get('PATH', '')}", "NO_MKDOCS_2_WARNING": "1"}
    first = not published_versions(repo, branch)
    push_flag = ["--push"] if push else []
    steps = [[mike, "deploy", "--update-aliases", "-b", branch, *push_flag,
              "-m", f"Data release {version}", version, "latest"]]
    if first:
        steps.append([mike, "set-default", "-b", branch, *push_flag, "latest"])
    for step in steps:
        result = subprocess.run(step, cwd=repo, capture_output=True, text=True, env=env)
        if result.returncode != 0:
            raise ReleaseError(f"{' '.join(step[1:3])} failed: {result.stderr.strip().splitlines()[-1:]}")
