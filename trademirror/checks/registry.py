"""Every kind of finding, in the order its check runs: one entry per kind (kind.py), listed by its module."""

from __future__ import annotations

from collections.abc import Callable

from ..report import Problem
from . import gdp, growth, official, parts, totals, units
from .context import Context
from .kind import Kind, Wording

KINDS: tuple[Kind, ...] = (*totals.KINDS, *parts.KINDS, *official.KINDS, *growth.KINDS, *gdp.KINDS, *units.KINDS)
BY_CODE: dict[str, Kind] = {k.code: k for k in KINDS}

# Each check once, in the order of its first kind (turnover_vs_components finds two kinds).
FINDING_CHECKS: tuple[Callable[[Context], list[Problem]], ...] = tuple(dict.fromkeys(k.check for k in KINDS))


def sentence(p: Problem, w: Wording) -> str:
    """A finding as readers read it, in the edition's language; a kind without an entry keeps its message."""
    kind = BY_CODE.get(p.code)
    return kind.sentence(p, w) if kind else p.message
