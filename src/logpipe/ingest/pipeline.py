"""One ingest pass over all sources: discover, identify, tail, split, parse, commit."""

from __future__ import annotations

import contextlib
import gc
import logging
import socket
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from typing import Any

from logpipe.errors import DatasetError
from logpipe.ingest._job import Item, Job
from logpipe.ingest.checkpoint import Checkpoint
from logpipe.ingest.config import IngestConfig
from logpipe.ingest.follow import Follower, ScanStats
from logpipe.ingest.recover import recover
from logpipe.ingest.rules import FilterRules
from logpipe.ingest.sink import DeltaSink, app_id
from logpipe.ingest.state import FORMAT, Key, SourceState
from logpipe.ingest.tail import Cut, Stream
from logpipe.ingest.world import World

__all__ = ["CommitInfo", "Pipeline"]

log = logging.getLogger("logpipe.ingest.pipeline")

#: The local cache is refreshed at most this often (and when the pipeline closes).
CACHE_EVERY = 5.0


@dataclass(frozen=True, slots=True)
class CommitInfo:
    """One successful commit."""

    rows: int
    nbytes: int
    versions: dict[str, int] = field(default_factory=dict)


class Pipeline:
    """All sources of one ``sync`` or ``watch`` process, and their commits.

    ``open()`` takes each source's lock and recovers its committed offsets from the
    table; ``scan()``/``read()`` gather pending lines; ``feed()`` parses them into the
    open commit; ``submit()``/``commit()`` land it with the offsets its lines reach, in
    one Delta transaction. After a failed commit every
    source is recovered again from the table before going on, so an unknown outcome
    can never lead to a line committed twice.
    """

    def __init__(
        self,
        config: IngestConfig,
        *,
        world: World | None = None,
        sink: DeltaSink | None = None,
        keep_fds: bool = False,
        on_error: Callable[[str, OSError], None] | None = None,
    ) -> None:
        self.config = config
        self.world = world or World()
        self.sink = sink or DeltaSink(config.to)
        self.keep_fds, self.on_error = keep_fds, on_error
        self.followers: dict[str, Follower] = {}
        self.table_id = ""
        self._caches: dict[str, Checkpoint] = {}
        self._full: dict[str, bool] = {}
        self._forget: dict[str, list[Key]] = {}
        self._locks = contextlib.ExitStack()
        self._resync = False
        self._cached_at = float("-inf")
        self._dirty = False
        self._pool: ThreadPoolExecutor | None = None
        self._flight: tuple[Future[None], dict[str, Any], CommitInfo] | None = None
        self._open: Job | None = None  # the commit being fed
        self._frozen = False  # gc.freeze() done (after the first batch parsed)
        self.completed: list[CommitInfo] = []  # every commit that landed, for the caller

    def open(self) -> None:
        """Lock every source and recover its committed offsets (table first, cache second)."""
        try:
            for spec in self.config.sources:
                cache = Checkpoint(self.config.state_dir, self.config.to, spec.name)
                self._locks.enter_context(cache.lock())
                self._caches[spec.name] = cache
            self._recover()
        except BaseException:
            self._locks.close()
            raise

    def _recover(self) -> None:
        for f in self.followers.values():
            f.close()
        rules = FilterRules(self.config.rules)
        for spec in self.config.sources:
            wall = self.world.wall().timestamp()
            state, table_id, how = recover(
                self.sink, spec.name, cache=self._caches[spec.name], now=wall
            )
            self.table_id = table_id or self.table_id
            fields = {"source": spec.name, "version": state.version, "from": how}
            log.info("offsets recovered", extra=fields)
            self.followers[spec.name] = self._follower(spec.name, rules, state)
            self._full[spec.name] = True  # the first commit of a run is a full snapshot
        self._resync = False

    def _follower(self, name: str, rules: FilterRules, state: SourceState) -> Follower:
        spec = next(s for s in self.config.sources if s.name == name)
        return Follower(
            spec,
            rules,
            state,
            world=self.world,
            limit=self.config.max_line_bytes,
            keep_fds=self.keep_fds,
            drain_grace=self.config.drain_grace if self.keep_fds else 0.0,
            forget_after=self.config.forget_after,
            # Long enough for a copytruncate to finish and be seen (watch only: one
            # pass of sync cannot wait, there a repeating file is a file at once).
            copy_grace=max(10.0, 2 * self.config.poll_interval) if self.keep_fds else 0.0,
            on_error=self.on_error,
        )

    def scan(self) -> dict[str, ScanStats]:
        """Scan every source tree once."""
        if self._resync:
            self._recover()
        return {name: f.scan() for name, f in self.followers.items()}

    def read(self, budget: int) -> int:
        """Read up to ``budget`` new bytes over all sources."""
        total = 0
        for f in self.followers.values():
            total += f.read(budget - total)
        return total

    @property
    def pending_bytes(self) -> int:
        return sum(f.pending_bytes for f in self.followers.values())

    @property
    def needs_rescan(self) -> bool:
        """A read found a file changed under it: only a scan can tell what it is now."""
        return any(f.rescan for f in self.followers.values())

    @property
    def needs_resync(self) -> bool:
        """A commit failed: offsets must be read back from the table before going on."""
        return self._resync

    def retire(self) -> None:
        """Close drained and idle files; remember generations to forget in the next commit."""
        for name, f in self.followers.items():
            self._forget.setdefault(name, []).extend(f.retire())

    def commit(self) -> CommitInfo | None:
        """Commit every pending complete line and wait for it (None: nothing to commit)."""
        self.submit()
        return self.wait()

    @property
    def fed_bytes(self) -> int:
        """Bytes of lines fed to the open commit (parsed, not yet committed)."""
        return self._open.nbytes if self._open else 0

    def feed(self) -> int:
        """Parse the pending lines into the open commit; the bytes fed. Each run of them
        is written by the writer thread while the next is parsed (both cores busy, two
        runs in memory), also while the previous commit lands."""
        if self._resync:
            return 0
        taken = {n: items for n, f in self.followers.items() if (items := f.take())}
        if not taken:
            return 0
        if self._pool is None:
            self._pool = ThreadPoolExecutor(1, thread_name_prefix="logpipe-commit")
        job = self._open = self._open or Job(self.sink, self.world.wall()).start(self._pool)
        before = job.nbytes
        try:
            job.feed(taken)
        except BaseException:
            self._abandon()
            self._resync = True  # lines taken and lost: read again from the table's offsets
            raise
        if not self._frozen:
            # Everything loaded so far (modules, the parsers' compiled kernels: ~10^5
            # objects) lives as long as the process: the collector need not walk it
            # again and again (measured: 1.5% of the parsing thread's time).
            gc.freeze()
            self._frozen = True
        return job.nbytes - before

    def _abandon(self) -> None:
        """Drop the open commit, if any (its files are deleted)."""
        job, self._open = self._open, None
        if job is not None:
            job.drop()

    def submit(self) -> bool:
        """Feed the pending lines and hand the open commit its offsets, to land.

        The commit waits for the previous one to land, so commits stay in order; if
        that one failed, this one is dropped and the offsets are read back from the
        table first.
        """
        if self._resync:
            self._abandon()
            self.wait()
            self._recover()
            return False
        self.feed()
        if self._open is None:
            return False
        job = self._open
        try:
            self.wait()  # raises if the previous commit failed: this batch is read again
        except BaseException:
            self._abandon()
            raise
        self._open = None
        now = job.now.timestamp()
        meta: dict[str, Any] = {"format": FORMAT, "host": socket.gethostname(), "sources": {}}
        nexts = {n: self._next_state(n, items, now, meta) for n, items in job.items.items()}
        txns = {app_id(n): state.version for n, (state, _) in nexts.items()}
        last = {id(s): (s, cut) for _, pairs in nexts.values() for s, cut in pairs}
        nbytes = sum(cut.record.offset - stream.record.offset for stream, cut in last.values())
        job.finish(txns, meta)
        self._flight = (job.future, nexts, CommitInfo(job.rows, nbytes, txns))
        return True

    def wait(self) -> CommitInfo | None:
        """Wait for the commit in flight; its result, None when there is none."""
        if self._flight is None:
            return None
        future, nexts, info = self._flight
        self._flight = None
        try:
            future.result()
        except DatasetError:
            for f in self.followers.values():
                f.rollback()
            self._resync = True
            raise
        for name, (state, cuts) in nexts.items():
            for stream, cut in cuts:
                stream.committed(cut)
            self.followers[name].state = state
            self._full[name] = False
            self._forget.pop(name, None)
        self._dirty = True
        self.save_cache(force=False)
        self.completed.append(info)
        return info

    def _next_state(
        self,
        name: str,
        items: list[Item],
        now: float,
        meta: dict[str, Any],
    ) -> tuple[SourceState, list[tuple[Stream, Cut]]]:
        f = self.followers[name]
        state = f.state.copy()
        state.version += 1
        cuts = []
        for stream, taken, _ in items:
            # Its lines are in the planned files now: the commit keeps only the record.
            cut = replace(taken, record=taken.record.moved(seen=now), pending=[])
            state.put(cut.record)
            cuts.append((stream, cut))
        full = self._full[name] or state.version % self.config.snapshot_every == 0
        changed = list(dict.fromkeys(c.record.key for _, c in cuts))
        payload = state.payload(full=full, changed=changed, forget=self._forget.get(name, []))
        meta["sources"][name] = {"app": app_id(name), "root": str(f.spec.root), **payload}
        return state, cuts

    def save_cache(self, *, force: bool) -> None:
        """Refresh the local caches (throttled unless ``force``); failures only warn."""
        if not self._dirty or (not force and self.world.clock() - self._cached_at < CACHE_EVERY):
            return
        try:
            if not self.table_id:
                dt = self.sink.table()
                self.table_id = str(dt.metadata().id) if dt else ""
            for name, f in self.followers.items():
                self._caches[name].save(self.table_id, f.state)
        except (OSError, DatasetError) as exc:
            log.warning("cannot write the local checkpoint (a cache only)", extra={"error": exc})
        self._cached_at = self.world.clock()
        self._dirty = False

    def close(self) -> None:
        """Save the caches, close every file, release the locks (a commit still being
        fed is dropped: its lines are read again next time)."""
        try:
            self._abandon()
            self.wait()
            if not self._resync:
                self.save_cache(force=True)
        finally:
            if self._pool is not None:
                self._pool.shutdown()
            for f in self.followers.values():
                f.close()
            self._locks.close()
