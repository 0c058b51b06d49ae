"""Turn a golden logrus case (``shared/golden/logrus/cases.jsonl``) into Python objects.

The mapping is the golden README's: typed Go values become their Python
counterparts, named Go functions become Python functions, Go option names
become the snake_case options, and the pinned world (tty, env, ``[0000]`` bases)
becomes the formatters' injected parameters.
"""

from __future__ import annotations

import dataclasses
import json
import re
from collections.abc import Callable
from datetime import UTC, datetime, timedelta, timezone
from pathlib import PurePosixPath
from typing import Any

from logpipe.formatting import Caller, Entry, JSONFormatter, PrefixedFormatter, TextFormatter
from tests.shared import SHARED, read_jsonl

CASES_FILE = "golden/logrus/cases.jsonl"
Case = dict[str, Any]
Formatter = TextFormatter | JSONFormatter | PrefixedFormatter


def load_cases() -> list[Case]:
    """Every case, or [] when the golden data is missing (the test then skips or fails)."""
    path = SHARED / CASES_FILE
    return read_jsonl(path) if path.exists() else []


class GoError(Exception):
    """An ``errors.New`` value: ``str()`` is its ``Error()`` text."""


class Stringer(int):
    """A Go named int with a ``String()`` method (``main.Color``): ``%v`` uses the method,
    ``encoding/json`` the number."""

    text: str

    def __new__(cls, value: int, text: str) -> Stringer:
        obj = super().__new__(cls, value)
        obj.text = text
        return obj

    def __str__(self) -> str:
        return self.text


def parse_time(text: str, zone: str, offset: int) -> tuple[datetime, bool]:
    """(aware datetime, has sub-microsecond digits) of an RFC 3339 nano string."""
    match = re.fullmatch(r"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)(?:\.(\d+))?(Z|[+-]\d\d:\d\d)", text)
    assert match, text
    base, frac = match.group(1), match.group(2) or ""
    if zone == "UTC":
        tz = UTC
    elif zone:
        tz = timezone(timedelta(seconds=offset), zone)
    else:
        tz = timezone(timedelta(seconds=offset))  # Go's unnamed fixed zone
    micro = int(frac[:6].ljust(6, "0"))
    naive = datetime.fromisoformat(base).replace(microsecond=micro)
    return naive.replace(tzinfo=tz), bool(frac[6:].strip("0"))


def _struct(value: dict[str, Any]) -> Any:
    # Field order is the Go declaration order, which go_json keeps.
    ordered = json.loads(value["go_json"], object_pairs_hook=list)
    cls = dataclasses.make_dataclass(value["go_type"].split(".")[-1], [k for k, _ in ordered])
    return cls(*(v for _, v in ordered))


def _map(value: dict[str, Any]) -> dict[str, Any]:
    out = dict(value["value"])
    for key, item in out.items():
        # An error nested in a map encodes as {} (json) but prints its text (%v).
        shown = re.search(rf"\b{re.escape(key)}:([^ \]]*)", value["go_sprint"])
        if item == {} and shown and shown.group(1) != "map[]":
            out[key] = GoError(shown.group(1))
    return out


