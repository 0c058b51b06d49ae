"""``sync`` against real trees and real Delta tables: the field scenarios, one test each."""

from __future__ import annotations

import errno
import logging
import os
import shutil
from pathlib import Path

import pytest
from deltalake import DeltaTable

from logpipe.errors import SourceError
from logpipe.ingest.checkpoint import Checkpoint
from logpipe.ingest.discover import discover
from logpipe.ingest.follow import ScanStats
from logpipe.ingest.identify import identify
from logpipe.ingest.pipeline import Pipeline
from logpipe.ingest.recover import recover
from logpipe.ingest.rules import FilterRules, Rule
from logpipe.ingest.sink import DeltaSink
from logpipe.ingest.sync import sync
from logpipe.ingest.tail import Probe, open_readonly
from logpipe.ingest.world import World
from tests.ingest.helpers import append, config, expected, lines, same_inode_reused, table_rows


def numbered(prefix: str, start: int, stop: int) -> bytes:
    return b"".join(f"{prefix} line {i}\n".encode() for i in range(start, stop))


def test_sync_lands_every_complete_line_and_a_second_run_adds_nothing(tmp_path: Path) -> None:
    src = tmp_path / "logs"
    append(src / "app.log", b"one\ntwo\n")
    append(src / "deep" / "er" / "x.log", b"x\r\n")
    append(src / "notes.txt", b"not a log\n")
    cfg = config(tmp_path, src)
    report = sync(cfg)
    assert (report.rows, report.files, report.commits) == (3, 2, 1)
    assert lines(cfg.to) == [
        ("app.log", 0, 0, "one"),
        ("app.log", 0, 4, "two"),
        ("deep/er/x.log", 0, 0, "x"),
    ]
    again = sync(cfg)
    assert (again.rows, again.commits) == (0, 0)
    assert len(lines(cfg.to)) == 3


def test_provenance_columns(tmp_path: Path) -> None:
    src = tmp_path / "node7"
    append(src / "a.log", b"hello\nbad \xff byte\n")
    cfg = config(tmp_path, src)
    sync(cfg)
    rows = table_rows(cfg.to)
    assert [r["source"] for r in rows] == ["node7", "node7"]
    assert [r["lineno"] for r in rows] == [1, 2]
    assert [r["nbytes"] for r in rows] == [6, 11]
    assert rows[1]["line"] == "bad \ufffd byte"
    assert rows[1]["line_raw"] == b"bad \xff byte"
    assert rows[0]["line_raw"] is None
    assert rows[0]["ingested_at"].tzinfo is not None
    assert str(rows[0]["date"]) == rows[0]["ingested_at"].date().isoformat()
    assert rows[0]["format"] == "plain"  # the parser's columns ride along


def test_partial_last_line_waits_across_restarts(tmp_path: Path) -> None:
    src = tmp_path / "s"
    append(src / "app.log", b"first\nsecond-ha")
    cfg = config(tmp_path, src)
    sync(cfg)
    assert lines(cfg.to) == [("app.log", 0, 0, "first")]
    append(src / "app.log", b"lf")
    sync(cfg)  # still no newline: still nothing
    assert len(lines(cfg.to)) == 1
    append(src / "app.log", b"\nthird\n")
    sync(cfg)
    assert lines(cfg.to) == expected("app.log", b"first\nsecond-half\nthird\n")


def test_rotation_while_down(tmp_path: Path) -> None:
    src = tmp_path / "s"
    log = src / "app.log"
    append(log, numbered("old", 0, 5))
    cfg = config(tmp_path, src)
    sync(cfg)
    append(log, numbered("old", 5, 8))  # written just before the rotation
    log.rename(src / "app-1.log")
    append(log, numbered("new", 0, 3))
    report = sync(cfg)
    assert report.generations == 0  # a rotation, not a truncation
    assert lines(cfg.to) == sorted(
        expected("app.log", numbered("old", 0, 8)) + expected("app.log", numbered("new", 0, 3), 1)
    )


