"""Split complete lines out of byte buffers (compiled kernels), holding a partial last line."""

from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from logpipe.parsers import _vbuf

__all__ = [
    "DEFAULT_MAX_LINE_BYTES",
    "LineBlock",
    "LineSplitter",
    "char_cut",
    "lines_of",
    "split_reference",
]

#: ``--max-line-bytes``: longer lines are kept truncated to this many bytes and flagged.
DEFAULT_MAX_LINE_BYTES = 1 << 20

_NL = 10


@dataclass(frozen=True, slots=True)
class LineBlock:
    """Complete lines cut from one stretch of a file, as Arrow columns.

    ``offset`` is each line's first byte in the file and ``nbytes`` the bytes it
    occupies there (terminator included). ``line`` is its text without the
    terminator (``\\n`` or ``\\r\\n``), cut to at most ``max_line_bytes`` on a
    character boundary (then ``truncated``); ``line_raw`` holds those same bytes
    unchanged where they are not valid UTF-8 (``line`` then shows U+FFFD), else null.
    ``end`` is the file offset just past the last line.
    """

    offset: pa.Int64Array
    nbytes: pa.Int64Array
    line: pa.StringArray
    line_raw: pa.BinaryArray
    truncated: pa.BooleanArray
    end: int

    def __len__(self) -> int:
        return len(self.offset)

    def slice(self, start: int, stop: int) -> LineBlock:
        """Lines ``start`` to ``stop`` (no copy); ``end`` past the last of them."""
        n = stop - start
        last = stop - 1
        end = self.offset[last].as_py() + self.nbytes[last].as_py() if n > 0 else -1
        return LineBlock(
            self.offset.slice(start, n),
            self.nbytes.slice(start, n),
            self.line.slice(start, n),
            self.line_raw.slice(start, n),
            self.truncated.slice(start, n),
            end,
        )


def _cut(data: bytes, newlines: np.ndarray) -> pa.BinaryArray:
    """The values of ``data`` ending at ``newlines`` (positions of ``\\n``), without it."""
    offsets = np.empty(len(newlines) + 1, np.int32)
    offsets[0] = 0
    offsets[1:] = newlines + 1
    with_nl = pa.Array.from_buffers(
        pa.binary(), len(newlines), [None, pa.py_buffer(offsets), pa.py_buffer(data)]
    )
    return pc.binary_slice(with_nl, 0, -1)


def char_cut(value: bytes, limit: int) -> int:
    """Where to cut ``value`` to at most ``limit`` bytes without splitting a UTF-8 sequence.

    Only ``value[: limit + 1]`` is looked at, so the held head of a long line is cut
    exactly like the whole line would be. Bytes that are no UTF-8 are cut at ``limit``.
    """
    from logpipe.ingest import _ksplit  # noqa: PLC0415 (numba: on first use, see _lines)

    cut: int = _ksplit.char_cut(np.frombuffer(value, np.uint8), 0, len(value), limit)
    return cut


def _decode(lines: pa.BinaryArray) -> tuple[pa.StringArray, pa.BinaryArray]:
    """(text, raw) of ``lines``: raw is set only where the bytes are not valid UTF-8."""
    none = pa.nulls(len(lines), pa.binary())
    try:
        return lines.cast(pa.string()), none
    except pa.ArrowInvalid:
        pass
    # Rare path, still whole-buffer: decoding with replacement never swallows a "\n"
    # (0x0A is never a continuation byte), so value i of the repair is value i here.
    joined = b"\n".join(lines.to_pylist()) + b"\n"
    repaired = joined.decode("utf-8", "replace").encode("utf-8")
    fixed = _cut(repaired, np.flatnonzero(np.frombuffer(repaired, np.uint8) == _NL))
    bad = pc.not_equal(fixed, lines)
    return fixed.cast(pa.string()), pc.if_else(bad, lines, none)


class _Part(NamedTuple):
    """Bytes ``d[lo:hi]`` as the kernels read them (see ``_ksplit``)."""

    d: np.ndarray
    words: np.ndarray  # d's 8-aligned uint64 words, from byte a0 on
    a0: int
    lo: int
    hi: int
    base: int  # file offset of d[0]


