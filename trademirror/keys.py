"""Key rules on whole columns: unique fields, the primary key, foreign keys.

Keys are the cast values `casting` leaves in `Table.keys` (None where
frictionless' value is None), so two cells are the same key exactly where
frictionless' values are equal. A repeated key names the latest earlier row
with the same key, as frictionless does; a foreign key is looked up in the
referenced table's keys as a hash join.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .cellerrors import FOREIGN_KEY, PRIMARY_KEY, UNIQUE, CellError, reference_code
from .errorbatch import Batch
from .tablereading import Table


def as_list(value) -> list[str]:
    """A Table Schema key (primaryKey, foreign key fields): one name or a list of names, as a list."""
    return [value] if isinstance(value, str) else list(value or [])


def _previous_occurrence(key_frame: pd.DataFrame, mask: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Rows whose key appeared before (among rows in mask), and the row of the latest earlier occurrence."""
    idx = np.flatnonzero(mask)
    if not len(idx):
        return idx, idx
    sub = key_frame.iloc[idx]
    dup = sub.duplicated(keep="first").to_numpy()
    if not dup.any():
        return idx[:0], idx[:0]
    group = sub.groupby(list(sub.columns), sort=False, dropna=False).ngroup().to_numpy()
    order = np.lexsort((idx, group))
    prev = np.empty(len(idx), dtype=np.int64)
    sorted_group = group[order]
    shifted = np.r_[-1, idx[order][:-1]]
    same = np.r_[False, sorted_group[1:] == sorted_group[:-1]]
    prev[order] = np.where(same, shifted, -1)
    return idx[dup], prev[dup]


def _key_frame(keys: dict[str, np.ndarray], names: list[str]) -> pd.DataFrame:
    return pd.DataFrame({n: pd.Series(keys[n], dtype=object) for n in names})


def unique_batches(table: Table) -> list[Batch]:
    """Cells of a `unique` field whose key appeared in an earlier row."""
    out = []
    for position, spec in enumerate(table.fields):
        if not spec.get("constraints", {}).get("unique"):
            continue
        name = spec["name"]
        mask = ~table.nones[name]
        if spec.get("type", "string") == "string":  # text keys: a set proves there is no repeat, cheaply
            cells = table.keys[name] if mask.all() else table.keys[name][mask]
            if len(set(cells.tolist())) == len(cells):
                continue
        rows, prev = _previous_occurrence(_key_frame(table.keys, [name]), mask)
        if len(rows):
            before = dict(zip(rows.tolist(), prev.tolist()))
            values = table.frame[name].to_numpy(dtype=object)
            out.append(Batch(UNIQUE, position, rows, np.full(len(rows), "duplicate-id", dtype=object),
                             lambda row, code, before=before, values=values, name=name: CellError(
                                 table.path, row + 2, name, UNIQUE, True, code, str(values[row]), before[row] + 2)))
    return out


def position_of(fields: list[dict], name: str) -> int:
    return next((i for i, f in enumerate(fields) if f["name"] == name), -1)


def primary_key_batches(table: Table, schema: dict, said: np.ndarray) -> list[Batch]:
    """Empty and repeated primary keys, leaving out what the same line already says.

    A one-field key with a `unique` constraint repeats the unique error word for
    word, and an empty required key repeats the `required` error: both left out.
    """
    pk = as_list(schema.get("primaryKey") or [])
    if not pk or any(n not in table.keys for n in pk):
        return []
    where, position = ", ".join(pk), len(table.fields) + 1
    none = np.logical_and.reduce([table.nones[n] for n in pk])
    out = []
    if (none & ~said).any():
        rows = np.flatnonzero(none & ~said)
        out.append(Batch(PRIMARY_KEY, position, rows, np.full(len(rows), "missing-value", dtype=object),
                         lambda row, code: CellError(table.path, row + 2, where, PRIMARY_KEY, pk, code)))
    spec = table.fields[position_of(table.fields, pk[0])]
    if len(pk) == 1 and spec.get("constraints", {}).get("unique"):
        return out
    rows, prev = _previous_occurrence(_key_frame(table.keys, pk), ~none)
    if len(rows):
        before = dict(zip(rows.tolist(), prev.tolist()))
        out.append(Batch(PRIMARY_KEY, position, rows, np.full(len(rows), "duplicate-id", dtype=object),
                         lambda row, code: CellError(table.path, row + 2, where, PRIMARY_KEY, pk, code,
                                                     _key_cells(table, pk, row), before[row] + 2)))
    return out


def _key_cells(table: Table, pk: list[str], row: int) -> str:
    """The key's cells in the row as written, joined (a short row's missing cells as empty)."""
    cells = table.cells(row)
    positions = [position_of(table.fields, n) for n in pk]
    return ", ".join(cells[p] if p < len(cells) else "" for p in positions)


def foreign_key_batches(table: Table, schema: dict, tables: dict[str, Table]) -> list[Batch]:
    """Rows whose key is not among the referenced table's keys (frictionless' lookup, as a hash join)."""
    out = []
    for fk in schema.get("foreignKeys", []):
        names = as_list(fk["fields"])
        target = fk["reference"].get("resource") or table.name
        target_fields = as_list(fk["reference"]["fields"])
        ref = tables.get(target)
        if ref is None or any(n not in table.keys for n in names) or any(f not in ref.keys for f in target_fields):
            continue  # frictionless reports a missing resource or field as a descriptor error
        idx = np.flatnonzero(~np.logical_and.reduce([table.nones[n] for n in names]))
        if not len(idx):
            continue
        rows = idx[~_known(table, names, ref, target_fields, idx)]
        if len(rows):
            keys = table.keys[names[0]]
            out.append(Batch(FOREIGN_KEY, len(table.fields) + 2, rows,
                             np.full(len(rows), reference_code(target), dtype=object),
                             lambda row, code, name=names[0], target=target, keys=keys: CellError(
                                 table.path, row + 2, name, FOREIGN_KEY, target, code, str(keys[row]))))
    return out


def _known(table: Table, names: list[str], ref: Table, target_fields: list[str], idx: np.ndarray) -> np.ndarray:
    """Whether each row in idx has its key among the referenced table's keys."""
    if len(names) == 1 and len(target_fields) == 1:
        f = target_fields[0]
        targets = pd.Series(ref.keys[f][~ref.nones[f]], dtype=object)
        spec = table.fields[position_of(table.fields, names[0])]
        factor = table.factor(names[0]) if spec.get("type", "string") == "string" else None
        if factor is not None and (factor[0] >= 0).all():  # string keys are the cells: test each once
            return _among(factor[1], targets)[factor[0][idx]]
        return _among(table.keys[names[0]][idx], targets)
    lookup = set(zip(*(ref.keys[f] for f in target_fields)))
    lookup = {t for t in lookup if set(t) != {None}}
    return np.array([t in lookup for t in zip(*(table.keys[n][idx] for n in names))], dtype=bool)


def _among(values: np.ndarray, targets: pd.Series) -> np.ndarray:
    """Which values are among the targets (`isin`), hashing the smaller side.

    `isin` hashes the targets: for a few hundred cells that refer to a million
    figure ids, hashing the cells and scanning the ids once is several times
    cheaper, and gives the same answer (equality is symmetric).
    """
    values = pd.Series(values, dtype=object)
    if len(targets) > 4 * len(values) + 1000:
        targets = targets[targets.isin(values.unique()).to_numpy()]
    return values.isin(targets).to_numpy()
