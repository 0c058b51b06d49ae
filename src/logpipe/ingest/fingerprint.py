"""File identity: a digest of a generation's first bytes, and a cheap append-verify window."""

from __future__ import annotations

import hashlib
from collections.abc import Callable

__all__ = ["FP_BYTES", "Reader", "WINDOW_BYTES", "digest", "head_mark", "same_tail", "window_mark"]

#: Identity covers the first this many committed bytes (fewer while the file is shorter).
#: Fixed, not configurable: changing it would make every known file look new.
FP_BYTES = 256
#: The committed bytes just before the offset that must be unchanged (``--append-verify``).
WINDOW_BYTES = 1024

#: ``read(offset, size) -> bytes`` of one open file (fewer bytes at its end).
Reader = Callable[[int, int], bytes]


def digest(data: bytes) -> str:
    """A short hex digest (64-bit blake2b): collisions are irrelevant at these counts."""
    return hashlib.blake2b(data, digest_size=8).hexdigest()


def head_mark(head: bytes, offset: int) -> tuple[int, str]:
    """(length, digest) of the identity prefix of a generation committed up to ``offset``.

    ``head`` holds the generation's first bytes (up to ``FP_BYTES``; fewer only when
    rebuilt from a table that lacks them). The prefix covers committed bytes only, so
    it grows with a small file and then stays fixed; a record with nothing committed
    has an empty head, which matches nothing.
    """
    size = min(FP_BYTES, offset, len(head))
    return size, digest(head[:size])


def window_mark(tail: bytes, offset: int) -> tuple[int, str]:
    """(start, digest) of the verify window: the last committed bytes before ``offset``.

    ``tail`` holds the bytes ending at ``offset`` (at least ``WINDOW_BYTES`` of them
    when the file is that long).
    """
    window = tail[-WINDOW_BYTES:] if len(tail) > WINDOW_BYTES else tail
    return offset - len(window), digest(window)


def same_tail(read_a: Reader, size_a: int, read_b: Reader, size_b: int) -> bool:
    """Whether two files hold the same bytes just before the end of the shorter one.

    Tells a copy of a file (taken by copytruncate or ``cp``) from an independent file
    that only starts alike: a copy equals its original up to the copy's size.
    """
    end = min(size_a, size_b)
    start = max(0, end - WINDOW_BYTES)
    a = read_a(start, end - start)
    return len(a) == end - start and a == read_b(start, end - start)
