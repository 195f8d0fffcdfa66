"""Errors: malformed data the build must not go on with (a reversed period, a group that lists an unknown
country, a figure no rate converts). Each names the bad value and the fix."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path

import numpy as np
import pandas as pd

from .. import currency, fmt
from ..package import Dataset, codes
from ..report import Problem
from .rows import _rows


def check_periods(data: Dataset, today: date) -> list[Problem]:
    out = []
    spans = [("figures", "period_start", "period_end"), ("goods", "period_start", "period_end"),
             ("indicators", "period_start", "period_end"),
             ("growth", "period_start", "period_end"), ("growth", "base_start", "base_end")]
    for table, start_col, end_col in spans:
        frame = data.tables.get(table)
        if frame is None:
            continue
        rel = data.files[table]
        known = data.codes.get(table, {})
        suspect = _suspect_periods(frame[start_col], frame[end_col], today,
                                   _date_codes(known.get(start_col), len(frame)),
                                   _date_codes(known.get(end_col), len(frame)))
        for row in frame[suspect].itertuples(index=False):
            start, end, line = getattr(row, start_col), getattr(row, end_col), row.csv_line
            if end < start:
                out.append(_error("period-reversed", rel, line, end_col,
                                  f"ends ({end}) before it starts ({start})", f"swap {start_col} and {end_col}"))
                continue
            if start.day != 1:
                out.append(_error("not-whole-month", rel, line, start_col,
                                  f"{start} is not the first day of a month",
                                  f"periods are whole months: use {start.replace(day=1)}"))
            if end.day != fmt.last_day(end.year, end.month):
                last = end.replace(day=fmt.last_day(end.year, end.month))
                out.append(_error("not-whole-month", rel, line, end_col,
                                  f"{end} is not the last day of a month",
                                  f"periods are whole months: use {last}"))
            if end > today:
                out.append(_error("future-period", rel, line, end_col,
                                  f"{end} is in the future (today is {today})",
                                  "check the year; figures are only published for periods that have ended"))
    return out


def _date_codes(known: tuple | None, rows: int) -> tuple | None:
    """`package.load`'s (codes, distinct dates) of a column, when they cover every row with a real date."""
    if known is None or len(known[0]) != rows or pd.isna(pd.Series(known[1], dtype=object)).any():
        return None
    return known


def _suspect_periods(starts: pd.Series, ends: pd.Series, today: date, start_codes: tuple | None = None,
                     end_codes: tuple | None = None) -> np.ndarray:
    """Rows whose period may be wrong, judged once per distinct date (dates repeat a lot).

    `start_codes`/`end_codes` are (codes, distinct dates) already computed by `package.load`.
    """
    s_codes, s_dates = start_codes or pd.factorize(starts.to_numpy(dtype=object))
    e_codes, e_dates = end_codes or pd.factorize(ends.to_numpy(dtype=object))
    start_ok = np.array([d.day == 1 for d in s_dates] + [True], dtype=bool)[s_codes]
    end_ok = np.array([(d + timedelta(days=1)).day == 1 and d <= today for d in e_dates] + [True],
                      dtype=bool)[e_codes]
    order = {d: i for i, d in enumerate(sorted(set(s_dates) | set(e_dates)))}
    s_rank = np.array([order[d] for d in s_dates] + [0], dtype=np.int64)[s_codes]
    e_rank = np.array([order[d] for d in e_dates] + [0], dtype=np.int64)[e_codes]
    return ~(start_ok & end_ok & (e_rank >= s_rank))


def check_countries(data: Dataset) -> list[Problem]:
    countries = data.countries
    rel = data.files["countries"]
    kinds = dict(zip(countries["code"], countries["kind"], strict=False))
    borders = {c: set(codes(b)) for c, b in zip(countries["code"], countries["borders"], strict=False)}
    out = []
    for row in countries.itertuples(index=False):
        for group in codes(row.groups):
            if kinds.get(group) != "group":
                what = "not a code in this file" if group not in kinds else "a country, not a group"
                out.append(_error("unknown-group", rel, row.csv_line, "groups", f"'{group}' is {what}",
                                  "add the group as a row with kind 'group', or fix the code"))
        for other in sorted(borders[row.code]):
            if other not in kinds:
                out.append(_error("unknown-country", rel, row.csv_line, "borders",
                                  f"'{other}' is not a code in this file", "add it as a row, or fix the code"))
            elif row.code not in borders[other]:
                out.append(_error("one-sided-border", rel, row.csv_line, "borders",
                                  f"{row.code} lists {other} as a neighbour, but {other} does not list {row.code}",
                                  f"add {row.code} to the borders of {other} (borders are mutual)"))
    return out


def check_corroborations(data: Dataset) -> list[Problem]:
    return _row_errors(
        data, "corroborations", lambda f: f["figure_id"].isna().to_numpy() == f["growth_id"].isna().to_numpy(),
        "corroboration-target", "figure_id", lambda row: "needs exactly one of figure_id and growth_id",
        lambda row: "fill in the id of the figure or of the growth rate this source restates")


