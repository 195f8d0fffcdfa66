"""Totals that should be sums: turnover against exports plus imports, a group against its members."""

from __future__ import annotations

import itertools

import numpy as np

from .. import currency, fmt, settings
from ..package import codes
from ..report import Problem
from .context import Context, _by_group, _runs
from .intervals import Interval, add, bounds, overlap, slack
from .kind import Kind, Wording
from .rows import KEEP, PERIOD, _describe, _finding, _iv, _rows, published


def turnover_vs_components(ctx: Context) -> list[Problem]:
    """Turnover should equal exports + imports for the same reporter, partner and period."""
    data = ctx.data
    names, out = ctx.names, []
    figures = data.figures
    suspects = figures[_turnover_suspects(ctx)]
    taken = dict(zip(suspects.index, _rows(suspects), strict=True))  # each row made once, not once per flow
    for _, group in suspects.groupby(["reporter", "partner", *PERIOD], sort=True):
        pairs = list(zip(group.index, group["flow"].to_numpy(dtype=object), strict=True))
        by_flow = {f: [taken[label] for label, flow in pairs if flow == f] for f in settings.FLOWS}
        for t in by_flow["turnover"]:
            if by_flow["exports"] and by_flow["imports"]:
                for x, m in itertools.product(by_flow["exports"], by_flow["imports"]):
                    total = add(_iv(x), _iv(m))
                    if not overlap(total, _iv(t)):
                        out.append(_finding(
                            "turnover-mismatch", data, [t, x, m],
                            f"{_describe(t, names)} differs from exports + imports"
                            f" ({published(x)} + {published(m)},"
                            f" lines {x.csv_line} and {m.csv_line})", KEEP,
                            {"turnover": t.value_mn, "sum": x.value_mn + m.value_mn}))
            else:
                for c in by_flow["exports"] + by_flow["imports"]:
                    if _iv(c)[0] > _iv(t)[1]:
                        out.append(_finding(
                            "component-exceeds-turnover", data, [t, c],
                            f"{c.flow} alone ({_describe(c, names)}) exceed the turnover ({_describe(t, names)})",
                            KEEP, {"turnover": t.value_mn, "component": c.value_mn}))
    return out


def _turnover_suspects(ctx: Context) -> np.ndarray:
    """Rows of (reporter, partner, period) groups where some turnover may disagree with its parts."""
    k = ctx.columns
    g = k.group("reporter", "partner", *PERIOD)
    size = int(g.max(initial=-1)) + 1
    lo_max, hi_min, has = {}, {}, {}
    for f in settings.FLOWS:
        m = k.isin("flow", [f])
        runs = _runs(g[m]) if m.any() else None
        lo_max[f] = _by_group(g[m], k.lo[m], "max", size, runs)
        hi_min[f] = _by_group(g[m], k.hi[m], "min", size, runs)
        has[f] = np.bincount(g[m], minlength=size) > 0
    x, m, t = "exports", "imports", "turnover"
    with np.errstate(invalid="ignore"):
        s = slack(np.where(has[t], hi_min[t], 0), np.where(has[x], hi_min[x], 0), np.where(has[m], hi_min[m], 0))
        both = has[x] & has[m]
        apart = (lo_max[x] + lo_max[m] > hi_min[t] - s) | (lo_max[t] > hi_min[x] + hi_min[m] - s)
        alone = np.maximum(lo_max[x], lo_max[m]) > hi_min[t] - s
        suspect = has[t] & np.where(both, apart, alone)
    return suspect[g]


def group_vs_members(ctx: Context) -> list[Problem]:
    """A group total (e.g. the region) should equal the sum of its members' figures."""
    data = ctx.data
    countries = data.countries
    members: dict[str, list[str]] = {}
    for code, groups in zip(countries["code"], countries["groups"], strict=False):
        for g in codes(groups):
            members.setdefault(g, []).append(code)
    names, out = ctx.names, []
    figures = data.figures
    suspects, same_rows = _group_total_suspects(ctx, members)
    for group_code, member_codes in sorted(members.items()):
        positions = np.flatnonzero(suspects & ctx.columns.isin("partner", [group_code]))
        for position, t in zip(positions, _rows(figures.iloc[positions])):
            candidates = figures.iloc[same_rows(position)]
            same = candidates[candidates.partner.isin(member_codes)]
            if same.empty:
                continue
            hulls: dict[str, Interval] = {}  # per partner, as hull() over its rows
            for p, value, qualifier in zip(same.partner, same.value_mn, same.qualifier):
                lo, hi = bounds(value, qualifier)
                h = hulls.get(p)
                hulls[p] = (lo, hi) if h is None else (min(h[0], lo), max(h[1], hi))
            total = add(*(hulls[p] for p in sorted(hulls)))
            complete = len(hulls) == len(member_codes)
            if (complete and not overlap(total, _iv(t))) or total[0] > _iv(t)[1]:
                summed = same.groupby("partner")["value_mn"].first().sum()
                listed = ", ".join(sorted(same.partner.unique()))
                scope = "the members" if complete else f"the members with figures ({listed})"
                out.append(_finding(
                    "group-total-mismatch", data, [t, *_rows(same)],
                    f"{_describe(t, names)} differs from the sum of {scope}:"
                    f" {fmt.money_mn(summed, currency.comparison_currency(data.settings))}", KEEP,
                    {"total": t.value_mn, "sum": float(summed), "complete": bool(complete)}))
    return out