def _part(data: bytes | memoryview, lo: int, hi: int, start: int) -> _Part:
    """``data[lo:hi]`` for the kernels, ``start`` being the file offset of ``data[lo]``."""
    d = np.frombuffer(data, np.uint8)
    a0 = min(-d.ctypes.data % 8, len(d))
    words = d[a0 : a0 + (len(d) - a0) // 8 * 8].view(np.uint64)
    return _Part(d, words, a0, lo, hi, start - lo)


def _lines(parts: list[_Part], limit: int) -> LineBlock:
    """Every line of ``parts`` (each ends with ``\\n``): two kernel passes, one copy."""
    # Imported on first use: numba takes ~0.2 s to load, and readers of the dataset
    # (``logpipe.query``, ``nccl summary``) import this module without splitting.
    from logpipe.ingest import _ksplit  # noqa: PLC0415

    n, high = 0, False
    for d, w, a0, lo, hi, _ in parts:
        count, wide = _ksplit.survey(d, w, a0, lo, hi)
        n, high = n + count, high or wide
    size = sum(hi - lo for *_, lo, hi, _ in parts) - n  # the text, terminators out
    # In Arrow's pool, not fresh mappings every page of which is zeroed (``_vbuf.empty``).
    starts, nbytes = _vbuf.empty(n, np.int64), _vbuf.empty(n, np.int64)
    offsets, values = _vbuf.empty(n + 1, np.int32), _vbuf.empty(size, np.uint8)
    cut = _vbuf.empty(n, np.bool_)
    offsets[0] = 0
    at = np.zeros(2, np.int64)
    for d, w, a0, lo, hi, base in parts:
        _ksplit.lay_out(d, w, a0, lo, hi, base, limit, at, starts, nbytes, offsets, values, cut)
    used = int(at[1])
    # "\r\n" or cut lines leave the end unused: keep a small slack, not a big one.
    text = values if size - used <= size >> 3 else values[:used].copy()
    line = pa.Array.from_buffers(pa.string(), n, [None, pa.py_buffer(offsets), pa.py_buffer(text)])
    if high:  # some byte is not ASCII: validate (and repair) the UTF-8
        line, raw = _decode(line.view(pa.binary()))
    else:
        raw = pa.nulls(n, pa.binary())
    return LineBlock(
        pa.Array.from_buffers(pa.int64(), n, [None, pa.py_buffer(starts)]),
        pa.Array.from_buffers(pa.int64(), n, [None, pa.py_buffer(nbytes)]),
        line,
        raw,
        pa.array(cut),
        parts[-1].base + parts[-1].hi,
    )


def lines_of(data: bytes | memoryview, start: int, limit: int) -> LineBlock:
    """Every complete line of ``data`` (which ends with ``\\n``), found at file offset ``start``."""
    return _lines([_part(data, 0, len(data), start)], limit)


def _long_line(head: bytes, start: int, total: int, limit: int) -> LineBlock:
    """The row of a line longer than ``limit`` of which only ``head`` was kept."""
    text, raw = _decode(pa.array([head[: char_cut(head, limit)]], pa.binary()))
    return LineBlock(
        pa.array([start], pa.int64()),
        pa.array([total], pa.int64()),
        text,
        raw,
        pa.array([True]),
        start + total,
    )


class LineSplitter:
    """Turns successive chunks of one file into ``LineBlock``s; holds the partial last line.

    A partial line is never emitted: it waits for its ``\\n``. Of a line longer than
    ``limit`` only the first ``limit + 1`` bytes are held (enough to cut it on a
    character boundary), so a huge line costs bounded memory.
    """

    def __init__(self, start: int, limit: int = DEFAULT_MAX_LINE_BYTES) -> None:
        self.limit = limit
        self.start = start  # file offset of the first held byte
        self._held = b""
        self._held_len = 0  # bytes of the partial line in the file (> len(_held) if long)

    @property
    def held(self) -> int:
        """Bytes read past the last complete line."""
        return self._held_len

    def feed(self, chunk: bytes) -> list[LineBlock]:
        """The complete lines ``chunk`` finishes (zero, one or two blocks)."""
        blocks: list[LineBlock] = []
        if self._held_len > len(self._held):  # inside an over-long line
            nl = chunk.find(b"\n")
            if nl < 0:
                self._held_len += len(chunk)
                return blocks
            total = self._held_len + nl + 1
            blocks.append(_long_line(self._held, self.start, total, self.limit))
            self.start += total
            self._held, self._held_len, chunk = b"", 0, chunk[nl + 1 :]
        last = chunk.rfind(b"\n")
        if last < 0:
            data = self._held + chunk
        else:
            # Only the held bytes and the line they begin are joined, not the whole chunk.
            first = chunk.find(b"\n") + 1 if self._held else 0
            at = self.start + len(self._held) + first  # file offset of chunk[first]
            parts = [_part(chunk, first, last + 1, at)]
            if first:
                head = self._held + chunk[:first]
                parts.insert(0, _part(head, 0, len(head), self.start))
            blocks.append(_lines(parts, self.limit))
            self.start = blocks[-1].end
            data = chunk[last + 1 :]
        self._held_len = len(data)
        # Past limit + 1 bytes the line is surely truncated: keep only its head.
        self._held = data if len(data) <= self.limit + 1 else data[: self.limit + 1]
        return blocks


Row = tuple[int, int, str, bytes | None, bool]


def split_reference(data: bytes, start: int, limit: int) -> list[Row]:
    """Line-by-line reference of the splitter: (offset, nbytes, line, line_raw, truncated)."""
    rows: list[Row] = []
    pos = 0
    while (nl := data.find(b"\n", pos)) >= 0:
        value = data[pos:nl]
        if value.endswith(b"\r"):
            value = value[:-1]
        truncated = len(value) > limit
        if truncated:
            value = value[: char_cut(value, limit)]
        text = value.decode("utf-8", "replace")
        raw = None if text.encode("utf-8") == value else value
        rows.append((start + pos, nl + 1 - pos, text, raw, truncated))
        pos = nl + 1
    return rows
