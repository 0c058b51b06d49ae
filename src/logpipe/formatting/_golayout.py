"""Go ``time.Format`` layouts ("2006-01-02T15:04:05Z07:00") compiled to Python formatters.

The chunking follows Go's ``nextStdChunk`` token by token, so literal text and
ambiguous spellings (``Janx`` is literal, ``_2006`` is ``_`` + year) behave as in Go.
A layout containing ``%`` is taken as a ``strftime`` format instead.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timezone
from functools import lru_cache
from operator import attrgetter

__all__ = ["GO_TIME_STRING", "RFC3339", "RFC3339_NANO", "compile_layout", "zone_name"]

RFC3339 = "2006-01-02T15:04:05Z07:00"
RFC3339_NANO = "2006-01-02T15:04:05.999999999Z07:00"
#: the layout of Go's ``time.Time.String()`` (what ``%v`` prints for a time).
GO_TIME_STRING = "2006-01-02 15:04:05.999999999 -0700 MST"

Formatter = Callable[[datetime], str]
_Getter = Callable[[datetime], object]

_MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)
_DAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


def zone_name(dt: datetime) -> str:
    """Go's zone abbreviation of ``dt``: "" for an unnamed fixed zone.

    A ``datetime.timezone`` built without a name reports ``UTC+01:00``; that is
    Go's ``FixedZone("", 3600)``, whose name is empty (zero offset stays "UTC").
    """
    tz = dt.tzinfo
    name = dt.tzname() or ""
    if type(tz) is timezone and name.startswith("UTC") and len(name) > 3:
        offset = tz.utcoffset(None)
        if name == timezone(offset).tzname(None):
            return ""
    return name


def _offset_seconds(dt: datetime) -> int:
    offset = dt.utcoffset()
    return 0 if offset is None else int(offset.total_seconds())


def _split_offset(offset: int) -> tuple[str, int, int]:
    """Go's sign and minutes (truncated toward zero) and |offset| of a zone offset."""
    zone = -(-offset // 60) if offset < 0 else offset // 60
    return ("-" if zone < 0 else "+"), abs(zone), abs(offset)


def _tz(zulu: bool, colon: bool, minutes: bool, seconds: bool) -> _Getter:
    def fmt(dt: datetime) -> str:
        offset = _offset_seconds(dt)
        if zulu and offset == 0:
            return "Z"
        sign, zone, absoffset = _split_offset(offset)
        sep = ":" if colon else ""
        out = f"{sign}{zone // 60:02d}"
        if minutes:
            out += f"{sep}{zone % 60:02d}"
        if seconds:
            out += f"{sep}{absoffset % 60:02d}"
        return out

    return fmt


def _zone_abbrev(dt: datetime) -> str:
    name = zone_name(dt)
    if name:
        return name
    sign, zone, _ = _split_offset(_offset_seconds(dt))
    return f"{sign}{zone // 60:02d}{zone % 60:02d}"


def _fraction(sep: str, digits: int, trim: bool) -> _Getter:
    digits = min(digits, 9)

    def fmt(dt: datetime) -> str:
        # Go truncates (never rounds) the nanoseconds to the layout's digits.
        text = f"{dt.microsecond:06d}000"[:digits]
        if trim:
            text = text.rstrip("0")
            if not text:
                return ""
        return sep + text

    return fmt


def _hour12(dt: datetime) -> int:
    return dt.hour % 12 or 12


# token -> (%-spec, getter); numeric getters are C-level attrgetters for speed.
_TOKENS: dict[str, tuple[str, _Getter]] = {
    "2006": ("%04d", attrgetter("year")),
    "06": ("%02d", lambda dt: dt.year % 100),
    "January": ("%s", lambda dt: _MONTHS[dt.month - 1]),
    "Jan": ("%s", lambda dt: _MONTHS[dt.month - 1][:3]),
    "1": ("%d", attrgetter("month")),
    "01": ("%02d", attrgetter("month")),
    "Monday": ("%s", lambda dt: _DAYS[dt.weekday()]),
    "Mon": ("%s", lambda dt: _DAYS[dt.weekday()][:3]),
    "2": ("%d", attrgetter("day")),
    "_2": ("%2d", attrgetter("day")),
    "02": ("%02d", attrgetter("day")),
    "__2": ("%3d", lambda dt: dt.timetuple().tm_yday),
    "002": ("%03d", lambda dt: dt.timetuple().tm_yday),
    "15": ("%02d", attrgetter("hour")),
    "3": ("%d", _hour12),
    "03": ("%02d", _hour12),
    "4": ("%d", attrgetter("minute")),
    "04": ("%02d", attrgetter("minute")),
    "5": ("%d", attrgetter("second")),
    "05": ("%02d", attrgetter("second")),
    "PM": ("%s", lambda dt: "PM" if dt.hour >= 12 else "AM"),
    "pm": ("%s", lambda dt: "pm" if dt.hour >= 12 else "am"),
    "MST": ("%s", _zone_abbrev),
    "Z070000": ("%s", _tz(True, False, True, True)),
    "Z07:00:00": ("%s", _tz(True, True, True, True)),
    "Z0700": ("%s", _tz(True, False, True, False)),
    "Z07:00": ("%s", _tz(True, True, True, False)),
    "Z07": ("%s", _tz(True, False, False, False)),
    "-070000": ("%s", _tz(False, False, True, True)),
    "-07:00:00": ("%s", _tz(False, True, True, True)),
    "-0700": ("%s", _tz(False, False, True, False)),
    "-07:00": ("%s", _tz(False, True, True, False)),
    "-07": ("%s", _tz(False, False, False, False)),
}
# Longest spelling first where one token is a prefix of another (Go's order).
_BY_FIRST: dict[str, tuple[str, ...]] = {
    "J": ("January", "Jan"),
    "M": ("Monday", "Mon", "MST"),
    "0": ("01", "02", "03", "04", "05", "06", "002"),
    "1": ("15", "1"),
    "2": ("2006", "2"),
    "_": ("_2", "__2"),
    "3": ("3",),
    "4": ("4",),
    "5": ("5",),
    "P": ("PM",),
    "p": ("pm",),
    "-": ("-070000", "-07:00:00", "-0700", "-07:00", "-07"),
    "Z": ("Z070000", "Z07:00:00", "Z0700", "Z07:00", "Z07"),
}


def _match(layout: str, i: int) -> tuple[str, int] | None:
    """The std token starting at ``layout[i]`` and its length, as Go's nextStdChunk."""
    c = layout[i]
    if c in ".,":
        return _match_fraction(layout, i)
    for token in _BY_FIRST.get(c, ()):
        if not layout.startswith(token, i):
            continue
        rest = layout[i + len(token) :]
        if token in ("Jan", "Mon") and "a" <= rest[:1] <= "z":
            continue  # "Janet", "Month": literal text in Go
        if token == "_2" and layout.startswith("2006", i + 1):
            return None  # "_2006" is a literal "_" followed by the year
        return token, len(token)
    return None


def _match_fraction(layout: str, i: int) -> tuple[str, int] | None:
    if i + 1 >= len(layout) or layout[i + 1] not in "09":
        return None
    j = i + 1
    while j < len(layout) and layout[j] == layout[i + 1]:
        j += 1
    if j < len(layout) and layout[j] in "0123456789":
        return None  # only a fraction when the run of digits ends here
    return layout[i:j], j - i


@lru_cache(maxsize=64)
def compile_layout(layout: str) -> Formatter:
    """A function formatting an aware datetime as Go's ``t.Format(layout)`` does."""
    if "%" in layout:
        return lambda dt: dt.strftime(layout)
    spec: list[str] = []
    getters: list[_Getter] = []
    i = 0
    while i < len(layout):
        found = _match(layout, i)
        if found is None:
            spec.append(layout[i].replace("%", "%%"))
            i += 1
            continue
        token, width = found
        if token[0] in ".,":
            fmt, getter = "%s", _fraction(token[0], width - 1, token[1] == "9")
        else:
            fmt, getter = _TOKENS[token]
        spec.append(fmt)
        getters.append(getter)
        i += width
    pattern = "".join(spec)
    if not getters:
        return lambda dt: layout
    return lambda dt: pattern % tuple([g(dt) for g in getters])
