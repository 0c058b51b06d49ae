"""The logging front-ends with real handlers, dictConfig and a real pseudo-terminal."""

from __future__ import annotations

import io
import json
import logging
import logging.config
import os
import re
from collections.abc import Iterator
from pathlib import PurePath
from typing import Any

import pytest

from logpipe.formatting import Caller
from logpipe.formatting.stdlib import (
    LogrusJSONFormatter,
    LogrusPrefixedFormatter,
    LogrusTextFormatter,
    record_fields,
)
from logpipe.levels import TRACE

TIME = r'time="\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(Z|[+-]\d\d:\d\d)"'


@pytest.fixture
def logger(request: pytest.FixtureRequest) -> Iterator[logging.Logger]:
    """A fresh logger of its own, emptied afterwards."""
    log = logging.getLogger(f"logpipe-test.{request.node.name}")
    log.setLevel(TRACE)
    log.propagate = False
    yield log
    for handler in list(log.handlers):
        log.removeHandler(handler)
        handler.close()


def attach(log: logging.Logger, formatter: logging.Formatter) -> io.StringIO:
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(formatter)
    log.addHandler(handler)
    return stream


def test_extra_values_become_fields_and_the_caller_is_reported(logger: logging.Logger) -> None:
    out = attach(logger, LogrusTextFormatter(report_caller=True))
    logger.info("ring %s", "established", extra={"rank": 3, "peer": "gpu-node-10"})
    line = out.getvalue()
    assert line.count("\n") == 1  # one line per record; the handler adds the newline
    assert re.fullmatch(
        TIME + r' level=info msg="ring established" func=test_extra_values_become_fields_and_'
        r'the_caller_is_reported file="[^"]+test_stdlib.py:\d+" peer=gpu-node-10 rank=3\n',
        line,
    ), line


def test_trace_level_is_registered(logger: logging.Logger) -> None:
    out = attach(logger, LogrusJSONFormatter(disable_timestamp=True))
    logger.log(TRACE, "deep")
    assert logging.getLevelName(TRACE) == "TRACE"
    assert out.getvalue() == '{"level":"trace","msg":"deep"}\n'


def test_levels_map_to_logrus(logger: logging.Logger) -> None:
    out = attach(logger, LogrusJSONFormatter(disable_timestamp=True))
    for level in (logging.DEBUG, logging.INFO, logging.WARNING, logging.ERROR, logging.CRITICAL):
        logger.log(level, "x")
    levels = [json.loads(line)["level"] for line in out.getvalue().splitlines()]
    assert levels == ["debug", "info", "warning", "error", "fatal"]


def fail() -> None:
    raise ZeroDivisionError("division by zero")


def test_exceptions_keep_their_traceback(logger: logging.Logger) -> None:
    out = attach(logger, LogrusJSONFormatter())
    try:
        fail()
    except ZeroDivisionError:
        logger.exception("step failed", extra={"step": 7})
    record = json.loads(out.getvalue())
    assert record["error"] == "division by zero"
    assert record["step"] == 7
    assert record["traceback"].startswith("Traceback (most recent call last):")
    assert 'in fail\n    raise ZeroDivisionError("division by zero")' in record["traceback"]


def test_on_a_colored_layout_the_traceback_follows_the_line(logger: logging.Logger) -> None:
    out = attach(logger, LogrusTextFormatter(force_colors=True))
    try:
        fail()
    except ZeroDivisionError:
        logger.error("step failed", exc_info=True, stack_info=True)
    head, *rest = out.getvalue().splitlines()
    assert head.startswith("\x1b[31mERRO\x1b[0m[")
    assert head.endswith('error\x1b[0m="division by zero"')
    assert rest[0] == "Traceback (most recent call last):"
    assert "Stack (most recent call last):" in rest


def test_a_bad_format_call_is_logged_not_lost(capsys: pytest.CaptureFixture[str]) -> None:
    # Straight to the handler: pytest's own capture handler would raise on this record.
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(LogrusTextFormatter(disable_timestamp=True))
    handler.handle(logging.LogRecord("x", logging.INFO, __file__, 1, "rank %d", ("seven",), None))
    assert stream.getvalue() == (
        'level=info msg="rank %d" logpipe_error="bad log call: %d format: a real number is '
        "required, not str (args ('seven',))\"\n"
    )
    assert capsys.readouterr().err == ""