def py_value(value: dict[str, Any]) -> Any:
    """The Python counterpart of one typed Go value."""
    kind, raw = value["type"], value["value"]
    simple: dict[str, Callable[[Any], Any]] = {
        "string": str,
        "int": int,
        "uint": int,
        "float": float,
        "bool": bool,
        "error": GoError,
        "nil": lambda _: None,
        "bytes": lambda v: v.encode(),
        "slice": list,
        "duration": lambda ns: timedelta(microseconds=ns // 1000),
    }
    if kind in simple:
        return simple[kind](raw)
    if kind == "time":
        return parse_time(raw, value["zone"], value["offset_seconds"])[0]
    if kind == "map":
        return _map(value)
    if kind == "struct":
        return _struct(value)
    if kind == "stringer":
        return Stringer(raw, value["go_sprint"])
    raise AssertionError(f"no Python counterpart for {kind}")


def _short_function(frame: Caller) -> str:
    return frame.function.rsplit(".", 1)[-1]


PRETTYFIERS: dict[str, Callable[[Caller], tuple[str, str]]] = {
    "basename_file": lambda c: ("", f"{PurePosixPath(c.file).name}:{c.line}"),
    "func_only": lambda c: (c.function, ""),
    "both_short": lambda c: (f"{_short_function(c)}()", f"{PurePosixPath(c.file).name}:{c.line}"),
    "none": lambda c: ("", ""),
    "spaced": lambda c: (f"fn {_short_function(c)}", f"at line {c.line}"),
}
SORTERS: dict[str, Callable[[list[str]], list[str]]] = {
    "reverse": lambda keys: sorted(keys, reverse=True),
    "ascending": sorted,
}
_SNAKE = re.compile(r"(?<=[a-z])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])")


def snake(name: str) -> str:
    """Go field name to option name: ``DisableHTMLEscape`` -> ``disable_html_escape``."""
    return _SNAKE.sub("_", name).lower()


def options(case: Case) -> dict[str, Any]:
    """The formatter options of a case, in Python form."""
    out: dict[str, Any] = {}
    for name, given in case["options"].items():
        value = given
        if name == "CallerPrettyfier":
            value = PRETTYFIERS[given]
        elif name == "SortingFunc":
            value = SORTERS[given]
        elif name == "ColorScheme":
            value = {snake(k): v for k, v in given.items()}
        out[snake(name)] = value
    return out


def build_formatter(case: Case) -> Formatter:
    """The case's formatter with its options and pinned world."""
    opts, entry = options(case), case["entry"]
    if case["formatter"] == "json":
        return JSONFormatter(**opts)
    if case["formatter"] == "text":
        start = parse_time(entry["logger_start"], "UTC", 0)[0]
        return TextFormatter(**opts, is_terminal=case["tty"], env=case["env"], start_time=start)
    base = datetime(2024, 1, 1, tzinfo=UTC)
    now = base + timedelta(seconds=entry["elapsed_seconds"] + 0.5)
    return PrefixedFormatter(**opts, is_terminal=case["tty"], start_time=base, clock=lambda: now)


def build_entry(case: Case, drop_funcs: bool = False) -> Entry:
    """The case's entry: time, level, message, fields in WithField order, caller.

    ``drop_funcs`` leaves out func-valued fields, as logrus does (it reports them
    in ``logrus_error`` instead).
    """
    raw = case["entry"]
    time, _ = parse_time(raw["time"], raw["time_zone"], raw["time_offset_seconds"])
    fields = {
        key: py_value(raw["fields"][key])
        for key in raw["field_order"]
        if not (drop_funcs and raw["fields"][key]["type"] == "func")
    }
    caller = raw["caller"]
    return Entry(
        time,
        raw["level"],
        raw["message"],
        fields,
        None if caller is None else Caller(caller["function"], caller["file"], caller["line"]),
    )


_LONG_FRACTION = re.compile(r"[.,](0{7,}|9{7,})(?![0-9])")


def skip_reason(case: Case) -> str | None:
    """Why a case has no Python counterpart (None: it must pass byte for byte)."""
    raw = case["entry"]
    for key, value in raw["fields"].items():
        kind = value["type"]
        if kind == "func":
            return f"field {key!r} is a Go func: logrus refuses it (logrus_error); no Python value"
        if kind == "struct_ptr":
            return f"field {key!r} is a pointer to a struct (&{{...}}): Python has no pointers"
        if kind == "slice" and value["value"] is None:
            return f"field {key!r} is a nil Go slice (prints [], encodes null): no Python list"
        if kind == "duration" and value["value"] % 1000:
            return f"field {key!r} is a duration with nanoseconds: timedelta stops at microseconds"
    if case["options"].get("DisableSorting") and len(raw["fields"]) > 1:
        return "DisableSorting with several fields: Go iterates its map in random order"
    _, sub_micro = parse_time(raw["time"], raw["time_zone"], raw["time_offset_seconds"])
    layout = case["options"].get("TimestampFormat", "")
    if sub_micro and _LONG_FRACTION.search(layout):
        return (
            f"entry time {raw['time']} shows nanoseconds in {layout!r}: datetime has microseconds"
        )
    return None
