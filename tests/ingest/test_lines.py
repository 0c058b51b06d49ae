"""Line splitting: vectorized splitter == per-line reference, under any chunking."""

from __future__ import annotations

import itertools

import pyarrow as pa
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from logpipe.ingest.lines import LineBlock, LineSplitter, char_cut, lines_of, split_reference
from tests.strategies import chunkings, log_bytes, wide_log_bytes


@pytest.fixture(autouse=True, scope="module")
def _kernels_compiled() -> None:
    """The split kernels compiled (or loaded) before hypothesis times an example: a first
    compilation takes about a second, past its deadline."""
    lines_of(b"a\r\n\xc3\xa9\n", 0, 1)
    char_cut(b"a", 1)


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


def assert_reference_lines(stream: bytes, chunks: list[bytes], limit: int, start: int) -> None:
    """``chunks`` (of ``stream``) fed in turn give the lines of ``split_reference``."""
    blocks, held = split(chunks, limit, start)
    assert rows(blocks) == split_reference(stream, start, limit)
    # The bytes after the last newline are held back, never emitted.
    assert held == len(stream) - (stream.rfind(b"\n") + 1)


@settings(max_examples=400)
@given(st.data(), log_bytes(), st.integers(1, 12))
def test_any_chunking_gives_the_reference_lines(
    data: st.DataObject, stream: bytes, limit: int
) -> None:
    assert_reference_lines(stream, data.draw(chunkings(stream)), limit, start=100)


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


@settings(max_examples=200)
@given(st.data(), wide_log_bytes(), st.integers(1, 300))
def test_long_streams_in_any_chunking_give_the_reference_lines(
    data: st.DataObject, stream: bytes, limit: int
) -> None:
    assert_reference_lines(stream, data.draw(chunkings(stream)), limit, start=3)


@settings(max_examples=100)
@given(wide_log_bytes(), st.integers(1, 300), st.integers(0, 15))
def test_bytes_at_any_alignment_give_the_reference_lines(
    stream: bytes, limit: int, skip: int
) -> None:
    # The newline search reads aligned 8-byte words: a buffer starting anywhere in a
    # word (a memoryview into a larger one) must give the same lines.
    stream = stream[: stream.rfind(b"\n") + 1]
    view = memoryview(b"\n" * skip + stream)[skip:]
    assert rows([lines_of(view, 50, limit)]) == split_reference(stream, 50, limit)


@given(wide_log_bytes(), st.data())
def test_a_chunk_ending_between_cr_and_lf(stream: bytes, data: st.DataObject) -> None:
    crs = [i + 1 for i in range(len(stream)) if stream[i : i + 2] == b"\r\n"]
    cuts = sorted(data.draw(st.lists(st.sampled_from(crs), max_size=4))) if crs else []
    bounds = [0, *cuts, len(stream)]
    assert_reference_lines(stream, [stream[a:b] for a, b in itertools.pairwise(bounds)], 40, 0)


def test_lines_near_the_limit_cut_anywhere() -> None:
    # Every cut of a line of limit-1 .. limit+3 bytes (text and "\r"), whose characters
    # straddle the limit: the held head of a long line is cut as the whole line would be.
    for limit in range(1, 9):
        for value in ("é" * 5, "a€é", "ab\r", "é" * 4 + "\r", "😀x" * 2):
            stream = value.encode()[: limit + 3] + b"\r\n" + b"next\n"
            for cut in range(len(stream) + 1):
                assert_reference_lines(stream, [stream[:cut], stream[cut:]], limit, 0)


def test_empty_lines_only() -> None:
    stream = b"\n\r\n\n\r\r\n\n"
    for cut in range(len(stream) + 1):
        assert_reference_lines(stream, [stream[:cut], stream[cut:]], 4, 0)
    assert lines_of(stream, 0, 4).line.to_pylist() == ["", "", "", "\r", ""]


def test_a_cut_line_leaves_no_large_buffer_behind() -> None:
    block = lines_of(b"x" * 100_000 + b"\nok\n", 0, 10)
    assert block.line.to_pylist() == ["x" * 10, "ok"]
    assert block.line.buffers()[2].size < 1000  # not the 100 kB the line took in the file


def test_ascii_and_valid_utf8_have_no_raw_bytes() -> None:
    for text in ("plain ascii\n" * 20, "né € 😀\n" * 20):
        block = lines_of(text.encode(), 0, 100)
        assert block.line.to_pylist() == text.splitlines()
        assert block.line_raw.null_count == len(block)
