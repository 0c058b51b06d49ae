"""The outside world: terminals, CLICOLOR variables, local time."""

from __future__ import annotations

import io
import os
import time
from datetime import UTC, datetime

import pytest

from logpipe.formatting._world import (
    Terminal,
    environment_colors,
    local_datetime,
    stream_is_terminal,
)


def test_stream_is_terminal() -> None:
    main, secondary = os.openpty()
    try:
        with os.fdopen(secondary, "w", closefd=False) as tty:
            assert stream_is_terminal(tty)
    finally:
        os.close(main)
        os.close(secondary)
    closed = io.StringIO()
    closed.close()
    assert not stream_is_terminal(io.StringIO())
    assert not stream_is_terminal(closed)
    assert not stream_is_terminal(object())


@pytest.mark.parametrize(
    ("env", "colored", "expected"),
    [
        ({}, True, True),
        ({}, False, False),
        ({"CLICOLOR_FORCE": "1"}, False, True),
        ({"CLICOLOR_FORCE": ""}, False, True),  # present and not "0"
        ({"CLICOLOR_FORCE": "0"}, True, False),
        ({"CLICOLOR": "0"}, True, False),
        ({"CLICOLOR": "0", "CLICOLOR_FORCE": "1"}, False, True),
        ({"CLICOLOR": "1"}, False, False),
    ],
)
def test_clicolor_rules(env: dict[str, str], colored: bool, expected: bool) -> None:
    assert environment_colors(env, colored) is expected


def test_terminal_decides_once() -> None:
    answers = iter([True, False])
    terminal = Terminal(None, lambda: next(answers))
    assert [terminal.get(), terminal.get()] == [True, True]  # the probe ran once
    assert Terminal(False).get() is False


def test_local_datetime_is_the_local_instant_with_the_zone_abbreviation() -> None:
    now = time.time()
    local = local_datetime(now)
    assert abs(local.timestamp() - now) < 1e-6
    assert local.tzname() == time.localtime(now).tm_zone
    assert local == datetime.fromtimestamp(now, UTC)
