"""The outside world a formatter reads: terminal state, environment, clocks and local time.

Everything here is a default; the formatters take these as parameters so tests
(and the golden replay) pin them instead of mocking the process.
"""

from __future__ import annotations

import logging
import os
import sys
import time as _time
from collections.abc import Callable, Mapping
from datetime import datetime, timedelta, timezone
from typing import Any

__all__ = [
    "Terminal",
    "environment_colors",
    "local_datetime",
    "local_now",
    "logging_start_time",
    "stream_is_terminal",
]


def stream_is_terminal(stream: Any) -> bool:
    """``isatty()`` of a stream, False for anything that is not a real terminal."""
    isatty = getattr(stream, "isatty", None)
    if isatty is None:
        return False
    try:
        return bool(isatty())
    except (OSError, ValueError):  # closed or detached streams
        return False


def _stderr_is_terminal() -> bool:
    # logrus' default Out is os.Stderr, and so is logging.StreamHandler's.
    return stream_is_terminal(sys.stderr)


class Terminal:
    """Whether the output is a terminal, decided once on first use (Go's ``sync.Once``)."""

    __slots__ = ("_probe", "_value")

    def __init__(self, value: bool | None, probe: Callable[[], bool] | None = None) -> None:
        self._value = value
        self._probe = probe or _stderr_is_terminal

    def set_probe(self, probe: Callable[[], bool]) -> None:
        """Detect from another stream (a front-end knows where it writes)."""
        self._probe = probe

    def get(self) -> bool:
        if self._value is None:
            self._value = self._probe()
        return self._value


def environment_colors(env: Mapping[str, str] | None, colored: bool) -> bool:
    """logrus' ``EnvironmentOverrideColors``: CLICOLOR_FORCE / CLICOLOR decide."""
    environ = os.environ if env is None else env
    force = environ.get("CLICOLOR_FORCE")
    if force is not None and force != "0":
        return True
    if force == "0" or environ.get("CLICOLOR") == "0":
        return False
    return colored


_zones: dict[tuple[int, str], timezone] = {}
# (whole second, zone) of the last conversion, replaced as one tuple so threads never
# see a second paired with another second's zone.
_last: list[tuple[int, timezone | None]] = [(-1, None)]


def _local_zone(seconds: int) -> timezone:
    tm = _time.localtime(seconds)
    key = (tm.tm_gmtoff, tm.tm_zone)
    zone = _zones.get(key)
    if zone is None:
        zone = _zones[key] = timezone(timedelta(seconds=tm.tm_gmtoff), tm.tm_zone)
    return zone


def local_datetime(epoch: float) -> datetime:
    """An aware local datetime for a UNIX time, named like Go's ``time.Local`` (``CET``).

    The zone is looked up once per second (a log burst shares it), so DST
    changes are honoured without paying for ``astimezone()`` on every record.
    """
    second = int(epoch // 1)
    cached_second, zone = _last[0]
    if cached_second != second or zone is None:
        zone = _local_zone(second)
        _last[0] = (second, zone)
    return datetime.fromtimestamp(epoch, zone)


def local_now() -> datetime:
    """The current local time (Go's ``time.Now()``)."""
    return local_datetime(_time.time())


def logging_start_time() -> datetime:
    """When the ``logging`` module was loaded: the base of ``[0000]`` stamps by default."""
    started = getattr(logging, "_startTime", None)
    return local_datetime(started if isinstance(started, float) else _time.time())