def test_double_rotation_while_down(tmp_path: Path) -> None:
    src = tmp_path / "s"
    log = src / "app.log"
    append(log, numbered("a", 0, 4))
    cfg = config(tmp_path, src)
    sync(cfg)
    append(log, numbered("a", 4, 6))
    log.rename(src / "app-1.log")
    append(log, numbered("b", 0, 3))
    (src / "app-1.log").rename(src / "app-2.log")
    log.rename(src / "app-1.log")
    append(log, numbered("c", 0, 2))
    sync(cfg)
    want = (
        expected("app.log", numbered("a", 0, 6))
        + expected("app-1.log", numbered("b", 0, 3))  # first seen there
        + expected("app.log", numbered("c", 0, 2), 1)
    )
    assert lines(cfg.to) == sorted(want)
    assert sync(cfg).rows == 0


def test_truncate_while_down_then_regrow_past_the_old_offset(tmp_path: Path) -> None:
    src = tmp_path / "s"
    log = src / "app.log"
    header = b"header " + b"=" * 300 + b"\n"  # longer than the identity prefix
    append(log, header + numbered("x", 0, 3))
    cfg = config(tmp_path, src)
    sync(cfg)
    old = log.read_bytes()
    # Same first bytes, longer than before: only the append-verify window can tell.
    log.write_bytes(header + numbered("y", 0, 10))
    assert log.stat().st_size > len(old)
    report = sync(cfg)
    assert report.generations == 1
    want = expected("app.log", old) + expected("app.log", log.read_bytes(), 1)
    assert lines(cfg.to) == sorted(want)


def test_shrunk_file_is_a_new_generation(tmp_path: Path) -> None:
    src = tmp_path / "s"
    log = src / "app.log"
    append(log, numbered("x", 0, 9))
    cfg = config(tmp_path, src)
    sync(cfg)
    with log.open("r+b") as fh:
        fh.truncate(0)
    append(log, b"fresh\n")
    assert sync(cfg).generations == 1
    assert ("app.log", 1, 0, "fresh") in lines(cfg.to)


def test_inode_reuse_does_not_fool_identity(tmp_path: Path) -> None:
    src = tmp_path / "s"
    log = src / "app.log"
    append(log, numbered("first", 0, 3))
    cfg = config(tmp_path, src)
    sync(cfg)
    ino = log.stat().st_ino
    other = numbered("second", 0, 6)  # longer: offsets alone would skip its start
    if not same_inode_reused(log, other, ino):
        pytest.skip("this filesystem did not hand the inode out again")
    assert log.stat().st_ino == ino
    sync(cfg)
    want = expected("app.log", numbered("first", 0, 3)) + expected("app.log", other, 1)
    assert lines(cfg.to) == sorted(want)


def test_ten_megabyte_line_is_kept_truncated_and_flagged(tmp_path: Path) -> None:
    src = tmp_path / "s"
    huge = b"y" * (10 << 20)
    append(src / "big.log", b"before\n" + huge + b"\nafter\n")
    cfg = config(tmp_path, src)
    sync(cfg)
    rows = table_rows(cfg.to, 'line, truncated, nbytes, "offset"')
    assert [(len(r["line"]), r["truncated"], r["nbytes"], r["offset"]) for r in rows] == [
        (6, False, 7, 0),
        (1 << 20, True, len(huge) + 1, 7),
        (5, False, 6, 7 + len(huge) + 1),
    ]


def test_unreadable_file_is_reported_and_the_rest_continue(tmp_path: Path) -> None:
    """Injected ``open`` raising PermissionError (tests run as root, where chmod is moot;
    the CLI test drops privileges for the real thing)."""
    src = tmp_path / "s"
    append(src / "ok.log", b"fine\n")
    append(src / "locked.log", b"secret\n")

    def opener(path: str) -> int:
        if path.endswith("locked.log"):
            raise PermissionError(errno.EACCES, "Permission denied", path)
        return open_readonly(path)

    cfg = config(tmp_path, src)
    report = sync(cfg, world=World(opener=opener))
    assert [(s, p, e.errno) for s, p, e in report.errors] == [("s", "locked.log", errno.EACCES)]
    assert lines(cfg.to) == [("ok.log", 0, 0, "fine")]
    # Once readable again it lands, nothing lost and nothing twice.
    assert sync(cfg).errors == []
    assert lines(cfg.to) == [("locked.log", 0, 0, "secret"), ("ok.log", 0, 0, "fine")]


