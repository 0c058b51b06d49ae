"""Vectorized logrus colored layout (``_logrus.parse_tty`` for rows with plain messages)."""

from __future__ import annotations

from typing import Final

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from logpipe.parsers._logrus import PAD, TTY_HEAD, TTY_LEVEL
from logpipe.parsers._time import ELAPSED
from logpipe.parsers._vbuf import bools, keep_rows, matches, slices, view
from logpipe.parsers._vformats import FMT, Parsed, decode, nothing, pair_texts
from logpipe.parsers._vroles import bind_roles
from logpipe.parsers._vtime import parse_ts_array
from logpipe.parsers._vtoken import tty_pairs

_FIELDS: Final = (
    r'[^\x1b]*(?: \x1b\[[0-9]{2}m[^\x1b]*\x1b\[0m=(?:"(?:[^"\\\x1b]|\\[^\x1b])*"|[^ "\\\x1b]*))*$'
)
#: Eligible rows: messages without escape codes, fields with two-digit colors and values
#: quoted without raw escape bytes. (One DFA pass; the header's groups are then taken from
#: the header alone, as submatches over the whole line would be slow.)
TTY_ELIGIBLE: Final = "^" + TTY_HEAD + _FIELDS
_STEMS: Final = pa.array(list(TTY_LEVEL))
_LEVELS: Final = pa.array(list(TTY_LEVEL.values()))


def parse_tty_rows(texts: pa.StringArray) -> Parsed:
    """Colored logrus rows whose message holds no escape code and fields no backslash."""
    ok = matches(texts, TTY_ELIGIBLE)
    rows = np.flatnonzero(ok)
    sub = texts.take(pa.array(rows))
    found = tty_pairs(sub) if len(rows) else None
    if found is None:
        return nothing(np.arange(len(texts)))
    pairs, first_field = found
    spans = pc.extract_regex_span(sub, "^(?P<head>" + TTY_HEAD + ")")
    data, offsets = view(sub)
    start, end = offsets[:-1], offsets[1:]
    body = start + _span(spans, "head")[1]
    has = first_field >= 0
    trailing = (end > body) & (data[np.maximum(end - 1, 0)] == 32)
    seg_end = np.where(has, first_field - 2, end - trailing)
    seg = slices(sub, body, np.maximum(seg_end, body))
    width = pc.utf8_length(seg).to_numpy(zero_copy_only=False)
    padded = ~has | ((seg_end >= body) & (data[np.maximum(first_field - 2, 0)] == 32))
    good = padded & (~has | (width >= PAD))
    keys, raws = pair_texts(sub, pairs)
    values, failed = decode(raws, pairs.escaped & pairs.quoted, go=True)
    cols = bind_roles(len(rows), np.full(len(rows), -1), pairs.row, keys, values)
    good &= np.bincount(pairs.row[failed], minlength=len(rows)) == 0
    cols["msg"] = pc.if_else(pa.array(width > PAD), seg, pc.utf8_rtrim(seg, characters=" "))
    cols.update(_header(sub, spans))
    cols = keep_rows(cols, good)
    fallback = np.concatenate([np.flatnonzero(~ok), rows[~good]])
    return Parsed(rows[good], np.full(int(good.sum()), FMT["logrus_tty"]), cols, fallback)


def _span(spans: pa.StructArray, name: str) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(start, length, present) of a named group's byte span in every row."""
    group = spans.field(name)
    present = bools(group.is_valid())
    values = group.values.slice(2 * group.offset, 2 * len(group))
    flat = pc.fill_null(values, 0).to_numpy().reshape(-1, 2) * present[:, None]
    return flat[:, 0].astype(np.int64), flat[:, 1].astype(np.int64), present


def _group(sub: pa.StringArray, spans: pa.StructArray, name: str) -> pa.StringArray:
    start, length, present = _span(spans, name)
    base = view(sub)[1][:-1]
    return slices(sub, base + start, base + start + length, present)


def _header(sub: pa.StringArray, spans: pa.StructArray) -> dict[str, pa.Array]:
    """Level, stamp (elapsed or timestamp) and caller columns of the header."""
    stem = pc.utf8_slice_codeunits(_group(sub, spans, "level"), 0, 4)
    cols: dict[str, pa.Array] = {"level": _LEVELS.take(pc.index_in(stem, value_set=_STEMS))}
    stamp = _group(sub, spans, "stamp")
    elapsed = matches(stamp, "^" + ELAPSED + "$")
    cols["elapsed_s"] = pc.cast(pc.if_else(pa.array(elapsed), stamp, None), pa.int64())
    cols["ts"] = parse_ts_array(pc.if_else(pa.array(elapsed), None, stamp))
    caller = _group(sub, spans, "caller")
    split = pc.extract_regex(caller, r"^(?P<file>[^ ]*) (?P<func>.*)$")
    spaced = bools(split.is_valid())
    file_only = matches(caller, r":[0-9]+$")
    func = pc.if_else(pa.array(spaced), split.field("func"), caller)
    func = pc.if_else(pa.array(file_only & ~spaced), None, func)
    cols["caller_func"] = pc.replace_substring_regex(func, r"\(\)$", "")
    file = pc.if_else(pa.array(spaced), split.field("file"), caller)
    cols["caller_file"] = pc.if_else(pa.array(spaced | file_only), file, None)
    return cols
