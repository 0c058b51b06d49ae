"""Follow one file generation: read only bytes past what was taken, split lines, hold the rest."""

from __future__ import annotations

import copy
import os
from collections.abc import Callable
from dataclasses import dataclass

from logpipe.ingest.fingerprint import (
    FP_BYTES,
    WINDOW_BYTES,
    Reader,
    digest,
    head_mark,
    window_mark,
)
from logpipe.ingest.lines import DEFAULT_MAX_LINE_BYTES, LineBlock, LineSplitter
from logpipe.ingest.state import Key, Record

__all__ = ["Cut", "Opener", "Pending", "Probe", "READ_CHUNK", "Stream"]

#: Bytes per read call: large enough to amortise per-call costs, small enough for memory
#: (a chunk is held twice while it is split, and once more as its lines). As large as
#: a run of lines parsed at once (``_job.PARSE_BYTES``): a block read is a run as is.
READ_CHUNK = 4 << 20

#: ``open(path) -> fd`` for reading (injected in tests: e.g. one that raises PermissionError).
Opener = Callable[[str], int]


def open_readonly(path: str) -> int:
    """The real opener."""
    return os.open(path, os.O_RDONLY | os.O_CLOEXEC)


class Probe:
    """Reads of one file found by a scan, opened on first use; its fd can be handed over."""

    def __init__(self, relpath: str, path: str, st: os.stat_result, opener: Opener) -> None:
        self.relpath, self.path, self.st = relpath, path, st
        self._opener = opener
        self._fd: int | None = None
        self._head: bytes | None = None

    def read(self, offset: int, size: int) -> bytes:
        if self._fd is None:
            self._fd = self._opener(self.path)
        return os.pread(self._fd, size, offset)

    def head(self) -> bytes:
        """The first ``FP_BYTES`` bytes (fewer in a short file), read once."""
        if self._head is None:
            self._head = self.read(0, FP_BYTES)
        return self._head

    def take_fd(self) -> int:
        """The open fd, now owned by the caller."""
        if self._fd is None:
            self._fd = self._opener(self.path)
        fd, self._fd = self._fd, None
        return fd

    def close(self) -> None:
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None


@dataclass(frozen=True, slots=True)
class Pending:
    """Lines read but not committed: a block and the line number of its first line."""

    block: LineBlock
    lineno: int


@dataclass(frozen=True, slots=True)
class Cut:
    """Pending lines taken for one commit, and the record they reach once committed."""

    record: Record
    head: bytes
    tail: bytes
    pending: list[Pending]


@dataclass(frozen=True, slots=True)
class _Saved:
    """A stream's reading state before a read, to undo that read."""

    pos: int
    lines_end: int
    lineno: int
    splitter: LineSplitter
    head: bytes
    tail: bytes
    carry: bytes
    pending: int

    def holds(self, fd: int) -> bool:
        """Whether the file behind ``fd`` still starts with the bytes read before."""
        window = self.carry
        return (
            os.pread(fd, len(self.head), 0) == self.head
            and os.pread(fd, len(window), self.pos - len(window)) == window
        )


