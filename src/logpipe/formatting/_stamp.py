"""Entry times as text and as ``[0000]`` seconds, cheaply on the hot path.

Inside the core an entry's time ("when") is either an aware ``datetime`` (the
public ``Entry``) or integer microseconds since the UNIX epoch (what front-ends
have: a datetime is then made only if some layout needs one). ``TimeText``
reuses one text for every entry of the same second when the layout shows no
fraction; ``elapsed_seconds`` takes Go's truncated difference exactly.
"""

from __future__ import annotations

import math
import re
import struct
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from logpipe.formatting._golayout import compile_layout
from logpipe.formatting._world import local_datetime

__all__ = [
    "SpanText",
    "TimeText",
    "When",
    "as_datetime",
    "created_us",
    "elapsed_bounds",
    "elapsed_seconds",
    "epoch_us",
    "second_bounds",
]

When = datetime | int
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_ONE_US = timedelta(microseconds=1)
# Layout parts that change within a second: Go fractions, strftime's %f.
_SUBSECOND = re.compile(r"[.,][09]|%f")


def epoch_us(moment: datetime) -> int:
    """Exact integer microseconds since the UNIX epoch of an aware datetime."""
    return (moment - _EPOCH) // _ONE_US


def as_datetime(when: When) -> datetime:
    """The aware datetime of a "when" (UNIX microseconds become local time)."""
    if type(when) is int:
        # us / 1e6 is within 0.12 µs of the exact value until year 2242, so the
        # round-to-nearest microsecond of fromtimestamp gives back exactly when.
        return local_datetime(when / 1e6)
    assert isinstance(when, datetime)
    return when


def elapsed_seconds(when: When, start_us: int) -> int:
    """Go's ``int(t.Sub(start) / time.Second)``: truncated toward zero."""
    if type(when) is int:
        us = when - start_us
    else:
        assert isinstance(when, datetime)
        us = epoch_us(when) - start_us
    return us // 1_000_000 if us >= 0 else -(-us // 1_000_000)


class TimeText:
    """An entry's time in a Go layout (or strftime), then ``finish``-ed (e.g. quoted).

    The result is reused for every entry of the same second when the layout
    shows nothing finer than seconds.
    """

    __slots__ = ("_cache", "_finish", "_format", "_per_second", "last")

    def __init__(self, layout: str, finish: Callable[[str], str] | None = None) -> None:
        self._format = compile_layout(layout)
        self._finish = finish or str
        self._per_second = _SUBSECOND.search(layout) is None
        self._cache: tuple[Any, Any, str] = (None, None, "")
        #: (UNIX second, text) of the last front-end time, for callers that check inline.
        self.last: tuple[int | None, str] = (None, "")

    def bounds(self, us: int) -> tuple[int, int]:
        """The microseconds that share the text of ``us``: its second, or itself."""
        return second_bounds(us) if self._per_second else (us, us + 1)

    def __call__(self, when: When) -> str:
        if not self._per_second:
            return self._finish(self._format(as_datetime(when)))
        if type(when) is int:
            key: Any = when // 1_000_000
            zone: Any = None  # the local zone of that second: fixed by the key
        else:
            assert isinstance(when, datetime)
            key, zone = (when.timestamp() // 1, when.fold), when.tzinfo
        cached_key, cached_zone, text = self._cache
        if key == cached_key and zone is cached_zone:
            return text
        text = self._finish(self._format(as_datetime(when)))
        self._cache = (key, zone, text)  # one tuple: threads never see a torn entry
        if zone is None:
            self.last = (key, text)
        return text


def created_us(created: float) -> int:
    """A ``LogRecord.created`` (float UNIX seconds) as integer microseconds, half up."""
    return int(created * 1e6 + 0.5)


def _first_created(us: int) -> float:
    """The least float ``c`` with ``created_us(c) >= us`` (created_us never decreases)."""
    guess = (us - 0.5) / 1e6
    width = 2e-6 + abs(guess) * 5e-16  # a few ulps; widened if need be (int() near zero)
    while created_us(guess - width) >= us:
        width *= 2
    low = _order(guess - width)  # created_us(low) < us <= created_us(high)
    while created_us(guess + width) < us:
        width *= 2
    high = _order(guess + width)
    while high - low > 1:  # bisect the floats between, in their order
        middle = (low + high) // 2
        if created_us(_unorder(middle)) >= us:
            high = middle
        else:
            low = middle
    return _unorder(high)


_SIGN = 1 << 63


def _order(x: float) -> int:
    """An int per float that sorts as the floats do (both zeros are 0)."""
    bits: int = struct.unpack("<q", struct.pack("<d", x))[0]
    return bits if bits >= 0 else -(bits & (_SIGN - 1))


def _unorder(key: int) -> float:
    bits = key if key >= 0 else -key | _SIGN
    value: float = struct.unpack("<d", struct.pack("<Q", bits))[0]
    return value


def second_bounds(us: int) -> tuple[int, int]:
    """The microseconds of the UNIX second of ``us``: ``[first, end)``."""
    first = us // 1_000_000 * 1_000_000
    return first, first + 1_000_000


def elapsed_bounds(start_us: int) -> Callable[[int], tuple[int, int]]:
    """The microseconds with the ``elapsed_seconds`` of ``us`` (truncated toward zero)."""

    def bounds(us: int) -> tuple[int, int]:
        seconds = elapsed_seconds(us, start_us) * 1_000_000
        if seconds > 0:
            return start_us + seconds, start_us + seconds + 1_000_000
        if seconds < 0:
            return start_us + seconds - 999_999, start_us + seconds + 1
        return start_us - 999_999, start_us + 1_000_000

    return bounds


class SpanText:
    """A text per float ``created`` time, reused while the time keeps the same text.

    ``text`` renders integer microseconds; ``bounds`` gives the microseconds that
    share the text of a given one. ``last`` is ``(lo, hi, text)``: every created
    time ``lo <= c < hi`` has that text, so hot paths check it inline.
    """

    __slots__ = ("_bounds", "_text", "last")

    def __init__(
        self, text: Callable[[int], str], bounds: Callable[[int], tuple[int, int]]
    ) -> None:
        self._text = text
        self._bounds = bounds
        self.last: tuple[float, float, str] = (0.0, 0.0, "")

    @classmethod
    def fixed(cls, text: str) -> SpanText:
        """A text for every time (a formatter without timestamps)."""
        span = cls(lambda us: text, lambda us: (us, us + 1))
        span.last = (-math.inf, math.inf, text)
        return span

    def __call__(self, created: float) -> str:
        us = created_us(created)
        text = self._text(us)
        first, end = self._bounds(us)
        self.last = (_first_created(first), _first_created(end), text)  # one tuple: no tearing
        return text
