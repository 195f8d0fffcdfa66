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
import tempfile
from collections.abc import Callable
from pathlib import Path

import pandas as pd
from packaging.version import InvalidVersion, Version

from . import currency, settings
from .changelog import Release
from .errors import UserError

BRANCH = "gh-pages"
NOT_FOUND = "404.html"  # GitHub Pages answers every missing address with the branch root's 404.html
LATEST = "latest"  # the alias of the newest release: stable addresses, the feed readers subscribe to


class ReleaseError(UserError):
    """A release cannot go ahead; the message says why and what to do."""


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


def load_release(repo: Path, version: str, branch: str = BRANCH,
                 comparison: str = settings.DEFAULT_CURRENCY) -> Release | None:
    """A published release's figures (downloads/figures.csv), each with value_mn in `comparison`.

    A release from before currencies has the one column value_usd_mn, in millions of US dollars: it is
    read as value, unit mn and currency USD, so the changelog compares like with like. A newer one is
    converted with the rates.csv it published, as its own build did.
    """
    figures = _show(repo, f"{branch}:{version}/downloads/figures.csv")
    if figures is None:
        return None
    report = _show(repo, f"{branch}:{version}/downloads/validation-report.json")
    findings = json.loads(report)["findings"] if report else []
    frame = pd.read_csv(io.BytesIO(figures), dtype=str, keep_default_na=False)
    if currency.LEGACY_COLUMN in frame:
        frame = frame.rename(columns={currency.LEGACY_COLUMN: "value"}).assign(
            unit=currency.LEGACY_UNIT, currency=currency.LEGACY_CURRENCY)
    frame["value"] = pd.to_numeric(frame["value"])
    rates = _show(repo, f"{branch}:{version}/downloads/rates.csv")
    return Release(version, _in_comparison_currency(frame, rates, comparison), findings)


def _in_comparison_currency(frame: pd.DataFrame, rates: bytes | None, comparison: str) -> pd.DataFrame:
    """Published figures (text) with value_mn; the dates parsed only for the rate lookup, then kept as text."""
    dated = frame.assign(period_start=pd.to_datetime(frame.period_start).dt.date,
                         period_end=pd.to_datetime(frame.period_end).dt.date)
    table = None
    if rates is not None:
        table = pd.read_csv(io.BytesIO(rates), dtype={"currency": str, "to": str, "source_id": str},
                            keep_default_na=False)
        table["period_start"] = pd.to_datetime(table.period_start).dt.date
        table["period_end"] = pd.to_datetime(table.period_end).dt.date
        table["rate"] = pd.to_numeric(table.rate)
    converted = currency.convert(dated, table, comparison)
    return frame.assign(value_mn=converted.value_mn.to_numpy())


# What a build compares itself with: given the repository, the version being built and the comparison currency,
# the previous release or None. `published_before` reads gh-pages; `nothing_published` is for a build that
# compares with nothing (a first release, a test).
PreviousRelease = Callable[[Path, str, str], "Release | None"]


def published_before(repo: Path, current: str, comparison: str) -> Release | None:
    return previous_release(repo, current, comparison=comparison)


def nothing_published(repo: Path, current: str, comparison: str) -> None:
    return None


def previous_release(repo: Path, current: str, branch: str = BRANCH,
                     comparison: str = settings.DEFAULT_CURRENCY) -> Release | None:
    """The newest published release older than `current`, if any."""
    older = [v for v in published_versions(repo, branch) if v != current and _order(v) < _order(current)]
    for version in sorted(older, key=_order, reverse=True):
        release = load_release(repo, version, branch, comparison)
        if release is not None:
            return release
    return None


def check_new_version(repo: Path, version: str, force: bool, branch: str = BRANCH) -> None:
    if version in published_versions(repo, branch) and not force:
        raise AlreadyPublished(
            f"version {version} is already published, and published versions are never rebuilt — bump 'version'"
            " in datapackage.json for a new data release, or pass --force-republish to document a correction")


def source_commit(repo: Path) -> str:
    """The commit a release is built from; a release is always traceable to one."""
    result = _git(repo, "rev-parse", "--verify", "HEAD")
    if result.returncode != 0:
        raise ReleaseError(f"{repo}: not a git repository with a commit — a release records the commit it is"
                           " built from: git init, commit, then release")
    return result.stdout.decode().strip()


