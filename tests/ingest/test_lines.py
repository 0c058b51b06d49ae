"""Line splitting: vectorized splitter == per-line reference, under any chunking."""

from __future__ import annotations

import pyarrow as pa
from hypothesis import given, settings
from hypothesis import strategies as st

from logpipe.ingest.lines import LineBlock, LineSplitter, char_cut, lines_of, split_reference
from tests.strategies import chunkings, log_bytes


def rows(blocks: list[LineBlock]) -> list[tuple[int, int, str, bytes | None, bool]]:
    out: list[tuple[int, int, str, bytes | None, bool]] = []
    for b in blocks:
        out += zip(
            b.offset.to_pylist(),
            b.nbytes.to_pylist(),
            b.line.to_pylist(),
            b.line_raw.to_pylist(),
            b.truncated.to_pylist(),
            strict=True,
        )
    return out


def split(chunks: list[bytes], limit: int, start: int = 0) -> tuple[list[LineBlock], int]:
    splitter = LineSplitter(start, limit)
    blocks = [b for c in chunks for b in splitter.feed(c)]
    return blocks, splitter.held


@settings(max_examples=400)
@given(st.data(), log_bytes(), st.integers(1, 12))
def test_any_chunking_gives_the_reference_lines(
    data: st.DataObject, stream: bytes, limit: int
) -> None:
    chunks = data.draw(chunkings(stream))
    blocks, held = split(chunks, limit, start=100)
    assert rows(blocks) == split_reference(stream, 100, limit)
    # The bytes after the last newline are held back, never emitted.
    assert held == len(stream) - (stream.rfind(b"\n") + 1)


@given(log_bytes())
def test_lines_cover_the_stream_exactly(stream: bytes) -> None:
    blocks, _ = split([stream], 8)
    got = rows(blocks)
    end = 0
    for offset, nbytes, *_ in got:
        assert offset == end
        end += nbytes
    assert end == stream.rfind(b"\n") + 1


def test_crlf_and_lone_cr() -> None:
    block = lines_of(b"a\r\nb\r\r\n\r\nc\rd\n", 0, 100)
    assert block.line.to_pylist() == ["a", "b\r", "", "c\rd"]
    assert block.nbytes.to_pylist() == [3, 4, 2, 4]


def test_invalid_utf8_is_kept_raw() -> None:
    block = lines_of(b"ok\n\xffbad\xc3\n\xe2\x82\xac\n", 0, 100)
    assert block.line.to_pylist() == ["ok", "\ufffdbad\ufffd", "€"]
    assert block.line_raw.to_pylist() == [None, b"\xffbad\xc3", None]


def test_long_line_is_truncated_on_a_character_boundary() -> None:
    text = "é" * 10  # 20 bytes
    block = lines_of(text.encode() + b"\n", 0, 7)
    assert block.line.to_pylist() == ["ééé"]  # 6 bytes: a 7th would split an "é"
    assert block.truncated.to_pylist() == [True]
    assert block.nbytes.to_pylist() == [21]
    assert block.line_raw.to_pylist() == [None]


def test_huge_line_in_small_chunks_holds_only_its_head() -> None:
    limit = 1 << 10
    line = b"x" * (10 << 20)
    splitter = LineSplitter(0, limit)
    for i in range(0, len(line), 1 << 16):
        assert splitter.feed(line[i : i + (1 << 16)]) == []
        assert len(splitter._held) <= limit + 1
    (block,) = splitter.feed(b"\nnext\n")[:1]
    assert block.truncated.to_pylist() == [True]
    assert block.nbytes.to_pylist() == [len(line) + 1]
    assert block.line.to_pylist() == ["x" * limit]


def test_char_cut_looks_at_most_one_byte_past_the_limit() -> None:
    value = "a€".encode()  # a, e2 82 ac
    assert char_cut(value, 2) == 1
    assert char_cut(value[:3], 2) == 1
    assert char_cut(b"\x80\x80\x80\x80\x80", 3) == 3  # not UTF-8: cut at the limit


def test_empty_and_newline_only() -> None:
    assert split([b""], 10)[0] == []
    block = lines_of(b"\n\n", 5, 10)
    assert block.offset.to_pylist() == [5, 6]
    assert block.line.type == pa.string()
