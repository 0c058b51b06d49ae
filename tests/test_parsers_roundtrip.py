"""Parsing inverts rendering: parse(render(entry)) gives the entry back, through our formatters.

For generated entries and each layout (logrus text, colored with elapsed or full
timestamps, JSON, x-cray formatted and key=value), the parsed row holds the level, the
message, the fields as the text the formatter printed, the caller and the timestamp at
the precision printed. Both engines are checked (``agreed_rows``).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from logpipe.formatting import Caller, Entry, JSONFormatter, PrefixedFormatter, TextFormatter
from tests.golden_logrus import go_float
from tests.parse_helpers import agreed_rows
from tests.strategies import aware_datetimes, field_keys

#: Keys the formatters rename or the parsers read as x-cray's (documented), left out.
_SPECIAL = {"time", "msg", "level", "logrus_error", "func", "file", "prefix"}
_TEXT = st.text(
    alphabet=st.one_of(
        st.sampled_from('abcXYZ019 ."\\=:,{}[]-_/@^+\t\r\x00\x7fé日😀\u00a0\u2028'),
        st.characters(exclude_categories=["Cs", "Zl", "Zp"], exclude_characters="\n\x1b\x85"),
    ),
    max_size=30,
)
_VALUES = st.one_of(
    _TEXT,
    st.integers(-(2**63), 2**63 - 1),
    st.floats(allow_nan=False, allow_infinity=False),
    st.booleans(),
    st.none(),
)
_FIELDS = st.dictionaries(field_keys.filter(lambda k: k not in _SPECIAL), _VALUES, max_size=5)
_CALLERS = st.one_of(
    st.none(),
    st.builds(
        Caller,
        st.from_regex(r"[a-z]{1,6}(\.[A-Za-z]{1,6}){1,2}", fullmatch=True),
        st.from_regex(r"(/[a-z]{1,5}){1,3}\.go", fullmatch=True),
        st.integers(1, 9999),
    ),
)
_ENTRIES = st.builds(
    Entry,
    aware_datetimes,
    st.sampled_from(["trace", "debug", "info", "warning", "error", "fatal", "panic"]),
    _TEXT,
    _FIELDS,
    _CALLERS,
)


def _printed(value: Any, *, json: bool = False) -> str | None:
    """The text a Go formatter prints for a Python field value (``%v`` or encoding/json)."""
    if value is None:
        return None if json else "<nil>"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return go_float(repr(value), json_style=json)
    return str(value)


def _seconds(when: datetime) -> datetime:
    return when.astimezone(UTC).replace(microsecond=0)


def _expect(entry: Entry, **columns: Any) -> dict[str, Any]:
    exp = {"level": entry.level, "msg": entry.message, **columns}
    if "fields" not in exp:
        exp["fields"] = {k: _printed(v) for k, v in entry.fields.items()}
    return exp


def _check(line: str, exp: dict[str, Any], formats: set[str]) -> None:
    assert line.endswith("\n")
    assert line.count("\n") == 1
    (row,) = agreed_rows([line])
    assert row["format"] in formats, row
    assert row["parse_error"] is None
    assert {k: row[k] for k in exp} == exp


def _caller(entry: Entry) -> dict[str, Any]:
    frame = entry.caller
    if frame is None:
        return {"caller_func": None, "caller_file": None}
    return {"caller_func": frame.function, "caller_file": f"{frame.file}:{frame.line}"}


_SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@_SETTINGS
@given(_ENTRIES)
def test_text_formatter(entry: Entry) -> None:
    line = TextFormatter(is_terminal=False).render(entry)
    exp = _expect(entry, ts=_seconds(entry.time), elapsed_s=None, **_caller(entry))
    _check(line, exp, {"logrus_text"})


@_SETTINGS
@given(_ENTRIES.filter(lambda e: "\r" not in e.message), st.integers(0, 10**7), st.booleans())
def test_colored_text_formatter(entry: Entry, elapsed: int, full: bool) -> None:
    start = entry.time - timedelta(seconds=elapsed)
    fmt = TextFormatter(force_colors=True, full_timestamp=full, start_time=start)
    message = entry.message if len(entry.message) > 44 else entry.message.rstrip(" ")
    stamp = {"ts": _seconds(entry.time)} if full else {"elapsed_s": elapsed}
    exp = _expect(entry, msg=message, **stamp, **_caller(entry))
    _check(fmt.render(entry), exp, {"logrus_tty"})


@_SETTINGS
@given(_ENTRIES)
def test_json_formatter(entry: Entry) -> None:
    fields = {k: _printed(v, json=True) for k, v in entry.fields.items()}
    exp = _expect(entry, ts=_seconds(entry.time), fields=fields, **_caller(entry))
    _check(JSONFormatter().render(entry), exp, {"logrus_json"})


@_SETTINGS
@given(
    # A line ending in "\r" reads as CRLF-terminated: such messages are left out.
    _ENTRIES.filter(lambda e: not e.message.endswith("\r")),
    st.integers(0, 10**6),
    _TEXT.filter(lambda p: p.strip() == p),
)
def test_prefixed_formatted_colored(entry: Entry, elapsed: int, prefix: str) -> None:
    now = datetime(2024, 3, 5, 14, 7, 9, tzinfo=UTC)
    fmt = PrefixedFormatter(
        force_formatting=True,
        force_colors=True,
        start_time=now - timedelta(seconds=elapsed),
        clock=lambda: now,
    )
    with_prefix = Entry(entry.time, entry.level, entry.message, {**entry.fields, "prefix": prefix})
    exp = _expect(entry, msg=entry.message.rstrip(" "), elapsed_s=elapsed, prefix=prefix)
    _check(fmt.render(with_prefix), exp, {"prefixed"})


_PLAIN_TEXT = _TEXT.filter(lambda t: '"' not in t and "\\" not in t and "\r" not in t)


@_SETTINGS
@given(st.builds(Entry, aware_datetimes, st.sampled_from(["info", "error"]), _PLAIN_TEXT))
def test_prefixed_key_value_form(entry: Entry) -> None:
    # x-cray quotes without escaping: texts with quotes or backslashes are ambiguous.
    line = PrefixedFormatter().render(entry)
    exp = _expect(entry, ts=_seconds(entry.time), elapsed_s=None)
    _check(line, exp, {"prefixed", "logrus_text"})
