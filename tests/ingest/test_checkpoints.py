"""Delta checkpoints: written every few commits and after compaction; recovery through them."""

from __future__ import annotations

import os
import time
from pathlib import Path

from deltalake import DeltaTable

from logpipe import query
from logpipe.ingest.checkpoint import Checkpoint
from logpipe.ingest.compact import compact
from logpipe.ingest.config import IngestConfig
from logpipe.ingest.recover import recover
from logpipe.ingest.sink import CHECKPOINT_INTERVAL, CHECKPOINT_KEY, DeltaSink
from logpipe.ingest.state import SourceState
from logpipe.ingest.sync import sync
from tests.ingest.helpers import append, config, expected, lines

BATCH = 64 << 10  # the smallest --batch-bytes


def block(tag: str, n: int, width: int = 100) -> bytes:
    """``n`` lines of ``width`` bytes, numbered, tagged."""
    return b"".join(f"{tag} {i:08d} ".ljust(width - 1, "x").encode() + b"\n" for i in range(n))


def checkpoints(uri: str) -> list[int]:
    log = Path(uri) / "_delta_log"
    return sorted(int(p.name.split(".")[0]) for p in log.glob("*.checkpoint.parquet"))


def commits_kept(uri: str) -> list[int]:
    return sorted(int(p.stem) for p in (Path(uri) / "_delta_log").glob("*.json"))


def expire_log_before(uri: str, version: int, *, days: float = 40) -> None:
    """Make the JSON commits before ``version`` older than the log retention (30 days)."""
    then = time.time() - days * 86400
    for v in commits_kept(uri):
        if v < version:
            os.utime(Path(uri) / "_delta_log" / f"{v:020d}.json", (then, then))


def truth(cfg: IngestConfig, source: str) -> SourceState:
    """The offsets the last run left in its local cache (written at close)."""
    cached = Checkpoint(cfg.state_dir, cfg.to, source).load()
    assert cached is not None
    return cached.state


