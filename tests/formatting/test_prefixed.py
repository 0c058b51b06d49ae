"""x-cray prefixed formatter beyond the golden cases: the world, what Go refuses, options."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from logpipe.errors import ConfigError, FormatError
from logpipe.formatting import DEFAULT_COLOR_SCHEME, Entry, PrefixedFormatter

BASE = datetime(2024, 3, 5, 14, 0, 0, tzinfo=UTC)
WHEN = BASE + timedelta(seconds=429)


def test_the_elapsed_stamp_follows_the_clock_not_the_entry() -> None:
    now = [BASE + timedelta(seconds=7.9)]
    formatter = PrefixedFormatter(force_formatting=True, start_time=BASE, clock=lambda: now[0])
    entry = Entry(WHEN, "info", "[db] connected", {"a": 1})
    assert formatter.render(entry) == "[0007]  INFO db: connected a=1\n"
    now[0] = BASE + timedelta(seconds=12345)
    assert formatter.render(entry) == "[12345]  INFO db: connected a=1\n"


def test_a_prefix_that_is_not_a_string_is_refused_where_go_panics() -> None:
    formatter = PrefixedFormatter(force_formatting=True, start_time=BASE, clock=lambda: WHEN)
    with pytest.raises(FormatError, match='"prefix" field must be a str, got int'):
        formatter.render(Entry(WHEN, "info", "x", {"prefix": 42}))
    # Not formatted: prefix is an ordinary field, as in Go.
    line = PrefixedFormatter(is_terminal=False).render(Entry(WHEN, "info", "x", {"prefix": 42}))
    assert line == 'time="2024-03-05T14:07:09Z" level=info msg=x prefix=42\n'


def test_quote_character_may_be_several_characters_and_nothing_is_escaped() -> None:
    formatter = PrefixedFormatter(is_terminal=False, quote_character="<<", disable_timestamp=True)
    line = formatter.render(Entry(WHEN, "info", 'say "hi"\n', {"v": "a\\b"}))
    assert line == 'level=info msg=<<say "hi"\n<< v=<<a\\b<<\n'


def test_color_scheme_checks_its_keys() -> None:
    with pytest.raises(ConfigError, match="color_scheme: unknown key"):
        PrefixedFormatter(color_scheme={"info_style": "red"})
    assert set(DEFAULT_COLOR_SCHEME) == {
        "info_level_style",
        "warn_level_style",
        "error_level_style",
        "fatal_level_style",
        "panic_level_style",
        "debug_level_style",
        "prefix_style",
        "timestamp_style",
    }


def test_terminal_means_formatted_and_colored() -> None:
    formatter = PrefixedFormatter(is_terminal=True, start_time=BASE, clock=lambda: WHEN)
    assert formatter.is_formatted()
    assert formatter.is_colored()
    line = formatter.render(Entry(WHEN, "warning", "slow", {}))
    assert line == "\x1b[0;90m[0429]\x1b[0m \x1b[0;33m WARN\x1b[0m slow\n"
