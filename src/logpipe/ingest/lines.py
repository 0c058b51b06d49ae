"""Split complete lines out of byte buffers, vectorized, holding a partial last line."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

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
_CR = 13


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


def _cut(data: bytes | memoryview, newlines: np.ndarray, *, strip_cr: bool) -> pa.BinaryArray:
    """The values of ``data`` ending at ``newlines`` (positions of ``\\n``), without it."""
    offsets = np.empty(len(newlines) + 1, np.int32)
    offsets[0] = 0
    offsets[1:] = newlines + 1
    with_nl = pa.Array.from_buffers(
        pa.binary(), len(newlines), [None, pa.py_buffer(offsets), pa.py_buffer(data)]
    )
    lines = pc.binary_slice(with_nl, 0, -1)
    if not strip_cr:
        return lines
    # One "\r" right before "\n" belongs to the terminator ("a\r\r\n" keeps "a\r").
    arr = np.frombuffer(data, np.uint8)
    has_cr = (newlines > offsets[:-1]) & (arr[np.maximum(newlines - 1, 0)] == _CR)
    if has_cr.any():
        lines = pc.if_else(pa.array(has_cr), pc.binary_slice(with_nl, 0, -2), lines)
    return lines


def char_cut(value: bytes, limit: int) -> int:
    """Where to cut ``value`` to at most ``limit`` bytes without splitting a UTF-8 sequence.

    Only ``value[: limit + 1]`` is looked at, so the held head of a long line is cut
    exactly like the whole line would be. Bytes that are no UTF-8 are cut at ``limit``.
    """
    for cut in range(limit, max(limit - 4, -1), -1):
        if cut >= len(value) or (value[cut] & 0xC0) != 0x80:
            return cut
    return limit


def _truncate(lines: pa.BinaryArray, limit: int) -> tuple[pa.BinaryArray, pa.BooleanArray]:
    """Values longer than ``limit`` cut by ``char_cut`` (rare: a loop over those only)."""
    long = pc.greater(pc.binary_length(lines), limit)
    if not pc.any(long).as_py():
        return lines, long
    heads = [v[: char_cut(v, limit)] for v in pc.filter(lines, long).to_pylist()]
    return pc.replace_with_mask(lines, long, pa.array(heads, pa.binary())), long


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
    arr = np.frombuffer(repaired, np.uint8)
    fixed = _cut(repaired, np.flatnonzero(arr == _NL), strip_cr=False)
    bad = pc.not_equal(fixed, lines)
    return fixed.cast(pa.string()), pc.if_else(bad, lines, none)


def lines_of(data: bytes | memoryview, start: int, limit: int) -> LineBlock:
    """Every complete line of ``data`` (which ends with ``\\n``), found at file offset ``start``."""
    newlines = np.flatnonzero(np.frombuffer(data, np.uint8) == _NL)
    lines, truncated = _truncate(_cut(data, newlines, strip_cr=True), limit)
    text, raw = _decode(lines)
    starts = np.zeros(len(newlines), np.int64)
    starts[1:] = newlines[:-1] + 1
    return LineBlock(
        pa.array(starts + start),
        pa.array(newlines + 1 - starts),
        text,
        raw,
        truncated,
        start + len(data),
    )


def _long_line(head: bytes, start: int, total: int, limit: int) -> LineBlock:
    """The row of a line longer than ``limit`` of which only ``head`` was kept."""
    lines, _ = _truncate(pa.array([head], pa.binary()), limit)
    text, raw = _decode(lines)
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
        data = self._held + chunk if self._held else chunk
        last = data.rfind(b"\n")
        if last >= 0:
            blocks.append(lines_of(memoryview(data)[: last + 1], self.start, self.limit))
            self.start += last + 1
            data = data[last + 1 :]
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
