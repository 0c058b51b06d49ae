"""One commit's table: provenance columns, line numbers, the parser's columns after them."""

from __future__ import annotations

import datetime as dt

import pyarrow as pa
import pytest

from logpipe.ingest.batch import PROVENANCE, Part, build_table
from logpipe.ingest.lines import lines_of
from logpipe.ingest.tail import Pending
from logpipe.parsers import SCHEMA

NOW = dt.datetime(2024, 5, 1, 23, 59, 59, tzinfo=dt.UTC)


def test_columns_and_line_numbers() -> None:
    a = Pending(lines_of(b"a1\na2\n", 100, 64), 7)
    b = Pending(lines_of(b"b1\n", 0, 64), 1)
    c = Pending(lines_of(b"a3\n", 106, 64), 9)
    table = build_table([Part("s", "a.log", 2, [a, c]), Part("s", "b.log", 0, [b])], now=NOW)
    assert table.schema.names == PROVENANCE.names + SCHEMA.names
    assert table["lineno"].to_pylist() == [7, 8, 9, 1]
    assert table["offset"].to_pylist() == [100, 103, 106, 0]
    assert table["path"].to_pylist() == ["a.log", "a.log", "a.log", "b.log"]
    assert table["generation"].to_pylist() == [2, 2, 2, 0]
    assert table["date"].to_pylist() == [dt.date(2024, 5, 1)] * 4
    assert set(table["ingested_at"].to_pylist()) == {NOW}
    assert table["msg"].to_pylist() == ["a1", "a2", "a3", "b1"]


def test_empty_and_strange_names() -> None:
    assert build_table([], now=NOW).num_rows == 0
    odd = Part("s", "bad\udcff.log", 0, [Pending(lines_of(b"x\n", 0, 8), 1)])
    assert build_table([odd], now=NOW)["path"].to_pylist() == ["bad\ufffd.log"]


def test_a_parser_breaking_the_contract_is_caught() -> None:
    part = Part("s", "a.log", 0, [Pending(lines_of(b"x\ny\n", 0, 8), 1)])

    def short(lines: pa.StringArray) -> tuple[pa.RecordBatch, None]:
        return pa.RecordBatch.from_pydict({"msg": lines[:1]}), None

    def clash(lines: pa.StringArray) -> tuple[pa.RecordBatch, None]:
        return pa.RecordBatch.from_pydict({"offset": pa.array([0] * len(lines))}), None

    with pytest.raises(ValueError, match="returned 1 rows for 2 lines"):
        build_table([part], now=NOW, parse=short)
    with pytest.raises(ValueError, match="collide"):
        build_table([part], now=NOW, parse=clash)
