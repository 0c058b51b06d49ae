"""The batch path equals the reference row for row: on generated lines and on golden outputs."""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from logpipe.parsers import parse_batch
from logpipe.sample import generate
from tests.parse_helpers import agreed_rows
from tests.shared import glob, params_or_missing, read_jsonl
from tests.strategies import log_lines


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(log_lines(), max_size=25))
def test_batch_equals_reference_on_generated_lines(lines: list[str]) -> None:
    agreed_rows(lines)


def test_batch_equals_reference_on_golden_outputs() -> None:
    files = glob("golden/logrus", "cases.jsonl")
    lines = [part for f in files for case in read_jsonl(f) for part in case["output"].split("\n")]
    if not lines:
        pytest.skip("golden data missing")
    agreed_rows(lines)


def test_large_string_and_chunked_input_give_the_same_rows() -> None:
    lines = ['time="2024-03-05T14:07:09Z" level=info msg=hi a=1', "plain", "[rank0]:x=1"]
    assert agreed_rows(lines, large=True) == agreed_rows(lines)
    chunked = pa.chunked_array([pa.array(lines[:1]), pa.array(lines[1:])])
    assert parse_batch(chunked).to_pylist() == parse_batch(pa.array(lines)).to_pylist()


def test_null_entries_keep_their_row() -> None:
    rows = parse_batch(pa.array(["a=1", None, "x"])).to_pylist(maps_as_pydicts="strict")
    assert rows[1]["format"] == "plain"
    assert rows[1]["msg"] is None
    assert rows[1]["parse_error"] == "null line"
    assert rows[0]["fields"] == {"a": "1"}


def test_empty_batch() -> None:
    assert parse_batch(pa.array([], pa.string())).num_rows == 0


def test_batch_equals_reference_on_the_sample_cluster_logs(tmp_path: Path) -> None:
    files = generate(tmp_path)
    lines = [line for f in files for line in f.read_text(encoding="utf-8").split("\n")]
    rows = agreed_rows(lines)
    formats = {r["format"] for r in rows}
    assert {"logrus_text", "logrus_json", "plain"} <= formats


_NCCL_FILES = glob("nccl/real", "*.log") + glob("nccl/nccl-tests", "*.txt")


@pytest.mark.parametrize(
    "path", params_or_missing(_NCCL_FILES, [p.name for p in _NCCL_FILES], "nccl/real")
)
def test_batch_equals_reference_on_real_nccl_logs(path: Path | None) -> None:
    assert path is not None
    lines = path.read_bytes().decode("utf-8", "replace").split("\n")
    rows = agreed_rows(lines)
    assert any(r["format"] in ("nccl", "nccl_tests") for r in rows)
