"""``logpipe watch``: follow sources until told to stop, committing at least every flush."""

from __future__ import annotations

import logging
import subprocess
import sys
from collections.abc import Callable
from typing import TYPE_CHECKING, Protocol

from logpipe import errors as _errors
from logpipe.ingest import _job
from logpipe.ingest import pipeline as _pipeline
from logpipe.ingest import watch as _watch
from logpipe.ingest import world as _world

if TYPE_CHECKING:
    from logpipe.ingest.config import IngestConfig
    from logpipe.ingest.sink import DeltaSink

__all__ = ["Child", "Daemon", "RESCAN_WITH_EVENTS", "spawn_compaction"]

log = logging.getLogger("logpipe.ingest.daemon")

#: With native events a full rescan is only a safety net; without, it is how news arrive.
RESCAN_WITH_EVENTS = 10.0


class Child(Protocol):
    """What the daemon needs of a background process (``subprocess.Popen``)."""

    def poll(self) -> int | None: ...
    def terminate(self) -> None: ...
    def kill(self) -> None: ...
    def wait(self, timeout: float | None = None) -> int: ...


def spawn_compaction(uri: str) -> Child:
    """``logpipe compact URI`` in its own process: killing it any time is harmless."""
    cmd = [sys.executable, "-m", "logpipe", "compact", uri, "--quiet"]
    return subprocess.Popen(cmd, stdin=subprocess.DEVNULL)


