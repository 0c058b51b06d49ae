"""``parse_batch``: normalize the input, compute text and NCCL columns side by side, assemble.

The text columns (``_text``) and the NCCL records (``nccl``) of a batch are independent
computations over the same lines; with ``threads`` > 1 they run on separate threads (the
byte kernels and Arrow's release the GIL) and a large batch's text columns are further
cut into contiguous slices. ``parse_nccl_first`` runs the NCCL prefilter first and
parses the lines reordered, those that may hold records ahead (ingest's file layout).
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Final

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from logpipe.parsers._fields import NCCL_LEVELS
from logpipe.parsers._schema import FORMATS, SCHEMA
from logpipe.parsers._vbuf import as_strings, bools, buffers, empty, strip_eol, view
from logpipe.parsers.nccl import nccl_column, nccl_tests_mask

F_PLAIN: Final = FORMATS.index("plain")
_NCCL: Final = FORMATS.index("nccl")
_NCCL_TESTS: Final = FORMATS.index("nccl_tests")
#: Below this many rows per thread, one thread does the whole batch.
MIN_ROWS_PER_THREAD: Final = 8192


def parse_batch(
    lines: pa.StringArray | pa.LargeStringArray | pa.ChunkedArray, *, threads: int | None = None
) -> pa.RecordBatch:
    """Parse whole arrays of lines (one output row per input line, never fewer).

    ``threads``: how many threads may work on the batch (default 1: everything on the
    calling thread). More threads overlap the NCCL column with the text columns and cut
    a large batch's text work into slices; the gain depends on idle CPUs (the Python
    glue between kernels holds the GIL).
    """
    arr, null = _normalized(lines)
    return _parse(arr, null, None, threads)  # (the prefilter runs on the NCCL thread)


def parse_nccl_first(
    lines: pa.StringArray | pa.LargeStringArray | pa.ChunkedArray, *, threads: int | None = None
) -> tuple[pa.RecordBatch, np.ndarray | None]:
    """``parse_batch`` of ``lines`` reordered: the lines that may hold NCCL records first,
    then the others (each in their order); and that order (None: the lines as given).

    Rows with NCCL records then lie in one block, which a writer can store apart from
    the rest without copying them out (``ingest._layout``): no line after the block
    holds a record. ``threads`` as for ``parse_batch``.
    """
    arr, null = _normalized(lines)
    pre = _Pre.of(arr)
    first = int(np.count_nonzero(pre.records))
    if first in (0, len(arr)):
        return _parse(arr, null, pre, threads), None
    order = np.concatenate([np.flatnonzero(pre.records), np.flatnonzero(~pre.records)])
    taken = arr.take(pa.array(order))
    return _parse(taken, null[order], pre.first(order, arr, taken), threads), order


def _normalized(
    lines: pa.StringArray | pa.LargeStringArray | pa.ChunkedArray,
) -> tuple[pa.StringArray, np.ndarray]:
    """(one ``string`` array, nulls as "" and line terminators dropped; where it was null)."""
    arr = as_strings(lines)
    null = bools(arr.is_null())
    if null.any():
        arr = pc.fill_null(arr, "")
    return strip_eol(arr), null


@dataclass(frozen=True, slots=True)
class _Pre:
    """What the NCCL byte prefilter found per line (``_knccl.prefilter``)."""

    records: np.ndarray  # may hold NCCL records
    tests: np.ndarray  # may be nccl-tests output
    token: np.ndarray  # n x 3: record token start, end (in the data buffer), level

    @staticmethod
    def of(arr: pa.StringArray) -> _Pre:
        from logpipe.parsers._knccl import prefilter  # noqa: PLC0415 (numba: on first use)

        data, offsets = buffers(arr)
        n = len(arr)
        pre = _Pre(empty(n, np.bool_), empty(n, np.bool_), empty((n, 3), np.int64))
        prefilter(data, offsets.astype(np.int64), pre.records, pre.tests, pre.token)
        return pre

    def first(self, order: np.ndarray, old: pa.StringArray, new: pa.StringArray) -> _Pre:
        """The findings for ``new`` = ``old.take(order)`` where ``order`` puts the lines
        that may hold records first (the others have no token: -1s)."""
        head = order[: int(np.count_nonzero(self.records))]
        token = np.full_like(self.token, -1)
        token[: len(head)] = self.token[head]
        moved = view(new)[1][: len(head)] - view(old)[1][head]
        found = token[: len(head), 0] >= 0
        token[: len(head)][found, :2] += moved[found, None]
        records = np.zeros_like(self.records)
        records[: len(head)] = True
        return _Pre(records, self.tests[order], token)


def _parse(
    arr: pa.StringArray, null: np.ndarray, pre: _Pre | None, threads: int | None
) -> pa.RecordBatch:
    """The batch of normalized lines ``arr`` (``null``: which were null; ``pre``: what the
    NCCL prefilter found, None: not run yet)."""
    text_columns = _text_columns()
    workers = 1 if threads is None else threads
    if workers < 2 or len(arr) < MIN_ROWS_PER_THREAD:
        fmt, cols = text_columns(arr)
        records, in_tests = _nccl_parts(arr, pre)
    else:
        count = max(1, min(workers - 1, len(arr) // MIN_ROWS_PER_THREAD))
        bounds = np.linspace(0, len(arr), count + 1).astype(np.int64)
        parts = [arr.slice(int(a), int(b - a)) for a, b in itertools.pairwise(bounds)]
        with ThreadPoolExecutor(count + 1) as pool:
            nccl = pool.submit(_nccl_parts, arr, pre)
            texts = list(pool.map(text_columns, parts))
            records, in_tests = nccl.result()
        fmt = np.concatenate([f for f, _ in texts])
        cols = {k: pa.concat_arrays([c[k] for _, c in texts]) for k in texts[0][1]}
    cols["nccl"], cols["level"] = records, _with_nccl(fmt, records, in_tests, cols["level"])
    if null.any():
        fmt[null] = F_PLAIN
        cols["msg"] = pc.if_else(pa.array(null), None, cols["msg"])
        cols["parse_error"] = pc.if_else(pa.array(null), "null line", cols["parse_error"])
    cols["format"] = pa.array(FORMATS).take(pa.array(fmt))
    return pa.RecordBatch.from_arrays([cols[f.name].cast(f.type) for f in SCHEMA], schema=SCHEMA)


def _text_columns() -> Callable[[pa.StringArray], tuple[np.ndarray, dict[str, pa.Array]]]:
    """The kernels' entry point, imported on first use (numba loads in ~0.3 s)."""
    from logpipe.parsers._text import text_columns  # noqa: PLC0415

    return text_columns


def _nccl_parts(arr: pa.StringArray, pre: _Pre | None = None) -> tuple[pa.ListArray, np.ndarray]:
    pre = pre or _Pre.of(arr)
    column = nccl_column(arr, maybe=pre.records, token=pre.token)
    return column, bools(nccl_tests_mask(arr, maybe=pre.tests))


def _with_nccl(
    fmt: np.ndarray, records: pa.ListArray, in_tests: np.ndarray, level: pa.Array
) -> pa.Array:
    """Plain rows become ``nccl_tests`` / ``nccl`` (level from the first record)."""
    has = bools(records.is_valid())
    plain = fmt == F_PLAIN
    fmt[plain & in_tests] = _NCCL_TESTS
    become = plain & ~in_tests & has
    fmt[become] = _NCCL
    if not become.any():
        return level
    # The first record's level, read from the flat child column (no gather of whole records).
    starts = np.asarray(records.offsets)[:-1][become]
    levels = records.values.field("level").take(pa.array(starts))
    names = pa.array(list(NCCL_LEVELS))
    mapped = pa.array(list(NCCL_LEVELS.values())).take(pc.index_in(levels, names))
    return pc.replace_with_mask(level, pa.array(become), mapped.cast(level.type))