class Stream:
    """One file generation being followed: its committed record and what was read since.

    Reading starts at the committed offset; complete lines are pending until the sink
    commits them (``committed``), or thrown away on failure (``rollback``) to be read
    again. ``mark()`` is the identity of everything read so far.
    """

    def __init__(self, record: Record, limit: int = DEFAULT_MAX_LINE_BYTES) -> None:
        self.record = record
        self.limit = limit
        self.fd: int | None = None
        self.loc: str | None = None  # relpath of the live file while bound by a scan
        self.size = -1  # the bound file's size and mtime at the last scan
        self.mtime_ns = -1
        self.active_at = 0.0  # monotonic time of the last growth
        self.eof = False  # the last read reached the end of the file
        # Whether the committed prefix's head/tail bytes are known (a record read
        # back from the table needs them from its file before it can be extended).
        self.adopted = record.offset == 0
        self.rewritten = False  # a read found the file changed under it
        self._head = b""
        self._tail = b""
        self.rollback()

    @property
    def key(self) -> Key:
        return self.record.key

    def rollback(self) -> None:
        """Forget what was read past the committed offset (it will be read again)."""
        self.pos = self.lines_end = self.taken_end = self.record.offset
        self.lineno = self.record.lineno
        self.splitter = LineSplitter(self.record.offset, self.limit)
        self.head, self.tail, self._carry = self._head, self._tail, self._tail
        self.pending: list[Pending] = []
        self.dirty = True

    def adopt(self, head: bytes, tail: bytes) -> None:
        """Take the committed prefix's head and tail bytes (read when the file was verified)."""
        self._head, self._tail = head[: self.record.head_len], tail
        self.adopted = True
        self.rollback()

    def bind(self, loc: str, fd: int | None, st: os.stat_result) -> None:
        """Follow the live file ``loc`` (through ``fd`` when given)."""
        if fd is not None and fd != self.fd:
            self.close()
            self.fd = fd
        self.loc = loc
        self.record = self.record.moved(loc=loc, dev=st.st_dev, ino=st.st_ino)
        self.size, self.mtime_ns = st.st_size, st.st_mtime_ns

    def unbind(self) -> None:
        self.loc = None

    def close(self) -> None:
        if self.fd is not None:
            os.close(self.fd)
            self.fd = None

    def mark(self) -> Record:
        """The record this generation would have if everything read so far were committed."""
        if self.lines_end == self.record.offset:
            return self.record  # (also: a record not yet adopted has no bytes in memory)
        head_len, head = head_mark(self.head, self.lines_end)
        vstart, vsum = window_mark(self.tail, self.lines_end)
        return self.record.moved(
            offset=self.lines_end,
            lineno=self.lineno,
            head_len=head_len,
            head=head,
            vstart=vstart,
            vend=self.lines_end,
            vsum=vsum,
        )

    def take(self) -> Cut:
        """Hand the pending lines to a commit; reading goes on past them meanwhile."""
        mark = self.mark()
        cut = Cut(mark, self.head[: min(FP_BYTES, mark.offset)], self.tail, self.pending)
        self.pending = []
        self.taken_end = self.lines_end
        return cut

    def committed(self, cut: Cut) -> None:
        """The sink committed ``cut`` (the binding hints stay the newest ones)."""
        now = self.record
        self.record = cut.record.moved(loc=now.loc, dev=now.dev, ino=now.ino, seen=now.seen)
        self._head, self._tail = cut.head, cut.tail

    @property
    def uncommitted(self) -> bool:
        """Whether lines were read that no commit has confirmed yet."""
        return self.lines_end > self.record.offset

    @property
    def pending_bytes(self) -> int:
        """Bytes of complete lines read and not yet handed to a commit."""
        return self.lines_end - self.taken_end

    def identity(self) -> tuple[int, str]:
        """(length, digest) of the first bytes consumed: what a file must start with.

        Consumed, not committed: a stream holding only a partial line must still be
        recognised after a rename. (0, "") when nothing was consumed: matches nothing.
        """
        if not self.adopted:
            return self.record.head_len, self.record.head
        return len(self.head), digest(self.head) if self.head else ""

    def intact(self, read: Reader, size: int) -> bool:
        """Whether a file still holds every byte this stream consumed (append-verify).

        Checked byte for byte: the first bytes and the last ``WINDOW_BYTES`` before
        the read position (so a held partial line is covered too). A record not yet
        adopted is checked against its committed digests.
        """
        if not self.adopted:
            return self.record.verified_by(read, size)
        if size < self.pos:
            return False
        window = self._carry
        return (
            read(0, len(self.head)) == self.head
            and read(self.pos - len(window), len(window)) == window
        )

    def read(self, budget: int, chunk: int = READ_CHUNK) -> int:
        """Read up to ``budget`` new bytes through ``fd``; the count read (0 at the end).

        When the file turns out to have been truncated and rewritten since the last
        read (its consumed bytes changed), what this call read is dropped, the fd is
        closed and ``rewritten`` is set: a scan decides what the file is now.
        """
        if self.fd is None:
            return 0
        fd, total, saved = self.fd, 0, self._save()
        self.eof = False
        while total < budget:
            want = min(chunk, budget - total)
            data = os.pread(fd, want, self.pos)
            if data:
                self._take(data)
                total += len(data)
            if len(data) < want:
                self.eof = True
                self.dirty = self.loc is None  # a file being drained is read every turn
                break
        if total and saved.pos and not saved.holds(fd):
            self._restore(saved)
            self.close()
            self.unbind()
            self.rewritten = True
            return 0
        return total

    def _save(self) -> _Saved:
        return _Saved(
            self.pos,
            self.lines_end,
            self.lineno,
            copy.copy(self.splitter),
            self.head,
            self.tail,
            self._carry,
            len(self.pending),
        )

    def _restore(self, saved: _Saved) -> None:
        self.pos, self.lines_end, self.lineno = saved.pos, saved.lines_end, saved.lineno
        self.splitter, self.head, self.tail = saved.splitter, saved.head, saved.tail
        self._carry = saved.carry
        del self.pending[saved.pending :]

    def _take(self, data: bytes) -> None:
        before = self.pos
        if len(self.head) < FP_BYTES and len(self.head) == before:
            self.head += data[: FP_BYTES - len(self.head)]
        for block in self.splitter.feed(data):
            if len(block):
                self.pending.append(Pending(block, self.lineno + 1))
                self.lineno += len(block)
        self.pos = before + len(data)
        end = self.splitter.start
        if end > self.lines_end:
            upto = end - before  # bytes of ``data`` before the new end of the last line
            piece = data[max(0, upto - WINDOW_BYTES) : upto]
            self.tail = (self._carry + piece)[-WINDOW_BYTES:] if upto < WINDOW_BYTES else piece
            self.lines_end = end
        self._carry = (self._carry + data[-WINDOW_BYTES:])[-WINDOW_BYTES:]