class Daemon:
    """The watch loop, one ``step()`` at a time (tests drive it without sleeping).

    Each step waits for an event or the next timer, scans (fully when files came or
    went, or when the rescan is due) or reads the changed files, commits when the
    oldest pending line has waited ``flush_interval`` or ``batch_bytes`` are
    pending, and starts a background compaction now and then.
    """

    def __init__(
        self,
        config: IngestConfig,
        *,
        world: _world.World | None = None,
        sink: DeltaSink | None = None,
        observer: _watch.ObserverFactory | None = _watch.native_observer,
        compactor: Callable[[str], Child] | None = spawn_compaction,
    ) -> None:
        self.config = config
        self.world = world or _world.World()
        self.pipe = _pipeline.Pipeline(config, world=self.world, sink=sink, keep_fds=True)
        self.events = _watch.Events([s.root for s in config.sources], observer)
        self.compactor = compactor
        self.child: Child | None = None
        self.stopping = False
        self.commits = 0
        self._next_scan = 0.0
        self._first_pending: float | None = None
        self._retry_at = 0.0
        self._failures = 0
        self._next_compact = 0.0
        self._committed_since_compact = False
        self._source_errors: set[str] = set()

    def start(self) -> None:
        """Check the sources, lock them, recover their offsets, start listening."""
        for spec in self.config.sources:
            if not spec.root.is_dir():
                raise _errors.SourceError(f"source {spec.name!r}: {spec.root} is not a directory")
        self.pipe.open()
        self.events.start()
        now = self.world.clock()
        self._next_scan = now
        self._next_compact = now + self.config.compact_interval

    def stop(self) -> None:
        """Ask the loop to finish (safe from a signal handler)."""
        self.stopping = True
        self.events.wake()

    def run(self) -> int:
        """Start, step until stopped, shut down; the exit status."""
        self.start()
        try:
            while not self.stopping:
                self.step()
        finally:
            status = self.shutdown()
        return status

    def _deadline(self) -> float:
        times = [self._next_scan, self._next_compact if self.config.compact_interval else 1e18]
        if self._first_pending is not None:
            flush = self._first_pending + self.config.flush_interval
            times.append(max(flush, self._retry_at))
        return min(times)

    def step(self, *, wait: bool = True) -> None:
        """One turn of the loop (``wait=False``: do what is due now, do not block)."""
        if wait:
            self.events.wait(self._deadline() - self.world.clock())
        if self.stopping:
            return
        now = self.world.clock()
        modified, structural = self.events.take()
        if structural or now >= self._next_scan:
            self._scan(now)
        else:
            self._touch(modified, now)
        self._read_and_commit(now)
        self.pipe.retire()
        self._maybe_compact(now)

    def _scan(self, now: float) -> None:
        every = self.config.poll_interval
        if self.events.native:
            every = max(every, RESCAN_WITH_EVENTS)
        self._next_scan = now + every
        try:
            first = {n: f.scans == 0 for n, f in self.pipe.followers.items()}
            for name, stats in self.pipe.scan().items():
                if first[name]:
                    log.info("following files", extra={"source": name, "files": stats.files})
            self._source_errors.clear()
        except _errors.SourceError as exc:  # a root is missing: keep waiting for it to come back
            if str(exc) not in self._source_errors:
                log.error("source missing; waiting for it", extra={"error": str(exc)})
                self._source_errors.add(str(exc))
        except (_errors.DatasetError, OSError) as exc:  # e.g. the tree changed mid-walk: next time
            log.error("scan failed; trying again", extra={"error": str(exc)})

    def _touch(self, modified: set[str], now: float) -> None:
        for path in modified:
            for f in self.pipe.followers.values():
                root = str(f.spec.root) + "/"
                if not path.startswith(root):
                    continue
                relpath = path.removeprefix(root)
                if not f.touch(relpath) and f.wanted(relpath):
                    self._next_scan = now  # a file we do not follow yet: scan next turn

    def _read_and_commit(self, now: float) -> None:
        batch = self.config.batch_bytes
        run = min(batch, _job.PARSE_BYTES)
        while True:  # a backlog: read and parsed a run at a time, a few runs in memory
            self.pipe.read(max(0, run - self.pipe.pending_bytes))
            pending, fed = self.pipe.pending_bytes, self.pipe.fed_bytes
            if pending < run or pending + fed >= batch or not self.pipe.feed():
                break
        if self.pipe.needs_rescan:
            self._next_scan = now
        held = self.pipe.pending_bytes + self.pipe.fed_bytes
        if held == 0:
            self._first_pending = None
            return
        if self._first_pending is None:
            self._first_pending = now
        due = now - self._first_pending >= self.config.flush_interval
        if (due or held >= batch) and now >= self._retry_at:
            self._commit(now)

    def _commit(self, now: float) -> bool:
        try:
            info = self.pipe.commit()
        except _errors.DatasetError as exc:
            self._failures += 1
            delay = min(30.0, 0.5 * 2**self._failures)
            self._retry_at = now + delay
            self._next_scan = now  # offsets are re-read from the table before going on
            log.error("commit failed; retrying", extra={"error": str(exc), "retry_in": delay})
            return False
        self._failures = 0
        self._first_pending = None
        if info is not None:
            self.commits += 1
            self._committed_since_compact = True
            fields = {"lines": info.rows, "bytes": info.nbytes, "versions": info.versions}
            log.debug("committed", extra=fields)
        return True

    def _maybe_compact(self, now: float) -> None:
        interval = self.config.compact_interval
        if not interval or self.compactor is None or now < self._next_compact:
            return
        self._next_compact = now + interval
        if not self._committed_since_compact:
            return
        if self.child is not None and self.child.poll() is None:
            return  # the previous one is still running
        self.child = self.compactor(self.config.to)
        self._committed_since_compact = False

    def shutdown(self) -> int:
        """Commit the complete lines held (never a partial one), stop everything; status."""
        status = 0
        self.events.stop()
        try:
            if not self.pipe.needs_resync:
                self.pipe.read(max(0, self.config.batch_bytes - self.pipe.pending_bytes))
                held = self.pipe.pending_bytes + self.pipe.fed_bytes
                if held and not self._commit(self.world.clock()):
                    status = 1
        finally:
            self.pipe.close()
            self._stop_child()
        return status

    def _stop_child(self) -> None:
        if self.child is None or self.child.poll() is not None:
            return
        self.child.terminate()  # a Delta optimize is atomic: stopping it loses nothing
        try:
            self.child.wait(timeout=2.0)
        except subprocess.TimeoutExpired:
            self.child.kill()
            self.child.wait()
