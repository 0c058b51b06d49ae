"""Level tables between logrus, logging and structlog."""

from __future__ import annotations

import logging

import pytest

from logpipe import levels


@pytest.mark.parametrize("level", levels.LEVELS)
def test_round_trip_through_logging(level: levels.Level) -> None:
    assert levels.from_logging(levels.to_logging(level)) == level


@pytest.mark.parametrize(
    ("name", "expected"),
    [("WARN", "warning"), ("critical", "fatal"), ("exception", "error"), ("Info", "info")],
)
def test_aliases(name: str, expected: str) -> None:
    assert levels.from_name(name) == expected


def test_unknown_name() -> None:
    with pytest.raises(ValueError, match="unknown log level 'loud'"):
        levels.from_name("loud")


def test_trace_registered() -> None:
    levels.install_trace_level()
    assert logging.getLevelName(levels.TRACE) == "TRACE"
    assert levels.from_logging(7) == "trace"
