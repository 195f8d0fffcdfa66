"""One economy's page as a step of its own: the rows it reads, selected once, and its files kept by their hash.

A correction to one figure changes the rows of one or two economies. Their
pages and charts are made again; every other economy's files come from the
cache, because nothing they are made from has changed. What makes that safe is
that the page is made from a `Views` restricted to the rows `select` gives it
(`Views.for_economy`): the step cannot read a row its key does not cover. The
key is the hash of those rows together with the edition's own inputs (the
code, templates and messages, the language and currency, the tables every page
reads: economies, names, sources, rates, settings and the release).
"""

from __future__ import annotations

import hashlib
import json
import os
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from .report import Problem
from .site import atomic_write

CACHE_FOLDER = ".trademirror-cache/pages"  # under the project root; any entry can be deleted at any time


@dataclass(frozen=True)
class Rows:
    """The rows of every table that one economy's page reads."""

    figures: pd.DataFrame
    derived: pd.DataFrame
    growth: pd.DataFrame
    indicators: pd.DataFrame
    pairs: pd.DataFrame
    unmatched: pd.DataFrame
    findings: tuple[Problem, ...]


TABLES = ("figures", "derived", "growth", "indicators", "pairs", "unmatched")


def table_bytes(frame: pd.DataFrame | None) -> bytes:
    """Bytes that change whenever a table's columns, a value or the order of its rows does: a 64-bit hash
    per row (pandas' vectorised, fixed-key hash, the same in every process), after the column names."""
    if frame is None:
        return b""
    return _header(frame) + _row_hashes(frame).tobytes()


def _header(frame: pd.DataFrame) -> bytes:
    return "\0".join(f"{name}:{dtype}" for name, dtype in frame.dtypes.items()).encode("utf-8") + b"\0\0"


def _row_hashes(frame: pd.DataFrame) -> np.ndarray:
    return pd.util.hash_pandas_object(frame, index=False).to_numpy()


def _problem(p: Problem) -> dict:
    return {"code": p.code, "file": p.file, "row": p.row, "field": p.field, "message": p.message, "fix": p.fix,
            "ids": list(p.ids), "sources": list(p.sources), "details": p.details}


def _add(h, label: str, data: bytes) -> None:
    h.update(f"{label}\0{len(data)}\0".encode())
    h.update(data)


class _Table:
    """A whole table, hashed once, with its rows found by the value of a column without a scan per economy."""

    def __init__(self, frame: pd.DataFrame):
        self.frame, self.header, self.hashes = frame, _header(frame), _row_hashes(frame)
        self._by: dict[str, dict] = {}

    def column(self, name: str) -> np.ndarray:
        return self.frame[name].to_numpy()

    def where(self, column: str, values) -> np.ndarray:
        """Positions of the rows whose `column` is one of `values`."""
        if column not in self._by:
            self._by[column] = {k: v for k, v in self.frame.groupby(column, sort=False).indices.items()}
        index = self._by[column]
        found = [index[v] for v in values if v in index]
        return np.concatenate(found) if found else np.empty(0, dtype=np.intp)


def select(figures: pd.DataFrame, derived: pd.DataFrame, growth: pd.DataFrame, indicators: pd.DataFrame,
           pairs: pd.DataFrame, unmatched: pd.DataFrame, findings: Iterable[Problem],
           codes: Iterable[str]) -> dict[str, Selected]:
    """Each economy's rows: its figures (either side), those its pairs, derived values and findings name,
    and its indicators, pairs, unmatched flows and findings. Rows keep the order of the full tables.

    Each table is hashed once, row by row, and an economy's key is made from the hashes of its rows: the
    cost of knowing that nothing changed grows with the data, not with the data times the economies.
    """
    tables = {name: _Table(frame) for name, frame in zip(TABLES, (figures, derived, growth, indicators, pairs,
                                                                   unmatched), strict=True)}
    about = _findings_by_economy(list(findings), figures, indicators)
    return {code: _rows(tables, code, about.get(code, ())) for code in codes}


def _findings_by_economy(findings: list[Problem], figures: pd.DataFrame,
                         indicators: pd.DataFrame) -> dict[str, tuple[Problem, ...]]:
    figure_of = dict(zip(figures.id, zip(figures.reporter, figures.partner, strict=True), strict=True))
    indicator_of = dict(zip(indicators.id, indicators.country, strict=True))
    about: dict[str, list[Problem]] = defaultdict(list)
    for p in findings:
        economies = {c for i in p.ids if i in figure_of for c in figure_of[i]}
        economies |= {indicator_of[i] for i in p.ids if i in indicator_of}
        for code in sorted(economies):
            about[code].append(p)
    return {code: tuple(found) for code, found in about.items()}