def check_agencies(data: Dataset) -> list[Problem]:
    """sources.agency names economies in countries.csv, each once: the pages' wording rests on it."""
    known = set(data.countries["code"])
    rel = data.files["sources"]
    out = []
    for row in data.sources.itertuples(index=False):
        items = codes(getattr(row, "agency", None))
        listed = [item.split(":", 1)[0] for item in items]
        for code in sorted({c for c in listed if listed.count(c) > 1}):
            kinds = " and ".join(item.split(":", 1)[1] for item in items if item.startswith(code + ":"))
            out.append(_error("duplicate-agency", rel, row.csv_line, "agency", f"{code} is listed twice ({kinds})",
                              f"keep one {code}:kind pair, the kind of agency this publication names for {code}"))
        for code in sorted(set(listed) - known):
            out.append(_error("unknown-country", rel, row.csv_line, "agency", f"'{code}' is not in countries.csv",
                              "use a code listed in countries.csv, or add the economy there"))
    return out


def check_names(data: Dataset) -> list[Problem]:
    """A names.csv row that names nothing would silently fall back to another name: say so instead."""
    return _row_errors(
        data, "names", lambda f: f["name"].isna().to_numpy() & f["in_sentence"].isna().to_numpy(),
        "empty-name", "name",
        lambda row: f"the row for {row.code} in '{row.language}' has neither a name nor an in_sentence form",
        lambda row: "write the name, its form inside a sentence, or both; or delete the row")


def check_currencies(data: Dataset, to: str | None = None) -> list[Problem]:
    """Figures the rates cannot bring into the comparison currency for their period (see currency.py).

    Without the rate, such a figure could only be compared as if it were in the comparison currency,
    which is how a euro figure used to pass for dollars; so it stops the build instead.
    """
    figures = data.figures
    if "value_mn" not in figures:
        return []
    to = to or currency.comparison_currency(data.settings)
    rates_file = Path(data.files.get("rates", "rates.csv")).name
    out = []
    rates = data.tables.get("rates")
    if rates is not None:  # the schema says ≥ 0 (stock frictionless has no exclusiveMinimum in v1 packages)
        for r in _rows(rates[rates.rate == 0]):
            out.append(_error("zero-rate", data.files["rates"], r.csv_line, "rate", "'0' converts nothing",
                              f"write the rate as published: units of {r.to} for one {r.currency}, more than 0"))
    for r in _rows(figures[figures.value_mn.isna()]):
        period = f"{r.period_start.isoformat()}–{r.period_end.isoformat()}"
        out.append(_error("no-rate", data.files["figures"], r.csv_line, "currency",
                          f"no rate in {rates_file} converts {r.currency} to {to} for {period}",
                          f"add the average rate for that period to {rates_file}, with its source"))
    return out


def check_settings(data: Dataset) -> list[Problem]:
    codes = set(data.countries["code"])
    out = []
    setting = data.settings.get("currency")
    if setting is not None and not (isinstance(setting, str) and re.fullmatch("[A-Z]{3}", setting)):
        out.append(_error("bad-format", "datapackage.json", None, "trademirror.currency",
                          f"'{setting}' is not a currency code",
                          "write the ISO 4217 code of the currency figures are compared in, e.g. USD or EUR"))
    for key in ("focus_reporter", "region"):
        value = data.settings.get(key)
        if value is not None and value not in codes:
            out.append(_error("unknown-country", "datapackage.json", None, f"trademirror.{key}",
                              f"'{value}' is not in countries.csv", "use a code listed in countries.csv"))
    return out + _check_databases(data)


def _check_databases(data: Dataset) -> list[Problem]:
    """`trademirror.databases`: the ids of the sources that are official databases (see official.py)."""
    value = data.settings.get("databases")
    if value is None:
        return []
    field = "trademirror.databases"
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        return [_error("bad-format", "datapackage.json", None, field, f"'{value}' is not a list of source ids",
                       'write the ids of the official databases among sources.csv, e.g. ["un-comtrade"]')]
    known = set(data.sources["id"])
    return [_error("unknown-source", "datapackage.json", None, field, f"'{v}' is not in sources.csv",
                   "use the id of a source listed in sources.csv, or remove it from the list")
            for v in value if v not in known]




def _row_errors(data: Dataset, table: str, wrong: Callable[[pd.DataFrame], np.ndarray], code: str, field: str,
                message: Callable, fix: Callable) -> list[Problem]:
    """One error for each row of an optional `table` that `wrong` marks (a mask over the whole table, so a large
    table is judged at once), with the message and the fix worded from the row."""
    frame = data.tables.get(table)
    if frame is None:
        return []
    return [_error(code, data.files[table], row.csv_line, field, message(row), fix(row))
            for row in frame[wrong(frame)].itertuples(index=False)]


def _error(code: str, file: str, row, field, message: str, fix: str) -> Problem:
    return Problem("error", code, file, row, field, message, fix)