@pytest.mark.parametrize("damage", [b"", b"{not json", b'{"format": 1}', b"\x00" * 40])
def test_corrupt_or_empty_checkpoint_is_rebuilt_from_the_table(
    tmp_path: Path, damage: bytes, caplog: pytest.LogCaptureFixture
) -> None:
    src = tmp_path / "s"
    append(src / "a.log", numbered("a", 0, 3))
    cfg = config(tmp_path, src)
    sync(cfg)
    cache = Checkpoint(cfg.state_dir, cfg.to, "s")
    assert cache.path.exists()
    cache.path.write_bytes(damage)
    append(src / "a.log", numbered("a", 3, 5))
    with caplog.at_level(logging.WARNING, "logpipe"):
        sync(cfg)
    assert "rebuilding it from the dataset" in caplog.text
    assert lines(cfg.to) == expected("a.log", numbered("a", 0, 5))


def test_stale_checkpoint_is_not_trusted(tmp_path: Path) -> None:
    src = tmp_path / "s"
    append(src / "a.log", numbered("a", 0, 2))
    cfg = config(tmp_path, src)
    sync(cfg)
    cache = Checkpoint(cfg.state_dir, cfg.to, "s")
    old = cache.path.read_bytes()
    append(src / "a.log", numbered("a", 2, 4))
    sync(cfg)
    cache.path.write_bytes(old)  # a crash between commit and cache write looks like this
    append(src / "a.log", numbered("a", 4, 5))
    sync(cfg)
    assert lines(cfg.to) == expected("a.log", numbered("a", 0, 5))


def test_offsets_come_from_the_rows_when_the_log_was_cleaned_up(tmp_path: Path) -> None:
    src = tmp_path / "s"
    append(src / "a.log", b"hdr\r\n" + numbered("a", 0, 3) + b"\xfe\xff raw\n")
    append(src / "b.log", numbered("b", 0, 2))
    cfg = config(tmp_path, src)
    sync(cfg)
    append(src / "a.log", numbered("a", 3, 4))
    sync(cfg)
    (src / "a.log").rename(src / "a-1.log")  # identity must survive: head from the rows
    dt = DeltaTable(cfg.to)
    dt.alter.set_table_properties({"delta.logRetentionDuration": "interval 0 seconds"})
    DeltaTable(cfg.to).create_checkpoint()
    DeltaTable(cfg.to).cleanup_metadata()
    assert len(DeltaTable(cfg.to).history()) == 1  # our payloads are gone
    Checkpoint(cfg.state_dir, cfg.to, "s").path.unlink()
    state, _, how = recover(DeltaSink(cfg.to), "s")
    assert how == "rows"
    assert {k: (r.offset, r.lineno) for k, r in state.records.items()} == {
        ("a.log", 0): (len((src / "a-1.log").read_bytes()), 6),
        ("b.log", 0): (len(numbered("b", 0, 2)), 2),
    }
    append(src / "a-1.log", b"after\n")
    assert sync(cfg).rows == 1
    assert lines(cfg.to)[-3][3] == "after"


def test_many_files(tmp_path: Path) -> None:
    src = tmp_path / "s"
    for i in range(5000):
        append(src / f"d{i % 50:02d}" / f"f{i:04d}.log", f"file {i} a\nfile {i} b\n")
    cfg = config(tmp_path, src)
    report = sync(cfg)
    assert (report.files, report.rows) == (5000, 10000)
    assert len(lines(cfg.to)) == 10000
    append(src / "d07" / "f0007.log", "file 7 c\n")
    again = sync(cfg)
    assert (again.files, again.rows) == (5000, 1)


def test_rules_in_the_order_given(tmp_path: Path) -> None:
    src = tmp_path / "s"
    for name in ["a.log", "b.txt", "keep/c.txt", "keep/d.log"]:
        append(src / name, f"{name}\n")
    rules = [Rule("include", "*.txt"), Rule("exclude", "*.log"), Rule("include", "*/")]
    cfg = config(tmp_path, src, rules=rules)
    sync(cfg)
    assert [r[0] for r in lines(cfg.to)] == ["b.txt", "keep/c.txt"]


