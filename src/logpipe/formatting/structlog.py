"""A structlog renderer that writes what logrus writes: ``LogrusRenderer``.

As the last processor of ``structlog.configure(processors=[...])``, or inside
``structlog.stdlib.ProcessorFormatter``. The event dict maps to an entry:
``event`` is the message, ``level`` (or the method name, or the stdlib record)
the level, ``timestamp`` (a datetime, UNIX time or ISO 8601 string; else now)
the time; with ``report_caller=True`` the ``CallsiteParameterAdder`` keys
``func_name``, ``pathname`` and ``lineno`` (or the stdlib record) are the caller.
Every other key is a field. ``exc_info`` becomes ``error`` and ``traceback``;
a ``format_exc_info``-rendered ``exception`` and a ``stack`` are kept the same way.
"""

from __future__ import annotations

import logging
import sys
import time
from collections.abc import Mapping, MutableMapping
from datetime import datetime
from typing import Any

# Modules, not names: this module's public names are its __all__ only.
from logpipe import errors as _errors
from logpipe import levels as _levels
from logpipe.formatting import _adapt, _entry, _gofmt, _safe, _stamp, _world

__all__ = ["LogrusRenderer"]

_META = ("_record", "_from_structlog")
_CALLSITE = ("func_name", "pathname", "lineno")


class LogrusRenderer:
    """Render a structlog event dict as one logrus (text, json) or x-cray (prefixed) line.

    ``formatter`` is ``"text"``, ``"json"``, ``"prefixed"`` (with that formatter's
    options as keywords) or a ready core formatter instance.
    """

    def __init__(
        self,
        formatter: str | _safe.Core = "text",
        *,
        report_caller: bool = False,
        **options: Any,
    ) -> None:
        if isinstance(formatter, str):
            self.core: _safe.Core = _adapt.make_core(formatter, options)
        elif options:
            raise _errors.ConfigError("options go to the formatter instance, not to LogrusRenderer")
        else:
            self.core = formatter
        self.report_caller = report_caller
        self._probed = False

    def __call__(self, logger: Any, method_name: str, event_dict: MutableMapping[str, Any]) -> str:
        if not self._probed:
            self._probed = True
            terminal = getattr(self.core, "terminal", None)
            if terminal is not None:
                terminal.set_probe(lambda: self._stream_is_terminal(logger))
        trailer: list[tuple[str, str]] = []
        parts = self.parts(method_name, event_dict, trailer)
        if trailer:
            return _adapt.finish(self.core, parts, trailer)
        try:
            return self.core._line(*parts, error="")  # core._line is rebound once decided
        except Exception:  # rendered again with the safety net (repair or fallback)
            return _safe.line_safely(self.core, parts)

    def _stream_is_terminal(self, logger: Any) -> bool:
        stream = getattr(logger, "_file", None)  # structlog's PrintLogger / WriteLogger
        if stream is not None:
            return _world.stream_is_terminal(stream)
        # Inside a ProcessorFormatter: the stream of the handler using it.
        return _adapt.handler_stream_is_terminal(
            lambda h: self in getattr(h.formatter, "processors", ())
        )

    def parts(
        self,
        method_name: str,
        event_dict: Mapping[str, Any],
        trailer: list[tuple[str, str]],
    ) -> _safe.Parts:
        """The entry of an event dict; multi-line texts go to ``trailer``."""
        fields = dict(event_dict)
        record = fields.pop("_record", None)
        for key in _META:
            fields.pop(key, None)
        event = fields.pop("event", "")
        message = event if isinstance(event, str) else _gofmt.sprint(event)
        level = _level(fields.pop("level", None), method_name, record)
        when = _time(fields, record)
        caller = self._caller(fields, record) if self.report_caller else None
        exc_info = fields.pop("exc_info", None)
        if exc_info:
            exc = _exc_info(exc_info)
            if exc is not None:
                error, text = _adapt.format_exception(exc)
                fields.setdefault("error", error)
                trailer.append(("traceback", text))
        if isinstance(fields.get("exception"), str):
            trailer.append(("traceback", fields.pop("exception")))
        if isinstance(fields.get("stack"), str):
            trailer.append(("stack", fields.pop("stack")))
        return _safe.Parts(when, level, message, fields, caller)

    @staticmethod
    def _caller(fields: dict[str, Any], record: logging.LogRecord | None) -> _entry.Caller | None:
        if all(key in fields for key in _CALLSITE):
            function, path, line = (fields.pop(key) for key in _CALLSITE)
            return _entry.Caller(str(function), str(path), int(line))
        if isinstance(record, logging.LogRecord):
            return _entry.Caller(record.funcName, record.pathname, record.lineno)
        return None


def _level(value: Any, method_name: str, record: Any) -> _levels.Level:
    for name in (value, method_name):
        if isinstance(name, str):
            try:
                return _levels.from_name(name)
            except ValueError:
                continue
    if isinstance(record, logging.LogRecord):
        return _levels.from_logging(record.levelno)
    return "info"


def _time(fields: dict[str, Any], record: Any) -> _stamp.When:
    """The entry time from ``timestamp`` when it can be read (it is then consumed)."""
    stamp = fields.get("timestamp")
    parsed: _stamp.When | None = None
    if isinstance(stamp, datetime):
        parsed = stamp if stamp.utcoffset() is not None else stamp.astimezone()
    elif isinstance(stamp, int | float) and not isinstance(stamp, bool):
        parsed = round(stamp * 1e6)  # UNIX seconds (TimeStamper(fmt=None))
    elif isinstance(stamp, str):
        try:
            parsed = datetime.fromisoformat(stamp)
        except ValueError:
            parsed = None  # a custom strftime text: keep it as a field
        else:
            parsed = parsed if parsed.utcoffset() is not None else parsed.astimezone()
    if parsed is not None:
        del fields["timestamp"]
        return parsed
    if isinstance(record, logging.LogRecord):
        return round(record.created * 1e6)
    return time.time_ns() // 1000


def _exc_info(value: Any) -> Any:
    """structlog's ``exc_info`` forms: True (current exception), an exception, a tuple."""
    if value is True:
        value = sys.exc_info()
    if isinstance(value, BaseException):
        return value
    if isinstance(value, tuple) and len(value) == 3 and value[1] is not None:
        return value
    return None
