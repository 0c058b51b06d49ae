"""The watch daemon driven step by step with a fake clock (no sleeping, no threads racing)."""

from __future__ import annotations

import errno
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from logpipe.errors import DatasetError
from logpipe.ingest.sink import DeltaSink, commit_files
from tests.ingest.helpers import Harness, append, expected


@pytest.fixture
def h(tmp_path: Path) -> Iterator[Harness]:
    harness = Harness(tmp_path)
    yield harness
    harness.daemon.shutdown()


def block(tag: str, n: int) -> bytes:
    return b"".join(f"{tag} {i}\n".encode() for i in range(n))


def test_commits_at_the_flush_interval_not_before(h: Harness) -> None:
    append(h.src / "a.log", b"one\n")
    h.tick()
    assert h.daemon.pipe.pending_bytes == 4
    assert h.daemon.commits == 0
    h.tick(0.5)
    assert h.daemon.commits == 0
    h.tick(0.5)
    assert h.daemon.commits == 1
    assert h.rows() == [("a.log", 0, 0, "one")]


def test_batch_bytes_commit_at_once(tmp_path: Path) -> None:
    h = Harness(tmp_path, batch_bytes="64KiB")
    try:
        append(h.src / "a.log", b"x" * 100 + b"\n" + b"y" * (70 << 10) + b"\n")
        h.tick()  # reads up to batch_bytes
        h.tick()  # reads the rest: over batch_bytes, committed at once
        assert h.daemon.commits == 1  # no flush interval waited for
    finally:
        h.daemon.shutdown()


def test_copytruncate_while_running(h: Harness) -> None:
    log = h.src / "app.log"
    append(log, block("a", 3))
    h.settle()
    append(log, block("b", 2))  # not read yet
    shutil.copyfile(log, h.src / "app-1.log")
    with log.open("r+b") as fh:
        fh.truncate(0)
    append(log, block("c", 2))
    h.settle()
    old = expected("app.log", block("a", 3) + block("b", 2))
    want = old + expected("app.log", block("c", 2), 1)
    assert h.rows() == sorted(want)
    h.settle()
    assert h.rows() == sorted(want)  # the copy is never read again


def test_copytruncate_after_reading_past_the_copy(h: Harness) -> None:
    log = h.src / "app.log"
    append(log, block("a", 3))
    h.settle()
    shutil.copyfile(log, h.src / "app-1.log")
    append(log, block("late", 2))  # after the copy, before the truncate
    h.tick(1.0)  # read (and committed) from the original
    with log.open("r+b") as fh:
        fh.truncate(0)
    append(log, block("c", 1))
    h.settle()
    want = expected("app.log", block("a", 3) + block("late", 2)) + expected(
        "app.log", block("c", 1), 1
    )
    assert h.rows() == sorted(want)


def test_rotation_to_a_name_that_no_longer_matches_is_drained(h: Harness) -> None:
    log = h.src / "app.log"
    append(log, block("a", 2))
    h.settle()
    with log.open("ab") as writer:  # the application's open file
        writer.write(b"just before\n")
        writer.flush()
        log.rename(h.src / "app.log.1")
        append(log, block("new", 1))
        h.tick(2.0)
        writer.write(b"before reopening\n")  # still going to the rotated file
        writer.flush()
    h.tick(1.0)
    h.tick(1.0)
    rows = h.rows()
    assert ("app.log", 0, 8, "just before") in rows
    assert ("app.log", 0, 20, "before reopening") in rows
    assert ("app.log", 1, 0, "new 0") in rows
    stream = h.daemon.pipe.followers["s"].streams[("app.log", 0)]
    h.tick(5.0)  # idle past the drain grace: let go
    assert stream.fd is None


def test_file_deleted_while_open_is_read_to_its_end(h: Harness) -> None:
    log = h.src / "gone.log"
    append(log, block("a", 2))
    h.settle()
    append(log, block("b", 2))
    log.unlink()
    h.settle()
    assert h.rows() == expected("gone.log", block("a", 2) + block("b", 2))


def test_new_files_appear_on_the_next_scan(h: Harness) -> None:
    h.tick()
    append(h.src / "later" / "n.log", b"hello\n")
    h.tick(0.5)
    assert h.rows() == []
    h.settle()
    assert h.rows() == [("later/n.log", 0, 0, "hello")]


def test_shutdown_commits_complete_lines_but_never_a_partial_one(h: Harness) -> None:
    append(h.src / "a.log", b"done\nhalf")
    h.tick()
    assert h.daemon.shutdown() == 0
    assert h.rows() == [("a.log", 0, 0, "done")]


