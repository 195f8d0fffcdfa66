"""Press quotes and official declarations: which figures come from an official database, and which are quoted.

A package lists the sources that are official databases of declarations in
datapackage.json, `trademirror.databases` (source ids from sources.csv; the
importer adds its own the first time it writes, see importer.py). A figure
from one of them is an official declaration; every other figure is a quote
from the press. No source is named in code, so a newsroom that types in a
statistics office's table can mark that source official the same way.

Pure functions of the tables: the checks (checks/official.py), the pages'
words (formatting.Words) and the country pages' official series read them.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from .fmt import is_full_year

SETTING = "databases"  # the key under `trademirror` in datapackage.json


def databases(package_settings: Mapping) -> frozenset[str]:
    """The source ids a package declares to be official databases; none when it names none."""
    value = package_settings.get(SETTING) or ()
    return frozenset(v for v in value if isinstance(v, str)) if isinstance(value, list) else frozenset()


def from_database(source_ids, official: frozenset[str]) -> np.ndarray:
    """For each source id, whether it is an official database (a boolean array)."""
    ids = pd.Series(np.asarray(source_ids, dtype=object))
    return ids.isin(official).to_numpy(dtype=bool)


def series_pairs(pairs: pd.DataFrame, official: frozenset[str]) -> pd.DataFrame:
    """The mirror pairs whose two sides are both official declarations for a whole calendar year, by year:
    the official mirror series (mirror.pair made them, with the same gap and verdict as every pair)."""
    if not official or pairs.empty:
        return pairs.iloc[0:0]
    both = from_database(pairs.x_source, official) & from_database(pairs.m_source, official)
    whole = np.array([is_full_year(s, e) for s, e in zip(pairs.period_start, pairs.period_end, strict=True)],
                     dtype=bool)
    return pairs[both & whole].sort_values(["period_start", "exporter", "x_id", "m_id"], kind="stable")
