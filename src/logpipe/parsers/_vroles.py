"""Vectorized ``_fields.apply_roles``: bind fixed keys to columns, the other pairs to ``fields``."""

from __future__ import annotations

from typing import Final

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from logpipe.parsers._fields import ALWAYS, LEVEL_NAMES, ROLES
from logpipe.parsers._vbuf import bools, firsts, spread
from logpipe.parsers._vtime import parse_ts_array

#: Formats with roles, in the order of the ``fmt`` codes ``bind_roles`` takes.
ROLE_FORMATS: Final = tuple(ROLES)
ROLE_NAMES: Final = ("ts", "level", "msg", "caller_func", "caller_file")
_KEYS: Final = sorted({k for roles in ROLES.values() for k in roles})
_TABLE: Final = np.array(
    [[ROLE_NAMES.index(ROLES[f][k]) if k in ROLES[f] else -1 for k in _KEYS] for f in ROLE_FORMATS]
    + [[-1] * len(_KEYS)],  # one row of "no roles", for the -1 (or out-of-range) format
    np.int64,
)
_LEVEL_KEYS: Final = pa.array(list(LEVEL_NAMES))
_LEVEL_VALUES: Final = pa.array(list(LEVEL_NAMES.values()))
_TYPES: Final = {"ts": pa.timestamp("us", tz="UTC")}


def normalize_levels(texts: pa.StringArray) -> pa.StringArray:
    """Vectorized ``normalize_level``."""
    return _LEVEL_VALUES.take(pc.index_in(pc.ascii_lower(texts), value_set=_LEVEL_KEYS))


def bind_roles(
    n: int, fmt: np.ndarray, row: np.ndarray, keys: pa.StringArray, texts: pa.StringArray
) -> dict[str, pa.Array]:
    """Role columns (length ``n``) and the ``fields`` map of pairs sorted by row.

    ``fmt[r]`` indexes ``ROLE_FORMATS`` for row ``r``; ``texts`` may hold nulls (JSON null).
    """
    kid = pc.fill_null(pc.index_in(keys, value_set=pa.array(_KEYS)), -1).to_numpy(
        zero_copy_only=False
    )
    role = _TABLE[fmt[row], kid] if len(row) else np.zeros(0, np.int64)
    role[kid < 0] = -1
    consumed = np.zeros(len(row), np.bool_)
    cols: dict[str, pa.Array] = {}
    for r, name in enumerate(ROLE_NAMES):
        cand = np.flatnonzero(role == r)
        first = cand[firsts(row[cand])]
        values = texts.take(pa.array(first, pa.int64()))
        if name == "ts":
            values = parse_ts_array(values)
        elif name == "level":
            values = normalize_levels(values)
        ok = np.ones(len(first), np.bool_) if name in ALWAYS else bools(values.is_valid())
        consumed[first[ok]] = True
        values = values.filter(pa.array(ok)) if not ok.all() else values
        cols[name] = spread(n, row[first[ok]], values).cast(_TYPES.get(name, pa.string()))
    keep = ~consumed
    keep[np.flatnonzero(keep)[_duplicates(row[keep], keys.filter(pa.array(keep)))]] = False
    counts = np.bincount(row[keep], minlength=n)
    offsets = np.zeros(n + 1, np.int32)
    np.cumsum(counts, out=offsets[1:])
    mask = pa.array(keep)
    cols["fields"] = pa.MapArray.from_arrays(
        pa.array(offsets), keys.filter(mask), texts.filter(mask)
    )
    return cols


def _duplicates(row: np.ndarray, keys: pa.StringArray) -> np.ndarray:
    """Mask of pairs a later pair of the same row and key replaces (last one wins)."""
    drop = np.zeros(len(row), np.bool_)
    if len(row) < 2:
        return drop
    same_row = row[1:] == row[:-1]
    rising = pc.less(keys.slice(0, len(keys) - 1), keys.slice(1)).to_numpy(zero_copy_only=False)
    suspect_rows = np.unique(row[1:][same_row & ~rising])
    if len(suspect_rows) == 0:
        return drop
    idx = np.flatnonzero(np.isin(row, suspect_rows))
    table = pa.table({"r": row[idx], "k": keys.take(pa.array(idx)), "i": idx})
    order = pc.sort_indices(
        table, sort_keys=[("r", "ascending"), ("k", "ascending"), ("i", "ascending")]
    )
    ordered = table.take(order)
    r, i = ordered["r"].to_numpy(), ordered["i"].to_numpy()
    k = ordered["k"].combine_chunks()
    same = (r[1:] == r[:-1]) & pc.equal(k.slice(0, len(k) - 1), k.slice(1)).to_numpy(
        zero_copy_only=False
    )
    drop[i[:-1][same]] = True
    return drop
