"""Pieces of logrus' text lines: values (Go ``%v``, ``%q`` when needed), pairs, level heads."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Any

from logpipe.formatting._gofmt import quote, sprint

__all__ = [
    "PairsFunc",
    "key_opener",
    "level_head",
    "needs_quoting",
    "pairs_renderer",
    "remember",
    "value_quoter",
]

_COLORS = {"trace": 37, "debug": 37, "info": 36, "warning": 33}  # error, fatal, panic: 31
_LONGEST_LEVEL = len("warning")
_CACHE_SIZE = 1024  # entries remembered per cache; cleared when full (a bound, not an LRU)

# logrus' needsQuoting: anything but ASCII letters, digits and - . _ / @ ^ +
_UNSAFE = re.compile(r"[^A-Za-z0-9\-._/@^+]").search


def needs_quoting(text: str) -> bool:
    """Whether logrus (without quoting options) writes ``text`` with ``%q``."""
    if text.isalnum() and text.isascii():
        return False  # the common bare word: two C calls instead of a regex
    return " " in text or _UNSAFE(text) is not None


def _forced(value: Any) -> str:
    """``appendValue`` with ForceQuote: everything in Go ``%q``."""
    return quote(value if type(value) is str else sprint(value))


def value_quoter(force_quote: bool, quote_empty: bool, disable_quote: bool) -> Callable[[Any], str]:
    """logrus' ``appendValue``: Go ``%v`` text, quoted with ``%q`` when it needs to be."""
    if force_quote:
        return _forced

    def render(value: Any) -> str:
        kind = type(value)
        if kind is int:
            return int.__repr__(value)  # digits and "-": never quoted
        text: str = value if kind is str else sprint(value)
        if not text:
            return '""' if quote_empty else ""
        if disable_quote or not needs_quoting(text):
            return text
        return quote(text)

    return render


PairsFunc = Callable[[Mapping[str, Any], list[str], dict[str, str], str, str], list[str]]
_HEADS_SIZE = 4096  # distinct keys remembered per head cache; cleared when full


def pairs_renderer(value: Callable[[Any], str]) -> PairsFunc:
    """A function rendering ``<before>key<after>value`` for each key of a mapping.

    ``heads`` caches ``<before>key<after>`` per key (keys repeat far more than
    values); bare words and ints skip ``value()`` unless everything is quoted.
    """
    fast = value is not _forced

    def pairs(
        data: Mapping[str, Any], keys: list[str], heads: dict[str, str], before: str, after: str
    ) -> list[str]:
        out: list[str] = []
        append = out.append
        for key in keys:
            head = heads.get(key)
            if head is None:
                if len(heads) >= _HEADS_SIZE:
                    heads.clear()
                head = heads[key] = f"{before}{key}{after}"
            item = data[key]
            kind = type(item)
            if fast:
                if kind is str:
                    # A bare word needs no value(): alnum, or no space and no unsafe char.
                    if (item.isalnum() and item.isascii()) or (
                        item and " " not in item and _UNSAFE(item) is None
                    ):
                        append(head + item)
                        continue
                elif kind is int:
                    append(head + int.__repr__(item))
                    continue
            append(head + value(item))
        return out

    return pairs


def level_head(level: str, no_truncation: bool, pad: bool) -> str:
    """The colored level of logrus' colored form: ``ESC[36mINFOESC[0m``."""
    text = level.upper()
    if pad:
        text = text.ljust(_LONGEST_LEVEL)
    elif not no_truncation:
        text = text[:4]
    return f"\x1b[{_COLORS.get(level, 31)}m{text}\x1b[0m"


def key_opener(level: str) -> str:
    """What precedes each key in the colored form: a space and the level's color."""
    return f" \x1b[{_COLORS.get(level, 31)}m"


def remember(cache: dict[Any, Any], key: Any, value: Any) -> None:
    """Store in a bounded cache (cleared when full: call sites are few, keys repeat)."""
    if len(cache) >= _CACHE_SIZE:
        cache.clear()
    cache[key] = value
