"""A commit's files written run by run: few files, a row group per run, every row once."""

from __future__ import annotations

import datetime as dt
import errno
import io
import json
import os
import sys
import threading
from collections import Counter
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.fs as pafs
import pyarrow.parquet as pq
import pytest
from deltalake import DeltaTable

from logpipe.errors import DatasetError
from logpipe.ingest import _files, _job, _layout
from logpipe.ingest.batch import Part, build_table, chunks
from logpipe.ingest.lines import lines_of
from logpipe.ingest.sink import DeltaSink
from logpipe.ingest.sync import sync
from logpipe.ingest.tail import Pending
from tests.ingest.helpers import append, config, expected, lines, table_rows
from tests.ingest.test_sink import FullDisk

NOW = dt.datetime(2024, 5, 1, tzinfo=dt.UTC)
LOGRUS = b'time="2024-05-01T00:00:%02dZ" level=info msg="step %d" rank=%d\n'
RING = b"gpu-node-00:4049:4149 [1] NCCL INFO Ring %02d : %d -> 53 [send] via NET/IB/1/GDRDMA\n"
INIT = b"gpu-node-00:4049:4149 [1] NCCL INFO comm 0x7f02 rank %d nranks 64 cudaDev 2 busId 2a000 - Init COMPLETE\n"  # noqa: E501


def interleaved(n: int, *, init: bool = True) -> bytes:
    extra = (lambda i: INIT % i) if init else (lambda i: b"")
    return b"".join(
        LOGRUS % (i % 60, i, i % 8) + RING % (i % 16, i % 64) + extra(i) for i in range(n)
    )


def run(text: bytes, start: int = 0) -> pa.Table:
    return build_table(
        [Part("s", "a.log", 0, [Pending(lines_of(text, start, 1 << 20), 1)])], now=NOW
    )


def commit(uri: Path, files: _files.FileSet) -> None:
    DeltaSink(uri).commit(files, {"logpipe/s": 1}, {})


def test_runs_append_row_groups_to_few_files_read_back_whole(tmp_path: Path) -> None:
    sink = DeltaSink(tmp_path / "ds")
    files, texts, start = sink.files(), [], 0
    for _ in range(3):
        texts.append(interleaved(_layout.SPLIT_ROWS))
        files.add(run(texts[-1], start))
        start += len(texts[-1])
    commit(tmp_path / "ds", files)
    uris = DeltaTable(str(tmp_path / "ds")).file_uris()
    assert len(uris) == 2  # rows with NCCL records, and the rest
    assert sorted(pq.ParquetFile(u).num_row_groups for u in uris) == [3, 3]
    got = [(r["offset"], r["line"]) for r in table_rows(tmp_path / "ds")]
    assert got == [(o, line) for _, _, o, line in expected("a.log", b"".join(texts))]


def test_delta_stats_cover_every_row_group(tmp_path: Path) -> None:
    files = DeltaSink(tmp_path / "ds").files()
    files.add(run(interleaved(10, init=False)))
    files.add(run(interleaved(10, init=False), 1000))
    actions = files.close()
    stats = [json.loads(a.stats) for a in actions]
    assert sum(s["numRecords"] for s in stats) == 40
    assert min(s["minValues"]["offset"] for s in stats) == 0
    assert max(s["maxValues"]["offset"] for s in stats) > 1000
    files.discard()


def test_a_run_with_values_its_file_left_out_opens_another_file(tmp_path: Path) -> None:
    files = DeltaSink(tmp_path / "ds").files()
    files.add(run(b"plain one\nplain two\n"))  # no time, level, msg fields...
    files.add(run(LOGRUS % (1, 1, 1), 100))  # ...which these rows hold
    files.add(run(b"plain three\n", 200))  # fits the second file: nulls there
    commit(tmp_path / "ds", files)
    assert len(DeltaTable(str(tmp_path / "ds")).file_uris()) == 2
    rows = table_rows(tmp_path / "ds", '"offset", line, level')
    assert [(r["offset"], r["level"]) for r in rows] == [
        (0, None),
        (10, None),
        (100, "info"),
        (200, None),
    ]