def _group_total_suspects(ctx: Context, members: dict[str, list[str]]):
    """Group totals that may differ from their members' sum, and a lookup of a row's same-flow-and-period rows."""
    data = ctx.data
    k = ctx.columns
    figures = data.figures
    n = len(figures)
    rfp = k.group("reporter", "flow", *PERIOD)
    order = np.argsort(rfp, kind="stable")
    starts = np.r_[0, np.cumsum(np.bincount(rfp, minlength=int(rfp.max(initial=-1)) + 1))]  # run of each key

    def same_rows(position: int) -> np.ndarray:
        key = rfp[position]
        return np.sort(order[starts[key]:starts[key + 1]])

    suspects = np.zeros(n, dtype=bool)
    pairs = [(g, m) for g, ms in members.items() for m in ms]
    if not pairs or not n:
        return suspects, same_rows
    hull_key = k.group("reporter", "flow", *PERIOD, "partner")
    size = int(hull_key.max()) + 1
    if size == n:  # one row per partner, flow and period: each row is its own hull
        first = np.empty(n, dtype=np.int64)
        first[hull_key] = np.arange(n)  # the row of each hull, as np.unique's first index (all distinct)
        h_lo, h_hi = k.lo[first], k.hi[first]
    else:
        first = np.unique(hull_key, return_index=True)[1]
        h_lo = _by_group(hull_key, k.lo, "min", size)[hull_key[first]]
        h_hi = _by_group(hull_key, k.hi, "max", size)[hull_key[first]]
    h_rfp = rfp[first]
    n_rfp = int(rfp.max()) + 1
    lo = np.full(n, np.nan)
    hi = np.full(n, np.nan)
    found = np.zeros(n)
    need = np.zeros(n)
    for group_code, member_codes in members.items():  # per group: sums of member hulls per flow and period
        inside = k.isin("partner", member_codes)[first]
        totals = np.flatnonzero(k.isin("partner", [group_code]))
        if not inside.any() or not len(totals):
            continue
        count = np.bincount(h_rfp[inside], minlength=n_rfp)
        lo_sum = np.bincount(h_rfp[inside], weights=h_lo[inside], minlength=n_rfp)
        hi_sum = np.bincount(h_rfp[inside], weights=h_hi[inside], minlength=n_rfp)
        at = rfp[totals]
        found[totals], lo[totals], hi[totals] = count[at], lo_sum[at], hi_sum[at]
        need[totals] = len(member_codes)
    rows = np.flatnonzero(found > 0)
    lo, hi, t_lo, t_hi = lo[rows], hi[rows], k.lo[rows], k.hi[rows]
    s = slack(hi, t_hi)
    complete = found[rows] == need[rows]
    suspect = (complete & ((lo > t_hi - s) | (t_lo > hi - s))) | (lo > t_hi - s)
    suspects[rows[suspect]] = True
    return suspects, same_rows




# --- Sentences ----------------------------------------------------------------


def _turnover_words(p: Problem, w: Wording) -> tuple:
    """The turnover row, its parts by flow, and the blanks both turnover sentences share."""
    rows = w.rows(p)
    t = next(r for r in rows if r.flow == "turnover")
    parts = {r.flow: r for r in rows if r.flow != "turnover"}
    base = {"reporter": w.said[t.reporter], "partner": w.said[t.partner],
            "period": w.period(t.period_start, t.period_end), "turnover": w.figure(t)}
    return t, parts, base


def turnover_mismatch_sentence(p: Problem, w: Wording) -> str:
    _, parts, base = _turnover_words(p, w)
    return w.text("findings.sentence.turnover-mismatch", **base, exports=w.figure(parts["exports"]),
                  imports=w.figure(parts["imports"]), sum=w.money(p.details["sum"]))


def component_exceeds_turnover_sentence(p: Problem, w: Wording) -> str:
    _, parts, base = _turnover_words(p, w)
    comp = next(iter(parts.values()))
    return w.text("findings.sentence.component-exceeds-turnover", **base,
                  flow=w.text(f"flow_short.{comp.flow}").lower(), component=w.figure(comp))


def group_total_mismatch_sentence(p: Problem, w: Wording) -> str:
    rows = w.rows(p)
    t = rows[0] if w.kinds.get(rows[0].partner) == "group" else next(
        r for r in rows if w.kinds.get(r.partner) == "group")
    return w.text("findings.sentence.group-total-mismatch", reporter=w.said[t.reporter],
                  period=w.period(t.period_start, t.period_end), flow_total=w.text(f"flow_short.{t.flow}").lower(),
                  partner=w.said[t.partner], total=w.figure(t), sum=w.money(p.details["sum"]))


KINDS = (
    Kind("turnover-mismatch", turnover_vs_components, turnover_mismatch_sentence,
         {"turnover": "the turnover figure (value_mn)", "sum": "exports + imports (value_mn)"}),
    Kind("component-exceeds-turnover", turnover_vs_components, component_exceeds_turnover_sentence,
         {"turnover": "the turnover figure (value_mn)", "component": "the exports or imports figure (value_mn)"}),
    Kind("group-total-mismatch", group_vs_members, group_total_mismatch_sentence,
         {"total": "the group's figure (value_mn)", "sum": "the members' figures added up (value_mn)",
          "complete": "whether every member has a figure"}),
)
