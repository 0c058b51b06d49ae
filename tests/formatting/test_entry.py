"""The Entry model: validation, copying, equality."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from logpipe.formatting import Caller, Entry

WHEN = datetime(2024, 3, 5, 14, 7, 9, tzinfo=UTC)


def test_fields_are_copied_in_order() -> None:
    given = {"b": 1, "a": 2}
    entry = Entry(WHEN, "info", "m", given)
    given["c"] = 3
    assert list(entry.fields) == ["b", "a"]
    assert Entry(WHEN, "info", "m").fields == {}


def test_caller_tuples_become_callers() -> None:
    entry = Entry(WHEN, "info", "m", caller=("main.emit", "/x.go", 3))  # type: ignore[arg-type]
    assert entry.caller == Caller("main.emit", "/x.go", 3)
    assert entry.caller.function == "main.emit"


@pytest.mark.parametrize(
    ("args", "error", "message"),
    [
        ((datetime(2024, 1, 1), "info", "m"), ValueError, "timezone-aware"),
        (("2024-01-01", "info", "m"), TypeError, "must be a datetime"),
        ((WHEN, "warn", "m"), ValueError, "unknown level 'warn'"),
        ((WHEN, "info", b"m"), TypeError, "message must be a str"),
        ((WHEN, "info", "m", {1: "x"}), TypeError, "field keys must be str"),
    ],
)
def test_invalid_entries(args: tuple[object, ...], error: type[Exception], message: str) -> None:
    with pytest.raises(error, match=message):
        Entry(*args)  # type: ignore[arg-type]


def test_equality_and_repr() -> None:
    a = Entry(WHEN, "info", "m", {"k": 1})
    assert a == Entry(WHEN, "info", "m", {"k": 1})
    assert a != Entry(WHEN, "info", "m", {"k": 2})
    assert "message='m'" in repr(a)
