"""The byte kernels piece by piece: each hand matcher equals the regex or function it mirrors.

The batch-versus-reference tests judge whole rows; these pin the parts (spans of
launchers and timestamps, decoded values, level names, damage checks, NCCL prefilters)
so that a difference shows where it is.
"""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime, timedelta
from json.decoder import scanstring  # type: ignore[attr-defined]

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from logpipe.parsers import _launcher
from logpipe.parsers._fields import LOGRUS_LEVELS, go_unquote, normalize_level
from logpipe.parsers._json import no_surrogates
from logpipe.parsers._kbytes import char_offset, elapsed, ts_fast
from logpipe.parsers._kjson import _string
from logpipe.parsers._klaunch import starts_nccl, strong, weak, wrapper_ts
from logpipe.parsers._klayout import K_GO, K_JSON, LEVELS, PLAIN_ERRORS, TS_NONE, TS_OK
from logpipe.parsers._kquote import decode, escapes_ok, level
from logpipe.parsers._kscan import plain_error
from logpipe.parsers._reference import plain_error as reference_plain_error
from logpipe.parsers._time import parse_elapsed, parse_ts
from tests.strategies import (
    clean_text,
    line_text,
    quoted_bodies,
    timestamp_texts,
    wrapper_soup,
)


def buf(text: str) -> np.ndarray:
    """A writable byte array of the text (the type the kernels get from Arrow buffers)."""
    return np.frombuffer(bytearray(text.encode()), np.uint8)


def nbytes(text: str, chars: int) -> int:
    """Byte length of the first ``chars`` characters."""
    return len(text[:chars].encode())


@settings(max_examples=500, deadline=None)
@given(wrapper_soup)
def test_launcher_matchers_equal_the_regexes(text: str) -> None:
    d, end = buf(text), len(text.encode())
    assert strong(d, 0, end) == nbytes(text, _launcher.strong(text))
    assert max(weak(d, 0, end), 0) == nbytes(text, _launcher.weak(text))
    assert starts_nccl(d, 0, end) == _launcher.starts_nccl(text)
    m = re.search(_launcher.WRAPPER_TS + _launcher.WRAPPER_TS_END, text, re.ASCII)
    span = (nbytes(text, m.start("t")), nbytes(text, m.end("t"))) if m else (-1, -1)
    assert wrapper_ts(d, 0, end) == span


@settings(max_examples=500, deadline=None)
@given(st.one_of(timestamp_texts, line_text))
def test_fast_timestamps_never_disagree_with_the_reference(text: str) -> None:
    d = buf(text)
    state, us = ts_fast(d, 0, len(d))
    expected = parse_ts(text)
    if state == TS_OK:
        assert us == _micros(expected)
    elif state == TS_NONE:
        assert expected is None
    ok, seconds = elapsed(d, 0, len(d))
    assert (seconds if ok else None) == parse_elapsed(text)


def _micros(value: datetime | None) -> int:
    assert value is not None
    return (value - datetime(1970, 1, 1, tzinfo=UTC)) // timedelta(microseconds=1)


def test_fast_timestamps_read_the_usual_shapes_without_deferring() -> None:
    for text in (
        "2024-03-05T14:07:09Z",
        "2024-03-05 14:07:09.123456789",
        "2024-03-05T14:07:09-07:00",
    ):
        d = buf(text)
        state, us = ts_fast(d, 0, len(d))
        assert state == TS_OK
        assert us == _micros(parse_ts(text))


def _decoded(d: np.ndarray, kind: int) -> str:
    out = np.empty(len(d), np.uint8)
    end = decode(d, 0, len(d), kind, out, 0)
    return out[:end].tobytes().decode()


@settings(max_examples=500, deadline=None)
@given(quoted_bodies)
def test_go_unquoting_equals_the_reference_where_the_kernel_accepts(body: str) -> None:
    d = buf(body)
    if escapes_ok(d, 0, len(d), K_GO):
        assert _decoded(d, K_GO) == go_unquote('"' + body + '"')
        return
    try:  # rejected: the reference fails, or needs Python's replacement for a byte escape
        go_unquote('"' + body + '"')
    except ValueError:
        return
    assert re.search(r"\\(?:x[89a-fA-F]|[2367][0-7][0-7])", body), body


@settings(max_examples=500, deadline=None)
@given(st.one_of(quoted_bodies, st.text(max_size=20).map(lambda t: json.dumps(t)[1:-1])))
def test_json_strings_decode_as_python_reads_them(body: str) -> None:
    d = buf(body + '"')
    end, escaped = _string(d, 0, len(d))
    try:
        value, after = scanstring(body + '"', 0)
    except ValueError:
        assert end == -1
        return
    assert end == len(body[: after - 1].encode())
    assert escaped == ("\\" in body[: after - 1])
    assert _decoded(d[:end], K_JSON) == no_surrogates(value)


@settings(max_examples=300, deadline=None)
@given(st.one_of(st.sampled_from([*LEVELS, "warn", "WARN", "Err", "critical", "CRIT"]), line_text))
def test_level_names(text: str) -> None:
    code, logrus = level(buf(text), 0, len(text.encode()))
    assert (LEVELS[code] if code >= 0 else None) == normalize_level(text)
    assert logrus == (text in LOGRUS_LEVELS)


@settings(max_examples=500, deadline=None)
@given(st.one_of(line_text, clean_text, st.sampled_from(["\x1b[0m", "\x1b[31m\x1b[0m", "\x1b["])))
def test_plain_damage_check_equals_the_reference(text: str) -> None:
    code = plain_error(buf(text), 0, len(text.encode()))
    assert (PLAIN_ERRORS[code - 1] if code else None) == reference_plain_error(text)


@given(clean_text, st.integers(0, 60))
def test_character_offsets(text: str, count: int) -> None:
    d = buf(text)
    assert char_offset(d, 0, len(d), count) == nbytes(text, count)
