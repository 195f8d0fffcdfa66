"""What changed between two data releases: figures added, revised and removed, findings that came and went.

Newsrooms owe readers a visible record of corrections, so the comparison is
by figure id (a revision keeps its id and changes its value) and by finding
(its kind and the rows involved). Pure: two releases in, a summary out.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

COMPARED = ["reporter", "partner", "flow", "period_start", "period_end", "value_mn", "qualifier", "source_id"]


@dataclass
class Release:
    version: str
    figures: pd.DataFrame  # as in figures.csv, values as text
    findings: list[dict]  # as in the JSON validation report


@dataclass
class Changes:
    version: str
    previous: str | None
    added: list[dict] = field(default_factory=list)
    removed: list[dict] = field(default_factory=list)
    revised: list[dict] = field(default_factory=list)  # {"id", "field", "old", "new", "row"}
    findings_new: list[dict] = field(default_factory=list)
    findings_gone: list[dict] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        return not (self.added or self.removed or self.revised or self.findings_new or self.findings_gone)


def normalise(figures: pd.DataFrame) -> pd.DataFrame:
    """Figures as comparable text: dates as ISO strings, numbers without trailing zeros."""
    out = figures[["id", *COMPARED]].copy()
    for column in COMPARED:
        out[column] = out[column].map(_text)
    return out.set_index("id")


def _text(value) -> str:
    if isinstance(value, float):
        return f"{value:g}" if value == value else ""
    return "" if value is None else str(value)


def finding_key(finding: dict) -> tuple:
    return (finding["code"], tuple(sorted(finding["ids"])))


def compare(current: Release, previous: Release | None) -> Changes:
    changes = Changes(current.version, previous.version if previous else None)
    if previous is None:
        return changes
    new, old = normalise(current.figures), normalise(previous.figures)
    for fid in sorted(set(new.index) - set(old.index)):
        changes.added.append({"id": fid, **new.loc[fid].to_dict()})
    for fid in sorted(set(old.index) - set(new.index)):
        changes.removed.append({"id": fid, **old.loc[fid].to_dict()})
    for fid in sorted(set(new.index) & set(old.index)):
        for column in COMPARED:
            if new.at[fid, column] != old.at[fid, column]:
                changes.revised.append({"id": fid, "field": column, "old": old.at[fid, column],
                                        "new": new.at[fid, column], "row": new.loc[fid].to_dict()})
    before = {finding_key(f): f for f in previous.findings}
    after = {finding_key(f): f for f in current.findings}
    changes.findings_new = [after[k] for k in sorted(set(after) - set(before))]
    changes.findings_gone = [before[k] for k in sorted(set(before) - set(after))]
    return changes
