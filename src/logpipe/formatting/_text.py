"""logrus 1.9 ``TextFormatter``: logfmt ``key=value`` lines, or colored lines on a terminal.

What does not depend on the entry is prepared in ``__init__``; caller texts are
cached per call site and time texts per second: a record costs its message and fields.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping
from datetime import datetime
from typing import Any

from logpipe.errors import FormatError
from logpipe.formatting._entry import Caller, Entry
from logpipe.formatting._lane import CallerKey, Lane, Plan, build_plan
from logpipe.formatting._logfmt import (
    key_opener,
    level_head,
    pairs_text,
    remember,
    value_quoter,
)
from logpipe.formatting._logrus import (
    CallerPrettyfier,
    FieldKeys,
    caller_values,
    check_options,
    check_time,
    colored_caller,
    layout,
    prefix_field_clashes,
)
from logpipe.formatting._stamp import TimeText, When, elapsed_seconds, epoch_us
from logpipe.formatting._world import Terminal, environment_colors, logging_start_time
from logpipe.levels import LEVELS, Level

__all__ = ["TextFormatter"]

SortingFunc = Callable[[list[str]], list[str]]
LineFunc = Callable[..., str]


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
        self._disable_quote = disable_quote
        self._prepare(
            FieldKeys.resolve(field_map),
            layout(timestamp_format),
            value_quoter(force_quote, quote_empty_fields, disable_quote),
            disable_level_truncation,
            pad_level_text,
        )

    def _prepare(
        self, keys: FieldKeys, fmt: str, value: Callable[[Any], str], no_trunc: bool, pad: bool
    ) -> None:
        self._keys = keys
        self._value = value
        self._start_us = epoch_us(self.start_time)
        self._time = TimeText(fmt)
        self._time_part = TimeText(fmt, lambda text: f"{keys.time}={value(text)}")
        self._time_bracketed = TimeText(fmt, lambda text: f"[{text}]")
        self._moved = frozenset((keys.time, keys.msg, keys.level, keys.logrus_error))
        self._copied = frozenset((keys.func, keys.file))
        self._moved_or_copied = self._moved | self._copied
        self._plans: tuple[dict[tuple[str, ...], Plan], dict[tuple[str, ...], Plan]] = ({}, {})
        self._hooked_sort = self.sorting_func is not None and not self.disable_sorting
        self._simple = len(set(keys)) == len(keys)  # no two fixed keys share a name
        self._level_parts = {level: f"{keys.level}={value(level)}" for level in LEVELS}
        self._heads = {level: level_head(level, no_trunc, pad) for level in LEVELS}
        self._key_open = {level: key_opener(level) for level in LEVELS}
        self._plain_callers: dict[CallerKey, tuple[str, str, str]] = {}
        self._line: LineFunc = self._decide
        # A message with a space is %q-quoted unless quoting is disabled.
        self._quote_spaced = not self._disable_quote
        self._msg_eq = f"{keys.msg}="
        self._last_stamp: tuple[int | None, str] = (None, "")
        self._colored_callers: dict[CallerKey, str] = {}

    def is_colored(self) -> bool:
        """logrus' ``isColored()``: terminal or force_colors, environment, disable_colors."""
        colored = self.force_colors or self.terminal.get()
        if self.environment_override_colors:
            colored = environment_colors(self.env, colored)
        return colored and not self.disable_colors

    def render(self, entry: Entry) -> str:
        """The line logrus writes for ``entry``, newline included."""
        parts = (entry.time, entry.level, entry.message, entry.fields, entry.caller)
        return self._line(*parts, error="") + "\n"

    def lane(self) -> Lane | None:
        """The fast lane of this formatter's form; None where only the general path is exact."""
        if (
            self.environment_override_colors  # the form is decided per line
            or self._hooked_sort
            or self.caller_prettyfier is not None  # a user hook may not be pure: no caching
            or not self._simple
        ):
            return None
        colored = self.is_colored()
        self._line = self._colored if colored else self._plain_fast  # as _decide would
        return Lane(self, colored)

    def _plan(self, names: tuple[str, ...], colored: bool) -> Plan:
        """The key texts of a line's fields per level, in line order (cached per names)."""
        cache = self._plans[colored]
        plan = cache.get(names)
        if plan is None:
            keys = self._data_keys(names)
            if colored:
                plan = build_plan(keys, self._heads, self._key_open)
            else:
                plan = build_plan(keys, self._level_parts, None)
            if not self._hooked_sort:  # a user's sorting_func may not be pure
                remember(cache, names, plan)
        return plan

    def _decide(
        self,
        when: When,
        level: Level,
        message: str,
        fields: Mapping[str, Any],
        caller: Caller | None,
        *,
        error: str,
    ) -> str:
        """The first line decides the form; later lines go straight to it (``self._line``)."""
        if self.is_colored():
            form = self._colored
        elif self._simple and (self.sorting_func is None or self.disable_sorting):
            form = self._plain_fast
        else:
            form = self._plain
        if not self.environment_override_colors:  # else the environment decides each time
            self._line = form
        return form(when, level, message, fields, caller, error=error)

    def _declash(self, fields: Mapping[str, Any], caller: Caller | None) -> Mapping[str, Any]:
        """logrus' prefixFieldClashes, skipped (one C call) when no key clashes."""
        if fields and not fields.keys().isdisjoint(
            self._moved if caller is None else self._moved_or_copied
        ):
            return prefix_field_clashes(fields, self._keys, caller is not None)
        return fields

    def _data_keys(self, data: Collection[str]) -> list[str]:
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

    def _colored(
        self,
        when: When,
        level: Level,
        message: str,
        fields: Mapping[str, Any],
        caller: Caller | None,
        *,
        error: str,
    ) -> str:
        """The colored form (``error``, logrus' entry.err, is not shown there)."""
        data = self._declash(fields, caller)
        if self.disable_timestamp:
            stamp = ""
        elif self.full_timestamp:
            stamp = self._time_bracketed(when)
        else:
            seconds = elapsed_seconds(when, self._start_us)
            last, stamp = self._last_stamp  # changes once a second: keep the text
            if seconds != last:
                stamp = f"[{seconds:04d}]"
                self._last_stamp = (seconds, stamp)
        where = "" if caller is None else self._colored_where(caller)
        if message[-1:] == "\n":
            message = message[:-1]
        line = f"{self._heads[level]}{stamp}{where} {message.ljust(44)} "
        if not data:
            return line
        return pairs_text(line, data, self._plan(tuple(data), True)[level][1], self._value)

    def _colored_where(self, caller: Caller) -> str:
        """The colored form's caller text for a call site."""
        where = self._colored_callers.get(caller, "")
        if not where:
            where = colored_caller(caller, self.caller_prettyfier)
            if self.caller_prettyfier is None:  # a user hook may not be pure
                remember(self._colored_callers, caller, where)
        return where

    def _caller_parts(self, caller: Caller) -> tuple[str, str, str]:
        """(`` func=… file=…`` text, func value, file value) for a call site."""
        cached = self._plain_callers.get(caller)
        if cached is None:
            func, file = caller_values(caller, self.caller_prettyfier)
            keys, value = self._keys, self._value
            pairs = ((keys.func, func), (keys.file, file))
            cached = ("".join([f" {key}={value(text)}" for key, text in pairs if text]), func, file)
            if self.caller_prettyfier is None:
                remember(self._plain_callers, caller, cached)
        return cached

    def _message_part(self, message: str) -> str:
        """`` msg=…`` of the plain form for a non-empty message."""
        if (  # what value() would do, inline: a plain sentence in plain quotes
            self._quote_spaced
            and " " in message
            and '"' not in message
            and "\\" not in message
            and message.isprintable()
        ):
            return f' {self._msg_eq}"{message}"'
        return f" {self._msg_eq}{self._value(message)}"

    def _plain_fast(
        self,
        when: When,
        level: Level,
        message: str,
        fields: Mapping[str, Any],
        caller: Caller | None,
        *,
        error: str,
    ) -> str:
        """The plain form when the six fixed keys have distinct names and no sorting_func."""
        # One C call tells the usual case: no key clashes, no func/file quirk.
        clash = fields and not fields.keys().isdisjoint(
            self._moved if caller is None else self._moved_or_copied
        )
        data = self._declash(fields, caller) if clash else fields
        keys, value = self._keys, self._value
        line = self._level_parts[level]
        if not self.disable_timestamp:
            second, text = self._time_part.last  # the text of the last second, inline
            if type(when) is not int or when // 1_000_000 != second:
                text = self._time_part(when)
            line = f"{text} {line}"
        if message:
            line += self._message_part(message)
        if error:
            line = f"{line} {keys.logrus_error}={value(error)}"
        if caller is not None:
            where, func, file = self._caller_parts(caller)
            line += where
            if clash and data and not data.keys().isdisjoint(self._copied):
                # logrus quirk: a kept user func/file key prints the caller's value again.
                shown = {keys.func: func, keys.file: file}
                data = {k: shown.get(k, v) for k, v in data.items()}
        if not data:
            return line
        return pairs_text(line, data, self._plan(tuple(data), False)[level][1], self._value)

    def _plain(
        self,
        when: When,
        level: Level,
        message: str,
        fields: Mapping[str, Any],
        caller: Caller | None,
        *,
        error: str,
    ) -> str:
        """The plain form in general: Go's key switch, first matching case wins."""
        data = self._declash(fields, caller)
        keys = self._keys
        fixed: list[str] = [] if self.disable_timestamp else [keys.time]
        fixed.append(keys.level)
        if message:
            fixed.append(keys.msg)
        if error:
            fixed.append(keys.logrus_error)
        values: dict[str, Any] = {}  # filled from the lowest priority case up
        if caller is not None:
            _, func, file = self._caller_parts(caller)
            fixed += [key for key, text in ((keys.func, func), (keys.file, file)) if text]
            values[keys.file], values[keys.func] = file, func
        values[keys.logrus_error] = error
        values[keys.msg] = message
        values[keys.level] = level
        if keys.time in fixed:
            values[keys.time] = self._time(when)
        if self.disable_sorting or self.sorting_func is None:
            ordered = fixed + self._data_keys(data)
        else:
            ordered = self._sorted_by_func(fixed + list(data))
        value = self._value
        return " ".join([f"{k}={value(values[k] if k in values else data[k])}" for k in ordered])
