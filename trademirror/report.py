"""Errors and findings, and how they are printed.

An *error* means the data is malformed and nothing may be built from it. A
*finding* means the published figures contradict each other: the build goes
on and the site reports it. Each problem carries enough to print one line a
journalist can act on: file, row, field, what is wrong, and what to do.
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import asdict, dataclass, field
from typing import Literal

Severity = Literal["error", "finding"]


@dataclass(frozen=True)
class Problem:
    severity: Severity
    code: str  # a stable slug, e.g. "negative-value" or "turnover-mismatch"
    file: str  # file name relative to the package, e.g. "data/figures.csv"
    row: int | None  # line number in the file (the header is line 1)
    field: str | None
    message: str  # what is wrong, naming the bad value
    fix: str  # what to do about it
    ids: tuple[str, ...] = ()  # for findings: the rows involved, by id
    sources: tuple[str, ...] = ()  # for findings: the sources of those rows
    details: dict = field(default_factory=dict)  # numbers the site can show

    def line(self) -> str:
        where = self.file if self.row is None else f"{self.file}:{self.row}"
        what = self.message if self.field is None else f"{self.field}: {self.message}"
        return f"{where}: {what} — {self.fix}"


@dataclass
class Report:
    """Problems to show, and how many more of each kind were found but not listed.

    Validation keeps only the first thousand errors of each kind in a file
    (`package.ERROR_CAP`), so `omitted` carries the rest as counts: totals stay
    true however big the package is.
    """

    problems: list[Problem]
    omitted: Counter = field(default_factory=Counter)  # error code -> errors found but not listed

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "error"]

    @property
    def findings(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "finding"]

    @property
    def exit_code(self) -> int:
        return 1 if self.errors or self.omitted else 0

    def counts(self, severity: Severity) -> Counter:
        """Problems of one severity by code, those not listed included."""
        kinds = Counter(p.code for p in self.problems if p.severity == severity)
        if severity == "error":
            kinds.update(self.omitted)
        return kinds

    def to_json(self) -> str:
        data = {
            "valid": not (self.errors or self.omitted),
            "errors": [_jsonable(p) for p in self.errors],
            "findings": [_jsonable(p) for p in self.findings],
        }
        if self.omitted:  # only when the list is cut, so a small report keeps its shape
            errors = self.counts("error")
            data["error_counts"] = dict(sorted(errors.items()))
            data["errors_total"] = sum(errors.values())
            data["errors_not_listed"] = dict(sorted(self.omitted.items()))
        return json.dumps(data, indent=2, sort_keys=True, ensure_ascii=False) + "\n"

    def format(self, limit: int = 200) -> str:
        """Human report: grouped by severity, with counts by kind; at most `limit` lines of each kind."""
        out: list[str] = []
        for severity, title in (("error", "Errors"), ("finding", "Findings")):
            kinds = self.counts(severity)
            if not kinds:
                continue
            summary = ", ".join(f"{n:,} {code}" for code, n in sorted(kinds.items()))
            out.append(f"{title} ({sum(kinds.values()):,}: {summary})")
            shown: Counter = Counter()
            for p in self.problems:
                if p.severity == severity:
                    shown[p.code] += 1
                    if shown[p.code] <= limit:
                        out.append(f"  {p.line()}")
            for code, n in sorted(kinds.items()):
                more = n - min(shown[code], limit)
                if more:
                    out.append(f"  … and {more:,} more {severity}s of this kind ({code})")
        n_err, n_find = sum(self.counts("error").values()), len(self.findings)
        verdict = "INVALID: fix the errors above, nothing was built" if n_err else "valid"
        out.append(f"{n_err:,} error(s), {n_find:,} finding(s): {verdict}")
        return "\n".join(out)


def _jsonable(p: Problem) -> dict:
    d = asdict(p)
    d["ids"] = list(p.ids)
    d["sources"] = list(p.sources)
    d["text"] = p.line()
    return d
