"""``parse_batch``: route whole arrays to the vectorized parsers, the rest to the reference.

1. Strip line terminators and strong launcher wrappers (byte ranges, one gather).
2. Route every line with anchored RE2 matches, in the reference's order of recognition:
   JSON, colored logrus, x-cray / uncolored logrus (reference), key=value, plain.
3. Parse each route as a whole; a plain result is retried behind a weak wrapper; plain
   lines that look damaged, and every line a vectorized parser declines, go through the
   reference (``_reference.parse_text``) one by one.
4. Assemble all parts with one gather per column, then attach NCCL.
"""

from __future__ import annotations

import itertools
import os
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any, Final

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from logpipe.parsers import _launcher
from logpipe.parsers._logfmt import KV_START
from logpipe.parsers._logrus import PFX_DETECT, TTY_HEAD, TTY_PLAIN_HEAD
from logpipe.parsers._reference import CONTROL, parse_text
from logpipe.parsers._schema import FORMATS, SCHEMA
from logpipe.parsers._vbuf import as_strings, bools, cut, matches, slices, view
from logpipe.parsers._vformats import FMT, Parsed, parse_json_rows, parse_kv_rows
from logpipe.parsers._vtime import parse_ts_array
from logpipe.parsers._vtty import parse_tty_rows
from logpipe.parsers.nccl import nccl_column, nccl_tests_mask

FALLBACK: Final = -1
#: Below this many rows per thread, one thread does the whole batch.
MIN_ROWS_PER_THREAD: Final = 8192
_TYPES: Final = {f.name: f.type for f in SCHEMA}
_TEXT_COLUMNS: Final = [f.name for f in SCHEMA if f.name not in ("format", "nccl")]
_SUSPECT: Final = CONTROL[:-1] + "\ufffd]|^\x1b\\["
_NCCL_LEVELS: Final = {"INFO": "info", "WARN": "warning", "TRACE": "trace"}


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
    data, offsets = view(texts)
    first = np.zeros(len(texts), np.uint8)
    filled = offsets[1:] > offsets[:-1]
    first[filled] = data[offsets[:-1][filled]]
    route = np.full(len(texts), FMT["plain"])
    route[first == ord("{")] = FMT["logrus_json"]
    _assign(texts, route, first == 0x1B, "^" + TTY_HEAD, FMT["logrus_tty"])
    maybe = np.isin(first, np.frombuffer(b"\x1b[TDIWEFP", np.uint8))
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
    return whole.take(pa.array(owner, mask=owner < 0))


def _assemble(n: int, parts: list[tuple[np.ndarray, dict[str, pa.Array]]]) -> dict[str, pa.Array]:
    """One column per name; for each row the latest part that covers it decides."""
    return {name: _assemble_one(n, parts, name) for name in _TEXT_COLUMNS}


def _nccl(fmt: np.ndarray, lines: pa.StringArray, level: pa.Array) -> tuple[pa.Array, pa.Array]:
    """The ``nccl`` column; plain rows become ``nccl_tests`` / ``nccl`` (with the record level)."""
    records = nccl_column(lines)
    in_tests = bools(nccl_tests_mask(lines))
    has = bools(records.is_valid())
    plain = fmt == FMT["plain"]
    fmt[plain & in_tests] = FMT["nccl_tests"]
    become = plain & ~in_tests & has
    fmt[become] = FMT["nccl"]
    if become.any():
        first = pc.list_element(records.filter(pa.array(has)), 0)
        record_level = pc.struct_field(first, "level")
        names = pa.array(list(_NCCL_LEVELS))
        mapped = pa.array(list(_NCCL_LEVELS.values())).take(pc.index_in(record_level, names))
        full = pa.nulls(len(fmt), pa.string())
        full = pc.replace_with_mask(full, pa.array(has), mapped)
        level = pc.if_else(pa.array(become), full, level)
    return records, level


def parse_batch(
    lines: pa.StringArray | pa.LargeStringArray, *, threads: int | None = None
) -> pa.RecordBatch:
    """Parse whole arrays of lines (one output row per input line, never fewer).

    Large batches are cut into contiguous slices parsed on ``threads`` threads (default:
    the CPUs this process may use); the kernels release the GIL, so they overlap.
    """
    arr = as_strings(lines)
    workers = threads if threads is not None else len(os.sched_getaffinity(0))
    count = max(1, min(workers, len(arr) // MIN_ROWS_PER_THREAD))
    if count == 1:
        return _parse(arr)
    bounds = np.linspace(0, len(arr), count + 1).astype(np.int64)
    slices_ = [arr.slice(int(a), int(b - a)) for a, b in itertools.pairwise(bounds)]
    with ThreadPoolExecutor(count) as pool:
        batches = list(pool.map(_parse, slices_))
    columns = [pa.concat_arrays([b.column(i) for b in batches]) for i in range(len(SCHEMA))]
    return pa.RecordBatch.from_arrays(columns, schema=SCHEMA)


def _parse(arr: pa.StringArray) -> pa.RecordBatch:
    null = bools(arr.is_null())
    if null.any():
        arr = pc.fill_null(arr, "")
    arr = _strip_eol(arr)
    fmt, cols = text_columns(arr)
    cols["nccl"], cols["level"] = _nccl(fmt, arr, cols["level"])
    if null.any():
        fmt[null] = FMT["plain"]
        cols["msg"] = pc.if_else(pa.array(null), None, cols["msg"])
        cols["parse_error"] = pc.if_else(pa.array(null), "null line", cols["parse_error"])
    cols["format"] = pa.array(FORMATS).take(pa.array(fmt))
    return pa.RecordBatch.from_arrays([cols[f.name].cast(f.type) for f in SCHEMA], schema=SCHEMA)


def _strip_eol(arr: pa.StringArray) -> pa.StringArray:
    """Drop one trailing ``\\n`` then one trailing ``\\r`` (``_reference.strip_eol``)."""
    lf = bools(pc.ends_with(arr, "\n"))
    cr = bools(pc.ends_with(arr, "\r"))
    if not (lf.any() or cr.any()):
        return arr
    data, offsets = view(arr)
    end = offsets[1:] - lf
    end -= (end > offsets[:-1]) & (data[np.maximum(end - 1, 0)] == 13)
    return slices(arr, offsets[:-1], end)
