"""Level tables: logrus names <-> stdlib logging numbers <-> structlog method names."""

from __future__ import annotations

import logging
from typing import Final, Literal

__all__ = [
    "LEVELS",
    "Level",
    "PANIC",
    "TRACE",
    "from_logging",
    "from_name",
    "install_trace_level",
    "to_logging",
]

Level = Literal["trace", "debug", "info", "warning", "error", "fatal", "panic"]

#: logrus levels, most verbose first (logrus's own ``Level.String()`` names).
LEVELS: Final[tuple[Level, ...]] = (
    "trace",
    "debug",
    "info",
    "warning",
    "error",
    "fatal",
    "panic",
)

#: stdlib number for logrus's TRACE (below DEBUG, as in logrus).
TRACE: Final = 5
PANIC: Final = 60

_TO_LOGGING: Final[dict[Level, int]] = {
    "trace": TRACE,
    "debug": logging.DEBUG,
    "info": logging.INFO,
    "warning": logging.WARNING,
    "error": logging.ERROR,
    "fatal": logging.CRITICAL,
    "panic": PANIC,
}

# Names other ecosystems use for the same levels (structlog method names,
# stdlib level names, logrus aliases, NCCL's INFO/WARN).
_ALIASES: Final[dict[str, Level]] = {
    **{name: name for name in LEVELS},
    "warn": "warning",
    "err": "error",
    "critical": "fatal",
    "exception": "error",
    "notset": "trace",
    "msg": "info",
    "log": "info",
}


def from_name(name: str) -> Level:
    """Normalise a level name from logrus, logging or structlog; ValueError if unknown."""
    try:
        return _ALIASES[name.lower()]
    except KeyError:
        raise ValueError(f"unknown log level {name!r}") from None


def from_logging(levelno: int) -> Level:
    """Map a stdlib level number to the logrus level at or below it."""
    if levelno >= PANIC:
        return "panic"
    if levelno >= logging.CRITICAL:
        return "fatal"
    if levelno >= logging.ERROR:
        return "error"
    if levelno >= logging.WARNING:
        return "warning"
    if levelno >= logging.INFO:
        return "info"
    if levelno >= logging.DEBUG:
        return "debug"
    return "trace"


def to_logging(level: Level) -> int:
    """The stdlib level number of a logrus level."""
    return _TO_LOGGING[level]


def install_trace_level() -> None:
    """Register TRACE (5) with the logging module; idempotent."""
    if logging.getLevelName(TRACE) != "TRACE":
        logging.addLevelName(TRACE, "TRACE")