def test_two_sources_commit_together_and_separately_recover(tmp_path: Path) -> None:
    one, two = tmp_path / "one", tmp_path / "two"
    append(one / "x.log", b"1\n")
    append(two / "x.log", b"2\n")
    cfg = config(tmp_path, one, two)
    assert sync(cfg).commits == 1
    assert sorted((r["source"], r["line"]) for r in table_rows(cfg.to)) == [
        ("one", "1"),
        ("two", "2"),
    ]
    append(two / "x.log", b"3\n")
    assert sync(cfg).rows == 1


def test_missing_root_is_a_source_error(tmp_path: Path) -> None:
    cfg = config(tmp_path, tmp_path / "nope")
    with pytest.raises(SourceError, match="is not a directory"):
        sync(cfg)


def test_symlinks_and_fifos_are_skipped(tmp_path: Path) -> None:
    src = tmp_path / "s"
    append(src / "real.log", b"r\n")
    append(tmp_path / "outside.log", b"o\n")
    (src / "link.log").symlink_to(tmp_path / "outside.log")
    os.mkfifo(src / "pipe.log")
    cfg = config(tmp_path, src)
    sync(cfg)
    assert lines(cfg.to) == [("real.log", 0, 0, "r")]


def test_offsets_replay_from_the_log_across_snapshots_and_compaction(tmp_path: Path) -> None:
    from logpipe.ingest.compact import compact

    src = tmp_path / "s"
    cfg = config(tmp_path, src, snapshot_every=3)
    for i in range(7):  # full snapshot first, then deltas, a full one every 3 versions
        chunk = numbered(f"v{i}", 0, 2)
        append(src / f"f{i % 2}.log", chunk)
        sync(cfg)
    compact(cfg.to)  # a commit without offsets on top of the log
    cache = Checkpoint(cfg.state_dir, cfg.to, "s")
    cache.path.unlink()
    state, _, how = recover(DeltaSink(cfg.to), "s")
    assert how == "log"
    assert state.version == 7
    assert {k: r.lineno for k, r in state.records.items()} == {("f0.log", 0): 8, ("f1.log", 0): 6}
    append(src / "f1.log", b"last\n")
    assert sync(cfg).rows == 1
    assert len(lines(cfg.to)) == 15


def test_copytruncate_between_a_scans_check_and_the_rebind_takes_nothing_twice(
    tmp_path: Path,
) -> None:
    """A generation read back from the table is checked by the scan, then adopted: a
    copytruncate landing in between must not make it adopt the new content's bytes
    (it then read another's lines and left its copy to be read again in full)."""
    src = tmp_path / "s"
    old = b"".join(b"old %03d %s\n" % (i, b"x" * (i % 50)) for i in range(40))
    new = b"".join(b"new %03d %s\n" % (i, b"y" * (i % 40)) for i in range(30))
    append(src / "app.log", old)
    cfg = config(tmp_path, src)
    sync(cfg)
    append(src / "app.log", b"old tail\n")
    pipe = Pipeline(cfg)
    pipe.open()
    try:
        follower = pipe.followers["s"]
        found = discover(src, FilterRules(cfg.rules))
        probes = [Probe(f.relpath, str(f.path), f.stat, World().opener) for f in found]
        verdict = identify(follower.streams.values(), probes)
        assert [s.key for s, _ in verdict.binds] == [("app.log", 0)]
        shutil.copyfile(src / "app.log", src / "app-1.log")  # copytruncate, now
        os.truncate(src / "app.log", 0)
        append(src / "app.log", new)
        follower._apply(verdict, ScanStats())
        for probe in probes:
            probe.close()
        assert follower.rescan
        assert follower.streams[("app.log", 0)].loc is None
        pipe.scan()  # the copy continues the generation, the new content is the next
        pipe.read(1 << 20)
        pipe.commit()
    finally:
        pipe.close()
    want = expected("app.log", old + b"old tail\n") + expected("app.log", new, 1)
    assert lines(cfg.to) == sorted(want)
