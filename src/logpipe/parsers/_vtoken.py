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

QUOTE, SPACE, EQUALS, COMMA, COLON, ESC, BACKSLASH = 34, 32, 61, 44, 58, 27, 92


@dataclass(frozen=True)
class Pairs:
    """Byte ranges of keys and values (values without their quotes), each pair's row, and
    which values (and keys) hold a backslash escape, for per-value decoding."""

    row: np.ndarray
    key_start: np.ndarray
    key_end: np.ndarray
    val_start: np.ndarray
    val_end: np.ndarray
    quoted: np.ndarray
    escaped: np.ndarray
    key_escaped: np.ndarray


def _specials(seg: np.ndarray, codes: tuple[int, ...]) -> tuple[np.ndarray, np.ndarray]:
    """Positions of the bytes of interest, and those bytes."""
    hit = seg == codes[0]
    for code in codes[1:]:
        hit |= seg == code
    pos = np.flatnonzero(hit)
    return pos, seg[pos]


def _outside(pos: np.ndarray, cls: np.ndarray) -> np.ndarray:
    """Which special bytes lie outside quoted strings (backslash-escaped quotes do not count)."""
    quote = cls == QUOTE
    at = np.flatnonzero(cls == BACKSLASH)
    if len(at):
        # A quote right after a run of backslashes is escaped when the run is odd.
        bs = pos[at]
        run_end = np.ones(len(bs), np.bool_)
        run_end[:-1] = bs[1:] != bs[:-1] + 1
        index = np.arange(len(bs))
        starts = np.ones(len(bs), np.bool_)
        starts[1:] = run_end[:-1]
        run_len = index - np.maximum.accumulate(np.where(starts, index, 0)) + 1
        odd = at[run_end & (run_len % 2 == 1)] + 1
        odd = odd[odd < len(pos)]
        quote[odd[pos[odd] == pos[odd - 1] + 1]] = False
    outside: np.ndarray = (np.cumsum(quote, dtype=np.int64) & 1) == 0
    return outside


def _layout(
    row_starts: np.ndarray, row_ends: np.ndarray, seps: np.ndarray, rows: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(start, end, row) of every pair: rows ``rows`` are cut at the separators ``seps``."""
    bounds = np.searchsorted(seps, row_starts)
    counts = np.diff(np.append(bounds, len(seps)))
    counts[rows] += 1
    first = np.cumsum(counts) - counts
    total = int(counts.sum())
    is_first = np.zeros(total, np.bool_)
    is_first[first[rows]] = True
    is_last = np.zeros(total, np.bool_)
    is_last[(first + counts - 1)[rows]] = True
    starts = np.empty(total, np.int64)
    starts[is_first] = row_starts[rows]
    starts[~is_first] = seps + 1
    ends = np.empty(total, np.int64)
    ends[is_last] = row_ends[rows]
    ends[~is_last] = seps
    return starts, ends, np.repeat(np.arange(len(counts)), counts)


def _marks(bs: np.ndarray, starts: np.ndarray, ends: np.ndarray) -> np.ndarray:
    """Which ranges [start, end) (ascending, disjoint) hold one of the positions ``bs``."""
    hit = np.zeros(len(starts), np.bool_)
    if len(bs) and len(starts):
        at = np.searchsorted(starts, bs, "right") - 1
        inside = (at >= 0) & (bs < ends[np.maximum(at, 0)])
        hit[at[inside]] = True
    return hit


def _pairs(
    seg: np.ndarray,
    layout: tuple[np.ndarray, np.ndarray, np.ndarray],
    key: tuple[np.ndarray, np.ndarray],
    delim: np.ndarray,
    bs: np.ndarray,
) -> Pairs:
    """Pairs whose value runs from the byte after ``delim`` to the pair's end."""
    _, ends, row = layout
    vs = delim + 1
    quoted = (vs < ends) & (seg[np.minimum(vs, len(seg) - 1)] == QUOTE)
    val_start, val_end = vs + quoted, ends - quoted
    return Pairs(
        row, key[0], key[1], val_start, val_end, quoted,
        _marks(bs, val_start, val_end), _marks(bs, key[0], key[1]),
    )  # fmt: skip


def _shift(p: Pairs, lo: int) -> Pairs:
    return Pairs(
        p.row, p.key_start + lo, p.key_end + lo, p.val_start + lo, p.val_end + lo, p.quoted,
        p.escaped, p.key_escaped,
    )  # fmt: skip


def kv_pairs(arr: pa.StringArray) -> Pairs | None:
    """Pairs of eligible ``key=value`` rows (``None`` if the split is inconsistent)."""
    data, offsets = view(arr)
    lo = int(offsets[0])
    seg = data[lo : offsets[-1]]
    rel = offsets - lo
    trailing = seg[rel[1:] - 1] == SPACE
    pos, cls = _specials(seg, (QUOTE, SPACE, EQUALS, BACKSLASH))
    outside = _outside(pos, cls)
    seps = pos[(cls == SPACE) & outside]
    ends = rel[1:] - trailing
    if trailing.any():
        seps = seps[~np.isin(seps, ends[trailing])]
    eq = pos[(cls == EQUALS) & outside]
    layout = _layout(rel[:-1], ends, seps, np.arange(len(rel) - 1))
    if len(layout[0]) != len(eq):
        return None
    return _shift(_pairs(seg, layout, (layout[0], eq), eq, pos[cls == BACKSLASH]), lo)


def json_pairs(arr: pa.StringArray) -> Pairs | None:
    """Pairs of eligible flat JSON objects (``{}`` has none)."""
    data, offsets = view(arr)
    lo = int(offsets[0])
    seg = data[lo : offsets[-1]]
    rel = offsets - lo
    nonempty = np.flatnonzero(np.diff(rel) > 2)
    pos, cls = _specials(seg, (QUOTE, COMMA, COLON, BACKSLASH))
    outside = _outside(pos, cls)
    seps = pos[(cls == COMMA) & outside]
    colon = pos[(cls == COLON) & outside]
    layout = _layout(rel[:-1] + 1, rel[1:] - 1, seps, nonempty)
    if len(layout[0]) != len(colon):
        return None
    key = (layout[0] + 1, colon - 1)
    return _shift(_pairs(seg, layout, key, colon, pos[cls == BACKSLASH]), lo)


def tty_pairs(arr: pa.StringArray) -> tuple[Pairs, np.ndarray] | None:
    """Fields of eligible colored logrus rows, and each row's first field escape (or -1).

    A row is header (two escapes), message (none) and fields ``" ESC[NNm key ESC[0m=value"``
    (two escapes each, two-digit colors), so the escapes after the first two of a row
    delimit its keys and values.
    """
    data, offsets = view(arr)
    n = len(offsets) - 1
    lo = int(offsets[0])
    pos, cls = _specials(data[lo : offsets[-1]], (ESC, BACKSLASH))
    esc, bs = pos[cls == ESC] + lo, pos[cls == BACKSLASH] + lo
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
    layout = (e1, ve, row)
    return _pairs(data, layout, (e1 + 5, e2), e2 + 4, bs), first_field
