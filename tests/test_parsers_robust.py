"""Damaged input: random bytes, invalid UTF-8, huge lines, bare escape codes, cut records.

Never an exception, one row per line, the text kept, and ``parse_error`` saying why.
"""

from __future__ import annotations

import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from logpipe.parsers import parse_line
from tests.parse_helpers import agreed_rows


@settings(max_examples=200, deadline=None)
@given(st.lists(st.binary(max_size=200), min_size=1, max_size=20))
def test_random_bytes_decoded_with_replacement(chunks: list[bytes]) -> None:
    lines = [c.decode("utf-8", "replace") for c in chunks]
    rows = agreed_rows(lines)
    assert len(rows) == len(lines)
    for line, row in zip(lines, rows, strict=True):
        if "\ufffd" in line and row["format"] == "plain":
            assert row["parse_error"] == "invalid UTF-8 (replacement characters)"


def test_invalid_utf8_keeps_the_row_and_says_so() -> None:
    raw = b'time="2024-03-05T14:07:09Z" level=info msg="caf\xe9"\n\xff\xfe garbage \xc3'
    lines = raw.decode("utf-8", "replace").split("\n")
    rows = agreed_rows(lines)
    assert rows[0]["format"] == "logrus_text"
    assert rows[0]["msg"] == "caf\ufffd"
    assert rows[1]["format"] == "plain"
    assert rows[1]["parse_error"] == "invalid UTF-8 (replacement characters)"
    assert rows[1]["msg"] == lines[1]


def test_lone_surrogates_from_surrogateescape_become_replacement_characters() -> None:
    text = b"bad \xff byte".decode("utf-8", "surrogateescape")
    row = parse_line(text)
    assert row["msg"] == "bad \ufffd byte"
    assert row["parse_error"] == "invalid UTF-8 (replacement characters)"


@pytest.mark.parametrize(
    "line",
    [
        'time="2024-03-05T14:07:09Z" level=info msg="' + "x" * 1_000_000 + '" k=v',
        "\x1b[36mINFO\x1b[0m[0429] " + "y" * 1_000_000 + "  \x1b[36mk\x1b[0m=v",
        '{"level":"info","msg":"' + "z" * 1_000_000 + '"}',
        "w " * 500_000,
        "[" * 1_000_000,
        '{"a":' + "[" * 100_000,
        "  " * 200_000 + "  \x1b[36mk\x1b[0m=v",
    ],
    ids=["logfmt", "colored", "json", "words", "brackets", "deep-json", "spaces"],
)
def test_one_megabyte_lines(line: str) -> None:
    rows = agreed_rows([line, "short"])
    assert rows[1]["msg"] == "short"
    assert rows[0]["msg"] is not None


def test_megabyte_values_come_back_whole() -> None:
    value = "v" * 1_000_000
    rows = agreed_rows([f'time="2024-03-05T14:07:09Z" level=info msg=m big="{value}"'])
    assert rows[0]["fields"] == {"big": value}


@pytest.mark.parametrize(
    "line", ["\x1b[0m", "\x1b[31m\x1b[0m", "\x1b[0;32m\x1b[0m\x1b[2K", "\x1b[?25l"]
)
def test_lines_of_only_ansi_codes(line: str) -> None:
    (row,) = agreed_rows([line])
    assert row["format"] == "plain"
    assert row["msg"] == line
    assert row["parse_error"] == "only ANSI escape codes"


def test_binary_control_bytes() -> None:
    (row,) = agreed_rows(["\x00\x01\x02ELF\x7f"])
    assert row["parse_error"] == "control characters (binary data?)"


@pytest.mark.parametrize(
    ("line", "fmt", "error"),
    [
        ('time="2024-03-05T14:07:09Z" level=info msg="cut her', "logrus_text", "unterminated"),
        ('time="2024-03-05T14:0', "logrus_text", "no logrus line"),
        ('{"level":"info","msg":"cut', "logrus_json", "invalid JSON"),
        ('{"level":"info","msg":"x"', "logrus_json", "invalid JSON"),
        ('{"level":"info"}{"msg":"two"}', "logrus_json", "invalid JSON"),
        ("\x1b[36mINFO\x1b[0m[0429] msg" + " " * 44 + " \x1b[36mke", "logrus_tty", "malformed"),
        ('time="2024-03-05T14:07:09Z" level=info msg="bad \\q"', "logrus_text", "bad escape"),
    ],
)
def test_truncated_and_malformed_records_keep_their_row(line: str, fmt: str, error: str) -> None:
    (row,) = agreed_rows([line])
    assert row["format"] == fmt
    assert row["parse_error"] is not None
    assert error in row["parse_error"]


def test_every_prefix_of_real_lines_parses() -> None:
    lines = [
        'time="2024-03-05T14:07:09Z" level=warning msg="disk \\"sda\\" full" free=3% path=/var',
        '{"file":"a.go:3","func":"main.f","level":"info","msg":"\\u003cnil\\u003e","n":1}',
        "\x1b[33mWARN\x1b[0m[0429]/a/b.go:3 main.f() hi"
        + " " * 40
        + ' \x1b[33mk\x1b[0m="a b" \x1b[33mz\x1b[0m=1',
        "[1,0]<stdout>:node-1:12:13 [0] NCCL INFO Channel 00 : 0[0] -> 1[1] via P2P/IPC",
    ]
    cuts = [line[:i] for line in lines for i in range(len(line) + 1)]
    rows = agreed_rows(cuts)
    assert len(rows) == len(cuts)


def test_many_random_lines_in_one_batch() -> None:
    rng = random.Random(7)
    alphabet = 'ab =":\\{}[]\x1bm0123456789.\tINFOlevel'
    lines = ["".join(rng.choice(alphabet) for _ in range(rng.randint(0, 80))) for _ in range(3000)]
    assert len(agreed_rows(lines)) == 3000
