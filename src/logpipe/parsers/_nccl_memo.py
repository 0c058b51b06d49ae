"""Parse each distinct NCCL message (and line prefix) once per process, not once per batch.

NCCL repeats itself: every rank of a job prints the same ring, tree, channel and
transport lines, every job the same init lines, so a log's batches share most of their
distinct messages. What a message parses to depends on its text alone, so a ``Memo``
keeps, per distinct text, one row of an Arrow struct table built by the vectorized
parser; a batch parses only the texts no earlier batch had, then takes its rows.

Memory is bounded: a memo holds at most ``limit`` texts and starts over when the next
batch would pass that (a stream of ever-new texts, such as collective traces with their
counters, costs what it cost without the memo). A lock makes it safe for threads.
"""

from __future__ import annotations

import threading
from collections.abc import Callable

import numpy as np
import pyarrow as pa

__all__ = ["Memo"]

#: After this many batches added rows, the table's chunks are combined into one.
_CHUNKS = 16


class Memo:
    """Per distinct text, a row of a table made by ``build`` (texts -> struct array whose
    first field is a boolean ``ok``, kept aside as numpy for quick filtering)."""

    def __init__(self, build: Callable[[pa.StringArray], pa.StructArray], limit: int) -> None:
        self._build, self.limit = build, limit
        self._lock = threading.Lock()
        self._index: dict[str, int] = {}
        self._chunks: list[pa.StructArray] = []
        self._ok = np.zeros(0, np.bool_)

    def __len__(self) -> int:
        return len(self._index)

    def rows(self, texts: pa.StringArray) -> tuple[np.ndarray, np.ndarray, pa.ChunkedArray]:
        """(row of each text, its ``ok``, the table those rows index); unseen texts are
        built first.

        ``texts`` should be distinct (a dictionary): each is looked up once.
        """
        keys: list[str] = texts.to_pylist()
        with self._lock:
            found = np.fromiter((self._index.get(k, -1) for k in keys), np.int64, len(keys))
            new = np.flatnonzero(found < 0)
            if len(new):
                if len(self._index) + len(new) > self.limit:
                    self._reset()
                    found[:], new = -1, np.arange(len(keys))
                found[new] = self._add(texts.take(pa.array(new)), [keys[i] for i in new])
            return found, self._ok[found], pa.chunked_array(self._chunks, self._type(texts))

    def _add(self, texts: pa.StringArray, keys: list[str]) -> np.ndarray:
        """Build rows for new texts; their row numbers."""
        start = len(self._index)
        table = self._build(texts)
        self._index.update(zip(keys, range(start, start + len(keys)), strict=True))
        self._chunks.append(table)
        self._ok = np.concatenate([self._ok, np.asarray(table.field(0), np.bool_)])
        if len(self._chunks) > _CHUNKS:
            self._chunks = [pa.concat_arrays(self._chunks)]
        return np.arange(start, start + len(keys))

    def _type(self, texts: pa.StringArray) -> pa.DataType:
        """The table's type (built from an empty input when nothing was built yet)."""
        if not self._chunks:
            self._chunks.append(self._build(texts.slice(0, 0)))
        return self._chunks[0].type

    def clear(self) -> None:
        """Forget every text (the next batch builds all of its own)."""
        with self._lock:
            self._reset()

    def _reset(self) -> None:
        self._index.clear()
        self._chunks.clear()
        self._ok = np.zeros(0, np.bool_)
