"""Vectorized parsers of the common layouts: key=value lines and flat JSON (colored: ``_vtty``).

Each takes the rows routed to it (a compact string array) and returns the columns of the
rows it could parse itself; the others are listed for the reference (``fallback``:
escapes, odd quoting, messages with escape codes...) or as plain lines (``plain``).
Every decision mirrors the reference modules (``_logfmt``, ``_json``, ``_logrus``), which
define the semantics; the property test holds them equal.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from json.decoder import scanstring  # type: ignore[attr-defined]
from typing import Final

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from logpipe.parsers._fields import LOGRUS_LEVELS, go_unquote
from logpipe.parsers._json import JSON_FLAT, no_surrogates
from logpipe.parsers._logfmt import BARE_QUOTED, CUSTOM_QUOTE, GENERIC_SECOND, LOGFMT_KEY
from logpipe.parsers._schema import FORMATS
from logpipe.parsers._vbuf import (
    bools,
    keep_rows,
    lasts,
    matches,
    replace_at,
    slices,
    spread,
    view,
)
from logpipe.parsers._vroles import ROLE_FORMATS, bind_roles
from logpipe.parsers._vtoken import Pairs, json_pairs, kv_pairs

_KEY_E: Final = '[^ ="]*'
_PAIR_E: Final = _KEY_E + '=(?:"(?:[^"\\\\]|\\\\.)*"|[^ "=\\\\]*)'
KV_ELIGIBLE: Final = "^" + _PAIR_E + "(?: " + _PAIR_E + ")* ?$"
JSON_ELIGIBLE: Final = "^" + JSON_FLAT + "$"
# Go escapes that JSON reads differently or not at all (\\x bytes, octal, \\a, \\v, \\U, \\', no
# \\/), and JSON surrogate escapes: values holding them are decoded one by one.
_GO_ONLY: Final = re.compile(r"\\[avx'0-7U/]|\\u[dD][89a-fA-F]")
_SURROGATE_ESCAPE: Final = re.compile(r"\\u[dD][89a-fA-F]")
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


def decode(
    values: pa.StringArray, which: np.ndarray, go: bool
) -> tuple[pa.StringArray, np.ndarray]:
    """``values`` with those at ``which`` unescaped (Go ``%q`` or JSON), and where that failed.

    All escaped values are decoded in one ``json.loads`` of a JSON array built from them
    when their escapes mean the same in JSON; otherwise one by one.
    """
    failed = np.zeros(len(values), np.bool_)
    at = np.flatnonzero(which)
    if len(at) == 0:
        return values, failed
    texts: list[str] = values.take(pa.array(at)).to_pylist()
    joined = '["' + '","'.join(texts) + '"]'
    out: list[str] | None = None
    if not (_GO_ONLY if go else _SURROGATE_ESCAPE).search(joined):
        try:
            out = json.loads(joined)
        except ValueError:
            out = None
    if out is None or len(out) != len(texts):
        out = []
        for i, text in zip(at, texts, strict=True):
            try:
                out.append(go_unquote('"' + text + '"') if go else _json_string(text))
            except ValueError:
                failed[i] = True
                out.append(text)
    return replace_at(values, at, pa.array(out, pa.string())), failed


def _json_string(text: str) -> str:
    return no_surrogates(scanstring(text + '"', 0)[0])


def _result(e: Eligible, fmt: np.ndarray, cols: dict[str, pa.Array], bad: np.ndarray) -> Parsed:
    """Rows parsed here; ``bad`` rows go to the reference, plain-format rows are plain."""
    plain = fmt == FMT["plain"]
    keep = ~plain & ~bad
    return Parsed(
        e.rows[keep],
        fmt[keep],
        keep_rows(cols, keep),
        np.concatenate([e.fallback, e.rows[bad]]),
        e.rows[plain & ~bad],
    )


def parse_kv_rows(texts: pa.StringArray) -> Parsed:
    """Key=value rows: logrus text, x-cray key=value and generic logfmt."""
    e = eligible(texts, matches(texts, KV_ELIGIBLE) & ~matches(texts, CUSTOM_QUOTE), kv_pairs)
    if e is None:
        return nothing(np.arange(len(texts)))
    m, p, keys = len(e.rows), e.pairs, e.keys
    fmt, level_escaped = _kv_formats(e.sub, p, keys, e.raws)
    # x-cray does not escape: its quoted values are only stripped of their quotes.
    values, failed = decode(e.raws, p.escaped & (fmt[p.row] != FMT["prefixed"]), go=True)
    cols = bind_roles(m, _ROLE_FMT[fmt], p.row, keys, values)
    logrus = (fmt == FMT["logrus_text"]) | (fmt == FMT["prefixed"])
    cols["msg"] = pc.if_else(pa.array(logrus & ~bools(cols["msg"].is_valid())), "", cols["msg"])
    at = np.flatnonzero(bools(pc.equal(keys, "prefix")))
    at = at[lasts(p.row[at])]
    prefix = spread(m, p.row[at], values.take(pa.array(at, pa.int64())))
    cols["prefix"] = pc.if_else(pa.array(fmt == FMT["prefixed"]), prefix, None)
    return _result(e, fmt, cols, level_escaped | _per_row(m, p.row, failed))


def _kv_formats(
    sub: pa.StringArray, p: Pairs, keys: pa.StringArray, raws: pa.StringArray
) -> tuple[np.ndarray, np.ndarray]:
    """``_logfmt.classify`` over whole arrays: a FORMATS code per row (plain when none),
    and the rows whose signature level is escaped (left to the reference)."""
    m = len(sub)
    count = np.bincount(p.row, minlength=m)
    first = np.cumsum(count) - count
    k0 = keys.take(pa.array(first))
    k1 = keys.take(pa.array(np.minimum(first + 1, len(keys) - 1)))
    k1 = pc.if_else(pa.array(count >= 2), k1, None)
    time_level = bools(pc.equal(k0, "time")) & bools(pc.equal(k1, "level"))
    level_first = bools(pc.equal(k0, "level")) & (
        (count == 1) | ~bools(pc.is_in(k1, value_set=pa.array(sorted(GENERIC_SECOND))))
    )
    at = np.where(time_level, first + 1, first)
    level = raws.take(pa.array(at))
    shaped = time_level | level_first
    signed = shaped & bools(pc.is_in(level, value_set=pa.array(sorted(LOGRUS_LEVELS))))
    data, offsets = view(sub)
    trailing = data[offsets[1:] - 1] == 32
    has_prefix = _per_row(m, p.row, bools(pc.equal(keys, "prefix")))
    quoted = np.flatnonzero(p.quoted)
    bare = np.zeros(len(p.row), np.bool_)
    bare[quoted] = matches(raws.take(pa.array(quoted)), "^" + BARE_QUOTED[1:-1] + "$")
    evidence = trailing | has_prefix | (~p.quoted[at] & _per_row(m, p.row, bare))
    unsigned = np.flatnonzero(~signed[p.row])
    odd = np.zeros(len(p.row), np.bool_)
    odd[unsigned] = ~matches(keys.take(pa.array(unsigned)), "^" + LOGFMT_KEY + "$")
    generic = np.where(_per_row(m, p.row, odd), FMT["plain"], FMT["logfmt"])
    fmt = np.where(signed, np.where(evidence, FMT["prefixed"], FMT["logrus_text"]), generic)
    return fmt, shaped & p.escaped[at]


def parse_json_rows(texts: pa.StringArray) -> Parsed:
    """Flat, compact JSON objects (escaped strings decoded one by one)."""
    e = eligible(texts, matches(texts, JSON_ELIGIBLE), json_pairs)
    if e is None:
        return nothing(np.arange(len(texts)))
    p = e.pairs
    keys, bad_keys = decode(e.keys, p.key_escaped, go=False)
    values, bad_values = decode(e.raws, p.escaped, go=False)
    null = ~p.quoted & bools(pc.equal(e.raws, "null"))
    values = pc.if_else(pa.array(null), None, values)
    fmt = np.full(len(e.rows), FMT["logrus_json"])
    cols = bind_roles(len(e.rows), _ROLE_FMT[fmt], p.row, keys, values)
    return _result(e, fmt, cols, _per_row(len(e.rows), p.row, bad_keys | bad_values))