def test_commit_failure_is_retried_and_nothing_is_doubled(tmp_path: Path) -> None:
    fails = {"n": 2}

    def commit(*args: Any) -> None:
        if fails["n"]:
            fails["n"] -= 1
            raise OSError(errno.ENOSPC, "No space left on device")
        commit_files(*args)

    h = Harness(tmp_path)
    h.daemon.pipe.sink = DeltaSink(h.cfg.to, commit=commit)
    try:
        append(h.src / "a.log", block("a", 3))
        h.tick()
        h.tick(1.0)  # fails: backs off
        assert h.daemon.commits == 0
        for _ in range(10):
            h.tick(5.0)
        assert h.daemon.commits >= 1
        append(h.src / "a.log", block("b", 1))
        h.settle()
        assert h.rows() == expected("a.log", block("a", 3) + block("b", 1))
    finally:
        h.daemon.shutdown()


def test_idle_steps_read_nothing_and_scan_only_when_due(h: Harness) -> None:
    for i in range(50):
        append(h.src / f"f{i}.log", b"x\n")
    h.settle()
    scans = h.scandir.calls
    for _ in range(5):
        h.tick(0.1)
    assert h.scandir.calls == scans  # no rescan before poll_interval
    assert all(not s.dirty for s in h.daemon.pipe.followers["s"].streams.values())
    h.tick(1.0)
    assert h.scandir.calls == scans + 1


def test_an_event_reads_the_file_without_a_scan(h: Harness) -> None:
    log = h.src / "a.log"
    append(log, b"1\n")
    h.settle()
    scans = h.scandir.calls
    append(log, b"2\n")
    h.daemon.events.modified(str(log))
    h.tick(0.1)
    assert h.scandir.calls == scans
    assert h.daemon.pipe.pending_bytes == 2


def test_a_failing_commit_at_shutdown_is_an_error_status(tmp_path: Path) -> None:
    def commit(*args: Any) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    h = Harness(tmp_path)
    h.daemon.pipe.sink = DeltaSink(h.cfg.to, commit=commit)
    append(h.src / "a.log", b"x\n")
    h.tick()
    assert h.daemon.shutdown() == 1


def test_disk_full_error_names_the_cause(tmp_path: Path) -> None:
    def commit(*args: Any) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    sink = DeltaSink(tmp_path / "ds", commit=commit)
    h = Harness(tmp_path)
    h.daemon.pipe.sink = sink
    append(h.src / "a.log", b"x\n")
    h.tick()
    with pytest.raises(DatasetError, match="disk full"):
        h.daemon.pipe.commit()
    h.daemon.shutdown()


class FakeChild:
    """A compaction process that runs until told otherwise."""

    def __init__(self) -> None:
        self.code: int | None = None
        self.terminated = False

    def poll(self) -> int | None:
        return self.code

    def terminate(self) -> None:
        self.terminated = True
        self.code = -15

    def kill(self) -> None:
        self.code = -9

    def wait(self, timeout: float | None = None) -> int:
        return self.code or 0


def test_background_compaction_runs_after_commits_and_stops_with_the_daemon(
    tmp_path: Path,
) -> None:
    started: list[FakeChild] = []

    def compactor(uri: str) -> FakeChild:
        started.append(FakeChild())
        return started[-1]

    h = Harness(tmp_path, compact_interval=60)
    h.daemon.compactor = compactor
    h.tick(61)
    assert started == []  # nothing committed yet: nothing to compact
    append(h.src / "a.log", b"x\n")
    h.settle()
    h.tick(60)
    assert len(started) == 1
    h.tick(60)
    assert len(started) == 1  # nothing new since
    h.daemon.shutdown()
    assert started[0].terminated


def test_files_gone_for_long_are_forgotten(tmp_path: Path) -> None:
    h = Harness(tmp_path, forget_after=100)
    try:
        append(h.src / "old.log", b"x\n")
        append(h.src / "keep.log", b"y\n")
        h.settle()
        (h.src / "old.log").unlink()
        h.settle()
        h.tick(10)  # past the drain grace: the fd is let go
        h.tick(100)  # past forget_after
        append(h.src / "keep.log", b"z\n")
        h.settle()
        keys = set(h.daemon.pipe.followers["s"].state.records)
        assert keys == {("keep.log", 0)}
    finally:
        h.daemon.shutdown()
