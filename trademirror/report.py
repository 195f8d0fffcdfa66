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
    problems: list[Problem]

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "error"]

    @property
    def findings(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "finding"]

    @property
    def exit_code(self) -> int:
        return 1 if self.errors else 0

    def to_json(self) -> str:
        data = {
            "valid": not self.errors,
            "errors": [_jsonable(p) for p in self.errors],
            "findings": [_jsonable(p) for p in self.findings],
        }
        return json.dumps(data, indent=2, sort_keys=True, ensure_ascii=False) + "\n"

    def format(self, limit: int = 200) -> str:
        """Human report: grouped by severity and kind, with counts, capped at `limit` lines a group."""
        out: list[str] = []
        for severity, title in (("error", "Errors"), ("finding", "Findings")):
            group = [p for p in self.problems if p.severity == severity]
            if not group:
                continue
            kinds = Counter(p.code for p in group)
            summary = ", ".join(f"{n} {code}" for code, n in sorted(kinds.items()))
            out.append(f"{title} ({len(group)}: {summary})")
            for p in group[:limit]:
                out.append(f"  {p.line()}")
            if len(group) > limit:
                out.append(f"  … and {len(group) - limit} more {severity}s (see the JSON report)")
        n_err, n_find = len(self.errors), len(self.findings)
        verdict = "INVALID: fix the errors above, nothing was built" if n_err else "valid"
        out.append(f"{n_err} error(s), {n_find} finding(s): {verdict}")
        return "\n".join(out)


def _jsonable(p: Problem) -> dict:
    d = asdict(p)
    d["ids"] = list(p.ids)
    d["sources"] = list(p.sources)
    d["text"] = p.line()
    return d
