"""Files of a commit: rows with NCCL records apart, null columns and struct fields left out."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
from deltalake import DeltaTable, QueryBuilder
from hypothesis import given, settings

from logpipe import parsers, query
from logpipe.ingest import _layout
from logpipe.ingest.batch import Part, build_table
from logpipe.ingest.compact import compact
from logpipe.ingest.lines import lines_of
from logpipe.ingest.sink import DeltaSink
from logpipe.ingest.snapshot import read_table
from logpipe.ingest.tail import Pending
from tests import strategies

NOW = dt.datetime(2024, 5, 1, tzinfo=dt.UTC)
LOGRUS = b'time="2024-05-01T00:00:%02dZ" level=info msg="step %d" rank=%d\n'
RING = b"gpu-node-00:4049:4149 [1] NCCL INFO Ring %02d : %d -> 53 [send] via NET/IB/1/GDRDMA\n"
INIT = b"gpu-node-00:4049:4149 [1] NCCL INFO comm 0x7f02 rank %d nranks 64 cudaDev 2 busId 2a000 - Init COMPLETE\n"  # noqa: E501


def batch(text: bytes, path: str = "a.log", *, in_order: bool = False) -> pa.Table:
    """The table ingest builds of ``text`` (``in_order``: rows in line order, as parsed by
    ``parse_batch``, not grouped by ``parse_nccl_first``)."""
    parse = (lambda lines: (parsers.parse_batch(lines), None)) if in_order else None
    part = Part("s", path, 0, [Pending(lines_of(text, 0, 1 << 20), 1)])
    return build_table([part], now=NOW, **({"parse": parse} if parse else {}))


def interleaved(n: int) -> bytes:
    return b"".join(LOGRUS % (i % 60, i, i % 8) + RING % (i % 16, i % 64) for i in range(n))


def commit(uri: Path, table: pa.Table, version: int = 1) -> None:
    DeltaSink(uri).commit(table, {"logpipe/s": version}, {})


def by_offset(table: pa.Table) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = table.sort_by(
        [("path", "ascending"), ("offset", "ascending")]
    ).to_pylist()
    return rows


def test_interleaved_records_are_written_apart_and_read_back_whole(tmp_path: Path) -> None:
    data = batch(interleaved(_layout.SPLIT_ROWS))
    commit(tmp_path / "ds", data)
    files = DeltaTable(str(tmp_path / "ds")).file_uris()
    schemas = sorted((pq.read_schema(f) for f in files), key=lambda s: "nccl" in s.names)
    assert len(files) == 2
    assert "nccl" not in schemas[0].names
    assert "fields" in schemas[0].names
    record = schemas[1].field("nccl").type.value_type
    assert {"host", "channel", "peer", "transport"} <= {f.name for f in record}
    assert "nranks" not in {f.name for f in record}  # null in every record of this file
    assert "fields" not in schemas[1].names  # no NCCL line has logrus fields
    want = by_offset(data.drop_columns(["source", "date"]))
    got = by_offset(read_table(tmp_path / "ds").drop_columns(["source", "date"]))
    assert got == want


def test_every_reader_sees_left_out_fields_as_null(tmp_path: Path) -> None:
    commit(tmp_path / "ds", batch(interleaved(_layout.SPLIT_ROWS)))
    commit(tmp_path / "ds", batch(INIT % 3, "b.log"), 2)
    table = DeltaTable(str(tmp_path / "ds"))
    sql = "SELECT path, \"offset\", nccl FROM t WHERE path = 'b.log'"
    (row,) = pa.table(QueryBuilder().register("t", table).execute(sql).read_all()).to_pylist()
    assert row["nccl"][0]["nranks"] == 64
    assert row["nccl"][0]["peer"] is None
    ring = next(r for r in by_offset(read_table(tmp_path / "ds")) if r["nccl"])["nccl"][0]
    assert ring["peer"] == 53
    assert ring["nranks"] is None
    with query.connect(tmp_path / "ds") as con:
        found = con.execute("SELECT count(*) FROM nccl_edges").fetchall()
        assert found == [(_layout.SPLIT_ROWS,)]
        peers = con.execute("SELECT nccl[1].peer FROM logs WHERE path = 'b.log'").fetchall()
        assert peers == [(None,)]


def test_compaction_merges_files_of_different_shapes(tmp_path: Path) -> None:
    commit(tmp_path / "ds", batch(interleaved(_layout.SPLIT_ROWS)))
    commit(tmp_path / "ds", batch(INIT % 3 + LOGRUS % (1, 1, 1), "b.log"), 2)
    before = by_offset(read_table(tmp_path / "ds"))
    compact(tmp_path / "ds", vacuum=False)
    assert len(DeltaTable(str(tmp_path / "ds")).file_uris()) == 1
    assert by_offset(read_table(tmp_path / "ds")) == before


def test_grouped_rows_without_records_are_written_as_they_lie() -> None:
    data = batch(interleaved(_layout.SPLIT_ROWS)).drop_columns(["source", "date"])
    # parse_nccl_first put the NCCL lines first: the rest is one slice, not a copy.
    assert data["format"].to_pylist() == ["nccl"] * 4096 + ["logrus_text"] * 4096
    with_records, rest = _layout.pieces(data)
    assert with_records.num_rows == rest.num_rows == _layout.SPLIT_ROWS
    assert "nccl" not in rest.column_names
    line = data["line"].chunk(0)
    assert rest["line"].chunk(0).buffers()[2].address == line.buffers()[2].address
    assert rest.equals(_layout.prune(data.slice(4096).drop_columns(["nccl"])))


def test_records_in_blocks_and_small_batches_stay_one_file() -> None:
    text = b"".join(RING % (i % 16, i) for i in range(5000)) + interleaved(10)
    blocks = batch(text, in_order=True)
    assert len(_layout.pieces(blocks.drop_columns(["source", "date"]))) == 1
    small = batch(interleaved(10)).drop_columns(["source", "date"])
    assert len(_layout.pieces(small)) == 1
    assert len(_layout.pieces(small, split_rows=1)) == 2


_TOY = pa.list_(pa.struct([("a", pa.int64()), ("b", pa.string())]))


def toy_column(rows: list[list[dict[str, Any]] | None], dirty: list[bool]) -> pa.ListArray:
    """``rows`` as a list column; a null row marked dirty spans a junk record."""
    values: list[dict[str, Any]] = []
    offsets = [0]
    for row, junk in zip(rows, dirty, strict=True):
        values += row if row is not None else [{"a": 99, "b": "junk"}] if junk else []
        offsets.append(len(values))
    mask = pa.array([row is None for row in rows])
    flat = pa.array(values, _TOY.value_type)
    return pa.ListArray.from_arrays(pa.array(offsets, pa.int32()), flat, _TOY, mask=mask)


@settings(max_examples=200, deadline=None)
@given(strategies.record_rows())
def test_pieces_hold_every_row_once_and_unchanged(
    case: tuple[list[list[dict[str, Any]] | None], list[bool]],
) -> None:
    rows, dirty = case
    table = pa.table({"n": pa.array(range(len(rows))), "r": toy_column(rows, dirty)})
    got: list[dict[str, Any]] = []
    for piece in _layout.pieces(table, split_rows=1):
        back = pa.table(piece.to_pydict(), schema=piece.schema)  # a fresh copy of what is written
        full = pa.Table.from_pylist(back.to_pylist(), schema=table.schema)
        got += full.to_pylist()
    want = [{"n": n, "r": row} for n, row in enumerate(rows)]
    assert sorted(got, key=lambda r: r["n"]) == want


def test_encodings_name_the_leaves_pyarrow_writes(tmp_path: Path) -> None:
    data = _layout.prune(batch(interleaved(50)).drop_columns(["source", "date"]))
    pq.write_table(data, tmp_path / "f.parquet", **_layout.encodings(data.schema))
    meta = pq.ParquetFile(tmp_path / "f.parquet").metadata.row_group(0)
    chunks = {meta.column(i).path_in_schema: meta.column(i) for i in range(meta.num_columns)}
    assert "RLE_DICTIONARY" in chunks["nccl.list.element.transport"].encodings
    assert "RLE_DICTIONARY" in chunks["fields.key_value.key"].encodings
    for free in ("line", "msg", "nccl.list.element.body", "fields.key_value.value"):
        assert "RLE_DICTIONARY" not in chunks[free].encodings, free
    for growing in ("offset", "lineno", "ts"):
        assert "DELTA_BINARY_PACKED" in chunks[growing].encodings, growing
    with_stats = {name for name, chunk in chunks.items() if chunk.is_stats_set}
    assert with_stats == _layout.STATS & set(chunks)


def test_a_plan_has_files_per_partition_and_every_row_once() -> None:
    text = interleaved(_layout.SPLIT_ROWS)
    parts = [Part(s, "a.log", 0, [Pending(lines_of(text, 0, 1 << 20), 1)]) for s in ("x", "y/z")]
    data = build_table(parts, now=NOW)
    plan = _layout.plan(data, ["source", "date"])
    assert plan.schema == data.schema
    assert plan.num_rows == data.num_rows
    for source in ("x", "y/z"):
        mine = [rows for rows, values in plan.files if values["source"] == source]
        assert {tuple(v) for _, v in plan.files} == {("source", "date")}  # folder order
        assert [v["date"] for _, v in plan.files] == ["2024-05-01"] * len(plan.files)
        assert len(mine) >= 2  # rows with NCCL records apart
        got = pa.concat_tables([prune_back(rows, data.schema) for rows in mine])
        want = data.filter(pc.equal(data["source"], source))
        assert by_offset(got) == by_offset(want.drop_columns(["source", "date"]))


def prune_back(rows: pa.Table, schema: pa.Schema) -> pa.Table:
    """A planned file's rows with the columns it left out, as a reader sees them."""
    full = pa.schema([f for f in schema if f.name not in ("source", "date")])
    return pa.Table.from_pylist(rows.to_pylist(), schema=full)
