"""The kernels on whole batches: spans stay in their line, any cut of a batch gives the same
rows, NCCL-first order gives the same rows, the NCCL prefilter and token split equal their
regexes, memos forget nothing."""

from __future__ import annotations

import threading
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from logpipe.parsers import _nccl_tables, _nccl_vector, nccl_tests, parse_batch, parse_nccl_first
from logpipe.parsers._klayout import (
    FALLBACK,
    K_EXTRA,
    K_NULL,
    P_KE,
    P_KK,
    P_KS,
    P_VE,
    P_VK,
    P_VS,
    P_WIDTH,
    R_FMT,
    R_P0,
    R_P1,
    R_ROWS,
    T_ROWS,
    TEXT_FIELDS,
)
from logpipe.parsers._knccl import prefilter
from logpipe.parsers._kscan import scan
from logpipe.parsers._nccl_tables import Memo
from logpipe.parsers._vbuf import buffers, empty
from logpipe.parsers.nccl import NCCL_RECORD, parse_nccl
from tests.strategies import log_lines, nccl_line, nccl_tests_line

_HEALTH = [HealthCheck.too_slow, HealthCheck.data_too_large]


def _scan(arr: pa.StringArray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    data, offsets = buffers(arr)
    n = len(arr)
    r, t = empty((R_ROWS, n), np.int32), empty((T_ROWS, n), np.int64)
    p, used = scan(data, offsets.astype(np.int64), r, t, empty((4, P_WIDTH), np.int32))
    return r, p[:used], offsets.astype(np.int64)


@settings(max_examples=200, deadline=None, suppress_health_check=_HEALTH)
@given(st.lists(log_lines(), max_size=20), st.integers(0, 5))
def test_every_span_lies_inside_its_own_line(lines: list[str], cut: int) -> None:
    # A slice: the array's offsets do not start at 0, and the pair table has to grow.
    arr = pa.array(["x" * 7] * cut + lines, pa.string()).slice(cut)
    r, p, offsets = _scan(arr)
    for i in range(len(lines)):
        start, end = offsets[i], offsets[i + 1]
        if r[R_FMT, i] == FALLBACK:
            continue
        spans = [(r[f, i], r[f + 1, i], r[f + 2, i]) for f in TEXT_FIELDS]
        pairs = p[r[R_P0, i] : r[R_P1, i]]
        spans += [(q[P_KS], q[P_KE], q[P_KK]) for q in pairs]
        spans += [(q[P_VS], q[P_VE], q[P_VK]) for q in pairs]
        for s, e, kind in spans:
            assert kind in (K_EXTRA, K_NULL) or start <= s <= e <= end, lines[i]


@settings(max_examples=100, deadline=None, suppress_health_check=_HEALTH)
@given(st.lists(log_lines(), min_size=1, max_size=12))
def test_any_cut_of_a_batch_gives_the_same_rows(lines: list[str]) -> None:
    whole = parse_batch(pa.array(lines, pa.string()))
    for cut in range(len(lines) + 1):
        arr = pa.array(lines, pa.string())
        parts = [parse_batch(arr.slice(0, cut)), parse_batch(arr.slice(cut))]
        assert pa.Table.from_batches(parts).combine_chunks().to_batches()[0].equals(whole)


@settings(max_examples=200, deadline=None, suppress_health_check=_HEALTH)
@given(
    st.lists(
        st.one_of(nccl_line, nccl_tests_line, log_lines(), st.none(), st.just("x NCCL INFO\r\n")),
        max_size=25,
    )
)
def test_nccl_first_is_parse_batch_reordered(lines: list[str | None]) -> None:
    # Enough candidates for the vectorized path (token spans moved with their lines).
    ring = "h:1:2 [0] NCCL INFO Channel 00/0 : 0[0] -> 1[1] via P2P/IPC"
    lines = [*lines, ring, "plain"] * (_nccl_vector.PYTHON_BELOW // 2 + 1)
    arr = pa.array(lines, pa.string())
    whole = parse_batch(arr)
    grouped, order = parse_nccl_first(arr)
    if order is None:
        assert grouped.equals(whole)
        return
    assert sorted(order) == list(range(len(lines)))
    assert grouped.equals(whole.take(pa.array(order)))
    has = np.asarray(grouped["nccl"].is_valid())
    first = np.flatnonzero(~_tokens([x or "" for x in lines])[1][order])
    assert not has[first].any()  # no record past the leading block
    assert list(order[first]) == sorted(order[first])  # each group keeps its order


def _tokens(lines: list[str]) -> tuple[pa.StringArray, np.ndarray, np.ndarray, np.ndarray]:
    arr = pa.array(lines, pa.string())
    data, offsets = buffers(arr)
    n = len(arr)
    records, tests, token = np.empty(n, bool), np.empty(n, bool), np.empty((n, 3), np.int64)
    prefilter(data, offsets.astype(np.int64), records, tests, token)
    return arr, records, tests, token


@settings(max_examples=300, deadline=None, suppress_health_check=_HEALTH)
@given(st.lists(st.one_of(nccl_line, nccl_tests_line, log_lines()), max_size=25))
def test_nccl_prefilters_equal_their_regexes(lines: list[str]) -> None:
    arr, records, tests, token = _tokens(lines)
    assert records.tolist() == _nccl_tables.maybe_records(arr).to_pylist()
    expected = pc.fill_null(pc.match_substring_regex(arr, nccl_tests._PREFILTER), False)
    assert tests.tolist() == expected.to_pylist()
    candidates = np.flatnonzero(records)
    by_regex = _nccl_vector._split(arr.take(pa.array(candidates)))
    by_kernel = _nccl_vector.split_at_tokens(arr, candidates, token)
    order = pa.array(np.argsort(by_regex.at, kind="stable"))  # INFO lines first there
    assert by_kernel.at.tolist() == sorted(by_regex.at.tolist())
    for name in ("pre", "msg", "level"):
        assert getattr(by_kernel, name).equals(getattr(by_regex, name).take(order)), name


def _normal(records: list[dict[str, Any]] | None) -> list[dict[str, Any]] | None:
    if not records:
        return None
    return [{**r, "attrs": None if r["attrs"] is None else dict(r["attrs"])} for r in records]


def _assert_column(lines: list[str]) -> None:
    arr, records, _, token = _tokens(lines)
    column = _nccl_vector.nccl_column(arr, python_below=0, maybe=records, token=token)
    assert column.type == pa.list_(NCCL_RECORD)
    for line, got in zip(lines, column.to_pylist(), strict=True):
        assert _normal(got) == _normal(parse_nccl(line)), line


@settings(max_examples=200, deadline=None, suppress_health_check=_HEALTH)
@given(st.lists(nccl_line, max_size=30))
def test_nccl_column_from_kernel_tokens_equals_the_reference(lines: list[str]) -> None:
    _nccl_tables.MESSAGES.clear()  # cold, then warm: the memo must not change a record
    _assert_column(lines)
    _assert_column(lines[::-1])


def test_memo_builds_each_text_once_and_starts_over_when_full() -> None:
    built: list[list[str]] = []

    def build(texts: pa.StringArray) -> pa.StructArray:
        built.append(texts.to_pylist())
        return pa.StructArray.from_arrays(
            [pc.equal(texts, "ok"), pc.utf8_upper(texts)], names=["ok", "upper"]
        )

    memo = Memo(build, limit=3)
    rows, ok, table = memo.rows(pa.array(["a", "ok"]))
    assert table.take(pa.array(rows)).to_pylist() == [
        {"ok": False, "upper": "A"},
        {"ok": True, "upper": "OK"},
    ]
    assert ok.tolist() == [False, True]
    rows, _, table = memo.rows(pa.array(["ok", "b"]))  # only "b" is new
    assert built[-1] == ["b"]
    assert [r["upper"] for r in table.take(pa.array(rows)).to_pylist()] == ["OK", "B"]
    rows, _, table = memo.rows(pa.array(["c", "d"]))  # 5 > 3: starts over with these
    assert built[-1] == ["c", "d"]
    assert len(memo) == 2
    assert [r["upper"] for r in table.take(pa.array(rows)).to_pylist()] == ["C", "D"]


def test_threads_share_the_memos_safely() -> None:
    lines = [
        f"h:1:{i % 7} [0] NCCL INFO Channel {i % 32:02d} : {i % 5} -> 1 via P2P/IPC"
        for i in range(3000)
    ]
    batches = [pa.array(lines[k::4], pa.string()) for k in range(4)]
    _nccl_tables.MESSAGES.clear()
    alone = [parse_batch(b) for b in batches]
    _nccl_tables.MESSAGES.clear()
    got: dict[int, pa.RecordBatch] = {}

    def run(k: int) -> None:
        for _ in range(3):
            got[k] = parse_batch(batches[k])

    threads = [threading.Thread(target=run, args=(k,)) for k in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert all(got[k].equals(alone[k]) for k in range(4))
