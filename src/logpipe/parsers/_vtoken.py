"""Key/value pairs of whole string arrays, found with numpy over the bytes (no per-line Python).

Each tokenizer takes a compact array whose every row matches its format's *eligible*
grammar (checked beforehand with one RE2 pass) - a subset where splitting is
unambiguous: no backslash escapes inside quotes, one ``=`` (``:`` in JSON) per pair
outside quotes. Quotes then pair up in order, so "inside a quoted value" is the parity of
a running count of ``"`` bytes, and pair boundaries are the separators outside quotes.
Results are absolute byte ranges into the array's data buffer, in row order.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyarrow as pa

from logpipe.parsers._vbuf import lasts, view

QUOTE, SPACE, EQUALS, COMMA, COLON, ESC = 34, 32, 61, 44, 58, 27


@dataclass(frozen=True)
class Pairs:
    """Byte ranges of keys and values (values without their quotes) and each pair's row."""

    row: np.ndarray
    key_start: np.ndarray
    key_end: np.ndarray
    val_start: np.ndarray
    val_end: np.ndarray
    quoted: np.ndarray


def _outside_quotes(seg: np.ndarray) -> np.ndarray:
    # uint8 wraps at 256, which keeps the parity right.
    outside: np.ndarray = (np.cumsum(seg == QUOTE, dtype=np.uint8) & 1) == 0
    return outside


def _starts(size: int, row_starts: np.ndarray, seps: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Pair starts (row starts and the byte after each separator) and their row numbers."""
    code = np.zeros(size + 1, np.int8)
    code[seps + 1] = 1
    code[row_starts] = 2
    starts = np.flatnonzero(code)
    return starts, np.cumsum(code[starts] == 2) - 1


def _ends(size: int, row_ends: np.ndarray, seps: np.ndarray) -> np.ndarray:
    mark = np.zeros(size + 1, np.bool_)
    mark[seps] = True
    mark[row_ends] = True
    return np.flatnonzero(mark)


def _values(
    seg: np.ndarray,
    row: np.ndarray,
    keys: tuple[np.ndarray, np.ndarray],
    vs: np.ndarray,
    ve: np.ndarray,
) -> Pairs:
    quoted = (vs < ve) & (seg[np.minimum(vs, len(seg) - 1)] == QUOTE)
    return Pairs(row, keys[0], keys[1], vs + quoted, ve - quoted, quoted)


def _shift(p: Pairs, lo: int) -> Pairs:
    return Pairs(
        p.row, p.key_start + lo, p.key_end + lo, p.val_start + lo, p.val_end + lo, p.quoted
    )


def kv_pairs(arr: pa.StringArray) -> Pairs | None:
    """Pairs of eligible ``key=value`` rows (``None`` if the split is inconsistent)."""
    data, offsets = view(arr)
    lo = int(offsets[0])
    seg = data[lo : offsets[-1]]
    rel = offsets - lo
    trailing = seg[rel[1:] - 1] == SPACE
    outside = _outside_quotes(seg)
    space = (seg == SPACE) & outside
    space[rel[1:][trailing] - 1] = False
    seps = np.flatnonzero(space)
    eq = np.flatnonzero((seg == EQUALS) & outside)
    starts, row = _starts(len(seg), rel[:-1], seps)
    ends = _ends(len(seg), rel[1:] - trailing, seps)
    if not len(starts) == len(ends) == len(eq):
        return None
    return _shift(_values(seg, row, (starts, eq), eq + 1, ends), lo)


def json_pairs(arr: pa.StringArray) -> Pairs | None:
    """Pairs of eligible flat JSON objects (``{}`` has none)."""
    data, offsets = view(arr)
    lo = int(offsets[0])
    seg = data[lo : offsets[-1]]
    rel = offsets - lo
    nonempty = np.flatnonzero(np.diff(rel) > 2)
    outside = _outside_quotes(seg)
    seps = np.flatnonzero((seg == COMMA) & outside)
    colon = np.flatnonzero((seg == COLON) & outside)
    starts, row = _starts(len(seg), rel[:-1][nonempty] + 1, seps)
    ends = _ends(len(seg), rel[1:][nonempty] - 1, seps)
    if not len(starts) == len(ends) == len(colon):
        return None
    pairs = _values(seg, nonempty[row], (starts + 1, colon - 1), colon + 1, ends)
    return _shift(pairs, lo)


def tty_pairs(arr: pa.StringArray) -> tuple[Pairs, np.ndarray] | None:
    """Fields of eligible colored logrus rows, and each row's first field escape (or -1).

    A row is header (two escapes), message (none) and fields ``" ESC[NNm key ESC[0m=value"``
    (two escapes each, two-digit colors), so the escapes after the first two of a row
    delimit its keys and values.
    """
    data, offsets = view(arr)
    n = len(offsets) - 1
    esc = np.flatnonzero(data[offsets[0] : offsets[-1]] == ESC) + offsets[0]
    first = np.searchsorted(esc, offsets[:-1])
    count = np.diff(np.append(first, len(esc)))
    if (count < 2).any() or (count % 2).any():
        return None
    head = np.zeros(len(esc), np.bool_)
    head[first] = True
    head[first + 1] = True
    fields = esc[~head]
    e1, e2 = fields[0::2], fields[1::2]
    row = np.repeat(np.arange(n), (count - 2) // 2)
    ve = np.empty(len(e1), np.int64)
    ve[:-1] = e1[1:] - 1
    last = lasts(row)
    ve[last] = offsets[1:][row[last]]
    first_field = np.full(n, -1, np.int64)
    has = count > 2
    first_field[has] = esc[first[has] + 2]
    return _values(data, row, (e1 + 5, e2), e2 + 5, ve), first_field
