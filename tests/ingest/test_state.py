"""Offset records: payloads (full and delta), replay, and their strict decoding."""

from __future__ import annotations

import json

import pytest

from logpipe.errors import CheckpointError
from logpipe.ingest.state import Record, SourceState, decode_records, encode_records


def rec(path: str, gen: int, offset: int) -> Record:
    return Record(path, gen, offset, offset // 10, 4, "h", 0, offset, "v", path)


def test_full_and_delta_payloads_replay_to_the_same_state() -> None:
    state = SourceState("s")
    state.version = 1
    state.put(rec("a.log", 0, 100))
    state.put(rec("b.log", 2, 50))
    full = json.loads(json.dumps(state.payload(full=True)))
    state.version = 2
    state.put(rec("a.log", 0, 180))
    state.records.pop(("b.log", 2))
    delta = json.loads(json.dumps(state.payload(full=False, changed=[("a.log", 0)],
                                                forget=[("b.log", 2)])))  # fmt: skip
    replayed = SourceState("s")
    replayed.apply(full)
    replayed.apply(delta)
    assert replayed.version == 2
    assert replayed.records == state.records
    assert replayed.gens == {"a.log": 0, "b.log": 2}  # generations are never reused


def test_new_generation_counts_per_path() -> None:
    state = SourceState("s")
    assert [state.new_generation("a"), state.new_generation("a"), state.new_generation("b")] == [
        0,
        1,
        0,
    ]


def test_records_round_trip_and_bad_rows_are_checkpoint_errors() -> None:
    records = [rec("x", 0, 5), rec("y/z w.log", 3, 0)]
    assert decode_records(json.loads(json.dumps(encode_records(records)))) == records
    for bad in ([[1, 2]], [["a", 0, -5]], "nope", [[None, 0, 0]]):
        with pytest.raises(CheckpointError, match="malformed"):
            decode_records(bad)