def uncommitted(repo: Path) -> list[str]:
    """Changed or new files that git does not ignore (generated pages are ignored by .gitignore)."""
    result = _git(repo, "status", "--porcelain", "--untracked-files=all")
    return [line[3:] for line in result.stdout.decode().splitlines() if line.strip()]


def check_clean(repo: Path, allow_dirty: bool) -> None:
    changed = uncommitted(repo)
    if changed and not allow_dirty:
        more = f" and {len(changed) - 3} more" if len(changed) > 3 else ""
        raise ReleaseError(f"{len(changed)} uncommitted change(s) ({', '.join(changed[:3])}{more}) — a release must"
                           " be reproducible from its source commit: commit them first, or pass --allow-dirty")


def commit_time(repo: Path, commit: str) -> int:
    """The committer's time, in seconds since the epoch: a release's moment (its feed stamp, its dates)."""
    return int(_git(repo, "log", "-1", "--format=%ct", commit).stdout.decode().strip())


def deploy(repo: Path, version: str, push: bool, source: str, correction: str = "", branch: str = BRANCH) -> None:
    """mike deploy <version> latest --update-aliases, make 'latest' the default (once), add the root 404 page.

    The gh-pages commit and the release's entry in versions.json record the source commit and data version,
    and the reason for a correction; the branch is pushed once, when all of it is in place.
    """
    bin_dir = Path(sys.executable).parent
    mike = str(bin_dir / "mike")
    # mike runs `mkdocs` from PATH: make it this environment's; silence the theme's banner.
    env = {**os.environ, "PATH": f"{bin_dir}{os.pathsep}{os.environ.get('PATH', '')}", "NO_MKDOCS_2_WARNING": "1"}
    first = not published_versions(repo, branch)
    message = release_message(version, source, correction)
    properties = {"source_commit": source, "data_version": version}
    if correction:
        properties["correction"] = correction
    steps = [[mike, "deploy", "--update-aliases", "-b", branch, "-m", message,
              "--prop-set-all", json.dumps(properties, sort_keys=True), version, LATEST]]
    if first:
        steps.append([mike, "set-default", "-b", branch, "-m", f"Default: {LATEST}", LATEST])
    for step in steps:
        result = subprocess.run(step, cwd=repo, capture_output=True, text=True, env=env)
        if result.returncode != 0:
            raise ReleaseError(f"{' '.join(step[1:3])} failed: {result.stderr.strip().splitlines()[-1:]}")
    page = published_file(repo, version, NOT_FOUND, branch)
    if page is not None:
        _put_root_file(repo, branch, NOT_FOUND, page, f"Root {NOT_FOUND} from data release {version}")
    if push:
        result = _git(repo, "push", "origin", branch)
        if result.returncode != 0:
            raise ReleaseError(f"git push origin {branch} failed: {result.stderr.decode().strip().splitlines()[-1:]}"
                               " — the release is committed locally; push it once the remote is reachable")


def release_message(version: str, source: str, correction: str = "") -> str:
    lines = [f"Data release {version} from {source[:12]}", "", f"Source commit: {source}", f"Data version: {version}"]
    return "\n".join(lines + ([f"Correction: {correction}"] if correction else []))


def _put_root_file(repo: Path, branch: str, name: str, data: bytes, message: str) -> None:
    """Commit one file at the branch's root without a checkout (mike owns the rest of the branch)."""
    blob = subprocess.run(["git", "hash-object", "-w", "--stdin"], cwd=repo, input=data, capture_output=True,
                          check=True).stdout.decode().strip()
    with tempfile.TemporaryDirectory() as tmp:
        env = {**os.environ, "GIT_INDEX_FILE": str(Path(tmp) / "index")}

        def git(*args: str) -> str:
            return subprocess.run(["git", *args], cwd=repo, env=env, capture_output=True, check=True,
                                  text=True).stdout.strip()

        git("read-tree", branch)
        git("update-index", "--add", "--cacheinfo", f"100644,{blob},{name}")
        tree = git("write-tree")
        if tree == git("rev-parse", f"{branch}^{{tree}}"):
            return
        commit = git("commit-tree", tree, "-p", branch, "-m", message)
        git("update-ref", f"refs/heads/{branch}", commit)
