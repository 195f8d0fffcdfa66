"""A press figure against the official declaration it quotes: the same reporter, partner, flow and period, and
values that cannot both be right once each is read as the interval its rounding allows.

Which sources are official databases is data (datapackage.json `trademirror.databases`, see official.py). Such
a pair is this kind's finding, not a `conflicting-figures` one (parts.py leaves it out), so a reader is told
once, and told which side is the article and which the declaration.
"""

from __future__ import annotations

import itertools

from .. import official
from ..report import Problem
from .context import Context, _by_group, _runs
from .intervals import overlap, slack
from .kind import Kind, Wording
from .rows import KEEP, PERIOD, _describe, _finding, _iv, _rows


def databases(ctx: Context) -> frozenset[str]:
    return official.databases(ctx.data.settings)


def press_vs_database(ctx: Context) -> list[Problem]:
    """A figure quoted by the press that the official declaration for the same flow and period contradicts."""
    data, found = ctx.data, databases(ctx)
    if not found or not len(data.figures):
        return []
    names, out = ctx.names, []
    k = ctx.columns
    g = k.group("reporter", "partner", "flow", *PERIOD)
    size = int(g.max(initial=-1)) + 1
    is_official = official.from_database(data.figures.source_id, found)
    runs = _runs(g)
    lo_max, hi_min = _by_group(g, k.lo, "max", size, runs), _by_group(g, k.hi, "min", size, runs)
    mixed = (_by_group(g, is_official.astype(float), "max", size, runs)
             > _by_group(g, is_official.astype(float), "min", size, runs))
    suspect = ((lo_max > hi_min - slack(lo_max, hi_min)) & mixed)[g]
    for _, group in data.figures[suspect].groupby(["reporter", "partner", "flow", *PERIOD], sort=True):
        rows = sorted(_rows(group), key=lambda r: r.csv_line)
        quoted = [r for r in rows if r.source_id not in found]
        declared = [r for r in rows if r.source_id in found]
        for press, decl in itertools.product(quoted, declared):
            if not overlap(_iv(press), _iv(decl)):
                out.append(_finding(
                    "press-vs-database", data, [press, decl],
                    f"the press figure {_describe(press, names)} from {press.source_id} does not match the"
                    f" official declaration {decl.value_mn:g} mn (line {decl.csv_line}) from {decl.source_id}",
                    KEEP, {"press": press.id, "declared": decl.id}))
    return out


def is_press_vs_database(a, b, found: frozenset[str]) -> bool:
    """Two figures of which one is a press quote and the other an official declaration (this module's pair)."""
    return (a.source_id in found) != (b.source_id in found)


def press_vs_database_sentence(p: Problem, w: Wording) -> str:
    press, decl = w.figures[p.details["press"]], w.figures[p.details["declared"]]
    source = w.sources.get(press.source_id)
    database = w.sources.get(decl.source_id)
    return w.text("findings.sentence.press-vs-database", source=source.publisher if source else press.source_id,
                  reporter=w.said[press.reporter], flow=w.flow(press.flow, press.partner),
                  period=w.period(press.period_start, press.period_end), press=w.figure(press),
                  declared=w.figure(decl), database=database.title if database else decl.source_id)


KINDS = (
    Kind("press-vs-database", press_vs_database, press_vs_database_sentence,
         {"press": "the id of the figure quoted by the press", "declared": "the id of the official declaration"}),
)