@dataclass(frozen=True)
class Selected:
    """One economy's rows, by position in the full tables, and their key; the rows themselves are only
    taken out (`rows`) when the page must be made, not when the cache has it."""

    tables: dict[str, _Table]
    positions: dict[str, np.ndarray]
    findings: tuple[Problem, ...]
    key: str

    def rows(self) -> Rows:
        frames = {name: self.tables[name].frame.iloc[self.positions[name]] for name in TABLES}
        return Rows(**frames, findings=self.findings)


def _rows(tables: dict[str, _Table], code: str, findings: tuple[Problem, ...]) -> Selected:
    t = tables
    derived = np.union1d(t["derived"].where("reporter", [code]), t["derived"].where("partner", [code]))
    pairs = np.sort(t["pairs"].where("country", [code]))
    named = {i for p in findings for i in p.ids}
    figure_ids = named | set(t["pairs"].column("x_id")[pairs]) | set(t["pairs"].column("m_id")[pairs])
    figure_ids |= set(t["derived"].column("from_figure")[derived])
    growth_ids = named | set(t["derived"].column("from_growth")[derived])
    positions = {
        "figures": _union(t["figures"].where("reporter", [code]), t["figures"].where("partner", [code]),
                          t["figures"].where("id", sorted(figure_ids))),
        "derived": derived,
        "growth": _union(t["growth"].where("id", sorted(growth_ids))),
        "indicators": _union(t["indicators"].where("country", [code]), t["indicators"].where("id", sorted(named))),
        "pairs": pairs,
        "unmatched": _union(t["unmatched"].where("country", [code])),
    }
    h = hashlib.sha256()
    for name in TABLES:
        _add(h, name, t[name].header + t[name].hashes[positions[name]].tobytes())
    _add(h, "findings", json.dumps([_problem(p) for p in findings], sort_keys=True, default=str).encode())
    return Selected(tables, positions, findings, h.hexdigest())


def _union(*positions: np.ndarray) -> np.ndarray:
    """Row positions, each once, in the table's order."""
    return np.unique(np.concatenate(positions)).astype(np.intp)


def edition_digest(*parts: bytes | str) -> str:
    """The hash of what every page of an edition reads besides its own rows."""
    h = hashlib.sha256()
    for number, part in enumerate(parts):
        _add(h, str(number), part.encode("utf-8") if isinstance(part, str) else part)
    return h.hexdigest()


@dataclass(frozen=True)
class Made:
    """An economy page's files as made: the page, each chart's spec, data and embed page, and the messages
    the page fell back to English for (so a cached page reports them too)."""

    path: str
    page: str
    charts: tuple[tuple[str, str, str, str], ...]  # (name, spec JSON, CSV, embed HTML)
    missing: tuple[str, ...] = ()

    def to_bytes(self) -> bytes:
        return json.dumps({"path": self.path, "page": self.page, "charts": self.charts, "missing": self.missing},
                          ensure_ascii=False).encode("utf-8")

    @classmethod
    def from_bytes(cls, data: bytes) -> Made:
        raw = json.loads(data.decode("utf-8"))
        return cls(raw["path"], raw["page"], tuple(tuple(c) for c in raw["charts"]), tuple(raw["missing"]))


class Cache:
    """Made pages by key, in a folder: a hit is the bytes a fresh making would give, because the key
    names everything they are made from. Entries the last build did not use are removed by `prune`."""

    def __init__(self, folder: Path | None):
        self.folder = folder
        self.used: set[str] = set()
        self.hits = self.misses = 0

    def get(self, key: str) -> Made | None:
        self.used.add(key)
        entry = self.folder / key if self.folder else None
        try:
            made = Made.from_bytes(entry.read_bytes()) if entry else None
        except (OSError, ValueError, KeyError, TypeError):  # missing, or damaged: make the page again
            made = None
        if made is None:
            self.misses += 1
        else:
            self.hits += 1
        return made

    def put(self, key: str, made: Made) -> None:
        self.used.add(key)
        if self.folder:
            atomic_write(self.folder / key, made.to_bytes())

    def prune(self) -> None:
        if not self.folder or not self.folder.is_dir():
            return
        for entry in self.folder.iterdir():
            if entry.name not in self.used and not entry.name.startswith("."):
                try:
                    os.unlink(entry)
                except OSError:
                    pass
