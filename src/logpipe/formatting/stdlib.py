"""``logging.Formatter`` front-ends: Python's logging writes logrus text, JSON or prefixed lines.

Use them like any formatter, or from ``logging.config.dictConfig``::

    "formatters": {"logrus": {"()": "logpipe.formatting.stdlib.LogrusTextFormatter",
                              "full_timestamp": True, "report_caller": True}}

``extra=`` values become fields, ``defaults=`` fields every record carries,
``report_caller=True`` takes the caller from the record (``funcName``,
``pathname``, ``lineno``), ``exc_info`` becomes an ``error`` field plus its
traceback, and terminal detection (colors) looks at the stream of the handler
the formatter is attached to. A record is never lost and ``format`` never
raises: unrenderable values are written as text and say so.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from itertools import islice
from typing import Any, ClassVar, Literal

# Modules, not names: this module's public names are its __all__ only.
from logpipe import errors as _errors
from logpipe import levels as _levels
from logpipe.formatting import _adapt, _entry, _gofmt, _lane, _logfmt, _safe, _text

__all__ = [
    "LogrusJSONFormatter",
    "LogrusPrefixedFormatter",
    "LogrusTextFormatter",
    "record_fields",
]

# Attributes every LogRecord has; anything else on a record came from ``extra=``.
_STANDARD = tuple(vars(logging.LogRecord("", 0, "", 0, "", (), None)))
_RESERVED = frozenset(_STANDARD) | {"message", "asctime", "taskName"}
_N_STANDARD = len(_STANDARD)
_LogRecord = logging.LogRecord
# A lane's plan by stdlib level number (empty when records of a shape take the general path).
_ByNumber = dict[int, tuple[str, _logfmt.Pairs]]
_NAMES: dict[tuple[str, ...], tuple[str, ...]] = {}  # _tail -> extra names, per record shape
_LEVELS = {number: _levels.from_logging(number) for number in (5, 10, 20, 30, 40, 50, 60)}
# NamedTuple's own __new__ is Python code; tuple's is not (this is the hot path).
_new_caller = tuple.__new__
_Caller = _entry.Caller


def record_fields(record: logging.LogRecord) -> dict[str, Any]:
    """The ``extra=`` values of a record, in the order they were given."""
    attrs = record.__dict__
    extras = len(attrs) - _N_STANDARD
    if extras <= 0:
        return {}
    return {name: attrs[name] for name in _extra_names(attrs, _tail(attrs, extras))}


def _tail(attrs: dict[str, Any], extras: int) -> tuple[str, ...]:
    """The last ``extras + 1`` attribute names, last first: what says which are extras."""
    return tuple(islice(reversed(attrs), extras + 1))


def _extra_names(attrs: dict[str, Any], tail: tuple[str, ...]) -> tuple[str, ...]:
    """The names of the extras of a record whose attribute names end with ``tail``."""
    names = _NAMES.get(tail)
    if names is None:
        # makeRecord sets extras after __init__'s attributes, so they follow the last
        # one; when it is not where expected (a standard attribute was deleted),
        # every attribute is looked at instead (and not remembered: it is no shape).
        if tail[-1] != _STANDARD[-1]:
            return tuple(name for name in attrs if name not in _RESERVED)
        names = tuple(name for name in reversed(tail[:-1]) if name not in _RESERVED)
        _logfmt.remember(_NAMES, tail, names)
    return names


_levels.install_trace_level()


class _LogrusFormatter(logging.Formatter):
    """The adapter: LogRecord -> Entry -> the core's line."""

    kind: ClassVar[str]

    def __init__(
        self,
        fmt: str | None = None,
        datefmt: str | None = None,
        style: Literal["%", "{", "$"] = "%",
        validate: bool = True,
        *,
        defaults: Mapping[str, Any] | None = None,
        report_caller: bool = False,
        **options: Any,
    ) -> None:
        if fmt is not None:
            raise _errors.ConfigError(
                f"{type(self).__name__} renders logrus lines and takes no format string "
                f"(got {fmt!r}); configure it with its options instead"
            )
        super().__init__(None, datefmt, style, validate)
        if datefmt is not None:
            if options.get("timestamp_format"):
                raise _errors.ConfigError("give either datefmt or timestamp_format, not both")
            options["timestamp_format"] = datefmt  # strftime when it contains "%"
        self.report_caller = report_caller
        self.default_fields = dict(defaults or {})
        self.core: _safe.Core = _adapt.make_core(self.kind, options)
        # The text core's fast lane, decided with the form at the first record.
        self._lane: _lane.Lane | None = None
        self._lane_pending = True
        self._plans: dict[tuple[str, ...], _ByNumber] = {}  # by _tail
        self._bare_plans: _ByNumber = {}
        terminal = getattr(self.core, "terminal", None)
        if terminal is not None:
            terminal.set_probe(self._stream_is_terminal)

    def _stream_is_terminal(self) -> bool:
        return _adapt.handler_stream_is_terminal(lambda handler: handler.formatter is self)

    def format(self, record: logging.LogRecord) -> str:
        """The logrus line for ``record`` (without the newline the handler adds)."""
        lane = self._lane
        if lane is None or self.default_fields or record.exc_info or record.stack_info:
            return self._first(record) if self._lane_pending else self._general(record)
        attrs = record.__dict__
        extras = len(attrs) - _N_STANDARD
        plans = self._bare_plans
        if extras > 0:
            tail = tuple(islice(reversed(attrs), extras + 1))
            known = self._plans.get(tail)
            plans = known if known is not None else self._plans_for(attrs, tail)
        planned = plans.get(record.levelno)  # None: another level number, or a clash
        if planned is None:
            return self._general(record)
        try:
            if type(record) is _LogRecord:  # getMessage, inline
                message = str(record.msg)
                if record.args:
                    message %= record.args
            else:
                message = record.getMessage()
            caller = None
            if self.report_caller:
                caller = (record.funcName, record.pathname, record.lineno)
            return lane.line(record.created, message, attrs, planned, caller)
        except Exception:  # anything unusual is rendered (or repaired) by the general path
            return self._general(record)

    def _first(self, record: logging.LogRecord) -> str:
        """The first record decides the form (terminal or not), and with it the lane."""
        self._lane_pending = False
        if isinstance(self.core, _text.TextFormatter):
            self._lane = self.core.lane()
        if self._lane is not None:
            self._bare_plans = self._by_number(())
        return self.format(record)

    def _plans_for(self, attrs: dict[str, Any], tail: tuple[str, ...]) -> _ByNumber:
        """The lane's plans for records whose attribute names end with ``tail``."""
        plans = self._by_number(_extra_names(attrs, tail))
        if tail[-1] == _STANDARD[-1]:  # a record shape: worth remembering
            _logfmt.remember(self._plans, tail, plans)
        return plans

    def _by_number(self, names: tuple[str, ...]) -> _ByNumber:
        """The lane's plan for fields ``names`` by stdlib level number (empty: no lane)."""
        assert self._lane is not None
        plan = self._lane.plan(names)
        if plan is None:
            return {}
        return {number: plan[level] for number, level in _LEVELS.items()}

    def _general(self, record: logging.LogRecord) -> str:
        """Any record, any formatter: an Entry's parts for the core's general path."""
        fields = record_fields(record)
        if self.default_fields:
            fields = {**self.default_fields, **fields}
        try:
            message = record.getMessage()
        except Exception as exc:  # a bad %-format: keep the record and say what went wrong
            message = _gofmt.call_str(record.msg)
            fields.setdefault("logpipe_error", f"bad log call: {exc} (args {record.args!r})")
        caller = None
        if self.report_caller:
            caller = _new_caller(_Caller, (record.funcName, record.pathname, record.lineno))
        level = _LEVELS.get(record.levelno) or _levels.from_logging(record.levelno)
        # The time as UNIX microseconds: a datetime is built only if a layout needs one.
        when = int(record.created * 1e6 + 0.5)  # created > 0: round half up, cheaper
        if record.exc_info or record.stack_info:
            return self._with_trailer(record, _safe.Parts(when, level, message, fields, caller))
        try:
            return self.core._line(when, level, message, fields, caller, error="")
        except Exception:  # rendered again with the safety net (repair or fallback)
            return _safe.line_safely(self.core, _safe.Parts(when, level, message, fields, caller))

    def _with_trailer(self, record: logging.LogRecord, parts: _safe.Parts) -> str:
        """A record with an exception or a stack: ``error`` field, traceback, stack."""
        trailer: list[tuple[str, str]] = []
        if record.exc_info and record.exc_info[1] is not None:
            error, text = _adapt.format_exception(record.exc_info[1])
            fields = dict(parts.fields)
            fields.setdefault("error", error)  # a user's own "error" field wins
            parts = parts._replace(fields=fields)
            trailer.append(("traceback", record.exc_text or text))
        if record.stack_info:
            trailer.append(("stack", record.stack_info))
        return _adapt.finish(self.core, parts, trailer)


class LogrusTextFormatter(_LogrusFormatter):
    """logrus ``TextFormatter`` lines; options as ``logpipe.formatting.TextFormatter``."""

    kind = "text"


class LogrusJSONFormatter(_LogrusFormatter):
    """logrus ``JSONFormatter`` lines; options as ``logpipe.formatting.JSONFormatter``."""

    kind = "json"


class LogrusPrefixedFormatter(_LogrusFormatter):
    """x-cray prefixed lines; options as ``logpipe.formatting.PrefixedFormatter``."""

    kind = "prefixed"
