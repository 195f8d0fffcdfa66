"""What readers will see change: a data pull request's report, for the editor who approves it.

`build_charts.py diff [BASE]` compares the data package in the working tree
with the same package at a git revision (or with the published release) and
writes, in the reader's language, the figures added, revised and removed, the
contradictions that appear or are resolved, the mirror gaps whose verdict
changes, and the pages affected. The publish workflow puts it in the pull
request's job summary. The sentences are the release changelog's own, so the
editor reads before merging what readers will read after publishing.
"""

from __future__ import annotations

import io
import json
import subprocess
import tarfile
import tempfile
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from . import changelog, clock, derive, mirror, settings
from .errors import UserError
from .i18n import Catalogue
from .package import Dataset
from .releases import BRANCH, load_release, published_versions
from .report import Report
from .validate import validate

PUBLISHED = "published"  # BASE meaning the newest release on gh-pages


class DiffError(UserError):
    """The comparison cannot be made; the message says why and what to do."""

    exit_code = 2
    command = "diff"


@dataclass
class Side:
    version: str
    figures: pd.DataFrame
    findings: list[dict]
    pairs: pd.DataFrame | None  # None when only the published downloads are known


def side(data: Dataset, report: Report, pairs: pd.DataFrame | None = None) -> Side:
    """One side of the comparison; `pairs` when the caller has paired the figures already (the current Views)."""
    if pairs is None:
        pairs, _ = mirror.pair(data.figures, data.countries, data.settings.get("focus_reporter"))
    return Side(str(data.meta.get("version", "")), data.figures, json.loads(report.to_json())["findings"], pairs)


def at_revision(repo: Path, descriptor: Path, revision: str) -> Side:
    """The package as it was at a git revision: its folder extracted into a temporary one, then validated."""
    folder = descriptor.parent.resolve().relative_to(repo.resolve())
    result = subprocess.run(["git", "archive", "--format=tar", revision, "--", folder.as_posix()], cwd=repo,
                            capture_output=True)
    if result.returncode != 0:
        message = result.stderr.decode("utf-8", "replace").strip().splitlines()[-1:]
        raise DiffError(f"git cannot read {folder} at '{revision}' ({'; '.join(message)}) — name a commit, a branch"
                        f" or '{PUBLISHED}'")
    with tempfile.TemporaryDirectory() as tmp:
        with tarfile.open(fileobj=io.BytesIO(result.stdout)) as archive:
            archive.extractall(tmp, filter="data")
        report, data = validate(Path(tmp) / folder / descriptor.name, clock.today())
    if data is None:
        raise DiffError(f"the package at '{revision}' does not validate ({len(report.errors)} error(s)), so there is"
                        " nothing to compare with — choose an earlier revision")
    return side(data, report)


def published(repo: Path, comparison: str = settings.DEFAULT_CURRENCY) -> Side | None:
    """The newest release on gh-pages, its figures' value_mn in `comparison` (the current package's)."""
    versions = published_versions(repo, BRANCH)
    release = load_release(repo, versions[0], BRANCH, comparison) if versions else None
    return Side(release.version, release.figures, release.findings, None) if release else None


def views_of(data: Dataset, report: Report, cat: Catalogue):
    """The current package's Views: the names, flows and money of its pages, in the report's language."""
    from .views import Views

    pairs, unmatched = mirror.pair(data.figures, data.countries, data.settings.get("focus_reporter"))
    return Views(data, report, pairs, unmatched, derive.derived_values(data.figures, data.growth), cat)


def report(views, current: Side, base: Side, base_name: str, cat: Catalogue) -> str:
    """The report as Markdown. `views` is the current package's Views (names, flows, money in this language)."""
    changes = changelog.compare(changelog.Release(current.version, current.figures, current.findings),
                                changelog.Release(base.version, base.figures, base.findings))
    page = views.changelog_page(changes)
    lines = [f"## {cat.text('diff.title', base=base_name)}", ""]
    sections = [(key, items) for key, items in page.context["sections"] if items]
    gaps = verdicts(views, current.pairs, base.pairs, cat)
    if gaps:
        sections.append(("gaps", gaps))
    if not sections:
        return "\n".join([*lines, cat.text("diff.nothing"), ""])
    for key, items in sections:
        lines += [f"### {cat.text('diff.gaps') if key == 'gaps' else cat.text('changelog.' + key)}", ""]
        lines += [f"- {item}" for item in items] + [""]
    lines += [f"### {cat.text('diff.pages')}", ""]
    lines += [f"- {title}" for title in pages_affected(views, changes, gaps, cat)] + [""]
    return "\n".join(lines)


def verdicts(views, now: pd.DataFrame | None, before: pd.DataFrame | None, cat: Catalogue) -> list[str]:
    """A sentence for each mirror pair whose verdict (consistent, notable, large, small) changes."""
    if now is None or before is None:
        return []
    key = ["reporter_a", "reporter_b", "flow", "exporter", "importer", "period_start", "period_end"]
    merged = now.merge(before, on=key, how="outer", suffixes=("", "_before"), indicator="state")
    out = []
    for p in merged.itertuples(index=False):
        old = p.classification_before if p.state != "left_only" else None
        new = p.classification if p.state != "right_only" else None
        if old == new:
            continue
        shown = p if new is not None else p._replace(**{c: getattr(p, f"{c}_before") for c in ("country", "gap")})
        what = cat.text("diff.pair", country=views.names[shown.country], flow=views.pair_flow(shown),
                        period=views.period(p.period_start, p.period_end))
        word = {v: cat.text(f"classification.{v}") if v else cat.text("diff.no_pair") for v in (old, new)}
        out.append(cat.text("diff.verdict", what=what, old=word[old], new=word[new]))
    return out


def pages_affected(views, changes: changelog.Changes, gaps: list[str], cat: Catalogue) -> list[str]:
    """The pages whose figures change: each economy's page touched, and the site-wide pages that list them."""
    rows = [*changes.added, *changes.removed, *(r["row"] for r in changes.revised)]
    pages = set(views.partner_countries())
    touched = sorted({code for r in rows for code in (r["reporter"], r["partner"]) if code in pages},
                     key=lambda code: views.names[code])
    site_wide = [cat.text(f"nav.{key}") for key in ("overview", "findings", "data", "changelog")]
    return [views.names[code] for code in touched] + site_wide

