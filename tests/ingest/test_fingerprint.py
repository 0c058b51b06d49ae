"""Identity prefix, append-verify window, copy detection, and records verifying files."""

from __future__ import annotations

import os
from pathlib import Path

from logpipe.ingest.fingerprint import (
    FP_BYTES,
    WINDOW_BYTES,
    digest,
    head_mark,
    same_tail,
    window_mark,
)
from logpipe.ingest.state import Record
from logpipe.ingest.tail import Stream


def reader(path: Path):  # type: ignore[no-untyped-def]
    data = path.read_bytes()
    return lambda offset, size: data[offset : offset + size]


def test_head_mark_grows_with_a_small_file_then_stays() -> None:
    data = os.urandom(1000)
    assert head_mark(data, 0) == (0, digest(b""))
    assert head_mark(data, 10) == (10, digest(data[:10]))
    assert head_mark(data, 999) == (FP_BYTES, digest(data[:FP_BYTES]))
    assert head_mark(data[:5], 999) == (5, digest(data[:5]))  # only what is known


def test_window_mark_ends_at_the_offset() -> None:
    tail = os.urandom(3000)
    assert window_mark(tail, 10_000) == (10_000 - WINDOW_BYTES, digest(tail[-WINDOW_BYTES:]))
    assert window_mark(b"abc", 3) == (0, digest(b"abc"))


def test_same_tail_tells_a_copy_from_a_lookalike(tmp_path: Path) -> None:
    base = os.urandom(5000)
    (tmp_path / "orig").write_bytes(base + b"more appended later")
    (tmp_path / "copy").write_bytes(base)
    (tmp_path / "other").write_bytes(base[:300] + os.urandom(4700))
    orig, copy, other = (reader(tmp_path / n) for n in ("orig", "copy", "other"))
    assert same_tail(copy, 5000, orig, 5019)
    assert not same_tail(other, 5000, orig, 5019)


def record_of(data: bytes) -> Record:
    stream = Stream(Record("a.log", 0))
    stream._take(data)
    return stream.mark()


def test_a_record_verifies_its_file_and_rejects_rewrites(tmp_path: Path) -> None:
    data = b"".join(f"line {i} {'=' * 50}\n".encode() for i in range(100))
    rec = record_of(data)
    assert rec.offset == len(data)
    (tmp_path / "same").write_bytes(data + b"appended\n")
    (tmp_path / "short").write_bytes(data[:-10])
    changed = bytearray(data)
    changed[-20] ^= 1  # one bit in the last committed line
    (tmp_path / "changed").write_bytes(bytes(changed) + b"more\n")
    size = {p.name: p.stat().st_size for p in tmp_path.iterdir()}
    assert rec.verified_by(reader(tmp_path / "same"), size["same"])
    assert not rec.verified_by(reader(tmp_path / "short"), size["short"])
    assert not rec.verified_by(reader(tmp_path / "changed"), size["changed"])
    nothing = Record("x", 0)  # nothing committed: recognises no file
    assert nothing.committed_bytes(reader(tmp_path / "same")) is None
    assert not nothing.verified_by(reader(tmp_path / "same"), size["same"])
