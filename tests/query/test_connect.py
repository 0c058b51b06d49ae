"""``connect``: one pinned snapshot, the NCCL cache beside the table, clear errors."""

from __future__ import annotations

import datetime as dt
import os
import shutil
from pathlib import Path

import duckdb
import pytest

from logpipe import query
from logpipe.errors import DatasetError
from logpipe.ingest.compact import compact
from logpipe.query import _cache
from tests.query.helpers import append, count, land

RANK0 = "n1:11:11 [0] NCCL INFO "
EDGE = RANK0 + "Channel 00/0 : 0[0] -> 1[1] [send] via NET/IB/0/GDRDMA\n"
INIT = RANK0 + "comm 0x1 rank 0 nranks 2 cudaDev 0 busId 1a000 commId 0xabc - Init COMPLETE\n"


def cache_files(dataset: Path) -> dict[str, float]:
    folder = dataset / "_logpipe" / f"nccl-v{_cache.FORMAT}"
    return {str(p.relative_to(folder)): p.stat().st_mtime_ns for p in folder.rglob("*.*")}


def test_an_open_connection_keeps_its_snapshot(tmp_path: Path) -> None:
    src = tmp_path / "n1"
    append(src / "nccl.log", EDGE + INIT)
    dataset = land(tmp_path, src)
    first = query.connect(dataset)
    append(src / "nccl.log", EDGE.replace("00/0", "01/0") + "plain line\n")
    land(tmp_path, src)
    later = query.connect(dataset)
    pinned = query.connect(dataset, snapshot=query.snapshot_version(first))
    for con, lines, edges in ((first, 2, 1), (pinned, 2, 1), (later, 4, 2)):
        assert count(con, "SELECT count(*) FROM logs") == lines
        assert count(con, "SELECT count(*) FROM nccl_edges") == edges
        assert count(con, "SELECT count(*) FROM nccl_lines") == edges + 1
    assert query.snapshot_version(later) == query.snapshot_version(first) + 1
    for con in (first, later, pinned):
        con.close()


def test_compaction_is_invisible_to_readers(tmp_path: Path) -> None:
    src = tmp_path / "n1"
    for n in range(3):  # three commits, three small files
        append(src / "nccl.log", EDGE.replace("00/0", f"0{n}/0"))
        dataset = land(tmp_path, src)
    before = query.connect(dataset)
    expected = before.execute("SELECT * FROM nccl_edges ORDER BY lineno").fetchall()
    report = compact(dataset, vacuum=False)
    assert report.removed == 3
    assert before.execute("SELECT * FROM nccl_edges ORDER BY lineno").fetchall() == expected
    after = query.connect(dataset)
    assert query.snapshot_version(after) > query.snapshot_version(before)
    assert after.execute("SELECT * FROM nccl_edges ORDER BY lineno").fetchall() == expected
    lines = "SELECT source, date, path, lineno, line FROM logs ORDER BY lineno"
    assert after.execute(lines).fetchall() == before.execute(lines).fetchall()
    before.close()
    after.close()


def test_a_new_commit_costs_only_its_files(tmp_path: Path) -> None:
    src = tmp_path / "n1"
    append(src / "a.log", EDGE)
    dataset = land(tmp_path, src)
    query.connect(dataset).close()
    built = cache_files(dataset)
    assert len([k for k in built if k.startswith("segments/")]) == 1
    append(src / "a.log", EDGE)
    land(tmp_path, src)
    query.connect(dataset).close()
    now = cache_files(dataset)
    kept = {k: v for k, v in built.items() if k.startswith("segments/")}
    assert kept.items() <= now.items()  # the old segment was not rewritten
    assert len([k for k in now if k.startswith("segments/")]) == 2
    assert {k.split("/")[1] for k in now if k.startswith("index/")} == {"00000000000000000002"}


def test_an_index_for_other_files_is_never_used(tmp_path: Path) -> None:
    """A stale or foreign index under the right name is rebuilt, not trusted."""
    src = tmp_path / "n1"
    append(src / "a.log", EDGE)
    dataset = land(tmp_path, src)
    query.connect(dataset).close()
    index = dataset / "_logpipe" / f"nccl-v{_cache.FORMAT}" / "index"
    shutil.copytree(index / "00000000000000000001", tmp_path / "saved")
    append(src / "a.log", EDGE.replace("00/0", "01/0"))
    land(tmp_path, src)
    shutil.copytree(tmp_path / "saved", index / "00000000000000000002")  # files of 1
    with query.connect(dataset) as con:
        assert count(con, "SELECT count(*) FROM nccl_edges") == 2


