"""Figures of the same reporter, partner and flow that cannot both be right: a part of a period larger than
the whole of it, and two sources giving different values for the same period."""

from __future__ import annotations

import itertools

import numpy as np

from ..report import Problem
from .context import Context, _by_group, _dense_unique, _runs
from .intervals import overlap, slack
from .kind import Kind, Wording
from .rows import KEEP, PERIOD, _describe, _finding, _iv, _rows, _rows_at, published


def part_exceeds_whole(ctx: Context) -> list[Problem]:
    """A figure for part of a period cannot exceed the figure for the whole of it."""
    data = ctx.data
    names, out = ctx.names, []
    figures = data.figures
    pairs = _part_whole_suspects(ctx)
    rows = _rows_at(figures, [p for pair in pairs for p in pair])
    for part_pos, whole_pos in pairs:
        part, whole = rows[part_pos], rows[whole_pos]
        if _iv(part)[0] > _iv(whole)[1]:
            out.append(_finding(
                "part-exceeds-whole", data, [part, whole],
                f"the part-period figure {_describe(part, names)} is larger than the figure for the whole"
                f" period {_describe(whole, names)}", KEEP,
                {"part": part.value_mn, "whole": whole.value_mn}))
    return out


def _part_whole_suspects(ctx: Context) -> list[tuple[int, int]]:
    """(part, whole) row positions, same reporter, partner and flow, the part's period strictly inside the whole's.

    Found without pairing every row with every other: per group and period the
    largest lower bound (as a part) and the smallest upper bound (as a whole)
    decide whether any pair of those two periods can contradict. Returned in the
    order the row-by-row rule meets them: group, then part row, then whole row.
    """
    data = ctx.data
    k = ctx.columns
    n = len(data.figures)
    if not n:
        return []
    grp = k.group("reporter", "partner", "flow")
    per = k.group(*PERIOD)
    starts = data.figures["period_start"].to_numpy(dtype=object)
    ends = data.figures["period_end"].to_numpy(dtype=object)
    first = np.unique(per, return_index=True)[1]
    p_start = np.array([d.toordinal() for d in starts[first]])
    p_end = np.array([d.toordinal() for d in ends[first]])
    n_per = len(first)
    wholes = _periods_around(p_start, p_end)
    cell = grp * n_per + per
    cells, inverse = _dense_unique(cell, (int(grp.max()) + 1) * n_per)
    runs = _runs(inverse)
    lo_max = _by_group(inverse, k.lo, "max", len(cells), runs)
    hi_min = _by_group(inverse, k.hi, "min", len(cells), runs)
    if (int(grp.max()) + 1) * n_per <= 20_000_000:
        src, at = _dense_cell_pairs(cells, n_per, wholes, lo_max, hi_min)
    else:
        src, at = _all_cell_pairs(cells, n_per, wholes)
    s = slack(lo_max[src], hi_min[at])
    hit = lo_max[src] > hi_min[at] - s
    order = runs[0]
    cut = np.r_[runs[2], len(inverse)]  # every cell has rows: its rows are order[cut[c]:cut[c + 1]]
    pairs = []
    for a, b in zip(src[hit].tolist(), at[hit].tolist()):
        pairs += [(int(p), int(w)) for p in order[cut[a]:cut[a + 1]] for w in order[cut[b]:cut[b + 1]]]
    rank = (k.codes["reporter"], k.codes["partner"], k.codes["flow"])
    return sorted(pairs, key=lambda pw: (rank[0][pw[0]], rank[1][pw[0]], rank[2][pw[0]], pw[0], pw[1]))


def _periods_around(p_start: np.ndarray, p_end: np.ndarray) -> list[np.ndarray]:
    """For each period (as first and last day ordinals), the periods that strictly contain it."""
    wholes = []
    for i in range(len(p_start)):
        inside = (p_start <= p_start[i]) & (p_end[i] <= p_end) & ~((p_start == p_start[i]) & (p_end == p_end[i]))
        wholes.append(np.flatnonzero(inside))
    return wholes


