"""The vectorized ``nccl_column`` equals the per-line reference ``parse_nccl``."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from logpipe.parsers._nccl_arrow import trees_column
from logpipe.parsers._nccl_classify import _groups
from logpipe.parsers._nccl_families import FAMILIES as _FAMILIES
from logpipe.parsers._nccl_regex import capture_names, re2
from logpipe.parsers._nccl_values import parse_trees
from logpipe.parsers.nccl import NCCL_RECORD, nccl_column, parse_nccl
from tests import shared
from tests.strategies import nccl_line

GOLDEN = shared.glob("nccl/real", "*.log") + shared.glob("nccl/nccl-tests", "*.txt")


def _normal(records: list[dict[str, Any]] | None) -> list[dict[str, Any]] | None:
    """Maps come back from Arrow as (key, value) lists; compare them as dicts."""
    if not records:
        return None
    return [{**r, "attrs": None if r["attrs"] is None else dict(r["attrs"])} for r in records]


def assert_same(lines: list[str]) -> None:
    """The vectorized path (forced: ``python_below=0``) gives the reference's records."""
    column = nccl_column(pa.array(lines, pa.string()), python_below=0)
    assert column.type == pa.list_(NCCL_RECORD)
    assert len(column) == len(lines)
    for line, got in zip(lines, column.to_pylist(), strict=True):
        assert _normal(got) == _normal(parse_nccl(line)), line


@pytest.mark.parametrize("path", shared.params_or_missing(GOLDEN, [p.name for p in GOLDEN], "nccl"))
def test_golden_files_agree(path: Any) -> None:
    text = shared.require(f"nccl/{path.parent.name}/{path.name}").read_text(errors="replace")
    assert_same(text.split("\n"))


@settings(max_examples=400, deadline=None)
@given(st.lists(nccl_line, max_size=30))
def test_generated_lines_agree(lines: list[str]) -> None:
    assert_same(lines)


def test_empty_and_recordless_arrays() -> None:
    for below in (0, 512):
        assert nccl_column(pa.array([], pa.string()), python_below=below).to_pylist() == []
        plain = pa.array(["plain", "", "level=info msg=x"])
        assert nccl_column(plain, python_below=below).to_pylist() == [None] * 3


def test_null_lines_stay_null() -> None:
    line = "h:1:2 [0] NCCL INFO Connected all rings"
    got = nccl_column(pa.array([None, line, None], pa.string()), python_below=0).to_pylist()
    assert (got[0], got[2]) == (None, None)
    assert [r["family"] for r in got[1] or []] == ["connected"]


def test_large_string_and_sliced_input() -> None:
    record = (
        "h:1:2 [3] NCCL INFO AllReduce: opCount 1f sendbuff 0x1 recvbuff 0x2 "
        "count 8 datatype 7 op 0 root 0 comm 0x3 [nranks=2] stream 0x4"
    )
    large = pa.array(["x", record, "y"], pa.large_string()).slice(1)
    got = nccl_column(large, python_below=0).to_pylist()
    assert len(got) == 2
    assert [r["op_count"] for r in got[0] or []] == [0x1F]
    assert got[1] is None


def test_repeated_messages_are_parsed_once_but_land_on_every_line() -> None:
    lines = [
        f"n{i % 3}:1:{i} [0] NCCL INFO Channel 00 : 0[0] -> 1[1] via P2P/IPC" for i in range(50)
    ]
    got = nccl_column(pa.array(lines), python_below=0).to_pylist()
    assert [r[0]["tid"] for r in got] == list(range(50))
    assert {r[0]["host"] for r in got} == {"n0", "n1", "n2"}


_tree_spec = st.one_of(
    st.builds("{}/{}/{}->{}->{}".format, *[st.integers(-1, 200)] * 5),
    st.builds("{}->{}->{}/{}/{}".format, *[st.integers(-1, 200)] * 5),
    st.sampled_from(["1/-1/-1->0->", "x", "1->2", "-1/-1/-1->1->0|", "|"]),
)
_tree_entry = st.builds(
    " [{}] {}".format,
    st.integers(0, 40),
    st.one_of(_tree_spec, st.builds("{}|{}".format, _tree_spec, _tree_spec)),
)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.one_of(st.none(), st.lists(_tree_entry, max_size=6).map("".join)), max_size=8))
def test_trees_reader_equals_the_reference(texts: list[str | None]) -> None:
    got = trees_column(pa.array(texts, pa.string())).to_pylist()
    assert got == [parse_trees(t) if t else None for t in texts]


_token = st.text(st.characters(codec="utf-8", exclude_characters=" \t\n\r\x0b\x0c"), min_size=1)


@settings(max_examples=300, deadline=None)
@given(
    st.lists(
        st.builds(
            "{}: opCount {} sendbuff {} recvbuff {} count {} datatype {} op {} root {} comm {} "
            "[nranks={}] stream {}".format,
            st.from_regex(r"\A[A-Za-z0-9_]+\Z"),
            st.from_regex(r"\A[0-9a-fA-F]{1,15}\Z"),
            _token,
            _token,
            st.integers(0, 10**18 - 1),
            st.integers(0, 10**9 - 1),
            st.integers(0, 10**9 - 1),
            st.integers(-(10**9) + 1, 10**9 - 1),
            _token,
            st.integers(0, 10**9 - 1),
            _token,
        ),
        min_size=1,
        max_size=10,
    )
)
def test_coll_call_splitter_equals_the_regex(messages: list[str]) -> None:
    family = next(f for f in _FAMILIES if f.name == "coll_call")
    texts = pa.array(messages, pa.string())
    matched, groups = _groups(family, texts)
    assert matched.all()
    found = pc.extract_regex(texts, f"^(?:{re2(family.pattern)})")
    for name in capture_names(family.pattern):
        assert groups[name].to_pylist() == found.field(name).to_pylist(), name


def test_small_batches_take_the_reference_loop_with_the_same_result() -> None:
    lines = [
        f"h:1:{i} [0] NCCL INFO Channel 0{i % 8} : 0[0] -> 1[1] via P2P/IPC" for i in range(20)
    ]
    lines += ["a:1:1 [0] NCCL INFO comm 0x1 rank 1 nranks a:1:2 [0] NCCL INFO Connected all rings"]
    small = nccl_column(pa.array(lines)).to_pylist()  # 21 candidates: below the threshold
    assert small == nccl_column(pa.array(lines), python_below=0).to_pylist()
    assert [len(r or []) for r in small] == [1] * 20 + [2]


def test_column_round_trips_through_parquet_and_duckdb(tmp_path: Path) -> None:
    """What issue 5's views will do: store the column, unnest the records in SQL."""
    log = shared.require("nccl/real/keitaw-p5-eks-efa-v2.22.3-full.log")
    lines = log.read_text(errors="replace").split("\n")
    table = pa.table({"line": pa.array(lines), "nccl": nccl_column(pa.array(lines))})
    pq.write_table(table, tmp_path / "nccl.parquet")
    back = pq.read_table(tmp_path / "nccl.parquet")
    assert back.equals(table)
    rows = (
        duckdb.connect()
        .execute(
            "SELECT r.transport, count(*) FROM (SELECT unnest(nccl) AS r FROM read_parquet(?)) "
            "WHERE r.family IN ('edge', 'collnet') GROUP BY 1 ORDER BY 1",
            [str(tmp_path / "nccl.parquet")],
        )
        .fetchall()
    )
    expected = json.loads(log.with_suffix(".expected.json").read_text())["transports_count"]
    assert dict(rows) == expected
