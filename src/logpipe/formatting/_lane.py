"""The text formatter's fast lane: a line from named values of a mapping and a float time.

A front-end that learns an entry's field names once per shape (a LogRecord's
``extra=`` names) renders here without building a fields dict or integer
microseconds: key texts are planned once per tuple of names, and time texts
are reused while the float time stays inside the span that shares them. The
core decides whether its options have a lane (``TextFormatter.lane()``); the
lines are those of its general path, byte for byte (a property test holds them
together).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from logpipe.formatting._entry import Caller
from logpipe.formatting._logfmt import Pairs, pair_heads, pairs_text
from logpipe.formatting._stamp import SpanText, elapsed_bounds, elapsed_seconds
from logpipe.levels import Level

if TYPE_CHECKING:
    from logpipe.formatting._text import TextFormatter

__all__ = ["CallerKey", "Lane", "Plan", "build_plan"]

#: (function, file, line): a ``Caller`` without NamedTuple's construction cost.
CallerKey = tuple[str, str, int]
#: Per level: the line's level text (colored head or ``level=…``) and its fields' key texts.
Plan = Mapping[Level, tuple[str, Pairs]]


class Lane:
    """Renders the form its core decided on (plain or colored) from named values."""

    __slots__ = ("_callers", "_core", "_fixed", "_stamp", "_value", "colored", "line")

    def __init__(self, core: TextFormatter, colored: bool) -> None:
        self._core = core
        self._value = core._value
        self._callers = core._colored_callers
        self.colored = colored
        # A name equal to a fixed key is moved or copied by logrus: the general path's.
        self._fixed = core._moved_or_copied
        self._stamp = _colored_stamp(core) if colored else _plain_stamp(core)
        self.line = self._colored if colored else self._plain

    def plan(self, names: tuple[str, ...]) -> Plan | None:
        """The key texts for fields named ``names``; None when a name clashes with a fixed key."""
        if not self._fixed.isdisjoint(names):
            return None
        return self._core._plan(names, self.colored)

    def _colored(
        self,
        created: float,
        message: str,
        values: Mapping[str, Any],
        planned: tuple[str, Pairs],
        caller: CallerKey | None,
    ) -> str:
        lo, hi, stamp = self._stamp.last
        if not lo <= created < hi:
            stamp = self._stamp(created)
        where = ""
        if caller is not None:  # the cache inline; the core fills it
            where = self._callers.get(caller) or self._core._colored_where(Caller(*caller))
        if message[-1:] == "\n":
            message = message[:-1]
        head, pairs = planned
        line = f"{head}{stamp}{where} {message.ljust(44)} "
        return pairs_text(line, values, pairs, self._value)

    def _plain(
        self,
        created: float,
        message: str,
        values: Mapping[str, Any],
        planned: tuple[str, Pairs],
        caller: CallerKey | None,
    ) -> str:
        core = self._core
        lo, hi, stamp = self._stamp.last
        if not lo <= created < hi:
            stamp = self._stamp(created)
        head, pairs = planned
        line = stamp + head
        if message:
            line += core._message_part(message)
        if caller is not None:
            cached = core._plain_callers.get(caller)
            line += (cached or core._caller_parts(Caller(*caller)))[0]
        return pairs_text(line, values, pairs, self._value)


def build_plan(
    keys: list[str], level_texts: Mapping[Level, str], key_opens: Mapping[Level, str] | None
) -> Plan:
    """Per level: its text and the texts before each of ``keys`` (colored: the level's color)."""
    if key_opens is None:
        pairs = pair_heads(keys, " ", "=")
        return {level: (text, pairs) for level, text in level_texts.items()}
    return {
        level: (text, pair_heads(keys, key_opens[level], "\x1b[0m="))
        for level, text in level_texts.items()
    }


def _plain_stamp(core: TextFormatter) -> SpanText:
    """``time=… `` before the level, as the plain form writes it."""
    if core.disable_timestamp:
        return SpanText.fixed("")
    time = core._time_part
    return SpanText(lambda us: time(us) + " ", time.bounds)


def _colored_stamp(core: TextFormatter) -> SpanText:
    """``[0042]`` seconds since start, ``[<full time>]``, or nothing."""
    if core.disable_timestamp:
        return SpanText.fixed("")
    if core.full_timestamp:
        return SpanText(core._time_bracketed, core._time_bracketed.bounds)
    start = core._start_us
    return SpanText(lambda us: f"[{elapsed_seconds(us, start):04d}]", elapsed_bounds(start))
