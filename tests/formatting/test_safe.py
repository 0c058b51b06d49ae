"""Front-end rendering never raises and never drops a record."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from hypothesis import example, given

from logpipe.formatting import Caller, JSONFormatter, PrefixedFormatter, TextFormatter
from logpipe.formatting._safe import Parts, line_safely
from tests.strategies import field_values

WHEN = datetime(2024, 3, 5, 14, 7, 9, tzinfo=UTC)
CALLER = Caller("main.emit", "/srv/app/emit.go", 33)


def parts(fields: dict[str, Any], caller: Caller | None = None) -> Parts:
    return Parts(WHEN, "warning", "careful", fields, caller)


def test_json_writes_unencodable_values_as_text_and_says_so() -> None:
    loop: list[Any] = []
    loop.append(loop)
    line = line_safely(JSONFormatter(), parts({"ratio": float("nan"), "ok": 1, "loop": loop}))
    decoded = json.loads(line)
    assert decoded["ratio"] == "NaN"
    assert decoded["ok"] == 1
    assert decoded["loop"] == "[...]"
    assert decoded["logrus_error"] == (
        'can not encode field "ratio": json: unsupported value: NaN; written as text, '
        'can not encode field "loop": json: unsupported value: encountered a cycle via '
        "[]interface {}; written as text"
    )


def test_prefix_that_is_not_a_string_is_written_as_text() -> None:
    formatter = PrefixedFormatter(force_formatting=True, full_timestamp=True)
    assert line_safely(formatter, parts({"prefix": 42})) == (
        "[2024-03-05T14:07:09Z]  WARN 42: careful"
    )


def boom(caller: Caller) -> tuple[str, str]:
    raise RuntimeError("prettyfier bug")


def test_a_failing_hook_still_writes_the_record() -> None:
    formatter = TextFormatter(is_terminal=False, caller_prettyfier=boom)
    assert line_safely(formatter, parts({"rank": 7}, CALLER)) == (
        'time="2024-03-05T14:07:09Z" level=warning msg=careful '
        'logpipe_error="RuntimeError: prettyfier bug" rank=7'
    )
    sorter = TextFormatter(is_terminal=False, sorting_func=lambda keys: ["nope"])
    assert "logpipe_error=" in line_safely(sorter, parts({"rank": 7}))
    clock = PrefixedFormatter(force_formatting=True, clock=lambda: 1 / 0)  # type: ignore[arg-type,return-value]
    line = line_safely(clock, parts({"rank": 7}))
    assert "careful" in line
    assert "logpipe_error=ZeroDivisionError: division by zero" in line


@given(field_values)
@example("\n")  # x-cray writes values raw: the line may end in the value's own newline
def test_any_value_renders_with_every_formatter(value: Any) -> None:
    for formatter in (
        TextFormatter(is_terminal=False),
        TextFormatter(force_colors=True),
        JSONFormatter(pretty_print=True),
        PrefixedFormatter(force_formatting=True, force_colors=True),
        PrefixedFormatter(is_terminal=False),
    ):
        line = line_safely(formatter, parts({"v": value, "prefix": value}, CALLER))
        assert "careful" in line
        # The terminator is the caller's to add; only x-cray's unescaped values may
        # leave a newline of their own at the end.
        assert not line.endswith("\n") or isinstance(formatter, PrefixedFormatter)


def test_keys_that_are_not_strings_still_render() -> None:
    odd: dict[Any, Any] = {1: "one", "b": 2}  # structlog lets any key through
    line = line_safely(TextFormatter(is_terminal=False), parts(odd))
    assert line.startswith('time="2024-03-05T14:07:09Z" level=warning msg=careful 1=one b=2 ')
    assert "logpipe_error=\"TypeError: '<' not supported" in line
