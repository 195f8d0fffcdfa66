"""Intervals: the true values a published, rounded figure allows, one value at a time or on whole columns.

Each value stands for an interval, and two statements contradict only when
their intervals cannot meet. The array forms do the same arithmetic as the
scalar ones, so they give the same floats (tests hold the two equal).
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from decimal import Decimal

import numpy as np
import pandas as pd

from .. import settings

Interval = tuple[float, float]


def rounding_unit(value: float) -> float:
    """The unit a published value was rounded to: 784 -> 1, 29700 -> 100, 10000 -> 1000."""
    if value == 0 or not math.isfinite(value):
        return 1.0
    exponent = Decimal(repr(float(abs(value)))).normalize().as_tuple().exponent
    magnitude = math.floor(math.log10(abs(value)))
    return float(min(10.0**exponent, 10.0 ** (magnitude - settings.MIN_SIGNIFICANT_DIGITS + 1)))


def bounds(value: float, qualifier: str) -> Interval:
    """The interval of true values a published value (with its qualifier) allows."""
    unit = rounding_unit(value)
    if qualifier == "approx":
        return value - settings.APPROX_UNITS * unit, value + settings.APPROX_UNITS * unit
    if qualifier == "over":
        return value, value + settings.OVER_UNDER_UNITS * unit
    if qualifier == "under":
        return value - settings.OVER_UNDER_UNITS * unit, value
    return value - unit / 2, value + unit / 2


def add(*intervals: Interval) -> Interval:
    return sum(i[0] for i in intervals), sum(i[1] for i in intervals)


def overlap(a: Interval, b: Interval) -> bool:
    return a[0] <= b[1] + 1e-9 and b[0] <= a[1] + 1e-9


def hull(intervals: Iterable[Interval]) -> Interval:
    items = list(intervals)
    return min(i[0] for i in items), max(i[1] for i in items)


# Powers of ten computed as `rounding_unit` computes them (10.0**e), so both give the same floats.
_POW10 = np.array([10.0**k for k in range(23)])
_POW10_NEG = np.array([10.0**-k for k in range(23)])
_POW10_INT = np.array([10**k for k in range(19)], dtype=np.int64)
# Candidate filters compare with this much slack on top of `overlap`'s, so float
# summation order can never hide a contradiction from the exact check that follows.
SLACK = 1e-9


def rounding_units(values: np.ndarray) -> np.ndarray:
    """`rounding_unit` of each value, on whole arrays (tests hold the two equal).

    The unit is min(10**e, 10**(magnitude - MIN_SIGNIFICANT_DIGITS + 1)), e being
    the exponent of the last digit of the value's shortest repr. Going down from
    the cap, the first exponent at which the value is a whole number of units —
    q * 10**e gives back the same float, the round trip repr relies on — is that min.
    """
    v = np.abs(np.asarray(values, dtype=float))
    units = np.ones_like(v)
    todo = np.flatnonzero((v != 0) & np.isfinite(v))
    if not len(todo):
        return units
    cap = np.floor(np.log10(v[todo])).astype(np.int64) - settings.MIN_SIGNIFICANT_DIGITS + 1
    whole = (v[todo] == np.floor(v[todo])) & (v[todo] < 2.0**53)
    # Whole numbers: count trailing zeros upwards from 10**0, up to the cap.
    idx, top = todo[whole], cap[whole]
    e, n = np.minimum(top, 0), v[idx].astype(np.int64)
    active = np.flatnonzero(e < top)
    while len(active):
        step = n[active] % _POW10_INT[np.minimum(e[active] + 1, 18)] == 0
        active = active[step]
        e[active] += 1
        active = active[e[active] < top[active]]
    units[idx] = np.where(e >= 0, _POW10[np.clip(e, 0, 22)], _POW10_NEG[np.clip(-e, 0, 22)])
    # Fractions: down from min(cap, 10**-1) to the first exponent whose round trip gives the value back.
    todo, e = todo[~whole], np.minimum(cap[~whole], -1)
    while len(todo):
        x, k = v[todo], np.abs(e)
        with np.errstate(all="ignore"):  # beyond exact powers of ten or 53-bit integers: the scalar rule
            far = (k > 22) | (x * _POW10[np.minimum(k, 22)] >= 2.0**53)
        for i in todo[far]:
            units[i] = rounding_unit(float(v[i]))
        todo, e, x, k = todo[~far], e[~far], x[~far], k[~far]
        hit = np.where(e >= 0, np.round(x / _POW10[k]) * _POW10[k], np.round(x * _POW10[k]) / _POW10[k]) == x
        units[todo[hit]] = np.where(e >= 0, _POW10[k], _POW10_NEG[k])[hit]
        todo, e = todo[~hit], e[~hit] - 1
    return units


def bounds_arrays(values: np.ndarray, qualifiers: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """`bounds` of each value, on whole arrays: the same arithmetic, so the same floats."""
    v = np.asarray(values, dtype=float)
    distinct, inverse = np.unique(v, return_inverse=True)
    unit = rounding_units(distinct)[inverse.reshape(-1)] if len(distinct) * 2 < len(v) else rounding_units(v)
    lo, hi = v - unit / 2, v + unit / 2
    if isinstance(qualifiers, pd.Categorical):
        words = np.append(np.asarray(qualifiers.categories, dtype=object), None)
        approx, over, under = ((words == w)[qualifiers.codes] for w in ("approx", "over", "under"))
    else:
        q = np.asarray(qualifiers, dtype=object)
        approx, over, under = q == "approx", q == "over", q == "under"
    lo = np.where(approx, v - settings.APPROX_UNITS * unit, np.where(over, v, np.where(
        under, v - settings.OVER_UNDER_UNITS * unit, lo)))
    hi = np.where(approx, v + settings.APPROX_UNITS * unit, np.where(over, v + settings.OVER_UNDER_UNITS * unit,
                                                                       np.where(under, v, hi)))
    return lo, hi


def slack(*arrays: np.ndarray) -> np.ndarray:
    return 1e-9 + SLACK * (1 + sum(np.abs(a) for a in arrays))


