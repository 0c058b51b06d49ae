"""Per-record cost of the logrus formatters against stdlib logging and structlog.

One run prints the cost of formatting one record (caller on, 3 fields) through
``LogrusTextFormatter`` (plain and colored), stdlib ``logging.Formatter`` with
an equivalent format string (plain and colored), and structlog's
``ConsoleRenderer`` (colors off and on), then the ratios the targets are about:
logrus/stdlib <= 1.3 and ConsoleRenderer/logrus >= 3.

The stdlib format strings are what a user would write with ``%``-style formats
to put the same information on the line as logrus does, so the ratio compares
like with like: level, time (plain: the full timestamp; colored: the elapsed
``[0000]`` stamp, which stdlib only has in milliseconds, ``relativeCreated``),
message, caller (function, file and line) and the 3 fields as ``key=value``
(through ``%(name)s`` of the extras, which need no discovery), with the ANSI
colors of logrus' colored form in the colored one. What stdlib cannot say in a
format string is left out rather than emulated: per-level colors, quoting
decisions and key sorting, which are logrus' work to pay for.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import Any

import structlog

from logpipe.formatting.stdlib import LogrusTextFormatter, record_fields
from logpipe.formatting.structlog import LogrusRenderer

RECORDS = 100  # distinct records, 1 ms apart; short rounds (~1 ms) fit in a scheduler slice
ROUNDS = 200  # best of: interleaved rounds find the quiet moments of a shared machine

CONSOLE_OFF = "structlog ConsoleRenderer, colors off"
CONSOLE_ON = "structlog ConsoleRenderer, colors on"
PLAIN_FMT = (
    'time="%(asctime)s" level=%(levelname)s msg="%(message)s" func=%(funcName)s '
    'file="%(pathname)s:%(lineno)d" request_id=%(request_id)s user=%(user)s status=%(status)s'
)
COLORED_FMT = (
    "\x1b[36m%(levelname).4s\x1b[0m[%(relativeCreated)04d]%(pathname)s:%(lineno)d "
    "%(funcName)s() %(message)-44s  \x1b[36mrequest_id\x1b[0m=%(request_id)s "
    "\x1b[36muser\x1b[0m=%(user)s \x1b[36mstatus\x1b[0m=%(status)s"
)


def make_records() -> list[logging.LogRecord]:
    start = time.time()
    records = []
    for i in range(RECORDS):
        record = logging.LogRecord(
            "sidecar",
            logging.INFO,
            "/srv/sidecar/handlers.py",
            42,
            "request %s served",
            (f"/v1/jobs/{i}",),
            None,
            func="serve",
        )
        record.created = start + i / 1000
        record.request_id = f"req-{i:06d}"
        record.user = "alice"
        record.status = 200
        records.append(record)
    return records


def per_call_ns(
    candidates: dict[str, tuple[Callable[[Any], object], list[Any]]],
) -> dict[str, float]:
    """Best-of-ROUNDS nanoseconds per call of each candidate over its items.

    Rounds are interleaved (every candidate once per round) so that load from
    other processes on a shared machine hits all candidates alike.
    """
    best = dict.fromkeys(candidates, float("inf"))
    for _ in range(ROUNDS):
        for name, (fn, items) in candidates.items():
            t0 = time.perf_counter_ns()
            for item in items:
                fn(item)
            best[name] = min(best[name], (time.perf_counter_ns() - t0) / len(items))
    return best


def event_dicts() -> list[object]:
    return [
        {
            "event": f"request /v1/jobs/{i} served",
            "level": "info",
            "timestamp": "2024-03-05T14:07:09.123456Z",
            "func_name": "serve",
            "pathname": "/srv/sidecar/handlers.py",
            "lineno": 42,
            "request_id": f"req-{i:06d}",
            "user": "alice",
            "status": 200,
        }
        for i in range(RECORDS)
    ]


def floor(record: logging.LogRecord) -> str:
    """The least any generic formatter does: find the extras, the message, join the fields.

    No level, time, caller, quoting or sorting: what is left of the stdlib-relative
    budget once this is paid is what a logrus layout may cost.
    """
    fields = record_fields(record)
    return record.getMessage() + " ".join([f"{k}={v}" for k, v in fields.items()])


def candidates() -> dict[str, tuple[Callable[[Any], object], list[Any]]]:
    plain = LogrusTextFormatter(report_caller=True, is_terminal=False)
    colored = LogrusTextFormatter(report_caller=True, force_colors=True)
    std_plain = logging.Formatter(PLAIN_FMT, datefmt="%Y-%m-%dT%H:%M:%S%z")
    std_colored = logging.Formatter(COLORED_FMT)
    renderer = LogrusRenderer(report_caller=True, is_terminal=False)
    console_off = structlog.dev.ConsoleRenderer(colors=False)
    console_on = structlog.dev.ConsoleRenderer(colors=True)
    events = event_dicts()
    # Each candidate gets its own records: the stdlib formatter caches "message" on them.
    return {
        "logrus text via logging, plain": (plain.format, make_records()),
        "logrus text via logging, colored": (colored.format, make_records()),
        "stdlib logging.Formatter, plain fmt": (std_plain.format, make_records()),
        "stdlib logging.Formatter, colored fmt": (std_colored.format, make_records()),
        "structlog ConsoleRenderer, colors off": (
            lambda ed: console_off(None, "info", dict(ed)),
            events,
        ),
        "structlog ConsoleRenderer, colors on": (
            lambda ed: console_on(None, "info", dict(ed)),
            events,
        ),
        "logpipe LogrusRenderer (structlog), plain": (
            lambda ed: renderer(None, "info", dict(ed)),
            events,
        ),
        "floor: extras + message + joined fields": (floor, make_records()),
    }


def main() -> None:
    costs = per_call_ns(candidates())
    for name, ns in costs.items():
        print(f"{name:<44} {ns / 1000:7.2f} µs/record")
    print_ratios(costs)


def print_ratios(costs: dict[str, float]) -> None:
    plain, colored = (costs[f"logrus text via logging, {m}"] for m in ("plain", "colored"))
    std_plain = costs["stdlib logging.Formatter, plain fmt"]
    std_colored = costs["stdlib logging.Formatter, colored fmt"]
    checks = [
        ("logrus plain / stdlib plain", plain / std_plain, "<=", 1.3),
        ("logrus colored / stdlib colored", colored / std_colored, "<=", 1.3),
        ("ConsoleRenderer off / logrus plain", costs[CONSOLE_OFF] / plain, ">=", 3.0),
        ("ConsoleRenderer on / logrus colored", costs[CONSOLE_ON] / colored, ">=", 3.0),
    ]
    for name, ratio, op, target in checks:
        met = ratio <= target if op == "<=" else ratio >= target
        print(f"{name:<44} {ratio:7.2f}x  (target {op} {target}: {'met' if met else 'NOT met'})")
    base = costs["floor: extras + message + joined fields"]
    print(
        f"{'floor / stdlib colored':<44} {base / std_colored:7.2f}x  (what is left of a 1.3x "
        f"budget for level, time, caller, quoting, sorting: {1.3 * std_colored - base:.0f} ns)"
    )