def test_values_go_cannot_write_are_repaired(logger: logging.Logger) -> None:
    out = attach(logger, LogrusJSONFormatter(disable_timestamp=True))
    logger.warning("ratio", extra={"ratio": float("nan")})
    assert json.loads(out.getvalue()) == {
        "level": "warning",
        "msg": "ratio",
        "ratio": "NaN",
        "logrus_error": 'can not encode field "ratio": json: unsupported value: NaN; '
        "written as text",
    }


def test_io_errors_are_left_to_the_handler(
    logger: logging.Logger, capsys: pytest.CaptureFixture[str]
) -> None:
    out = attach(logger, LogrusTextFormatter())
    out.close()
    logger.info("into the void")  # must not raise into the application
    assert "--- Logging error ---" in capsys.readouterr().err


def test_colors_follow_the_handlers_stream(logger: logging.Logger) -> None:
    main, secondary = os.openpty()
    try:
        with os.fdopen(secondary, "w", closefd=False) as terminal:
            handler = logging.StreamHandler(terminal)
            handler.setFormatter(LogrusTextFormatter())
            logger.addHandler(handler)
            logger.warning("careful")
            handler.flush()
        assert os.read(main, 4096).startswith(b"\x1b[33mWARN\x1b[0m[")
    finally:
        os.close(main)
        os.close(secondary)
    out = attach(logger, LogrusTextFormatter())  # a file-like stream: no colors
    logger.warning("careful")
    assert out.getvalue().startswith("time=")


def test_defaults_are_fields_of_every_record(logger: logging.Logger) -> None:
    out = attach(logger, LogrusTextFormatter(disable_timestamp=True, defaults={"svc": "api"}))
    logger.info("a")
    logger.info("b", extra={"svc": "worker"})
    assert out.getvalue() == "level=info msg=a svc=api\nlevel=info msg=b svc=worker\n"


def test_prefixed_front_end(logger: logging.Logger) -> None:
    out = attach(logger, LogrusPrefixedFormatter(force_formatting=True, disable_timestamp=True))
    logger.info("[nccl] ring established", extra={"rank": 3})
    assert out.getvalue() == " INFO nccl: ring established rank=3\n"


def test_extras_even_when_a_standard_attribute_is_gone() -> None:
    record = logging.makeLogRecord({"msg": "x", "rank": 3})
    assert record_fields(record) == {"rank": 3}
    del record.__dict__["thread"]
    record.__dict__["message"] = "set by another formatter"
    assert record_fields(record) == {"rank": 3}


def short(caller: Caller) -> tuple[str, str]:
    return "", f"{PurePath(caller.file).name}:{caller.line}"


def test_dict_config(logger: logging.Logger) -> None:
    stream = io.StringIO()
    logging.config.dictConfig(
        {
            "version": 1,
            "disable_existing_loggers": False,
            "formatters": {
                "logrus": {
                    "()": "logpipe.formatting.stdlib.LogrusTextFormatter",
                    "disable_timestamp": True,
                    "report_caller": True,
                    "field_map": {"msg": "message"},
                    "caller_prettyfier": "ext://tests.formatting.test_stdlib.short",
                },
                "json": {"class": "logpipe.formatting.stdlib.LogrusJSONFormatter", "datefmt": "%H"},
            },
            "handlers": {"text": {"class": "logging.StreamHandler", "formatter": "logrus"}},
            "loggers": {logger.name: {"handlers": ["text"], "level": "TRACE"}},
        }
    )
    handler = logger.handlers[0]
    assert isinstance(handler, logging.StreamHandler)
    handler.setStream(stream)
    logger.log(TRACE, "configured")
    assert re.fullmatch(
        r'level=trace message=configured file="test_stdlib.py:\d+"\n', stream.getvalue()
    )


def test_a_format_string_is_refused() -> None:
    with pytest.raises(ValueError, match="Unable to configure formatter") as caught:
        logging.config.dictConfig(
            {
                "version": 1,
                "disable_existing_loggers": False,
                "formatters": {
                    "x": {
                        "class": "logpipe.formatting.stdlib.LogrusTextFormatter",
                        "format": "%(x)s",
                    }
                },
            }
        )
    assert "takes no format string" in str(caught.value.__cause__)


@pytest.mark.parametrize("options", [{"force_colours": True}, {"field_map": {"when": "t"}}])
def test_bad_options_fail_at_configuration(options: dict[str, Any]) -> None:
    with pytest.raises(ValueError, match=r"force_colours|field_map"):
        LogrusTextFormatter(**options)
