"""x-cray logrus-prefixed-formatter 0.5.2: ``[0007]  INFO api: message key=value`` lines."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any

from logpipe.errors import FormatError
from logpipe.formatting._ansi import color_func, identity
from logpipe.formatting._entry import Caller, Entry
from logpipe.formatting._gofmt import GO_SPACE, call_str, sprint
from logpipe.formatting._logrus import (
    check_options,
    check_time,
    layout,
    reject_unknown,
)
from logpipe.formatting._stamp import TimeText, When, elapsed_seconds, epoch_us
from logpipe.formatting._world import Terminal, local_now, logging_start_time
from logpipe.levels import Level

__all__ = ["DEFAULT_COLOR_SCHEME", "PrefixedFormatter"]

Paint = Callable[[str], str]

#: x-cray's defaultColorScheme, keys in snake_case.
DEFAULT_COLOR_SCHEME: Mapping[str, str] = {
    "info_level_style": "green",
    "warn_level_style": "yellow",
    "error_level_style": "red",
    "fatal_level_style": "red",
    "panic_level_style": "red",
    "debug_level_style": "blue",
    "prefix_style": "cyan",
    "timestamp_style": "black+h",
}
_LEVEL_STYLE = {
    "trace": "debug_level_style",  # x-cray's default branch: trace shares debug's style
    "debug": "debug_level_style",
    "info": "info_level_style",
    "warning": "warn_level_style",
    "error": "error_level_style",
    "fatal": "fatal_level_style",
    "panic": "panic_level_style",
}
_BRACKET_PREFIX = re.compile(r"\[(.*?)\]")
_UNSAFE = re.compile(r"[^A-Za-z0-9\-.]").search
_CLASH_COPIES = ("fields.time", "fields.msg", "fields.level")


def _scheme(color_scheme: Mapping[str, str] | None) -> dict[str, Paint]:
    given = dict(color_scheme or {})
    reject_unknown("color_scheme", given, DEFAULT_COLOR_SCHEME)
    # SetColorScheme: an empty entry falls back to the default style.
    return {
        name: color_func(given.get(name) or default)
        for name, default in DEFAULT_COLOR_SCHEME.items()
    }


class PrefixedFormatter:
    """Renders entries exactly as x-cray's ``prefixed.TextFormatter`` with the same options."""

    def __init__(
        self,
        *,
        force_colors: bool = False,
        disable_colors: bool = False,
        force_formatting: bool = False,
        disable_timestamp: bool = False,
        disable_uppercase: bool = False,
        full_timestamp: bool = False,
        timestamp_format: str = "",
        disable_sorting: bool = False,
        quote_empty_fields: bool = False,
        quote_character: str = "",
        space_padding: int = 0,
        color_scheme: Mapping[str, str] | None = None,
        is_terminal: bool | None = None,
        env: Mapping[str, str] | None = None,
        start_time: datetime | None = None,
        clock: Callable[[], datetime] | None = None,
    ) -> None:
        check_options("PrefixedFormatter", clock=clock)
        check_time("PrefixedFormatter", "start_time", start_time)
        self.force_colors = force_colors
        self.disable_colors = disable_colors
        self.force_formatting = force_formatting
        self.disable_timestamp = disable_timestamp
        self.disable_uppercase = disable_uppercase
        self.full_timestamp = full_timestamp
        self.disable_sorting = disable_sorting
        self.quote_empty_fields = quote_empty_fields
        self.quote_character = quote_character or '"'
        self.space_padding = abs(int(space_padding))  # Go's "%--20s" pads like "%-20s"
        self.env = env  # x-cray reads no environment variable; kept for a uniform world
        self.start_time = start_time if start_time is not None else logging_start_time()
        self._start_us = epoch_us(self.start_time)
        self.clock = clock or local_now
        self.terminal = Terminal(is_terminal)
        self._time = TimeText(layout(timestamp_format))
        self._colors = _scheme(color_scheme)

    def is_formatted(self) -> bool:
        """The ``[0007]  INFO`` layout: ``force_formatting`` or a terminal."""
        return self.force_formatting or self.terminal.get()

    def is_colored(self) -> bool:
        """Colors apply to the formatted layout only (``force_colors`` alone does nothing)."""
        return (self.force_colors or self.terminal.get()) and not self.disable_colors

    def render(self, entry: Entry) -> str:
        """The line x-cray writes for ``entry``, newline included.

        Raises ``FormatError`` where Go panics and writes nothing: a ``prefix``
        field that is not a str in the formatted layout.
        """
        parts = (entry.time, entry.level, entry.message, entry.fields, entry.caller)
        return self._line(*parts, error="") + "\n"

    def _line(
        self,
        when: When,
        level: Level,
        message: str,
        fields: Mapping[str, Any],
        caller: Caller | None,
        *,
        error: str,
    ) -> str:
        """The line without its newline; x-cray shows neither ``error`` nor the caller."""
        keys = list(fields) if self.disable_sorting else sorted(fields)
        if self.is_formatted():
            return self._formatted(when, level, message, fields, keys)
        return self._key_values(when, level, message, fields, keys)

    @staticmethod
    def _lookup(fields: Mapping[str, Any], key: str) -> Any:
        # x-cray copies time/msg/level to fields.* after taking the key list, so
        # only a key already named fields.time prints (the copied) time's value.
        if key in _CLASH_COPIES and key[7:] in fields:
            return fields[key[7:]]
        return fields[key]

    def _quoted(self, text: str) -> str:
        if (self.quote_empty_fields and not text) or _UNSAFE(text) is not None:
            return f"{self.quote_character}{text}{self.quote_character}"
        return text

    def _value(self, value: Any) -> str:
        if type(value) is str or isinstance(value, str):
            return self._quoted(str.__str__(value))
        if isinstance(value, BaseException):
            return self._quoted(call_str(value, "Error"))
        return sprint(value)

    def _key_values(
        self, when: When, level: Level, message: str, fields: Mapping[str, Any], keys: list[str]
    ) -> str:
        parts = [] if self.disable_timestamp else [f"time={self._quoted(self._time(when))} "]
        parts.append(f"level={self._quoted(level)} ")
        if message:
            parts.append(f"msg={self._quoted(message)}{' ' if keys else ''}")
        last = len(keys) - 1
        for i, key in enumerate(keys):
            value = self._value(self._lookup(fields, key))
            parts.append(f"{key}={value}{' ' if i != last else ''}")
        return "".join(parts)

    @staticmethod
    def _prefix_and_message(
        message: str, fields: Mapping[str, Any], paint: Paint
    ) -> tuple[str, str]:
        if "prefix" in fields:
            prefix = fields["prefix"]
            if not isinstance(prefix, str):
                raise FormatError(
                    f'the "prefix" field must be a str, got {type(prefix).__name__} '
                    f"{sprint(prefix)!r} (x-cray's formatter panics on it and writes nothing)"
                )
            return paint(f" {prefix}:"), message
        match = _BRACKET_PREFIX.match(message)
        if match is None or not match.group(1):
            return "", message
        return paint(f" {match.group(1)}:"), message[match.end() :].strip(GO_SPACE)

    def _formatted(
        self, when: When, level: Level, message: str, fields: Mapping[str, Any], keys: list[str]
    ) -> str:
        colored = self.is_colored()
        colors = self._colors
        paint = colors[_LEVEL_STYLE[level]] if colored else identity
        text = "warn" if level == "warning" else level
        head = paint(f"{text if self.disable_uppercase else text.upper():>5}")
        prefix, message = self._prefix_and_message(
            message, fields, colors["prefix_style"] if colored else identity
        )
        if self.space_padding:
            message = message.ljust(self.space_padding)
        line = f"{head}{prefix} {message}"
        if not self.disable_timestamp:
            if self.full_timestamp:
                stamp = f"[{self._time(when)}]"
            else:
                stamp = f"[{elapsed_seconds(self.clock(), self._start_us):04d}]"
            line = f"{(colors['timestamp_style'] if colored else identity)(stamp)} {line}"
        for key in keys:
            if key != "prefix":
                line += f" {paint(key)}={sprint(self._lookup(fields, key), plus=True)}"
        return line
