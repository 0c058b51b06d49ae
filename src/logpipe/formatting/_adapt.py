"""What both front-ends share: building the core, exceptions as fields, the final line.

An exception becomes logrus' ``error`` field (its message, as ``WithError``)
plus its ``traceback``; a stack becomes ``stack``. On a human layout (colored
text, formatted prefixed) these multi-line texts follow the line raw, as the
stdlib and structlog print them; on machine layouts they stay fields, so every
record is still one line.
"""

from __future__ import annotations

import logging
import traceback
from collections.abc import Callable, Iterable, Mapping
from types import TracebackType
from typing import Any

from logpipe.errors import ConfigError
from logpipe.formatting._json import JSONFormatter
from logpipe.formatting._prefixed import PrefixedFormatter
from logpipe.formatting._safe import Core, Parts, line_safely
from logpipe.formatting._text import TextFormatter
from logpipe.formatting._world import stream_is_terminal

__all__ = [
    "KINDS",
    "ExcInfo",
    "all_handlers",
    "finish",
    "format_exception",
    "handler_stream_is_terminal",
    "is_human",
    "make_core",
]

ExcInfo = tuple[type[BaseException], BaseException, TracebackType | None]
KINDS: Mapping[str, type[Core]] = {
    "text": TextFormatter,
    "json": JSONFormatter,
    "prefixed": PrefixedFormatter,
}


def make_core(kind: str, options: Mapping[str, Any]) -> Core:
    """A core formatter by name (``text``, ``json``, ``prefixed``) with its options."""
    try:
        cls = KINDS[kind]
    except KeyError:
        raise ConfigError(
            f"unknown formatter {kind!r}; expected one of {', '.join(KINDS)}"
        ) from None
    try:
        return cls(**options)
    except TypeError as exc:  # an option the formatter does not have
        raise ConfigError(str(exc)) from exc


def is_human(core: Core) -> bool:
    """Whether the core writes the multi-line-friendly, human layout right now."""
    if isinstance(core, TextFormatter):
        return core.is_colored()
    if isinstance(core, PrefixedFormatter):
        return core.is_formatted()
    return False


def format_exception(exc_info: ExcInfo | BaseException) -> tuple[BaseException, str]:
    """(exception, traceback text) from a stdlib ``exc_info`` tuple or an exception."""
    if isinstance(exc_info, BaseException):
        exc_info = (type(exc_info), exc_info, exc_info.__traceback__)
    text = "".join(traceback.format_exception(*exc_info)).rstrip("\n")
    return exc_info[1], text


def finish(core: Core, parts: Parts, trailer: list[tuple[str, str]]) -> str:
    """The rendered line without its newline (handlers add one), plus multi-line extras.

    ``trailer`` holds (field name, text) pairs: tracebacks and stacks.
    """
    extras = [(key, text) for key, text in trailer if text]
    if extras and not is_human(core):
        fields = dict(parts.fields)
        for key, text in extras:
            fields.setdefault(key, text)
        parts = parts._replace(fields=fields)
        extras = []
    line = line_safely(core, parts)
    if extras:
        return "\n".join([line, *(text for _, text in extras)])
    return line


def all_handlers() -> Iterable[logging.Handler]:
    """Every handler attached to a logger (where a formatter can look for its stream)."""
    yield from logging.root.handlers
    for logger in list(logging.Logger.manager.loggerDict.values()):
        if isinstance(logger, logging.Logger):
            yield from logger.handlers


def handler_stream_is_terminal(match: Callable[[logging.Handler], bool]) -> bool:
    """Whether the stream of the first handler matching ``match`` is a terminal."""
    for handler in all_handlers():
        if match(handler):
            return stream_is_terminal(getattr(handler, "stream", None))
    return False
