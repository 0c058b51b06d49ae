"""The record every formatter renders: ``Entry`` (logrus' ``*Entry``) and its ``Caller``."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any, NamedTuple

from logpipe.levels import LEVELS, Level

__all__ = ["Caller", "Entry"]

_LEVEL_SET = frozenset(LEVELS)


class Caller(NamedTuple):
    """Where the log call was made (Go's ``runtime.Frame``: Function, File, Line)."""

    function: str
    file: str
    line: int


class Entry:
    """One log event: an aware ``time``, a logrus ``level``, a ``message`` and ``fields``.

    ``fields`` keeps its insertion order (it matters only with ``disable_sorting``);
    ``caller`` is set when the logger reports the caller (logrus ``ReportCaller``).
    """

    __slots__ = ("caller", "fields", "level", "message", "time")

    time: datetime
    level: Level
    message: str
    fields: Mapping[str, Any]
    caller: Caller | None

    def __init__(
        self,
        time: datetime,
        level: Level,
        message: str,
        fields: Mapping[str, Any] | None = None,
        caller: Caller | None = None,
    ) -> None:
        if not isinstance(time, datetime):
            raise TypeError(f"Entry time must be a datetime, got {type(time).__name__}")
        if time.utcoffset() is None:
            raise ValueError(f"Entry time must be timezone-aware, got naive {time.isoformat()}")
        if level not in _LEVEL_SET:
            raise ValueError(f"unknown level {level!r}; expected one of {', '.join(LEVELS)}")
        if not isinstance(message, str):
            raise TypeError(f"Entry message must be a str, got {type(message).__name__}")
        fields = {} if fields is None else dict(fields)
        bad = [key for key in fields if not isinstance(key, str)]
        if bad:
            raise TypeError(f"Entry field keys must be str (as logrus' Fields), got {bad[0]!r}")
        if caller is not None and not isinstance(caller, Caller):
            caller = Caller(*caller)
        self.time = time
        self.level = level
        self.message = message
        self.fields = fields
        self.caller = caller

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Entry):
            return NotImplemented
        return (self.time, self.level, self.message, dict(self.fields), self.caller) == (
            other.time,
            other.level,
            other.message,
            dict(other.fields),
            other.caller,
        )

    __hash__ = None  # type: ignore[assignment]  # mutable fields: not hashable

    def __repr__(self) -> str:
        return (
            f"Entry(time={self.time!r}, level={self.level!r}, message={self.message!r}, "
            f"fields={dict(self.fields)!r}, caller={self.caller!r})"
        )
