"""What logrus' two formatters share: FieldMap, clash renaming, caller values, option checks."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from datetime import datetime
from typing import Any, NamedTuple

from logpipe.errors import ConfigError
from logpipe.formatting._entry import Caller
from logpipe.formatting._golayout import RFC3339

__all__ = [
    "CallerPrettyfier",
    "FieldKeys",
    "caller_values",
    "check_options",
    "check_time",
    "colored_caller",
    "layout",
    "prefix_field_clashes",
    "reject_unknown",
]

CallerPrettyfier = Callable[[Caller], tuple[str, str]]
_FIELD_MAP_KEYS = ("time", "level", "msg", "logrus_error", "func", "file")


class FieldKeys(NamedTuple):
    """The FieldMap-resolved names of the fixed keys."""

    time: str
    level: str
    msg: str
    logrus_error: str
    func: str
    file: str

    @classmethod
    def resolve(cls, field_map: Mapping[str, str] | None) -> FieldKeys:
        """Resolve logrus' ``FieldMap`` (keys ``time level msg func file logrus_error``)."""
        field_map = dict(field_map or {})
        reject_unknown("field_map", field_map, _FIELD_MAP_KEYS)
        for key, name in field_map.items():
            if not isinstance(name, str):
                raise ConfigError(f"field_map[{key!r}] must be a str, got {type(name).__name__}")
        return cls(*(field_map.get(key, key) for key in _FIELD_MAP_KEYS))


def reject_unknown(option: str, given: Mapping[str, object], allowed: Iterable[str]) -> None:
    """A mapping option with a key the Go struct does not have is a configuration error."""
    allowed = tuple(allowed)
    unknown = sorted(set(given) - set(allowed))
    if unknown:
        raise ConfigError(
            f"{option}: unknown key(s) {', '.join(map(repr, unknown))}; "
            f"expected some of {', '.join(allowed)}"
        )


def prefix_field_clashes(
    fields: Mapping[str, Any], keys: FieldKeys, has_caller: bool
) -> Mapping[str, Any]:
    """logrus' ``prefixFieldClashes`` on a copy (the input is returned when nothing clashes).

    A key equal to the mapped time, msg, level or logrus_error key moves to
    ``fields.<key>``; with a caller, a key equal to func or file is copied there.
    """
    if not fields:
        return fields
    data: dict[str, Any] | None = None
    for key in (keys.time, keys.msg, keys.level, keys.logrus_error):
        if key in (data if data is not None else fields):
            if data is None:
                data = dict(fields)
            data["fields." + key] = data.pop(key)
    if has_caller:
        for key in (keys.func, keys.file):
            if key in (data if data is not None else fields):
                if data is None:
                    data = dict(fields)
                data["fields." + key] = data[key]
    return fields if data is None else data


def caller_values(caller: Caller, prettyfier: CallerPrettyfier | None) -> tuple[str, str]:
    """(function, file) for the JSON and plain text forms: ``main.emit``, ``/x.go:33``."""
    if prettyfier is not None:
        return _prettyfied(caller, prettyfier)
    return caller.function, f"{caller.file}:{caller.line}"


def _prettyfied(caller: Caller, prettyfier: CallerPrettyfier) -> tuple[str, str]:
    function, file = prettyfier(caller)
    if not isinstance(function, str) or not isinstance(file, str):
        raise TypeError(
            f"caller_prettyfier must return (str, str), got ({type(function).__name__}, "
            f"{type(file).__name__})"
        )
    return function, file


def colored_caller(caller: Caller, prettyfier: CallerPrettyfier | None) -> str:
    """The colored text form's caller: ``file func()``, or the one that is non-empty."""
    if prettyfier is not None:
        function, file = _prettyfied(caller, prettyfier)
    else:
        function, file = f"{caller.function}()", f"{caller.file}:{caller.line}"
    if not file:
        return function
    if not function:
        return file
    return f"{file} {function}"


def layout(timestamp_format: str) -> str:
    """The layout for ``timestamp_format``: a Go layout, strftime with ``%``, "" is RFC 3339."""
    if not isinstance(timestamp_format, str):
        raise ConfigError(f"timestamp_format must be a str, got {type(timestamp_format).__name__}")
    return timestamp_format or RFC3339


def check_options(owner: str, **callables: object) -> None:
    """Reject non-callable hooks at construction rather than at the first log call."""
    for name, value in callables.items():
        if value is not None and not callable(value):
            raise ConfigError(f"{owner}: {name} must be callable, got {type(value).__name__}")


def check_time(owner: str, name: str, value: datetime | None) -> None:
    """Injected times must be aware datetimes (differences with entry times are taken)."""
    if value is not None and (not isinstance(value, datetime) or value.utcoffset() is None):
        raise ConfigError(f"{owner}: {name} must be a timezone-aware datetime, got {value!r}")
