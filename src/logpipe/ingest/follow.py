"""Follow one source tree: scan it, keep each generation bound to its file, read new lines."""

from __future__ import annotations

import errno
import logging
import os
from collections.abc import Callable
from dataclasses import dataclass, field

from logpipe.errors import SourceError
from logpipe.ingest.batch import Part
from logpipe.ingest.config import SourceSpec
from logpipe.ingest.discover import discover
from logpipe.ingest.identify import Verdict, identify
from logpipe.ingest.rules import FilterRules
from logpipe.ingest.state import Key, Record, SourceState
from logpipe.ingest.tail import Cut, Probe, Stream
from logpipe.ingest.world import World

__all__ = ["Follower", "ScanStats"]

log = logging.getLogger("logpipe.ingest.follow")

#: A bound file's fd is closed after this long without growth (watch); reopened on growth.
IDLE_CLOSE = 60.0


@dataclass
class ScanStats:
    """What one scan of a source found."""

    files: int = 0
    new: int = 0
    generations: int = 0  # new generations of known paths: truncated or rewritten
    renamed: int = 0
    copies: int = 0
    lost: int = 0
    errors: list[tuple[str, OSError]] = field(default_factory=list)


class Follower:
    """One source for one process: its streams (file generations) and their pending lines.

    ``keep_fds`` (watch) keeps files open to drain renamed-away or deleted files and
    closes them only when idle; without it (sync) a file is closed at its end.
    """

    def __init__(
        self,
        spec: SourceSpec,
        rules: FilterRules,
        state: SourceState,
        *,
        world: World,
        limit: int,
        keep_fds: bool,
        drain_grace: float,
        forget_after: float,
        copy_grace: float = 0.0,
        on_error: Callable[[str, OSError], None] | None = None,
    ) -> None:
        self.spec, self.rules, self.state, self.world = spec, rules, state, world
        self.limit, self.keep_fds = limit, keep_fds
        self.drain_grace, self.forget_after = drain_grace, forget_after
        self.copy_grace = copy_grace
        self._held: dict[tuple[str, int], float] = {}  # (relpath, inode) -> first held
        self._cut: dict[Key, float] = {}  # generation -> when its file was truncated
        self.on_error = on_error
        self.streams = {k: Stream(r, limit) for k, r in state.records.items()}
        self._reported: dict[str, int] = {}  # relpath -> errno last reported
        self._by_loc: dict[str, Stream] = {}
        self.rescan = False  # a file changed in a way only a scan can sort out
        self.scans = 0

    # -- scanning -------------------------------------------------------------------

    def scan(self) -> ScanStats:
        """Walk the tree once and bind every generation to the file now holding it."""
        root = self.spec.root
        if not root.is_dir():
            raise SourceError(f"source {self.spec.name!r}: {root} is not a directory")
        stats = ScanStats()
        self.rescan = False
        failed: list[tuple[str, OSError]] = []
        found = discover(
            root,
            self.rules,
            scandir=self.world.scandir,
            on_error=lambda p, e: failed.append((str(p), e)),
        )
        probes = [Probe(f.relpath, str(f.path), f.stat, self.world.opener) for f in found]
        stats.files = len(probes)
        verdict = identify(self.streams.values(), probes)
        self._apply(verdict, stats)
        self._by_loc = {s.loc: s for s in self.streams.values() if s.loc is not None}
        for probe in probes:
            probe.close()  # fds still held were handed to streams
        for relpath, exc in failed + [(p.relpath, e) for p, e in verdict.errors]:
            self._report(relpath, exc, stats)
        ok = {p.relpath for p in probes} - {p.relpath for p, _ in verdict.errors}
        for relpath in [r for r in self._reported if r in ok]:
            del self._reported[relpath]
        self.scans += 1
        return stats

    def _fields(self, path: str | None, **more: object) -> dict[str, object]:
        """Log fields: the source, the file, and what else there is to say."""
        return {"source": self.spec.name, "file": path, **more}

    def _report(self, relpath: str, exc: OSError, stats: ScanStats) -> None:
        stats.errors.append((relpath, exc))
        if exc.errno == errno.ENOENT:
            return  # vanished between listing and reading: the next scan decides
        if self._reported.get(relpath) != exc.errno:
            self._reported[relpath] = exc.errno or 0
            log.warning("cannot read file", extra=self._fields(relpath, error=exc.strerror))
        if self.on_error is not None:
            self.on_error(relpath, exc)

    def _apply(self, v: Verdict, stats: ScanStats) -> None:
        now = self.world.wall().timestamp()
        rewritten = {id(s) for s in v.rewritten}
        moved = {id(s) for s, _ in v.binds}
        # Where a followed generation sat in this very inode, new content is a rewrite
        # (truncation, copytruncate, an editor's save), not a rotation.
        self._rewrites = {
            s.record.loc: ((s.record.dev, s.record.ino), s.key)
            for s in self.streams.values()
            if id(s) in rewritten or (s.loc is None and id(s) not in moved)
        }
        for s in v.rewritten:
            self._cut[s.key] = self.world.clock()
        for s in v.lost:
            s.unbind()
            if id(s) in rewritten or not self.keep_fds:
                s.close()  # its fd shows the new content now: never drain that
            elif s.fd is not None:
                log.info("file gone: reading it to its end", extra=self._fields(s.record.loc))
                s.dirty = True
            stats.lost += 1
        for s, probe in v.kept:
            changed = (probe.st.st_size, probe.st.st_mtime_ns) != (s.size, s.mtime_ns)
            s.bind(probe.relpath, probe.take_fd() if s.fd is None and changed else None, probe.st)
            s.dirty = s.dirty or changed
            s.record = s.record.moved(seen=now)
        for s, probe in v.binds:
            try:
                if not self._rebind(s, probe, now, stats):
                    self.rescan = True  # changed since the scan looked: look again
            except OSError as exc:
                s.unbind()
                stats.errors.append((probe.relpath, exc))
        for probe in v.new:
            self._new(probe, now, stats)
        held = [*v.copies, *((p, None) for p in v.deferred)]
        for probe, copied in held:
            self._hold(probe, copied, now, stats)
        present = {(p.relpath, p.st.st_ino) for p, _ in held}
        self._held = {k: t for k, t in self._held.items() if k in present}

    def _hold(self, probe: Probe, s: Stream | None, now: float, stats: ScanStats) -> None:
        """A file repeating another's bytes: a copy, or after a grace, a file of its own.

        copytruncate's copy is followed by the original's truncation within moments:
        then it is the old generation's copy (never read again). A file that merely
        starts like another (two ranks printing the same first line) is read in full
        once the grace has passed without such a truncation. Hard links are the same
        file. Without a grace (sync), a repeating file is a file of its own at once.
        """
        stats.copies += 1
        if s is not None and (s.record.dev, s.record.ino) == (probe.st.st_dev, probe.st.st_ino):
            return
        clock = self.world.clock()
        since = self._held.setdefault((probe.relpath, probe.st.st_ino), clock)
        if s is not None and self._cut.get(s.key, -1e18) >= since - self.copy_grace:
            log.debug("copy skipped", extra=self._fields(probe.relpath, copy_of=s.record.path))
        elif clock - since >= self.copy_grace:
            stats.copies -= 1
            del self._held[(probe.relpath, probe.st.st_ino)]
            self._new(probe, now, stats)

    def _rebind(self, s: Stream, probe: Probe, now: float, stats: ScanStats) -> bool:
        """Follow ``s`` in ``probe``'s file; False (left unbound) when the file no longer
        holds its committed bytes (copytruncate between the scan's check and now)."""
        if not s.adopted:
            # Adopt the bytes as read now and checked again: adopting unchecked bytes
            # of a file truncated meanwhile made the stream read another's lines.
            found = s.record.committed_bytes(probe.read)
            if found is None:
                s.unbind()
                return False
            s.adopt(*found)
        if s.record.loc and s.record.loc != probe.relpath:
            log.info("file renamed", extra=self._fields(s.record.loc, now_at=probe.relpath))
            stats.renamed += 1
        same = s.fd is not None and (os.fstat(s.fd).st_ino == probe.st.st_ino)
        s.bind(probe.relpath, None if same else probe.take_fd(), probe.st)
        s.record = s.record.moved(seen=now)
        s.active_at = self.world.clock()
        s.dirty = True
        return True

    def _new(self, probe: Probe, now: float, stats: ScanStats) -> None:
        gen = self.state.new_generation(probe.relpath)
        inode = (probe.st.st_dev, probe.st.st_ino)
        was, key = self._rewrites.get(probe.relpath, (None, None))
        if was == inode and key is not None:
            self._cut[key] = self.world.clock()
            fields = self._fields(probe.relpath, generation=gen)
            log.warning("file truncated or rewritten: new generation", extra=fields)
            stats.generations += 1
        else:  # the files there at start are summed up by the caller, not listed
            level = logging.INFO if self.scans else logging.DEBUG
            log.log(level, "new file", extra=self._fields(probe.relpath, generation=gen))
        stats.new += 1
        stream = Stream(Record(probe.relpath, gen, loc=probe.relpath, seen=now), self.limit)
        stream.bind(probe.relpath, probe.take_fd(), probe.st)
        stream.active_at = self.world.clock()
        self.streams[stream.key] = stream

    # -- reading and committing -------------------------------------------------------

    def read(self, budget: int) -> int:
        """Read up to ``budget`` new bytes from the open files; the count read."""
        total = 0
        for s in list(self.streams.values()):
            if total >= budget:
                break
            if s.fd is None or not s.dirty:
                continue
            try:
                n = s.read(budget - total)
            except OSError as exc:
                self._report(s.record.loc or s.record.path, exc, ScanStats())
                s.close()
                s.unbind()
                continue
            total += n
            if s.rewritten:  # changed under us: what it holds now is for a scan to say
                s.rewritten = False
                self.rescan = True
                self._cut[s.key] = self.world.clock()
                log.info("file changed while being read", extra=self._fields(s.record.loc))
            if n:
                s.active_at = self.world.clock()
            if s.eof and not self.keep_fds:
                s.close()  # sync: read once to the end, never again in this pass
        return total

    def wanted(self, relpath: str) -> bool:
        """Whether the rules select ``relpath`` (its folders included), as a scan would."""
        parts = relpath.split("/")
        folders = ("/".join(parts[: i + 1]) for i in range(len(parts) - 1))
        if not all(self.rules.included(d, is_dir=True) for d in folders):
            return False
        return self.rules.included(relpath, is_dir=False)

    def touch(self, relpath: str) -> bool:
        """Mark the stream at ``relpath`` as changed; False when none is there (scan)."""
        s = self._by_loc.get(relpath)
        if s is None or s.loc != relpath:
            return False
        s.dirty = True
        return s.fd is not None

    @property
    def pending_bytes(self) -> int:
        return sum(s.pending_bytes for s in self.streams.values())

    def take(self) -> list[tuple[Stream, Cut, Part]]:
        """Hand every stream's pending lines to a commit, as batch parts."""
        name = self.spec.name
        out = []
        for s in self.streams.values():
            if s.pending:
                cut = s.take()
                out.append((s, cut, Part(name, s.record.path, s.record.generation, cut.pending)))
        return out

    def rollback(self) -> None:
        """Forget everything read past the committed offsets (it will be read again)."""
        for s in self.streams.values():
            s.rollback()

    def retire(self) -> list[Key]:
        """Close drained and idle files; forget long-gone generations (their keys)."""
        now, wall = self.world.clock(), self.world.wall().timestamp()
        forget: list[Key] = []
        for key, s in list(self.streams.items()):
            grace = self.drain_grace if s.loc is None else IDLE_CLOSE
            if s.fd is not None and s.eof and not s.uncommitted and now - s.active_at >= grace:
                s.close()
            gone = s.fd is None and s.loc is None and not s.uncommitted
            if gone and wall - s.record.seen > self.forget_after:
                forget.append(key)
                del self.streams[key]
                self.state.records.pop(key, None)
        return forget

    def close(self) -> None:
        for s in self.streams.values():
            s.close()
