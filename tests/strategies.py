"""Shared hypothesis strategies (each part adds its own; do not rewrite others')."""

from __future__ import annotations

import itertools

from hypothesis import strategies as st

# -- ingest: byte streams of log files -----------------------------------------------

#: Pieces a log file is made of: text, both line terminators, a lone CR, multi-byte
#: UTF-8, bytes that are not UTF-8, a truncated multi-byte sequence, NUL.
LOG_PIECES = st.sampled_from(
    [
        b"a",
        b"xyz ",
        b"\n",
        b"\r\n",
        b"\r",
        "é".encode(),
        "€".encode(),
        "😀".encode(),
        b"\xff",
        b"\xc3",
        b"\xe2\x82",
        b"\x80",
        b"\x00",
        b'level=info msg="hi"',
    ]
)


@st.composite
def log_bytes(draw: st.DrawFn, max_pieces: int = 60) -> bytes:
    """A byte stream as a log file might hold, often with very long lines."""
    pieces = draw(st.lists(LOG_PIECES, max_size=max_pieces))
    if draw(st.booleans()):
        at = draw(st.integers(0, len(pieces)))
        pieces.insert(at, b"L" * draw(st.integers(1, 40)))
    return b"".join(pieces)


@st.composite
def chunkings(draw: st.DrawFn, data: bytes) -> list[bytes]:
    """``data`` cut into consecutive chunks at arbitrary places (empty chunks included)."""
    cuts = sorted(draw(st.lists(st.integers(0, len(data)), max_size=8)))
    bounds = [0, *cuts, len(data)]
    return [data[a:b] for a, b in itertools.pairwise(bounds)]


def writer_ops(
    bases: tuple[str, ...], max_size: int = 40
) -> st.SearchStrategy[list[tuple[str, ...]]]:
    """What a log writer and the world do to a daemon: append, rotate (rename,
    copytruncate, plain truncate), inotify events, time passing, and crashes (idle,
    or with a commit that did not land / landed without the process learning it)."""
    base = st.sampled_from(bases)
    op = st.one_of(
        st.tuples(st.just("append"), base),
        st.tuples(st.just("append"), base),
        st.tuples(st.just("rotate"), base, st.sampled_from(["rename", "copytruncate", "truncate"])),
        st.tuples(st.just("event"), base),
        st.tuples(st.just("tick"), st.sampled_from(["0.1", "0.6", "1.1", "3"])),
        st.tuples(st.just("crash"), st.sampled_from(["idle", "before", "after"])),
    )
    return st.lists(op, max_size=max_size)
