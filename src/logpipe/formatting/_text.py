"""logrus 1.9 ``TextFormatter``: logfmt ``key=value`` lines, or colored lines on a terminal."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any

from logpipe.errors import FormatError
from logpipe.formatting._entry import Entry
from logpipe.formatting._gofmt import quote, sprint
from logpipe.formatting._logrus import (
    CallerPrettyfier,
    FieldKeys,
    caller_values,
    check_options,
    check_time,
    colored_caller,
    layout_formatter,
    prefix_field_clashes,
)
from logpipe.formatting._world import (
    Terminal,
    environment_colors,
    logging_start_time,
    whole_seconds,
)
from logpipe.levels import LEVELS

__all__ = ["TextFormatter"]

SortingFunc = Callable[[list[str]], list[str]]
_UNSAFE = re.compile(r"[^A-Za-z0-9\-._/@^+]").search
_COLORS = {"trace": 37, "debug": 37, "info": 36, "warning": 33}  # error, fatal, panic: 31
_LONGEST_LEVEL = max(map(len, LEVELS))


def value_quoter(force_quote: bool, quote_empty: bool, disable_quote: bool) -> Callable[[Any], str]:
    """logrus' ``appendValue``: Go ``%v`` text, quoted with ``%q`` when it needs to be."""
    if force_quote:
        return lambda value: quote(value if type(value) is str else sprint(value))

    def render(value: Any) -> str:
        text = value if type(value) is str else sprint(value)
        if not text:
            return '""' if quote_empty else ""
        if disable_quote or _UNSAFE(text) is None:
            return text
        return quote(text)

    return render


class TextFormatter:
    """Renders entries exactly as logrus' ``TextFormatter`` with the same options."""

    def __init__(
        self,
        *,
        force_colors: bool = False,
        disable_colors: bool = False,
        force_quote: bool = False,
        disable_quote: bool = False,
        environment_override_colors: bool = False,
        disable_timestamp: bool = False,
        full_timestamp: bool = False,
        timestamp_format: str = "",
        disable_sorting: bool = False,
        sorting_func: SortingFunc | None = None,
        disable_level_truncation: bool = False,
        pad_level_text: bool = False,
        quote_empty_fields: bool = False,
        field_map: Mapping[str, str] | None = None,
        caller_prettyfier: CallerPrettyfier | None = None,
        is_terminal: bool | None = None,
        env: Mapping[str, str] | None = None,
        start_time: datetime | None = None,
    ) -> None:
        check_options(
            "TextFormatter", sorting_func=sorting_func, caller_prettyfier=caller_prettyfier
        )
        check_time("TextFormatter", "start_time", start_time)
        self.force_colors = force_colors
        self.disable_colors = disable_colors
        self.environment_override_colors = environment_override_colors
        self.disable_timestamp = disable_timestamp
        self.full_timestamp = full_timestamp
        self.disable_sorting = disable_sorting
        self.sorting_func = sorting_func
        self.caller_prettyfier = caller_prettyfier
        self.env = env
        self.start_time = start_time if start_time is not None else logging_start_time()
        self.terminal = Terminal(is_terminal)
        self._keys = FieldKeys.resolve(field_map)
        self._time = layout_formatter(timestamp_format)
        self._value = value_quoter(force_quote, quote_empty_fields, disable_quote)
        self._heads = {
            level: self._level_head(level, disable_level_truncation, pad_level_text)
            for level in LEVELS
        }
        self._key_open = {level: f" \x1b[{_COLORS.get(level, 31)}m" for level in LEVELS}

    @staticmethod
    def _level_head(level: str, no_truncation: bool, pad: bool) -> str:
        text = level.upper()
        if pad:
            text = text.ljust(_LONGEST_LEVEL)
        elif not no_truncation:
            text = text[:4]
        return f"\x1b[{_COLORS.get(level, 31)}m{text}\x1b[0m"

    def is_colored(self) -> bool:
        """logrus' ``isColored()``: terminal or force_colors, environment, disable_colors."""
        colored = self.force_colors or self.terminal.get()
        if self.environment_override_colors:
            colored = environment_colors(self.env, colored)
        return colored and not self.disable_colors

    def render(self, entry: Entry) -> str:
        """The line logrus writes for ``entry``, newline included."""
        return self._render(entry, "")

    def _render(self, entry: Entry, error: str) -> str:
        has_caller = entry.caller is not None
        data = prefix_field_clashes(entry.fields, self._keys, has_caller)
        if self.is_colored():
            return self._colored(entry, data)
        return self._plain(entry, data, error)

    def _data_keys(self, data: Mapping[str, Any]) -> list[str]:
        if self.disable_sorting:
            return list(data)
        if self.sorting_func is None:
            return sorted(data)
        return self._sorted_by_func(list(data))

    def _sorted_by_func(self, keys: list[str]) -> list[str]:
        assert self.sorting_func is not None
        result = self.sorting_func(keys)
        ordered = keys if result is None else list(result)  # in-place sorters return None
        if sorted(ordered) != sorted(keys):
            raise FormatError(
                f"sorting_func must return a permutation of {keys!r}, got {ordered!r}"
            )
        return ordered

    def _colored(self, entry: Entry, data: Mapping[str, Any]) -> str:
        level = entry.level
        if self.disable_timestamp:
            stamp = ""
        elif self.full_timestamp:
            stamp = f"[{self._time(entry.time)}]"
        else:
            stamp = f"[{whole_seconds(entry.time, self.start_time):04d}]"
        caller = (
            "" if entry.caller is None else colored_caller(entry.caller, self.caller_prettyfier)
        )
        message = entry.message[:-1] if entry.message.endswith("\n") else entry.message
        line = f"{self._heads[level]}{stamp}{caller} {message:<44} "
        if data:
            key_open, value = self._key_open[level], self._value
            line += "".join(
                f"{key_open}{key}\x1b[0m={value(data[key])}" for key in self._data_keys(data)
            )
        return line + "\n"

    def _plain(self, entry: Entry, data: Mapping[str, Any], error: str) -> str:
        keys = self._keys
        fixed: list[str] = [] if self.disable_timestamp else [keys.time]
        fixed.append(keys.level)
        if entry.message:
            fixed.append(keys.msg)
        if error:
            fixed.append(keys.logrus_error)
        # Go's switch picks the first matching case: fill from the lowest priority up.
        values: dict[str, Any] = {}
        if entry.caller is not None:
            func, file = caller_values(entry.caller, self.caller_prettyfier)
            if func:
                fixed.append(keys.func)
            if file:
                fixed.append(keys.file)
            values[keys.file], values[keys.func] = file, func
        values[keys.logrus_error] = error
        values[keys.msg] = entry.message
        values[keys.level] = entry.level
        if keys.time in fixed:
            values[keys.time] = self._time(entry.time)
        if self.disable_sorting or self.sorting_func is None:
            ordered = fixed + self._data_keys(data)
        else:
            ordered = self._sorted_by_func(fixed + list(data))
        value = self._value
        return (
            " ".join(
                f"{key}={value(values[key] if key in values else data[key])}" for key in ordered
            )
            + "\n"
        )
