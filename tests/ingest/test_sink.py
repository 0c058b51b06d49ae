"""The Delta sink: one transaction per commit, writer versions, failures that leave nothing."""

from __future__ import annotations

import datetime as dt
import errno
import json
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.fs as pafs
import pyarrow.parquet as pq
import pytest
from deltalake import DeltaTable

from logpipe.errors import DatasetError
from logpipe.ingest.batch import Part, build_table
from logpipe.ingest.compact import compact
from logpipe.ingest.lines import lines_of
from logpipe.ingest.sink import META_KEY, DeltaSink, commit_files
from logpipe.ingest.snapshot import duckdb_connect, read_table
from logpipe.ingest.tail import Pending
from tests.ingest.helpers import table_rows

NOW = dt.datetime(2024, 5, 1, tzinfo=dt.UTC)


def batch(text: bytes, source: str = "s") -> pa.Table:
    return build_table([Part(source, "a.log", 0, [Pending(lines_of(text, 0, 64), 1)])], now=NOW)


def parquet_files(root: Path) -> list[Path]:
    return sorted(root.rglob("*.parquet"))


def test_commit_carries_data_writer_version_and_payload(tmp_path: Path) -> None:
    sink = DeltaSink(tmp_path / "ds")
    sink.commit(batch(b"x\n"), {"logpipe/s": 1}, {"hello": 1})
    sink.commit(batch(b"y\n"), {"logpipe/s": 2}, {"hello": 2})
    assert sink.versions(["logpipe/s", "logpipe/t"]) == {"logpipe/s": 2, "logpipe/t": 0}
    dt_ = DeltaTable(str(tmp_path / "ds"))
    assert json.loads(dt_.history(1)[0][META_KEY]) == {"hello": 2}
    assert dt_.metadata().partition_columns == ["source", "date"]
    assert sorted(r["line"] for r in table_rows(tmp_path / "ds")) == ["x", "y"]
    assert all(p.name.endswith(".zstd.parquet") for p in parquet_files(tmp_path / "ds"))


def test_a_version_out_of_order_is_refused(tmp_path: Path) -> None:
    sink = DeltaSink(tmp_path / "ds")
    sink.commit(batch(b"x\n"), {"logpipe/s": 1}, {})
    with pytest.raises(DatasetError, match="two logpipe processes are writing the same source"):
        sink.commit(batch(b"y\n"), {"logpipe/s": 1}, {})
    assert len(table_rows(tmp_path / "ds")) == 1


def test_failure_before_landing_leaves_no_file(tmp_path: Path) -> None:
    def crash(*args: Any) -> None:
        raise OSError(errno.EIO, "I/O error")

    DeltaSink(tmp_path / "ds").commit(batch(b"x\n"), {"logpipe/s": 1}, {})
    before = parquet_files(tmp_path / "ds")
    with pytest.raises(DatasetError, match=r"cannot commit to .*I/O error"):
        DeltaSink(tmp_path / "ds", commit=crash).commit(batch(b"y\n"), {"logpipe/s": 2}, {})
    assert parquet_files(tmp_path / "ds") == before


