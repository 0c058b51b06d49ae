"""Match the files a scan found to the generations already followed (renames, copies, rewrites)."""

from __future__ import annotations

import os
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from logpipe.ingest.fingerprint import FP_BYTES, Reader, digest, same_tail
from logpipe.ingest.state import Record
from logpipe.ingest.tail import Probe, Stream

__all__ = ["Verdict", "identify"]


@dataclass
class Verdict:
    """What a scan means for each stream and each found file.

    ``kept``: streams still at the same file. ``binds``: streams found at a (new)
    file, renamed or rotated. ``new``: files holding a generation nobody follows yet.
    ``copies``: files that only repeat a followed generation (copytruncate's copy, a
    hard link, ``cp``): never read, so nothing is taken twice. ``lost``: streams that
    were bound and are not any more; ``rewritten`` the subset whose own file was
    truncated or rewritten in place (their fd now shows other content).
    """

    kept: list[tuple[Stream, Probe]] = field(default_factory=list)
    binds: list[tuple[Stream, Probe]] = field(default_factory=list)
    new: list[Probe] = field(default_factory=list)
    copies: list[tuple[Probe, Stream]] = field(default_factory=list)
    lost: list[Stream] = field(default_factory=list)
    rewritten: list[Stream] = field(default_factory=list)
    errors: list[tuple[Probe, OSError]] = field(default_factory=list)


def _fd_reader(fd: int) -> Reader:
    return lambda offset, size: os.pread(fd, size, offset)


def _still_there(stream: Stream, probe: Probe) -> bool:
    """Whether ``probe`` is the stream's own file, unchanged or only appended to."""
    st = probe.st
    if stream.loc != probe.relpath or (stream.record.dev, stream.record.ino) != (
        st.st_dev,
        st.st_ino,
    ):
        return False
    if (st.st_size, st.st_mtime_ns) == (stream.size, stream.mtime_ns):
        return True
    read = _fd_reader(stream.fd) if stream.fd is not None else probe.read
    return stream.intact(read, st.st_size)


def _primary(stream: Stream, files: list[Probe]) -> Probe:
    """Of several files holding a stream's prefix, the one that is the original."""
    rec = stream.record

    def rank(p: Probe) -> tuple[bool, bool, str]:
        same_inode = (p.st.st_dev, p.st.st_ino) == (rec.dev, rec.ino)
        return (not same_inode, p.relpath != rec.loc, p.relpath)

    return min(files, key=rank)


class _Scan:
    def __init__(self, streams: list[Stream], probes: Iterable[Probe]) -> None:
        self.v = Verdict()
        self.pool: list[Probe] = []
        self.readers: dict[int, tuple[Reader, int]] = {}  # id(stream) -> its live file
        by_loc = {s.loc: s for s in streams if s.loc is not None}
        for probe in probes:
            self._quick(by_loc.get(probe.relpath), probe)
        kept = {id(s) for s, _ in self.v.kept}
        self.unbound = [s for s in streams if id(s) not in kept]
        self.v.lost = [s for s in self.unbound if s.loc is not None]
        self.streams = streams
        self.marks: dict[int, Record] = {}
        self.index: dict[tuple[int, str], list[Stream]] = defaultdict(list)
        self.lengths: list[int] = []
        self.matches: dict[int, list[Stream]] = {}
        self.failed: set[int] = set()
        self.taken: set[int] = set()

    def _quick(self, s: Stream | None, probe: Probe) -> None:
        if s is not None:
            try:
                if _still_there(s, probe):
                    self.v.kept.append((s, probe))
                    self.readers[id(s)] = (probe.read, probe.st.st_size)
                    return
            except OSError as exc:
                self.v.errors.append((probe, exc))
                return
            if (s.record.dev, s.record.ino) == (probe.st.st_dev, probe.st.st_ino):
                self.v.rewritten.append(s)
        self.pool.append(probe)

    def _match(self, probe: Probe) -> list[Stream]:
        head = probe.head()
        found: list[Stream] = []
        for length in self.lengths:
            if length <= len(head):
                found += self.index.get((length, digest(head[:length])), [])
        if len(head) < FP_BYTES:
            # A file shorter than an identity prefix can still be a copy of a followed
            # generation's start (copytruncate after we read past the copy point).
            found += [
                s
                for s in self.streams
                if len(s.head) > len(head) and s.head.startswith(head) and s not in found
            ]
        return found

    def _build_index(self) -> None:
        for s in self.streams:
            self.marks[id(s)] = s.mark()
            length, head = s.identity()
            if length:
                self.index[(length, head)].append(s)
        self.lengths = sorted({n for n, _ in self.index})

    def run(self) -> Verdict:
        if not self.pool:
            return self.v  # nothing new or changed: an idle scan stays cheap
        self._build_index()
        candidates: dict[int, list[Probe]] = defaultdict(list)
        # An open fd pins its inode (it cannot be reused meanwhile): a file with that
        # inode is the stream's own file, renamed, even before any byte was read.
        pinned = {(s.record.dev, s.record.ino): s for s in self.unbound if s.fd is not None}
        for probe in self.pool:
            owner = pinned.get((probe.st.st_dev, probe.st.st_ino))
            if owner is not None:
                candidates[id(owner)].append(probe)
            try:
                self.matches[id(probe)] = found = self._match(probe)
            except OSError as exc:
                self._fail(probe, exc)
                continue
            for s in found:
                if s is not owner:
                    candidates[id(s)].append(probe)
        for stream in sorted(self.unbound, key=lambda s: s.key):
            self._rebind(stream, candidates[id(stream)])
        for probe in self.pool:
            if id(probe) not in self.failed and id(probe) not in self.taken:
                self._classify(probe)
        return self.v

    def _fail(self, probe: Probe, exc: OSError) -> None:
        self.failed.add(id(probe))
        self.v.errors.append((probe, exc))

    def _rebind(self, stream: Stream, candidates: list[Probe]) -> None:
        files = [p for p in candidates if id(p) not in self.taken and self._verified(stream, p)]
        if not files:
            return
        primary = _primary(stream, files)
        self.taken.add(id(primary))
        self.v.binds.append((stream, primary))
        self.readers[id(stream)] = (primary.read, primary.st.st_size)

    def _verified(self, stream: Stream, probe: Probe) -> bool:
        if id(probe) in self.failed:
            return False
        try:
            return stream.intact(probe.read, probe.st.st_size)
        except OSError as exc:
            self._fail(probe, exc)
            return False

    def _classify(self, probe: Probe) -> None:
        size = probe.st.st_size
        for s in self.matches[id(probe)]:
            live = self.readers.get(id(s))
            try:
                if live is not None and same_tail(probe.read, size, *live):
                    self.v.copies.append((probe, s))
                    return
            except OSError as exc:
                self._fail(probe, exc)
                return
            # A file shorter than what was taken, elsewhere than the generation's own
            # place: a copy taken before the last commit (copytruncate).
            if live is None and size < self.marks[id(s)].vend and probe.relpath != s.record.loc:
                self.v.copies.append((probe, s))
                return
        self.v.new.append(probe)


def identify(streams: Iterable[Stream], probes: Iterable[Probe]) -> Verdict:
    """Decide, for one full scan of a source, which file each stream now lives in."""
    return _Scan(list(streams), probes).run()
