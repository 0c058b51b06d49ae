"""LogrusRenderer with real structlog: configure(), ProcessorFormatter, a real terminal."""

from __future__ import annotations

import io
import json
import logging
import os
import re
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest
import structlog

from logpipe.errors import ConfigError
from logpipe.formatting import JSONFormatter
from logpipe.formatting.structlog import LogrusRenderer

CALLSITE = structlog.processors.CallsiteParameterAdder(
    [
        structlog.processors.CallsiteParameter.FUNC_NAME,
        structlog.processors.CallsiteParameter.PATHNAME,
        structlog.processors.CallsiteParameter.LINENO,
    ]
)


@pytest.fixture(autouse=True)
def fresh_structlog() -> Iterator[None]:
    structlog.reset_defaults()
    yield
    structlog.reset_defaults()


def configure(*processors: Any) -> io.StringIO:
    out = io.StringIO()
    structlog.configure(
        processors=list(processors), logger_factory=structlog.PrintLoggerFactory(out)
    )
    return out


def test_prints_what_logrus_prints() -> None:
    out = configure(
        structlog.processors.add_log_level,
        structlog.processors.TimeStamper(fmt="iso", utc=True),
        CALLSITE,
        LogrusRenderer(report_caller=True, is_terminal=False),
    )
    structlog.get_logger().warning("rank fell back to sockets", rank=7, host="gpu-node-07")
    assert re.fullmatch(
        r'time="\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ" level=warning msg="rank fell back to sockets" '
        r'func=test_prints_what_logrus_prints file="[^"]+test_structlog.py:\d+" '
        r"host=gpu-node-07 rank=7\n",
        out.getvalue(),
    ), out.getvalue()


@pytest.mark.parametrize(
    ("stamp", "expected"),
    [
        (1709647629.5, "2024-03-05T14:07:09.5Z"),
        ("2024-03-05T14:07:09.123+01:00", "2024-03-05T14:07:09.123+01:00"),
        (datetime(2024, 3, 5, 14, 7, 9, tzinfo=UTC), "2024-03-05T14:07:09Z"),
    ],
)
def test_timestamps_become_the_entry_time(stamp: object, expected: str) -> None:
    layout = "2006-01-02T15:04:05.999999999Z07:00"
    renderer = LogrusRenderer("json", timestamp_format=layout)
    line = renderer(None, "info", {"event": "x", "timestamp": stamp})
    decoded = json.loads(line)
    if isinstance(stamp, float):  # UNIX time: local time; compare the instant
        assert datetime.fromisoformat(decoded["time"]) == datetime.fromisoformat(expected)
    else:
        assert decoded["time"] == expected
    assert "timestamp" not in decoded


def test_an_unreadable_timestamp_stays_a_field() -> None:
    line = LogrusRenderer("json")(None, "info", {"event": "x", "timestamp": "05/03 14:07"})
    assert json.loads(line)["timestamp"] == "05/03 14:07"


@pytest.mark.parametrize(
    ("method", "level"), [("exception", "error"), ("critical", "fatal"), ("msg", "info")]
)
def test_method_names_map_to_levels(method: str, level: str) -> None:
    line = LogrusRenderer("json")(None, method, {"event": "x"})
    assert json.loads(line)["level"] == level


def test_exceptions_and_stacks() -> None:
    out = configure(
        structlog.processors.add_log_level,
        structlog.processors.StackInfoRenderer(),
        LogrusRenderer("json"),
    )
    try:
        empty: dict[str, int] = {}
        empty["missing"]
    except KeyError:
        structlog.get_logger().exception("lookup failed", stack_info=True)
    decoded = json.loads(out.getvalue())
    assert decoded["error"] == "'missing'"
    assert decoded["level"] == "error"
    assert decoded["traceback"].endswith("KeyError: 'missing'")
    assert decoded["stack"].startswith("Stack (most recent call last):")


def test_format_exc_info_output_is_the_traceback() -> None:
    out = configure(structlog.processors.format_exc_info, LogrusRenderer("json"))
    try:
        raise OSError("disk full")
    except OSError:
        structlog.get_logger().error("write failed", exc_info=True)
    assert json.loads(out.getvalue())["traceback"].endswith("OSError: disk full")


def test_inside_processor_formatter() -> None:
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(
        structlog.stdlib.ProcessorFormatter(
            foreign_pre_chain=[structlog.stdlib.add_log_level],
            processors=[LogrusRenderer("text", report_caller=True, disable_timestamp=True)],
        )
    )
    log = logging.getLogger("logpipe-test.processor-formatter")
    log.addHandler(handler)
    log.propagate = False
    log.setLevel(logging.INFO)
    structlog.configure(
        processors=[
            structlog.stdlib.add_log_level,
            structlog.stdlib.ProcessorFormatter.wrap_for_formatter,
        ],
        logger_factory=structlog.stdlib.LoggerFactory(),
    )
    try:
        log.warning("from logging %s", "too")  # a foreign record: caller from the record
        structlog.get_logger("logpipe-test.processor-formatter").info("from structlog", n=1)
    finally:
        log.removeHandler(handler)
    first, second = stream.getvalue().splitlines()
    assert re.fullmatch(
        r'level=warning msg="from logging too" func=test_inside_processor_formatter '
        r'file="[^"]+test_structlog.py:\d+"',
        first,
    ), first
    assert second.startswith('level=info msg="from structlog" ')
    assert second.endswith(" n=1")


def test_colors_follow_the_print_loggers_file() -> None:
    main, secondary = os.openpty()
    try:
        with os.fdopen(secondary, "w", closefd=False) as terminal:
            structlog.configure(
                processors=[structlog.processors.add_log_level, LogrusRenderer()],
                logger_factory=structlog.PrintLoggerFactory(terminal),
            )
            structlog.get_logger().info("hello")
        assert os.read(main, 4096).startswith(b"\x1b[36mINFO\x1b[0m[")
    finally:
        os.close(main)
        os.close(secondary)


def test_a_formatter_instance_or_options_not_both() -> None:
    renderer = LogrusRenderer(JSONFormatter(disable_timestamp=True))
    assert renderer(None, "info", {"event": "x"}) == '{"level":"info","msg":"x"}'
    with pytest.raises(ConfigError, match="options go to the formatter"):
        LogrusRenderer(JSONFormatter(), pretty_print=True)
    with pytest.raises(ConfigError, match="unknown formatter 'xml'"):
        LogrusRenderer("xml")


def test_never_raises_into_the_application() -> None:
    renderer = LogrusRenderer("prefixed", force_formatting=True, disable_timestamp=True)
    assert renderer(None, "info", {"event": "x", "prefix": 3}) == " INFO 3: x"
    json_renderer = LogrusRenderer("json", disable_timestamp=True)
    line = json.loads(json_renderer(None, "info", {"event": 42, "v": float("inf")}))
    assert line["msg"] == "42"
    assert line["v"] == "+Inf"
    assert "logrus_error" in line
