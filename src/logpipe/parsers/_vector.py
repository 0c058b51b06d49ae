"""Text columns of whole arrays: route to the vectorized parsers, the rest to the reference.

1. Strip line terminators and strong launcher wrappers (byte ranges, one gather).
2. Route every line with anchored RE2 matches, in the reference's order of recognition:
   JSON, colored logrus, x-cray / uncolored logrus (reference), key=value, plain.
3. Parse each route as a whole; a plain result is retried behind a weak wrapper; plain
   lines that look damaged, and every line a vectorized parser declines, go through the
   reference (``_reference.parse_text``) one by one.
4. Assemble all parts with one gather per column (NCCL is attached by ``_batch``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Final

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from logpipe.parsers import _launcher
from logpipe.parsers._logfmt import KV_START
from logpipe.parsers._logrus import PFX_DETECT, TTY_PLAIN_HEAD
from logpipe.parsers._reference import CONTROL, parse_text
from logpipe.parsers._schema import SCHEMA
from logpipe.parsers._vbuf import bools, cut, first_bytes, matches, slices, view
from logpipe.parsers._vformats import FMT, Parsed, parse_json_rows, parse_kv_rows
from logpipe.parsers._vtime import parse_ts_array
from logpipe.parsers._vtty import parse_tty_rows

FALLBACK: Final = -1
_TYPES: Final = {f.name: f.type for f in SCHEMA}
_TEXT_COLUMNS: Final = [f.name for f in SCHEMA if f.name not in ("format", "nccl")]
_SUSPECT: Final = CONTROL[:-1] + "\ufffd]|^\x1b\\["


@dataclass
class Bodies:
    """Format code per row (``FALLBACK`` for the reference) and columns, in parts."""

    fmt: np.ndarray
    parts: list[tuple[np.ndarray, dict[str, pa.Array]]] = field(default_factory=list)

    def add(self, rows: np.ndarray, parsed: Parsed) -> None:
        self.fmt[rows[parsed.rows]] = parsed.fmt
        self.fmt[rows[parsed.fallback]] = FALLBACK
        self.fmt[rows[parsed.plain]] = FMT["plain"]
        self.parts.append((rows[parsed.rows], parsed.cols))


def _route(texts: pa.StringArray) -> np.ndarray:
    """The parser of each row: a FORMATS code of its family, or FALLBACK.

    The reference's order of recognition decides; each pattern runs only on the rows
    whose first byte allows it and that no earlier format took.
    """
    first = first_bytes(texts)
    route = np.full(len(texts), FMT["plain"])
    route[first == ord("{")] = FMT["logrus_json"]
    # Rows opening with an escape code go to the colored parser, which keeps the eligible
    # logrus ones and hands the others (x-cray, odd codes) to the reference.
    route[first == 0x1B] = FMT["logrus_tty"]
    maybe = np.isin(first, np.frombuffer(b"[TDIWEFP", np.uint8))
    _assign(texts, route, maybe, f"^(?:{PFX_DETECT}|{TTY_PLAIN_HEAD})", FALLBACK)
    _assign(texts, route, np.ones(len(texts), np.bool_), "^" + KV_START, FMT["logfmt"])
    return route


def _assign(
    texts: pa.StringArray, route: np.ndarray, allowed: np.ndarray, pattern: str, code: int
) -> None:
    """Give ``code`` to the still-plain rows among ``allowed`` that ``pattern`` matches."""
    rows = np.flatnonzero(allowed & (route == FMT["plain"]))
    if len(rows):
        route[rows[matches(texts.take(pa.array(rows)), pattern)]] = code


def parse_bodies(texts: pa.StringArray) -> Bodies:
    """Parse lines without their launcher (``_reference.parse_body``, by whole routes)."""
    route = _route(texts)
    bodies = Bodies(route.copy())
    parsers = {
        FMT["logfmt"]: parse_kv_rows,
        FMT["logrus_tty"]: parse_tty_rows,
        FMT["logrus_json"]: parse_json_rows,
    }
    for code, parser in parsers.items():
        rows = np.flatnonzero(route == code)
        if len(rows):
            bodies.add(rows, parser(texts.take(pa.array(rows))))
    plain = np.flatnonzero(bodies.fmt == FMT["plain"])
    bodies.parts.append((plain, {"msg": texts.take(pa.array(plain))}))
    return bodies


def text_columns(lines: pa.StringArray) -> tuple[np.ndarray, dict[str, pa.Array]]:
    """Format codes and every column but ``format`` and ``nccl`` (``_reference.parse_text``)."""
    n = len(lines)
    head = _launcher.strong_lengths(lines)
    rest = cut(lines, head) if head.any() else lines
    bodies = parse_bodies(rest)
    _weak(rest, bodies, head)
    # A damaged-looking message is in ``rest`` too (weak wrappers hold no such bytes).
    plain = np.flatnonzero(bodies.fmt == FMT["plain"])
    bodies.fmt[plain[matches(rest.take(pa.array(plain)), _SUSPECT)]] = FALLBACK
    fallback = np.flatnonzero(bodies.fmt == FALLBACK)
    bodies.parts.append(_reference_part(lines, fallback, bodies.fmt))
    cols = _assemble(n, bodies.parts)
    offsets = view(lines)[1][:-1]
    launcher = slices(lines, offsets, offsets + head, head > 0)
    is_fallback = np.zeros(n, np.bool_)
    is_fallback[fallback] = True
    cols["launcher"] = pc.if_else(pa.array(is_fallback), cols["launcher"], launcher)
    stamp = _launcher.wrapper_ts_texts(cols["launcher"])
    cols["ts"] = pc.coalesce(cols["ts"], parse_ts_array(stamp))
    return bodies.fmt, cols


def _weak(rest: pa.StringArray, bodies: Bodies, head: np.ndarray) -> None:
    """Retry plain rows behind a weak wrapper; keep the result where it is not plain."""
    plain = np.flatnonzero(bodies.fmt == FMT["plain"])
    if len(plain) == 0:
        return
    lengths = _launcher.weak_lengths(rest.take(pa.array(plain)))
    rows = plain[lengths > 0]
    if len(rows) == 0:
        return
    inner = cut(rest.take(pa.array(rows)), lengths[lengths > 0])
    again = parse_bodies(inner)
    accept = (again.fmt != FMT["plain"]) | _launcher.starts_nccl_array(inner)
    bodies.fmt[rows[accept]] = again.fmt[accept]
    head[rows[accept]] += lengths[lengths > 0][accept]
    for sub, cols in again.parts:
        keep = accept[sub]
        bodies.parts.append(
            (rows[sub[keep]], {k: v.filter(pa.array(keep)) for k, v in cols.items()})
        )


def _reference_part(
    lines: pa.StringArray, rows: np.ndarray, fmt: np.ndarray
) -> tuple[np.ndarray, dict[str, pa.Array]]:
    """Rows parsed one by one by the reference (their format codes are set in ``fmt``)."""
    parsed: list[dict[str, Any]] = [
        parse_text(line) for line in lines.take(pa.array(rows, pa.int64())).to_pylist()
    ]
    fmt[rows] = [FMT[r["format"]] for r in parsed]
    cols = {name: pa.array([r[name] for r in parsed], _TYPES[name]) for name in _TEXT_COLUMNS}
    return rows, cols


def _assemble_one(
    n: int, parts: list[tuple[np.ndarray, dict[str, pa.Array]]], name: str
) -> pa.Array:
    owner = np.full(n, -1, np.int64)
    arrays: list[pa.Array] = []
    base = 0
    for rows, cols in parts:
        values = cols.get(name)
        if values is None or values.null_count == len(values):
            owner[rows] = -1  # a later part's nulls override an earlier part's values
            continue
        owner[rows] = base + np.arange(len(rows))
        arrays.append(values.cast(_TYPES[name]))
        base += len(rows)
    if not arrays:
        return pa.nulls(n, _TYPES[name])
    whole = pa.concat_arrays(arrays)
    if isinstance(whole, pa.MapArray):
        return _take_map(whole, owner)
    return whole.take(pa.array(owner, mask=owner < 0))


def _take_map(maps: pa.MapArray, index: np.ndarray) -> pa.MapArray:
    """``maps.take(index)`` (-1: null) by gathering keys and values (Arrow's map take is slow)."""
    offsets = np.asarray(maps.offsets, np.int64)
    pick = np.where(index < 0, 0, index)
    absent = (index < 0) | ~bools(maps.is_valid())[pick]
    starts = offsets[:-1][pick]
    lengths = np.where(absent, 0, offsets[1:][pick] - starts)
    out = np.zeros(len(index) + 1, np.int64)
    np.cumsum(lengths, out=out[1:])
    pairs = pa.array(np.repeat(starts - out[:-1], lengths) + np.arange(out[-1]))
    return pa.MapArray.from_arrays(
        pa.array(out.astype(np.int32)),
        maps.keys.take(pairs),
        maps.items.take(pairs),
        mask=pa.array(absent) if absent.any() else None,
    )


def _assemble(n: int, parts: list[tuple[np.ndarray, dict[str, pa.Array]]]) -> dict[str, pa.Array]:
    """One column per name; for each row the latest part that covers it decides."""
    return {name: _assemble_one(n, parts, name) for name in _TEXT_COLUMNS}


def strip_eol(arr: pa.StringArray) -> pa.StringArray:
    """Drop one trailing ``\\n`` then one trailing ``\\r`` (``_reference.strip_eol``)."""
    lf = bools(pc.ends_with(arr, "\n"))
    cr = bools(pc.ends_with(arr, "\r"))
    if not (lf.any() or cr.any()):
        return arr
    data, offsets = view(arr)
    end = offsets[1:] - lf
    end -= (end > offsets[:-1]) & (data[np.maximum(end - 1, 0)] == 13)
    return slices(arr, offsets[:-1], end)