def test_records_without_some_fields_fit_the_file_that_has_them(tmp_path: Path) -> None:
    files = DeltaSink(tmp_path / "ds").files()
    files.add(run(INIT % 3 + RING % (1, 2)))
    files.add(run(RING % (2, 3), 1000))  # its records have no nranks: null there
    commit(tmp_path / "ds", files)
    assert len(DeltaTable(str(tmp_path / "ds")).file_uris()) == 1
    records = [r["nccl"][0] for r in table_rows(tmp_path / "ds", '"offset", nccl')]
    assert [(r["nranks"], r["peer"]) for r in records] == [(64, None), (None, 53), (None, 53)]


def test_conform_refuses_what_the_schema_left_out() -> None:
    wide = _layout.prune(run(interleaved(3)).drop_columns(["source", "date"]))
    narrow = _layout.prune(run(RING % (1, 2)).drop_columns(["source", "date"]))
    fitted = _files.conform(narrow, wide.schema)
    assert fitted is not None
    assert fitted.schema == wide.schema
    assert fitted.to_pylist()[0]["fields"] is None
    assert fitted.to_pylist()[0]["nccl"][0]["nranks"] is None
    assert _files.conform(wide, narrow.schema) is None


def test_chunks_cut_blocks_without_losing_or_repeating_a_line() -> None:
    a = lines_of(b"".join(b"a%03d\n" % i for i in range(100)), 0, 64)  # 5 bytes a line
    b = lines_of(b"b0\nb1\n", 0, 64)
    parts = [Part("s", "a.log", 0, [Pending(a, 1)]), Part("s", "b.log", 3, [Pending(b, 1)])]
    runs = list(chunks(parts, 64))
    assert all(
        sum(int(p.pending[0].block.nbytes.to_numpy().sum()) for p in r) >= 64 for r in runs[:-1]
    )
    table = pa.concat_tables(build_table(r, now=NOW) for r in runs)
    whole = build_table(parts, now=NOW)
    for column in ("path", "generation", "offset", "lineno", "line"):
        assert table[column].to_pylist() == whole[column].to_pylist(), column
    assert len(runs) == 8  # 7 of 13 lines (65 bytes), then the rest of a.log with b.log


def test_a_block_read_whole_is_a_run_of_its_own() -> None:
    first = lines_of(b"".join(b"a%03d\n" % i for i in range(20)), 0, 64)  # 100 bytes
    second = lines_of(b"".join(b"b%03d\n" % i for i in range(21)), 100, 64)  # 105 bytes
    runs = list(chunks([Part("s", "a.log", 0, [Pending(first, 1), Pending(second, 21)])], 104))
    assert [[len(p.pending[0].block) for p in r] for r in runs] == [[20], [21]]


class FullAfterOne(FullDisk):
    """The local filesystem, but data files after the first hit ENOSPC."""

    def open_output_stream(self, path: str, metadata: Any) -> Any:
        if self.written:
            return super().open_output_stream(path, metadata)
        self.written.append(path)
        return self.fs.open_output_stream(path)


class _Filling(io.FileIO):
    """A file on a disk that fills up after a few bytes."""

    def __init__(self, path: str, room: int) -> None:
        super().__init__(path, "wb")
        self.room = room

    def write(self, data: Any) -> int:
        self.room -= len(data)
        if self.room < 0:
            raise OSError(errno.ENOSPC, "No space left on device")
        return super().write(data)


class FillsUp(FullDisk):
    """Data files open, then their writing hits ENOSPC (on the writer threads)."""

    def open_output_stream(self, path: str, metadata: Any) -> Any:
        self.written.append(path)
        return pa.PythonFile(_Filling(path, 100), mode="w")


class _Watched(io.FileIO):
    """A file that counts the bytes written at each nice value."""

    def __init__(self, path: str, seen: Counter[int]) -> None:
        super().__init__(path, "wb")
        self.seen = seen

    def write(self, data: Any) -> int:
        self.seen[os.getpriority(os.PRIO_PROCESS, threading.get_native_id())] += len(data)
        return super().write(data)


