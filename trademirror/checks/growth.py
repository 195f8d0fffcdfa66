"""Growth rates as stated against the two period values they connect, where both are published."""

from __future__ import annotations

import itertools

import numpy as np
import pandas as pd

from ..report import Problem
from .context import Context
from .intervals import bounds, overlap
from .kind import Kind, Wording
from .rows import KEEP, PERIOD, _describe, _iv, _rows, _rows_at, published


def _figure_lookup(ctx: Context, frame: pd.DataFrame, columns: list[str]):
    """For each row of `frame`, the figure rows with the same reporter, partner, flow and period, in file order.

    `columns` name frame's reporter, partner, flow, start and end. Keys are
    mixed-radix integers over the figures' codes, so no Python tuple is built
    per figure.
    """
    data = ctx.data
    k = ctx.columns
    own = ["reporter", "partner", "flow", *PERIOD]
    fkey = np.zeros(len(data.figures), dtype=np.int64)
    qkey = np.zeros(len(frame), dtype=np.int64)
    known = np.ones(len(frame), dtype=bool)
    for name, column in zip(own, columns):
        radix = len(k.uniques[name]) + 1
        fkey = fkey * radix + k.codes[name]
        code = pd.Index(k.uniques[name]).get_indexer(frame[column].to_numpy(dtype=object))
        known &= code >= 0
        qkey = qkey * radix + np.maximum(code, 0)
    order = np.argsort(fkey, kind="stable")
    sorted_keys = fkey[order]
    lo = np.searchsorted(sorted_keys, qkey, side="left")
    hi = np.searchsorted(sorted_keys, qkey, side="right")
    return [order[a:b] if ok else order[:0] for a, b, ok in zip(lo, hi, known)]


def growth_mismatch(ctx: Context) -> list[Problem]:
    """A stated growth rate should match the two period values it connects, where both are published."""
    data = ctx.data
    growth = data.tables.get("growth")
    if growth is None or growth.empty:
        return []
    figures, names, out = data.figures, ctx.names, []
    rel = data.files["growth"]
    key = ["reporter", "partner", "flow"]
    currents = _figure_lookup(ctx, growth, [*key, "period_start", "period_end"])
    bases = _figure_lookup(ctx, growth, [*key, "base_start", "base_end"])
    taken = _rows_at(figures, itertools.chain(*(c for c, b in zip(currents, bases, strict=True)
                                                if len(c) and len(b)),
                                              *(b for c, b in zip(currents, bases, strict=True) if len(c) and len(b))))
    for g, current_rows, base_rows in zip(_rows(growth), currents, bases):
        if not len(current_rows) or not len(base_rows):
            continue
        current, base = [taken[int(p)] for p in current_rows], [taken[int(p)] for p in base_rows]
        stated = bounds(g.change_pct, g.qualifier)
        for c, b in itertools.product(current, base):
            ci, bi = _iv(c), _iv(b)
            if bi[0] <= 0:
                continue
            implied = ((ci[0] / bi[1] - 1) * 100, (ci[1] / bi[0] - 1) * 100)
            if not overlap(implied, stated):
                actual = (c.value_mn / b.value_mn - 1) * 100
                rows = sorted([c, b], key=lambda r: r.csv_line)
                out.append(Problem(
                    "finding", "growth-mismatch", rel, g.csv_line, "change_pct",
                    f"stated change {g.change_pct:+g}% ({g.id}) does not match {_describe(b, names)}"
                    f" → {published(c)} (line {c.csv_line}), a change of {actual:+.1f}%",
                    KEEP, ids=(g.id, *(r.id for r in rows)),
                    sources=tuple(dict.fromkeys([g.source_id, *(r.source_id for r in rows)])),
                    details={"stated_pct": g.change_pct, "actual_pct": round(actual, 2)}))
    return out




def growth_mismatch_sentence(p: Problem, w: Wording) -> str:
    g = w.growth[p.ids[0]]
    rows = w.rows(p)
    base = next(r for r in rows if r.period_start == g.base_start and r.period_end == g.base_end)
    cur = next(r for r in rows if r is not base)
    return w.text("findings.sentence.growth-mismatch", stated=w.pct(g.change_pct / 100),
                  reporter=w.said[g.reporter], flow=w.flow(g.flow, g.partner),
                  base_period=w.period(g.base_start, g.base_end), period=w.period(g.period_start, g.period_end),
                  base=w.figure(base), current=w.figure(cur), actual=w.pct(p.details["actual_pct"] / 100))


KINDS = (
    Kind("growth-mismatch", growth_mismatch, growth_mismatch_sentence,
         {"stated_pct": "the change the source states, in %",
          "actual_pct": "the change the two published values make, in %, to two decimals"}),
)
