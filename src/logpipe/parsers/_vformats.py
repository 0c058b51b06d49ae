"""Vectorized parsers of the common layouts: key=value lines and flat JSON (colored: ``_vtty``).

Each takes the rows routed to it (a compact string array) and returns the columns of the
rows it could parse itself; the others are listed for the reference (``fallback``:
escapes, odd quoting, messages with escape codes...) or as plain lines (``plain``).
Every decision mirrors the reference modules (``_logfmt``, ``_json``, ``_logrus``), which
define the semantics; the property test holds them equal.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Final

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from logpipe.parsers._fields import LOGRUS_LEVELS
from logpipe.parsers._json import JSON_FLAT
from logpipe.parsers._logfmt import BARE_QUOTED, CUSTOM_QUOTE, GENERIC_SECOND, LOGFMT_KEY
from logpipe.parsers._schema import FORMATS
from logpipe.parsers._vbuf import bools, lasts, matches, slices, spread, view
from logpipe.parsers._vroles import ROLE_FORMATS, bind_roles
from logpipe.parsers._vtoken import Pairs, json_pairs, kv_pairs

_KEY_E: Final = '[^ ="]*'
_PAIR_E: Final = _KEY_E + '=(?:"[^"\\\\]*"|[^ "=]*)'
KV_ELIGIBLE: Final = "^" + _PAIR_E + "(?: " + _PAIR_E + ")* ?$"
JSON_ELIGIBLE: Final = "^" + JSON_FLAT + "$"
FMT: Final = {name: i for i, name in enumerate(FORMATS)}
_ROLE_FMT: Final = np.array([ROLE_FORMATS.index(f) if f in ROLE_FORMATS else -1 for f in FORMATS])


@dataclass
class Parsed:
    """Rows (indices into the input) parsed here, their format codes and columns."""

    rows: np.ndarray
    fmt: np.ndarray
    cols: dict[str, pa.Array]
    fallback: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int64))
    plain: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int64))


def nothing(fallback: np.ndarray) -> Parsed:
    return Parsed(np.zeros(0, np.int64), np.zeros(0, np.int64), {}, fallback)


def pair_texts(arr: pa.StringArray, p: Pairs) -> tuple[pa.StringArray, pa.StringArray]:
    return slices(arr, p.key_start, p.key_end), slices(arr, p.val_start, p.val_end)


def _per_row(m: int, row: np.ndarray, hit: np.ndarray) -> np.ndarray:
    """Rows with at least one pair where ``hit``."""
    return np.bincount(row[hit], minlength=m) > 0


@dataclass
class Eligible:
    """The eligible rows of a route (``rows``, compact ``sub``), their pairs and texts."""

    rows: np.ndarray
    fallback: np.ndarray
    sub: pa.StringArray
    pairs: Pairs
    keys: pa.StringArray
    raws: pa.StringArray


def eligible(
    texts: pa.StringArray, ok: np.ndarray, tokenizer: Callable[[pa.StringArray], Pairs | None]
) -> Eligible | None:
    """Tokenize the rows where ``ok``; None when there are none (or the split fails)."""
    rows = np.flatnonzero(ok)
    sub = texts.take(pa.array(rows))
    p = tokenizer(sub) if len(rows) else None
    if p is None:
        return None
    keys, raws = pair_texts(sub, p)
    return Eligible(rows, np.flatnonzero(~ok), sub, p, keys, raws)


def parse_kv_rows(texts: pa.StringArray) -> Parsed:
    """Key=value rows: logrus text, x-cray key=value and generic logfmt."""
    e = eligible(texts, matches(texts, KV_ELIGIBLE) & ~matches(texts, CUSTOM_QUOTE), kv_pairs)
    if e is None:
        return nothing(np.arange(len(texts)))
    rows, fallback, sub, p, keys, raws = e.rows, e.fallback, e.sub, e.pairs, e.keys, e.raws
    fmt = _kv_formats(sub, p, keys, raws)
    cols = bind_roles(len(rows), _ROLE_FMT[fmt], p.row, keys, raws)
    logrus = (fmt == FMT["logrus_text"]) | (fmt == FMT["prefixed"])
    cols["msg"] = pc.if_else(pa.array(logrus & ~bools(cols["msg"].is_valid())), "", cols["msg"])
    at = np.flatnonzero(bools(pc.equal(keys, "prefix")))
    at = at[lasts(p.row[at])]
    prefix = spread(len(rows), p.row[at], raws.take(pa.array(at, pa.int64())))
    cols["prefix"] = pc.if_else(pa.array(fmt == FMT["prefixed"]), prefix, None)
    keep = fmt != FMT["plain"]
    cols = {k: v.filter(pa.array(keep)) for k, v in cols.items()}
    return Parsed(rows[keep], fmt[keep], cols, fallback, rows[~keep])


def _kv_formats(
    sub: pa.StringArray, p: Pairs, keys: pa.StringArray, raws: pa.StringArray
) -> np.ndarray:
    """``_logfmt.classify`` over whole arrays: a FORMATS code per row (plain when none)."""
    m = len(sub)
    count = np.bincount(p.row, minlength=m)
    first = np.zeros(m, np.int64)
    np.cumsum(count[:-1], out=first[1:])
    k0 = keys.take(pa.array(first))
    k1 = keys.take(pa.array(np.minimum(first + 1, len(keys) - 1)))
    k1 = pc.if_else(pa.array(count >= 2), k1, None)
    time_level = bools(pc.equal(k0, "time")) & bools(pc.equal(k1, "level"))
    level_first = bools(pc.equal(k0, "level")) & (
        (count == 1) | ~bools(pc.is_in(k1, value_set=pa.array(sorted(GENERIC_SECOND))))
    )
    at = np.where(time_level, first + 1, first)
    level = raws.take(pa.array(at))
    signed = (time_level | level_first) & bools(
        pc.is_in(level, value_set=pa.array(sorted(LOGRUS_LEVELS)))
    )
    data, offsets = view(sub)
    trailing = data[offsets[1:] - 1] == 32
    has_prefix = _per_row(m, p.row, bools(pc.equal(keys, "prefix")))
    bare = p.quoted & matches(raws, "^" + BARE_QUOTED[1:-1] + "$")
    evidence = trailing | has_prefix | (~p.quoted[at] & _per_row(m, p.row, bare))
    odd_key = _per_row(m, p.row, ~matches(keys, "^" + LOGFMT_KEY + "$"))
    generic = np.where(odd_key, FMT["plain"], FMT["logfmt"])
    return np.where(signed, np.where(evidence, FMT["prefixed"], FMT["logrus_text"]), generic)


def parse_json_rows(texts: pa.StringArray) -> Parsed:
    """Flat, compact, escape-free JSON objects."""
    e = eligible(texts, matches(texts, JSON_ELIGIBLE), json_pairs)
    if e is None:
        return nothing(np.arange(len(texts)))
    rows, p, keys, raws = e.rows, e.pairs, e.keys, e.raws
    null = ~p.quoted & bools(pc.equal(raws, "null"))
    values = pc.if_else(pa.array(null), None, raws)
    fmt = np.full(len(rows), FMT["logrus_json"])
    cols = bind_roles(len(rows), _ROLE_FMT[fmt], p.row, keys, values)
    return Parsed(rows, fmt, cols, e.fallback)