class Watched(FullDisk):
    """The local filesystem; data files note who writes them."""

    def __init__(self) -> None:
        super().__init__()
        self.seen: Counter[int] = Counter()

    def open_output_stream(self, path: str, metadata: Any) -> Any:
        self.written.append(path)
        return pa.PythonFile(_Watched(path, self.seen), mode="w")


@pytest.mark.skipif(sys.platform != "linux", reason="nice values per thread are Linux's")
def test_parquet_is_written_below_the_parsers_priority(tmp_path: Path) -> None:
    handler = Watched()
    files = DeltaSink(tmp_path / "ds", filesystem=pafs.PyFileSystem(handler)).files()
    mine = os.getpriority(os.PRIO_PROCESS, threading.get_native_id())
    files.add(run(interleaved(_layout.SPLIT_ROWS)))
    files.close()
    lower = min(19, mine + _files.WRITER_NICE)
    assert lower > mine or mine == 19
    # The row groups by the writers; the footers by the thread closing the files.
    assert handler.seen[lower] > 4 * handler.seen[mine] > 0
    assert os.getpriority(os.PRIO_PROCESS, threading.get_native_id()) == mine


def test_a_write_failing_behind_the_caller_is_raised_by_the_next_step(tmp_path: Path) -> None:
    handler = FillsUp()
    files = DeltaSink(tmp_path / "ds", filesystem=pafs.PyFileSystem(handler)).files()
    files.add(run(interleaved(_layout.SPLIT_ROWS)))  # returns while its files are written
    with pytest.raises(OSError, match="No space"):
        files.add(run(interleaved(10), 10**6))
    files.add(run(interleaved(10), 2 * 10**6))
    with pytest.raises(OSError, match="No space"):
        files.close()
    assert all(Path(p).exists() for p in handler.written)
    files.discard()
    assert handler.written
    assert not list((tmp_path / "ds").rglob("*.parquet"))


def test_a_job_that_cannot_write_takes_every_run_then_fails_leaving_nothing(
    tmp_path: Path,
) -> None:
    DeltaSink(tmp_path / "ds").commit(run(b"first\n"), {"logpipe/s": 1}, {})
    sink = DeltaSink(tmp_path / "ds", filesystem=pafs.PyFileSystem(FullAfterOne()))
    job = _job.Job(sink, NOW)
    failed: list[BaseException] = []

    def writer() -> None:
        try:
            job.run()
        except DatasetError as exc:
            failed.append(exc)

    thread = threading.Thread(target=writer)
    thread.start()
    for i in range(4):  # each handed over although the second write failed
        job.put(run(RING % (1, 2) if i % 2 else LOGRUS % (1, 1, 1), 100 * (i + 1)))
    job.finish({"logpipe/s": 2}, {})
    thread.join()
    assert failed
    assert "disk full" in str(failed[0])
    assert len(list((tmp_path / "ds").rglob("*.parquet"))) == 1  # the first commit's
    assert [r[3] for r in lines(tmp_path / "ds")] == ["first"]


def test_an_abandoned_job_deletes_its_files(tmp_path: Path) -> None:
    job = _job.Job(DeltaSink(tmp_path / "ds"), NOW)
    thread = threading.Thread(target=job.run)
    thread.start()
    job.put(run(interleaved(5)))
    job.abandon()
    thread.join()
    assert not list((tmp_path / "ds").rglob("*.parquet"))


def test_sync_parses_a_commit_in_runs_and_lands_it_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(_job, "PARSE_BYTES", 4096)
    src = tmp_path / "logs"
    text = interleaved(400)
    append(src / "a.log", text)
    append(src / "b.log", b"plain\n" * 1000)
    cfg = config(tmp_path, src)
    report = sync(cfg)
    assert report.commits == 1
    assert lines(cfg.to) == expected("a.log", text) + expected("b.log", b"plain\n" * 1000)
    uris = DeltaTable(str(cfg.to)).file_uris()
    assert len(uris) <= 3  # not a file per run
    assert sum(pq.ParquetFile(u).num_row_groups for u in uris) > 10
    assert sync(cfg).rows == 0  # the offsets committed are those of the last run fed
    append(src / "a.log", b"more\n")
    assert sync(cfg).rows == 1
    assert lines(cfg.to)[-1001] == ("a.log", 0, len(text), "more")
