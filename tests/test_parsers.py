"""What the parsers make of each kind of line (checked on both engines at once)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pyarrow as pa
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from logpipe.parsers import FORMATS, SCHEMA, parse_batch
from tests.parse_helpers import agreed_rows
from tests.strategies import log_lines

T0 = datetime(2024, 3, 5, 14, 7, 9, tzinfo=UTC)


def row(line: str) -> dict[str, Any]:
    """The row of one line; both engines must agree."""
    (got,) = agreed_rows([line])
    return got


def test_schema_and_formats_are_the_contract() -> None:
    assert SCHEMA.names == [
        "format", "ts", "elapsed_s", "level", "msg", "fields", "caller_func", "caller_file",
        "prefix", "launcher", "parse_error", "nccl",
    ]  # fmt: skip
    assert set(FORMATS) == {
        "logrus_text", "logrus_tty", "logrus_json", "prefixed", "logfmt", "nccl", "nccl_tests",
        "plain",
    }  # fmt: skip


def test_logrus_text_line() -> None:
    r = row(
        'time="2024-03-05T14:07:09Z" level=warning msg="disk \\"sda\\" at 91%" func=main.check '
        'file="/srv/app/disk.go:42" dev=sda free="9 GB" logrus_error="can not add field \\"cb\\""'
    )
    assert r["format"] == "logrus_text"
    assert (r["ts"], r["level"], r["msg"]) == (T0, "warning", 'disk "sda" at 91%')
    assert (r["caller_func"], r["caller_file"]) == ("main.check", "/srv/app/disk.go:42")
    assert r["fields"] == {
        "dev": "sda",
        "free": "9 GB",
        "logrus_error": 'can not add field "cb"',
    }
    assert r["parse_error"] is None


def test_logrus_colored_line_with_and_without_its_codes() -> None:
    colored = (
        "\x1b[31mERRO\x1b[0m[0429]/a/b.go:33 main.f() "
        + "upload failed".ljust(44)
        + '  \x1b[31merr\x1b[0m="connection reset" \x1b[31mtry\x1b[0m=3'
    )
    r = row(colored)
    assert r["format"] == "logrus_tty"
    assert (r["level"], r["elapsed_s"], r["msg"]) == ("error", 429, "upload failed")
    assert (r["caller_func"], r["caller_file"]) == ("main.f", "/a/b.go:33")
    assert r["fields"] == {"err": "connection reset", "try": "3"}
    bare = row("INFO[0001] started" + " " * 37 + '  addr=":8080" tls=false')
    assert bare["format"] == "logrus_tty"
    assert (bare["msg"], bare["fields"]) == ("started", {"addr": ":8080", "tls": "false"})
    full = row("\x1b[36mINFO\x1b[0m[2024-03-05T14:07:09Z] hello" + " " * 40)
    assert (full["ts"], full["elapsed_s"], full["msg"]) == (T0, None, "hello")


def test_json_line_keeps_values_as_printed() -> None:
    r = row(
        '{"big":1e+21,"data":{"a":[1,2]},"fields.msg":"m","level":"error","msg":"a \\u003c b",'
        '"nil":null,"ok":true,"time":"2024-03-05T14:07:09.123456789Z"}'
    )
    assert r["format"] == "logrus_json"
    assert r["ts"] == T0.replace(microsecond=123456)
    assert (r["level"], r["msg"]) == ("error", "a < b")
    assert r["fields"] == {
        "big": "1e+21",
        "data": '{"a":[1,2]}',
        "fields.msg": "m",
        "nil": None,
        "ok": "true",
    }


def test_prefixed_layouts() -> None:
    r = row(
        "\x1b[0;90m[0007]\x1b[0m \x1b[0;33m WARN\x1b[0m\x1b[0;36m api:\x1b[0m slow"
        " \x1b[0;33mms\x1b[0m=900"
    )
    assert r["format"] == "prefixed"
    assert (r["level"], r["prefix"], r["msg"], r["elapsed_s"]) == ("warning", "api", "slow", 7)
    assert r["fields"] == {"ms": "900"}
    kv = row('time="2024-03-05T14:07:09Z" level=info msg=hi prefix=api')
    assert (kv["format"], kv["prefix"], kv["fields"]) == ("prefixed", "api", {"prefix": "api"})


def test_generic_logfmt_knows_the_usual_keys() -> None:
    r = row('level=warn ts=2024-03-05T14:07:09Z caller=main.go:52 msg="slow query" took=2s')
    assert r["format"] == "logfmt"
    assert (r["level"], r["ts"], r["caller_file"], r["msg"]) == (
        "warning",
        T0,
        "main.go:52",
        "slow query",
    )
    assert r["fields"] == {"took": "2s"}


def test_keys_that_are_not_understood_stay_fields() -> None:
    r = row('time="Mar  5 14:07:09" level=info msg=x')
    assert (r["ts"], r["fields"]) == (None, {"time": "Mar  5 14:07:09"})
    j = row('{"level":"notice","msg":"x","time":12}')
    assert (j["level"], j["ts"], j["fields"]) == (None, None, {"level": "notice", "time": "12"})


def test_duplicate_keys_last_wins_and_the_first_fixed_key_is_the_message() -> None:
    r = row('time="2024-03-05T14:07:09Z" level=info msg=hello msg=m a=1 b=2 a=3')
    assert r["msg"] == "hello"
    assert r["fields"] == {"msg": "m", "a": "3", "b": "2"}


@pytest.mark.parametrize(
    ("line", "launcher", "rest"),
    [
        ("[1,0]<stdout>:plain text", "[1,0]<stdout>:", "plain text"),
        ("Fri Aug 11 12:31:45 2023[1,3]<stderr>:x", "Fri Aug 11 12:31:45 2023[1,3]<stderr>:", "x"),
        ("[rank0]:x", "[rank0]:", "x"),
        ("[default0]:x", "[default0]:", "x"),
        ("(RayWorker pid=75833) x", "(RayWorker pid=75833) ", "x"),
        (
            "(RayWorkerWrapper pid=581, ip=10.225.128.18) x",
            "(RayWorkerWrapper pid=581, ip=10.225.128.18) ",
            "x",
        ),
        ("2025-11-24T03:20:21.001125857Z x", "2025-11-24T03:20:21.001125857Z ", "x"),
        ("2025-11-24T03:20:21Z stderr F x", "2025-11-24T03:20:21Z stderr F ", "x"),
        ("  | 2025-05-16T16:39:55.216-07:00 | x", "  | 2025-05-16T16:39:55.216-07:00 | ", "x"),
        ("[rank1]:[1,1]<stdout>:x", "[rank1]:[1,1]<stdout>:", "x"),
    ],
)
def test_strong_launchers_are_always_stripped(line: str, launcher: str, rest: str) -> None:
    r = row(line)
    assert (r["launcher"], r["msg"], r["format"]) == (launcher, rest, "plain")


@pytest.mark.parametrize(
    ("line", "launcher"),
    [
        ("0: level=info msg=x", "0: "),
        ("rdma-worker-1: level=info msg=x", "rdma-worker-1: "),
        ("[155] level=info msg=x", "[155] "),
        ("[2026-04-28 14:14:49] level=info msg=x", "[2026-04-28 14:14:49] "),
        ("0: node-1:12:13 [0] NCCL INFO Bootstrap : Using eth0", "0: "),
        ("404: not found", None),
        ("error: a=b c", None),
    ],
)
def test_weak_launchers_only_before_structured_lines(line: str, launcher: str | None) -> None:
    assert row(line)["launcher"] == launcher


def test_the_launcher_timestamp_fills_ts() -> None:
    assert row("2024-03-05T14:07:09Z plain")["ts"] == T0
    r = row('2020-01-01T00:00:00Z time="2024-03-05T14:07:09Z" level=info msg=x')
    assert r["ts"] == T0  # the line's own timestamp wins
    assert row("Tue Mar  5 14:07:09 2024[1,0]<stdout>:x")["ts"] == T0


def test_line_terminators_are_not_part_of_the_line() -> None:
    assert row("a=1\r\n")["fields"] == {"a": "1"}
    assert row("plain\r")["msg"] == "plain"
    assert row("x\n")["msg"] == "x"


def test_plain_and_empty_lines() -> None:
    assert row("Starting worker 3 of 8")["format"] == "plain"
    r = row("")
    assert (r["format"], r["msg"], r["fields"], r["parse_error"]) == ("plain", "", None, None)


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(log_lines(), min_size=1, max_size=40))
def test_threads_split_a_batch_without_changing_it(lines: list[str]) -> None:
    big = lines * (20_000 // len(lines) + 1)
    one = parse_batch(pa.array(big), threads=1)
    assert parse_batch(pa.array(big), threads=3).equals(one)


def test_nccl_lines_take_their_format_and_level_from_the_records() -> None:
    info = row(
        "[1,3]<stdout>:node-1:1001:2001 [3] NCCL INFO Channel 00/0 : 3[3] -> 10[2] [send]"
        " via NET/IB/0/GDRDMA"
    )
    assert (info["format"], info["level"], info["launcher"]) == ("nccl", "info", "[1,3]<stdout>:")
    assert info["msg"].startswith("node-1:1001:2001 [3] NCCL INFO Channel 00/0")
    assert [(r["family"], r["rank"], r["peer"], r["gdr"]) for r in info["nccl"]] == [
        ("edge", 3, 10, True)
    ]
    warn = row("node-1:1001:2001 [0] transport/net_ib.cc:1295 NCCL WARN NET/IB : Got async event")
    assert (warn["format"], warn["level"]) == ("nccl", "warning")
    assert row("0: node-1:1:1 [0] NCCL INFO Bootstrap : Using eth0")["launcher"] == "0: "


def test_a_logrus_line_carrying_an_nccl_record_keeps_its_format_and_gets_the_record() -> None:
    r = row('time="2024-03-05T14:07:09Z" level=error msg="h:1:1 [0] NCCL WARN NET/IB : lost"')
    assert (r["format"], r["level"]) == ("logrus_text", "error")
    assert r["nccl"] is not None
    assert r["nccl"][0]["level"] == "WARN"


def test_nccl_tests_rows() -> None:
    r = row(
        "           8             2     float     sum      -1    135.8    0.00    0.00      0"
        "    123.5    0.00    0.00      0"
    )
    assert (r["format"], r["nccl"]) == ("nccl_tests", None)
    assert row("# Avg bus bandwidth    : 70.742")["format"] == "nccl_tests"