def test_failure_after_landing_counts_as_done(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    def land_then_fail(*args: Any) -> None:
        commit_files(*args)
        raise OSError(errno.ENOSPC, "No space left on device")

    DeltaSink(tmp_path / "ds", commit=land_then_fail).commit(batch(b"y\n"), {"logpipe/s": 1}, {})
    assert "landed" in caplog.text
    with pytest.raises(DatasetError, match="versions"):  # and a retry cannot repeat it
        DeltaSink(tmp_path / "ds").commit(batch(b"y\n"), {"logpipe/s": 1}, {})
    assert len(table_rows(tmp_path / "ds")) == 1


class FullDisk(pafs.FileSystemHandler):  # type: ignore[misc]
    """The local filesystem, but writing a data file hits ENOSPC after a few bytes."""

    def __init__(self) -> None:
        self.fs = pafs.LocalFileSystem()
        self.written: list[str] = []

    def open_output_stream(self, path: str, metadata: Any) -> Any:
        self.written.append(path)
        with self.fs.open_output_stream(path) as out:
            out.write(b"PAR1 half a file")
        raise OSError(errno.ENOSPC, "No space left on device")

    def get_type_name(self) -> str:
        return "full-disk"

    def normalize_path(self, path: str) -> str:
        return path

    def get_file_info(self, paths: Any) -> Any:
        return self.fs.get_file_info(paths)

    def get_file_info_selector(self, selector: Any) -> Any:
        return self.fs.get_file_info(selector)

    def create_dir(self, path: str, recursive: bool) -> None:
        self.fs.create_dir(path, recursive=recursive)

    def delete_file(self, path: str) -> None:
        self.fs.delete_file(path)

    def delete_dir(self, path: str) -> None:
        self.fs.delete_dir(path)

    def delete_dir_contents(self, path: str, missing_dir_ok: bool = False) -> None:
        self.fs.delete_dir_contents(path, missing_dir_ok=missing_dir_ok)

    def delete_root_dir_contents(self) -> None:
        raise NotImplementedError

    def move(self, src: str, dest: str) -> None:
        self.fs.move(src, dest)

    def copy_file(self, src: str, dest: str) -> None:
        self.fs.copy_file(src, dest)

    def open_input_stream(self, path: str) -> Any:
        return self.fs.open_input_stream(path)

    def open_input_file(self, path: str) -> Any:
        return self.fs.open_input_file(path)

    def open_append_stream(self, path: str, metadata: Any) -> Any:
        return self.fs.open_append_stream(path)


def test_disk_full_in_the_filesystem_layer_is_a_clear_error(tmp_path: Path) -> None:
    DeltaSink(tmp_path / "ds").commit(batch(b"x\n"), {"logpipe/s": 1}, {})
    before = parquet_files(tmp_path / "ds")
    handler = FullDisk()
    full = DeltaSink(tmp_path / "ds", filesystem=pafs.PyFileSystem(handler))
    with pytest.raises(DatasetError, match=r"disk full while committing to .*nothing was"):
        full.commit(batch(b"y\n"), {"logpipe/s": 2}, {})
    assert len(handler.written) == 1
    assert parquet_files(tmp_path / "ds") == before  # the half-written file is gone
    assert DeltaSink(tmp_path / "ds").versions(["logpipe/s"]) == {"logpipe/s": 1}
    DeltaSink(tmp_path / "ds").commit(batch(b"y\n"), {"logpipe/s": 2}, {})  # room again
    assert sorted(r["line"] for r in table_rows(tmp_path / "ds")) == ["x", "y"]


def test_new_parser_columns_are_added_to_the_table(tmp_path: Path) -> None:
    sink = DeltaSink(tmp_path / "ds")
    sink.commit(batch(b"x\n"), {"logpipe/s": 1}, {})
    wider = batch(b"y\n").append_column("thread", pa.array(["t1"]))
    sink.commit(wider, {"logpipe/s": 2}, {})
    want = [{"line": "x", "thread": None}, {"line": "y", "thread": "t1"}]
    rows = read_table(tmp_path / "ds", columns=["line", "thread"]).to_pylist()
    assert sorted(rows, key=lambda r: r["line"]) == want
    compact(tmp_path / "ds")  # files with and without the column merge into one
    assert len(DeltaTable(str(tmp_path / "ds")).file_uris()) == 1
    rows = read_table(tmp_path / "ds", columns=["line", "thread"]).to_pylist()
    assert sorted(rows, key=lambda r: r["line"]) == want


def test_columns_null_in_a_whole_file_are_left_out_of_it(tmp_path: Path) -> None:
    DeltaSink(tmp_path / "ds").commit(batch(b"x\n"), {"logpipe/s": 1}, {})
    (path,) = DeltaTable(str(tmp_path / "ds")).file_uris()
    names = pq.read_schema(path).names
    assert "nccl" not in names  # the placeholder parser fills no NCCL record
    assert "line" in names
    assert read_table(tmp_path / "ds", columns=["nccl"]).to_pylist() == [{"nccl": None}]


def test_source_names_any_character(tmp_path: Path) -> None:
    sink = DeltaSink(tmp_path / "ds")
    name = "node 7:a%b=é"
    sink.commit(batch(b"x\n", name), {f"logpipe/{name}": 1}, {})
    assert DeltaTable(str(tmp_path / "ds")).file_uris()[0].startswith(str(tmp_path / "ds"))
    con = duckdb_connect(tmp_path / "ds")
    assert con.sql("SELECT source, line FROM logs").fetchall() == [(name, "x")]
    assert read_table(tmp_path / "ds", source=name).num_rows == 1


def test_table_stays_readable_by_every_delta_reader(tmp_path: Path) -> None:
    """A timestamped NCCL WARN (2.26+) must not push the table to timestampNtz (3, 7)."""
    warn = (
        b"[2026-03-03 12:35:26] node7:196830:198223 [0] transport/net_ib.cc:2453 "
        b"NCCL WARN NET/IB: Got completion from peer 10.9.9.6<36473> with status=4 "
        b"opcode=0 len=0 vendor err 81 (Send)\n"
    )
    part = Part("s", "a.log", 0, [Pending(lines_of(warn, 0, 1 << 20), 1)])
    DeltaSink(tmp_path / "ds").commit(build_table([part], now=NOW), {"logpipe/s": 1}, {})
    protocol = DeltaTable(str(tmp_path / "ds")).protocol()
    assert (protocol.min_reader_version, protocol.min_writer_version) == (1, 2)
    (row,) = read_table(tmp_path / "ds", columns=["nccl"]).to_pylist()
    assert row["nccl"][0]["ts"] == dt.datetime(2026, 3, 3, 12, 35, 26, tzinfo=dt.UTC)