def _dense_cell_pairs(cells: np.ndarray, n_per: int, wholes: list[np.ndarray], lo_max: np.ndarray,
                      hi_min: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(part cell, whole cell) pairs of the suspect parts only, found on a group x period table.

    For each group and period, the smallest upper bound among the periods
    around it says whether the part can exceed any of them.
    """
    c_grp, c_per = cells // n_per, cells % n_per
    n_grp = int(c_grp.max()) + 1
    hi = np.full((n_grp, n_per), np.inf)
    hi[c_grp, c_per] = hi_min
    around = np.full((n_grp, n_per), np.inf)
    for i, w in enumerate(wholes):
        if len(w):
            around[:, i] = hi[:, w].min(axis=1)
    nearest = around[c_grp, c_per]
    maybe = lo_max > nearest - slack(lo_max, np.where(np.isfinite(nearest), nearest, 0))
    src, at = [], []
    for a in np.flatnonzero(maybe).tolist():  # the few suspect parts: pair them with each whole around them
        for j in wholes[c_per[a]].tolist():
            b = np.searchsorted(cells, c_grp[a] * n_per + j)
            if b < len(cells) and cells[b] == c_grp[a] * n_per + j:
                src.append(a)
                at.append(int(b))
    return np.array(src, dtype=np.int64), np.array(at, dtype=np.int64)


def _all_cell_pairs(cells: np.ndarray, n_per: int, wholes: list[np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
    """Every (part cell, whole cell) pair of the same group: where a group x period table would be too big."""
    c_grp, c_per = cells // n_per, cells % n_per
    flat = np.concatenate(wholes + [np.array([], dtype=np.int64)]).astype(np.int64)
    offsets = np.r_[0, np.cumsum([len(w) for w in wholes])].astype(np.int64)
    counts = (offsets[c_per + 1] - offsets[c_per])
    src = np.repeat(np.arange(len(cells)), counts)
    if not len(src):
        return src, src
    step = np.arange(len(src)) - np.repeat(np.cumsum(counts) - counts, counts)
    tgt_cell = c_grp[src] * n_per + flat[np.repeat(offsets[c_per], counts) + step]
    at = np.minimum(np.searchsorted(cells, tgt_cell), len(cells) - 1)
    present = cells[at] == tgt_cell
    return src[present], at[present]


def conflicting_figures(ctx: Context) -> list[Problem]:
    """Two figures for the same reporter, partner, flow and period that cannot both be right; a press quote
    against an official declaration is left to its own kind (official.py), so no pair is reported twice."""
    from .official import databases, is_press_vs_database

    data, found = ctx.data, databases(ctx)
    names, out = ctx.names, []
    k = ctx.columns
    g = k.group("reporter", "partner", "flow", *PERIOD)
    size = int(g.max(initial=-1)) + 1
    runs = _runs(g) if size else None
    lo_max, hi_min = _by_group(g, k.lo, "max", size, runs), _by_group(g, k.hi, "min", size, runs)
    suspect = (lo_max > hi_min - slack(lo_max, hi_min))[g] if size else np.zeros(0, dtype=bool)
    for _, group in data.figures[suspect].groupby(["reporter", "partner", "flow", *PERIOD], sort=True):
        for a, b in itertools.combinations(sorted(_rows(group), key=lambda r: r.csv_line), 2):
            if not overlap(_iv(a), _iv(b)) and not is_press_vs_database(a, b, found):
                out.append(_finding(
                    "conflicting-figures", data, [a, b],
                    f"two sources disagree: {_describe(a, names)} from {a.source_id},"
                    f" but {published(b)} (line {b.csv_line}) from {b.source_id}", KEEP,
                    {"values": [a.value_mn, b.value_mn]}))
    return out


# --- Sentences ----------------------------------------------------------------


def part_exceeds_whole_sentence(p: Problem, w: Wording) -> str:
    part, whole = sorted(w.rows(p), key=lambda r: (r.period_end - r.period_start))
    return w.text("findings.sentence.part-exceeds-whole", reporter=w.said[part.reporter],
                  flow=w.flow(part.flow, part.partner), part_period=w.period(part.period_start, part.period_end),
                  whole_period=w.period(whole.period_start, whole.period_end), part=w.figure(part),
                  whole=w.figure(whole))


def conflicting_figures_sentence(p: Problem, w: Wording) -> str:
    a, b = w.rows(p)[:2]
    return w.text("findings.sentence.conflicting-figures", reporter=w.said[a.reporter],
                  flow=w.flow(a.flow, a.partner), period=w.period(a.period_start, a.period_end),
                  first=w.figure(a), second=w.figure(b))


KINDS = (
    Kind("part-exceeds-whole", part_exceeds_whole, part_exceeds_whole_sentence,
         {"part": "the part-period figure (value_mn)", "whole": "the whole-period figure (value_mn)"}),
    Kind("conflicting-figures", conflicting_figures, conflicting_figures_sentence,
         {"values": "the two figures (value_mn), in file order"}),
)
