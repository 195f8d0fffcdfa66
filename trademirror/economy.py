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

    def digest(self) -> str:
        h = hashlib.sha256()
        for name in ("figures", "derived", "growth", "indicators", "pairs", "unmatched"):
            _add(h, name, table_bytes(getattr(self, name)))
        _add(h, "findings", json.dumps([_problem(p) for p in self.findings], sort_keys=True, default=str).encode())
        return h.hexdigest()


def table_bytes(frame: pd.DataFrame | None) -> bytes:
    """Bytes that change whenever a table's columns, a value or the order of its rows does: a 64-bit hash
    per row (pandas' vectorised, fixed-key hash, the same in every process), after the column names."""
    if frame is None:
        return b""
    header = "\0".join(f"{name}:{dtype}" for name, dtype in frame.dtypes.items()).encode("utf-8")
    return header + b"\0\0" + pd.util.hash_pandas_object(frame, index=False).to_numpy().tobytes()


def _problem(p: Problem) -> dict:
    return {"code": p.code, "file": p.file, "row": p.row, "field": p.field, "message": p.message, "fix": p.fix,
            "ids": list(p.ids), "sources": list(p.sources), "details": p.details}


def _add(h, label: str, data: bytes) -> None:
    h.update(f"{label}\0{len(data)}\0".encode())
    h.update(data)


def select(figures: pd.DataFrame, derived: pd.DataFrame, growth: pd.DataFrame, indicators: pd.DataFrame,
           pairs: pd.DataFrame, unmatched: pd.DataFrame, findings: Iterable[Problem],
           codes: Iterable[str]) -> dict[str, Rows]:
    """Each economy's rows: its figures (either side), those its pairs, derived values and findings name,
    and its indicators, pairs, unmatched flows and findings. Rows keep the order of the full tables."""
    findings = list(findings)
    figure_of = dict(zip(figures.id, zip(figures.reporter, figures.partner, strict=True), strict=True))
    indicator_of = dict(zip(indicators.id, indicators.country, strict=True))
    about: dict[str, list[Problem]] = defaultdict(list)
    for p in findings:
        economies = {c for i in p.ids if i in figure_of for c in figure_of[i]}
        economies |= {indicator_of[i] for i in p.ids if i in indicator_of}
        for code in economies:
            about[code].append(p)
    out = {}
    for code in codes:
        own_derived = derived[(derived.reporter == code) | (derived.partner == code)]
        own_pairs = pairs[pairs.country == code]
        named = {i for p in about[code] for i in p.ids}
        figure_ids = named | set(own_pairs.x_id) | set(own_pairs.m_id) | set(own_derived.from_figure)
        out[code] = Rows(
            figures=figures[(figures.reporter == code) | (figures.partner == code) | figures.id.isin(figure_ids)],
            derived=own_derived,
            growth=growth[growth.id.isin(named | set(own_derived.from_growth))],
            indicators=indicators[(indicators.country == code) | indicators.id.isin(named)],
            pairs=own_pairs, unmatched=unmatched[unmatched.country == code], findings=tuple(about[code]))
    return out


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