def test_cache_goes_to_the_user_folder_when_the_dataset_is_not_writable(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    blocked = tmp_path / "ds"
    blocked.mkdir()
    (blocked / "_logpipe").write_text("a file where the cache folder would go")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "home-cache"))
    root = _cache.cache_root(blocked)
    assert root.is_relative_to(tmp_path / "home-cache" / "logpipe")


def test_logs_view_has_every_column_and_the_partitions(tmp_path: Path) -> None:
    src = tmp_path / "my host%1"  # the partition folder name is URL-encoded on disk
    append(src / "x.log", "hello\n" + INIT)
    dataset = land(tmp_path, src)
    with query.connect(dataset) as con:
        names = [d[0] for d in con.execute("SELECT * FROM logs").description or ()]
        assert names[:3] == ["source", "date", "path"]
        assert {"line", "offset", "lineno", "nccl", "ingested_at", "generation"} <= set(names)
        # null in every row, so in no file (ingest leaves such columns out): still a column
        assert count(con, "SELECT count(*) FROM logs WHERE line_raw IS NULL") == 2
        got = con.execute("SELECT DISTINCT source, date FROM logs").fetchall()
        assert got == [("my host%1", dt.datetime.now(dt.UTC).date())]
        assert con.execute("SELECT source FROM nccl_comms").fetchall() == [("my host%1",)]


def test_a_dataset_without_nccl_lines_has_empty_views(tmp_path: Path) -> None:
    src = tmp_path / "svc"
    append(src / "svc.log", 'time="2024-01-01T00:00:00Z" level=info msg=hi\n')
    dataset = land(tmp_path, src)
    with query.connect(dataset) as con:
        for view in query.VIEWS[1:]:
            assert count(con, f"SELECT count(*) FROM {view}") == 0, view
        assert count(con, "SELECT count(*) FROM logs") == 1


def test_an_empty_table(tmp_path: Path) -> None:
    src = tmp_path / "svc"
    append(src / "svc.log", "one\n")
    dataset = land(tmp_path, src)
    with query.connect(dataset, snapshot=0) as con:  # version 0: created, no files yet
        assert count(con, "SELECT count(*) FROM logs") == 0
        assert "line" in [d[0] for d in con.execute("SELECT * FROM logs").description or ()]
        assert count(con, "SELECT count(*) FROM nccl_runs") == 0


def test_errors_name_what_is_wrong(tmp_path: Path) -> None:
    with pytest.raises(DatasetError, match="no logpipe dataset"):
        query.connect(tmp_path)
    src = tmp_path / "svc"
    append(src / "svc.log", "one\n")
    dataset = land(tmp_path, src)
    with pytest.raises(DatasetError, match=r"no snapshot 5 .*versions are 0 to 1"):
        query.connect(dataset, snapshot=5)
    with pytest.raises(DatasetError, match="the table was created at"):
        query.connect(dataset, snapshot=dt.datetime(2001, 1, 1, tzinfo=dt.UTC))
    assert isinstance(DatasetError("x"), OSError)


def test_a_vanished_data_file_is_a_dataset_error(tmp_path: Path) -> None:
    src = tmp_path / "svc"
    append(src / "svc.log", EDGE)
    dataset = land(tmp_path, src)
    for part in dataset.rglob("part-*.parquet"):
        if "_logpipe" not in part.parts:
            part.unlink()
    shutil.rmtree(dataset / "_logpipe", ignore_errors=True)
    with pytest.raises(DatasetError, match="cannot read or cache"):
        query.connect(dataset)


def test_connections_are_independent(tmp_path: Path) -> None:
    src = tmp_path / "svc"
    append(src / "svc.log", EDGE)
    dataset = land(tmp_path, src)
    a, b = query.connect(dataset), query.connect(dataset)
    a.execute("CREATE TABLE mine AS SELECT 1")
    with pytest.raises(duckdb.CatalogException):
        b.execute("SELECT * FROM mine")
    a.close()
    b.close()
    assert os.listdir(dataset / "_logpipe")


def test_segments_of_vacuumed_files_are_dropped(tmp_path: Path) -> None:
    src = tmp_path / "n1"
    for n in range(2):
        append(src / "nccl.log", EDGE.replace("00/0", f"0{n}/0"))
        dataset = land(tmp_path, src)
    query.connect(dataset).close()
    segments = dataset / "_logpipe" / f"nccl-v{_cache.FORMAT}" / "segments"
    before = sorted(p.relative_to(segments) for p in segments.rglob("*.parquet"))
    compact(dataset, vacuum=False)
    for rel in before:  # what a vacuum does once the retention has passed
        (dataset / rel).unlink()
    with query.connect(dataset) as con:
        assert count(con, "SELECT count(*) FROM nccl_edges") == 2
    after = sorted(p.relative_to(segments) for p in segments.rglob("*.parquet"))
    assert len(after) == 1
    assert not set(after) & set(before)
