"""Vectorized ``_time.parse_ts``: RFC3339-shaped texts by numpy over the bytes, others by RE2.

Most timestamps in logs are ``2006-01-02T15:04:05[.frac][Z|-07:00]`` (or with a space for
``T``): their digits sit at fixed offsets, so they are read straight from the string
buffer. Any other text goes through the same layout patterns as the reference.
"""

from __future__ import annotations

from typing import Final

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
from numpy.lib.stride_tricks import sliding_window_view

from logpipe.parsers._time import LAYOUTS, MAX_US, MIN_US, MONTHS
from logpipe.parsers._vbuf import bools, view

_DIGITS: Final = np.array([0, 1, 2, 3, 5, 6, 8, 9, 11, 12, 14, 15, 17, 18])
_WIDTH: Final = 36  # 19 + "." + 10 digits (to see a too-long fraction) + "+07:00"
_TEN: Final = (10 ** np.arange(5, -1, -1)).astype(np.int64)


def parse_ts_array(texts: pa.StringArray) -> pa.TimestampArray:
    """One ``timestamp[us, UTC]`` per text (null where it names no instant).

    Logs repeat their timestamps (logrus prints seconds): when under half of the texts
    are distinct, each distinct text is parsed once.
    """
    if len(texts) > 64:
        encoded = pc.dictionary_encode(texts)
        if 2 * len(encoded.dictionary) < len(texts):
            return _parse(encoded.dictionary).take(encoded.indices)
    return _parse(texts)


def _parse(texts: pa.StringArray) -> pa.TimestampArray:
    n = len(texts)
    out = np.zeros(n, np.int64)
    valid = np.zeros(n, np.bool_)
    present = bools(texts.is_valid())
    done = _rfc3339(texts, present, out, valid)
    todo = np.flatnonzero(present & ~done)
    for layout in LAYOUTS:
        if len(todo) == 0:
            break
        parts = pc.extract_regex(texts.take(pa.array(todo)), "^(?:" + layout + ")$")
        hit = bools(parts.is_valid())
        if hit.any():
            rows = todo[hit]
            out[rows], valid[rows] = _from_parts(parts.filter(pa.array(hit)))
        todo = todo[~hit]
    return pa.array(out, pa.timestamp("us", tz="UTC"), mask=~valid)


def _windows(data: np.ndarray, starts: np.ndarray, sizes: np.ndarray) -> np.ndarray:
    """The first ``_WIDTH`` bytes of each text as rows of a matrix (zeros past its end)."""
    out = np.zeros((len(starts), _WIDTH), np.uint8)
    inner = starts <= len(data) - _WIDTH
    if len(data) >= _WIDTH:
        out[inner] = sliding_window_view(data, _WIDTH)[starts[inner]]
    for i in np.flatnonzero(~inner):
        tail = data[starts[i] : starts[i] + _WIDTH]
        out[i, : len(tail)] = tail
    out[np.arange(_WIDTH) >= sizes[:, None]] = 0
    return out


def _rfc3339(
    texts: pa.StringArray, present: np.ndarray, out: np.ndarray, valid: np.ndarray
) -> np.ndarray:
    """Parse the RFC3339-shaped rows into ``out``/``valid``; the mask of rows it handled."""
    data, offsets = view(texts)
    length = np.diff(offsets)
    rows = np.flatnonzero(present & (length >= 19) & (length <= _WIDTH))
    handled = np.zeros(len(texts), np.bool_)
    if len(rows) == 0:
        return handled
    size = length[rows]
    win = _windows(data, offsets[:-1][rows], size)
    v = win.astype(np.int16) - 48
    digit = (v >= 0) & (v <= 9)
    shape = digit[:, _DIGITS].all(axis=1) & (win[:, 4] == 45) & (win[:, 7] == 45)
    shape &= ((win[:, 10] == 84) | (win[:, 10] == 32)) & (win[:, 13] == 58) & (win[:, 16] == 58)
    frac = (win[:, 19] == 46) | (win[:, 19] == 44)
    run = digit[:, 20:30]
    nd = np.where(run.all(axis=1), 10, np.argmin(run, axis=1)) * frac
    micro = ((v[:, 20:26] * (np.arange(6) < nd[:, None])) @ _TEN).astype(np.int64)
    zone, zone_ok = _zone(v, digit, 19 + frac * (1 + nd), size)
    ok_shape = shape & (~frac | ((nd >= 1) & (nd <= 9))) & zone_ok
    w = v[:, :19].astype(np.int64)
    us, ok = compose(
        (w[:, 0] * 1000 + w[:, 1] * 100 + w[:, 2] * 10 + w[:, 3], w[:, 5] * 10 + w[:, 6],
         w[:, 8] * 10 + w[:, 9]),
        (w[:, 11] * 10 + w[:, 12], w[:, 14] * 10 + w[:, 15], w[:, 17] * 10 + w[:, 18], micro),
        zone,
    )  # fmt: skip
    hit = rows[ok_shape]
    handled[hit] = True
    out[hit], valid[hit] = us[ok_shape], ok[ok_shape]
    return handled


