"""logrus TextFormatter beyond the golden cases: options, world, Python-only choices."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from logpipe.errors import ConfigError, FormatError
from logpipe.formatting import Caller, Entry, TextFormatter
from logpipe.formatting._gofmt import sprint
from tests.formatting.gounquote import go_unquote
from tests.strategies import field_keys, field_values, log_text

T0 = datetime(2024, 3, 5, 14, 0, 0, tzinfo=UTC)
WHEN = T0 + timedelta(seconds=429, microseconds=123456)
CALLER = Caller("main.emit", "/srv/app/emit.go", 33)


def entry(fields: dict[str, Any] | None = None, message: str = "hello", **kw: Any) -> Entry:
    return Entry(kw.pop("time", WHEN), kw.pop("level", "info"), message, fields, **kw)


def plain(**options: Any) -> TextFormatter:
    return TextFormatter(is_terminal=False, start_time=T0, **options)


_PAIR = re.compile(r'([^ =]+)=("(?:[^"\\]|\\.)*"|[^ ]*)')


def parse_logfmt(line: str) -> dict[str, str]:
    """key=value pairs of a plain logrus line (quoted values unquoted)."""
    out = {}
    for key, raw in _PAIR.findall(line.rstrip("\n")):
        out[key] = go_unquote(raw) if raw.startswith('"') else raw
    return out


@given(st.dictionaries(field_keys, field_values, max_size=6), log_text)
def test_plain_lines_parse_back(fields: dict[str, Any], message: str) -> None:
    # Fixed keys are renamed fields.<key> by logrus (clash tests cover that).
    fixed = ("time", "level", "msg", "logrus_error")
    fields = {k: v for k, v in fields.items() if k not in fixed}
    line = plain(disable_timestamp=True).render(entry(fields, message))
    assert line.endswith("\n")
    assert line.count("\n") == 1
    parsed = parse_logfmt(line)
    assert parsed.pop("level") == "info"
    assert parsed.pop("msg", "") == message
    assert parsed == {k: sprint(v) for k, v in fields.items()}


def test_keys_are_sorted_by_byte_value() -> None:
    line = plain(disable_timestamp=True).render(entry({"b": 1, "B": 2, "_": 3, "é": 4, "1": 5}))
    assert line == "level=info msg=hello 1=5 B=2 _=3 b=1 é=4\n"


def test_disable_sorting_keeps_insertion_order() -> None:
    line = plain(disable_timestamp=True, disable_sorting=True).render(entry({"z": 1, "a": 2}))
    assert line == "level=info msg=hello z=1 a=2\n"


def test_sorting_func_may_sort_in_place_or_return() -> None:
    def in_place(keys: list[str]) -> None:
        keys.sort(reverse=True)

    for func in (in_place, lambda keys: sorted(keys, reverse=True)):
        line = plain(disable_timestamp=True, sorting_func=func).render(entry({"a": 1}))
        assert line == "msg=hello level=info a=1\n"


def test_sorting_func_must_return_the_keys() -> None:
    formatter = plain(sorting_func=lambda keys: keys[:1])
    with pytest.raises(FormatError, match="permutation"):
        formatter.render(entry({"a": 1, "b": 2}))


def test_fixed_keys_sharing_a_name_follow_gos_switch() -> None:
    line = plain(disable_timestamp=True, field_map={"msg": "level"}).render(entry())
    assert line == "level=info level=info\n"  # the level case comes first in Go's switch


def test_caller_quirk_prints_the_callers_value_again() -> None:
    line = plain(disable_timestamp=True).render(entry({"func": "mine"}, caller=CALLER))
    assert line == (
        'level=info msg=hello func=main.emit file="/srv/app/emit.go:33" '
        "fields.func=mine func=main.emit\n"
    )


def test_strftime_timestamp_format() -> None:
    line = plain(timestamp_format="%Y/%m/%d %H:%M:%S.%f").render(entry())
    assert line.startswith('time="2024/03/05 14:07:09.123456" ')


def test_environment_is_read_on_every_line() -> None:
    env: dict[str, str] = {}
    formatter = plain(environment_override_colors=True, env=env)
    assert formatter.render(entry()).startswith("time=")
    env["CLICOLOR_FORCE"] = "1"
    assert formatter.render(entry()).startswith("\x1b[36mINFO\x1b[0m[0429]")


def test_terminal_is_probed_once() -> None:
    calls: list[int] = []

    def probe() -> bool:
        calls.append(1)
        return True

    formatter = plain()
    formatter.terminal = type(formatter.terminal)(None, probe)
    formatter.render(entry())
    formatter.render(entry())
    assert calls == [1]


def test_prettyfier_is_called_for_every_line() -> None:
    seen: list[Caller] = []

    def pretty(caller: Caller) -> tuple[str, str]:
        seen.append(caller)
        return "", f"line {len(seen)}"

    formatter = plain(disable_timestamp=True, caller_prettyfier=pretty)
    assert formatter.render(entry(caller=CALLER)).endswith('file="line 1"\n')
    assert formatter.render(entry(caller=CALLER)).endswith('file="line 2"\n')


def test_the_same_second_in_another_zone_is_not_reused() -> None:
    formatter = plain(timestamp_format="15:04:05 MST")
    cet = timezone(timedelta(hours=1), "CET")
    assert formatter.render(entry()).startswith('time="14:07:09 UTC"')
    assert formatter.render(entry(time=WHEN.astimezone(cet))).startswith('time="15:07:09 CET"')
    other = timezone(timedelta(hours=1), "WAT")  # same offset, another name
    assert formatter.render(entry(time=WHEN.astimezone(other))).startswith('time="15:07:09 WAT"')


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"field_map": {"message": "m"}}, "field_map: unknown key"),
        ({"sorting_func": "reverse"}, "sorting_func must be callable"),
        ({"start_time": datetime(2024, 1, 1)}, "timezone-aware"),
        ({"timestamp_format": 7}, "timestamp_format must be a str"),
    ],
)
def test_bad_options_are_config_errors(options: dict[str, Any], message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        TextFormatter(**options)


def test_unknown_option_is_a_type_error() -> None:
    with pytest.raises(TypeError, match="force_colour"):
        TextFormatter(force_colour=True)  # type: ignore[call-arg]


def test_default_start_time_is_when_logging_started() -> None:
    import logging

    started = datetime.fromtimestamp(logging._startTime, UTC)  # type: ignore[attr-defined]
    assert abs(TextFormatter().start_time - started) < timedelta(milliseconds=1)