def test_a_long_run_writes_a_checkpoint_every_interval(tmp_path: Path) -> None:
    src = tmp_path / "s"
    append(src / "a.log", block("a", 25 * BATCH // 100))
    cfg = config(tmp_path, src, batch_bytes=BATCH)
    report = sync(cfg)
    assert report.commits >= 2 * CHECKPOINT_INTERVAL
    table = DeltaTable(cfg.to)
    assert table.metadata().configuration[CHECKPOINT_KEY] == str(CHECKPOINT_INTERVAL)
    assert len(checkpoints(cfg.to)) == table.version() // CHECKPOINT_INTERVAL
    assert lines(cfg.to) == expected("a.log", (src / "a.log").read_bytes())


def test_a_table_made_elsewhere_gets_the_interval_and_one_it_has_is_kept(tmp_path: Path) -> None:
    src = tmp_path / "s"
    append(src / "a.log", b"x\n")
    cfg = config(tmp_path, src)
    sync(cfg)
    DeltaTable(cfg.to).alter.set_table_properties({CHECKPOINT_KEY: "3"})
    append(src / "a.log", b"y\n")
    sync(cfg)
    assert DeltaTable(cfg.to).metadata().configuration[CHECKPOINT_KEY] == "3"
    other = tmp_path / "other"
    DeltaTable.create(str(other), DeltaTable(cfg.to).schema(), partition_by=["source", "date"])
    sync(config(tmp_path / "o", src, to=str(other)))
    assert DeltaTable(str(other)).metadata().configuration[CHECKPOINT_KEY] == "10"


def test_compaction_ends_with_a_checkpoint(tmp_path: Path) -> None:
    src = tmp_path / "s"
    cfg = config(tmp_path, src)
    for i in range(3):
        append(src / "a.log", f"line {i}\n")
        sync(cfg)
    assert checkpoints(cfg.to) == []
    report = compact(cfg.to, vacuum=False)
    assert report.removed == 3
    assert checkpoints(cfg.to) == [DeltaTable(cfg.to).version()]
    assert compact(cfg.to, vacuum=False).removed == 0  # nothing to merge: no new checkpoint
    assert checkpoints(cfg.to) == [DeltaTable(cfg.to).version()]


def long_history(tmp_path: Path, **flags: int) -> tuple[IngestConfig, Path]:
    """One run of 22 commits (a full payload first, then deltas) past two checkpoints."""
    src = tmp_path / "s"
    append(src / "a.log", block("a", 22 * BATCH // 100))
    append(src / "b.log", block("b", 3))
    cfg = config(tmp_path, src, batch_bytes=BATCH, **flags)
    sync(cfg)
    assert len(checkpoints(cfg.to)) == 2
    return cfg, src


def clean_up_to_last_checkpoint(cfg: IngestConfig) -> int:
    """Expire and delete the JSON commits before the last checkpoint; the first kept."""
    expire_log_before(cfg.to, checkpoints(cfg.to)[-1])
    DeltaTable(cfg.to).cleanup_metadata()
    kept = commits_kept(cfg.to)
    assert kept[0] in checkpoints(cfg.to)
    assert kept[0] > 1  # the run's first (full) payload is gone
    return kept[0]


def continues_exactly(cfg: IngestConfig, src: Path) -> None:
    """A sync after the recovery takes what is new, nothing twice."""
    append(src / "a.log", block("a3", 2))
    append(src / "b.log", block("b3", 1))
    assert sync(cfg).rows == 3
    assert lines(cfg.to) == sorted(
        expected("a.log", (src / "a.log").read_bytes())
        + expected("b.log", (src / "b.log").read_bytes())
    )


def test_recovery_through_a_checkpoint_and_a_cleaned_up_log_is_exact(tmp_path: Path) -> None:
    """A full payload (every 7th commit here) follows the last checkpoint: the retained
    log replays to exactly the offsets the run had, its earlier commits being gone."""
    cfg, src = long_history(tmp_path, snapshot_every=7)
    want = truth(cfg, "s")
    first = clean_up_to_last_checkpoint(cfg)
    Checkpoint(cfg.state_dir, cfg.to, "s").path.unlink()
    state, _, how = recover(DeltaSink(cfg.to), "s")
    assert how == "log"
    assert state == want
    assert DeltaTable(cfg.to).transaction_version("logpipe/s") == want.version > first
    continues_exactly(cfg, src)


def test_a_log_cleaned_up_past_every_full_payload_recovers_from_rows(tmp_path: Path) -> None:
    """Only deltas are left after the checkpoint: no full payload to start from."""
    cfg, src = long_history(tmp_path)
    want = truth(cfg, "s")
    clean_up_to_last_checkpoint(cfg)
    Checkpoint(cfg.state_dir, cfg.to, "s").path.unlink()
    state, _, how = recover(DeltaSink(cfg.to), "s")
    assert how == "rows"
    assert state.version == want.version
    assert {k: (r.offset, r.lineno, r.head_len, r.head) for k, r in state.records.items()} == {
        k: (r.offset, r.lineno, r.head_len, r.head) for k, r in want.records.items()
    }
    continues_exactly(cfg, src)


def test_readers_see_the_same_snapshot_through_a_checkpoint(tmp_path: Path) -> None:
    cfg, _ = long_history(tmp_path)
    version = DeltaTable(cfg.to).version()
    files = sorted(DeltaTable(cfg.to).file_uris())
    with query.connect(cfg.to) as con:
        before = con.execute('SELECT path, "offset", line FROM logs ORDER BY 1, 2').fetchall()
    clean_up_to_last_checkpoint(cfg)
    table = DeltaTable(cfg.to)
    assert table.version() == version
    assert sorted(table.file_uris()) == files
    assert sorted(DeltaTable(cfg.to, version=version).file_uris()) == files
    with query.connect(cfg.to) as con:
        after = con.execute('SELECT path, "offset", line FROM logs ORDER BY 1, 2').fetchall()
    assert after == before
    assert len(after) == len(lines(cfg.to))