def _zone(
    v: np.ndarray, digit: np.ndarray, z: np.ndarray, size: np.ndarray
) -> tuple[tuple[np.ndarray, np.ndarray, np.ndarray], np.ndarray]:
    """(sign, hours, minutes) of the zone starting at column ``z``, and where it is one
    this path reads (none, ``Z`` or ``+hh:mm``)."""
    cols = np.minimum(z[:, None] + np.arange(6), _WIDTH - 1)
    zone = np.take_along_axis(v, cols, axis=1).astype(np.int64)
    zd = np.take_along_axis(digit, cols, axis=1)
    rest = size - z
    offset = (rest == 6) & ((zone[:, 0] == 43 - 48) | (zone[:, 0] == 45 - 48)) & (zone[:, 3] == 10)
    offset &= zd[:, 1] & zd[:, 2] & zd[:, 4] & zd[:, 5]
    utc = (rest == 0) | ((rest == 1) & (zone[:, 0] == 90 - 48))
    sign = np.where(zone[:, 0] == 45 - 48, -1, 1) * offset
    hours = (zone[:, 1] * 10 + zone[:, 2]) * offset
    minutes = (zone[:, 4] * 10 + zone[:, 5]) * offset
    return (sign, hours, minutes), utc | offset


def _ints(parts: pa.StructArray, name: str) -> np.ndarray:
    if parts.type.get_field_index(name) < 0:
        return np.zeros(len(parts), np.int64)
    col = parts.field(name)
    text = pc.if_else(pc.equal(col, ""), "0", col)
    ints: np.ndarray = pc.cast(text, pa.int64()).to_numpy(zero_copy_only=False)
    return ints


def _from_parts(parts: pa.StructArray) -> tuple[np.ndarray, np.ndarray]:
    """Epoch microseconds and validity of matched layout groups."""
    if parts.type.get_field_index("b") >= 0:
        month = pc.index_in(parts.field("b"), pa.array(MONTHS)).to_numpy(zero_copy_only=False) + 1
    else:
        month = _ints(parts, "m")
    frac = pc.utf8_rpad(pc.utf8_slice_codeunits(parts.field("f"), 0, 6), 6, "0")
    micro = pc.cast(frac, pa.int64()).to_numpy(zero_copy_only=False)
    sign = np.where(bools(pc.equal(parts.field("zs"), "-")), -1, 1)
    return compose(
        (_ints(parts, "Y"), month, _ints(parts, "d")),
        (_ints(parts, "H"), _ints(parts, "M"), _ints(parts, "S"), micro),
        (sign, _ints(parts, "zh"), _ints(parts, "zm")),
    )


def compose(
    date: tuple[np.ndarray, ...], clock: tuple[np.ndarray, ...], zone: tuple[np.ndarray, ...]
) -> tuple[np.ndarray, np.ndarray]:
    """Epoch microseconds and validity (the rules of ``_time._from_parts``)."""
    year, month, day = date
    hour, minute, sec, micro = clock
    sign, zh, zm = zone
    leap = (year % 4 == 0) & ((year % 100 != 0) | (year % 400 == 0))
    mdays = np.array([31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31])[np.clip(month, 1, 12) - 1]
    mdays = mdays + ((month == 2) & leap)
    ok = (year >= 1) & (month >= 1) & (month <= 12) & (day >= 1) & (day <= mdays)
    ok &= (hour < 24) & (minute < 60) & (sec < 60) & (zh <= 23) & (zm <= 59)
    days = _days_from_civil(year, np.clip(month, 1, 12), day)
    secs = days * 86400 + hour * 3600 + minute * 60 + sec - sign * (zh * 3600 + zm * 60)
    us = secs * 1_000_000 + micro
    ok &= (us >= MIN_US) & (us <= MAX_US)
    return np.where(ok, us, 0), ok


def _days_from_civil(y: np.ndarray, m: np.ndarray, d: np.ndarray) -> np.ndarray:
    """Days since 1970-01-01 of proleptic Gregorian dates (H. Hinnant's algorithm)."""
    y = y - (m <= 2)
    era = np.floor_divide(y, 400)
    yoe = y - era * 400
    doy = (153 * (m + np.where(m > 2, -3, 9)) + 2) // 5 + d - 1
    doe = yoe * 365 + yoe // 4 - yoe // 100 + doy
    days: np.ndarray = era * 146097 + doe - 719468
    return days
