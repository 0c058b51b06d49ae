"""logrus JSONFormatter beyond the golden cases: arbitrary fields, what Go refuses."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from logpipe.errors import FormatError
from logpipe.formatting import Caller, Entry, JSONFormatter
from tests.strategies import field_keys, json_values

WHEN = datetime(2024, 3, 5, 14, 7, 9, 123456, tzinfo=UTC)


@given(st.dictionaries(field_keys, json_values, max_size=5))
def test_every_line_is_one_json_object_with_the_fields(fields: dict[str, Any]) -> None:
    line = JSONFormatter().render(Entry(WHEN, "info", "hello", fields))
    assert line.endswith("}\n")
    assert line.count("\n") == 1
    decoded = json.loads(line)
    assert decoded.pop("msg") == "hello"
    assert decoded.pop("level") == "info"
    assert decoded.pop("time") == "2024-03-05T14:07:09Z"
    clashing = {k for k in fields if k in ("time", "msg", "level", "logrus_error")}
    assert decoded.keys() == {f"fields.{k}" if k in clashing else k for k in fields}


def test_errors_at_the_top_become_their_message() -> None:
    line = JSONFormatter().render(Entry(WHEN, "error", "x", {"error": OSError("disk full")}))
    assert json.loads(line)["error"] == "disk full"


@pytest.mark.parametrize(
    ("value", "message"),
    [(float("nan"), "NaN"), ([float("inf")], r"\+Inf"), ({"z": 1j}, "complex128")],
)
def test_values_go_cannot_encode_raise(value: Any, message: str) -> None:
    with pytest.raises(FormatError, match=f"failed to marshal fields to JSON, json: .*{message}"):
        JSONFormatter().render(Entry(WHEN, "info", "x", {"v": value}))


def test_pretty_print_with_caller_and_data_key() -> None:
    caller = Caller("main.emit", "/srv/app/emit.go", 33)
    entry = Entry(WHEN, "info", "hi", {"a": 1}, caller)
    assert JSONFormatter(pretty_print=True, data_key="data", disable_timestamp=True).render(
        entry
    ) == (
        '{\n  "data": {\n    "a": 1\n  },\n  "file": "/srv/app/emit.go:33",\n'
        '  "func": "main.emit",\n  "level": "info",\n  "msg": "hi"\n}\n'
    )
