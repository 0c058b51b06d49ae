"""What parsing a golden logrus case must give back: the entry as its formatter printed it.

Reads the typed values of ``../shared/golden/logrus/cases.jsonl`` (README there) and
derives, per case, the level, message, fields (as printed text), caller, prefix and the
timestamp at the precision its layout printed.
"""

from __future__ import annotations

import json
import math
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

#: TimestampFormat -> (kind, precision in µs). kind: instant (zone printed), wall (no zone:
#: read as UTC), named (zone abbreviation: an instant only for UTC), none (no full timestamp).
LAYOUTS: dict[str | None, tuple[str, int]] = {
    None: ("instant", 1_000_000),
    "2006-01-02T15:04:05Z07:00": ("instant", 1_000_000),
    "2006-01-02T15:04:05-07:00": ("instant", 1_000_000),
    "2006-01-02T15:04:05.999999999Z07:00": ("instant", 1),
    "2006-01-02T15:04:05.999999Z07:00": ("instant", 1),
    "2006-01-02T15:04:05.000Z07:00": ("instant", 1000),
    "Mon, 02 Jan 2006 15:04:05 -0700": ("instant", 1_000_000),
    "2006-01-02 15:04:05": ("wall", 1_000_000),
    "2006-01-02 15:04:05,000": ("wall", 1000),
    "Mon Jan _2 15:04:05 2006": ("wall", 1_000_000),
    "Mon Jan _2 15:04:05 MST 2006": ("named", 1_000_000),
    "2006-01-02 15:04:05 MST": ("named", 1_000_000),
}


def go_float(text: Any, *, json_style: bool = False) -> str:
    """Go ``%v`` (or encoding/json) text of a float64 given as Python-parsable text."""
    x = float(text)
    if math.isnan(x):
        return "NaN"
    if x in (float("inf"), float("-inf")):
        return "+Inf" if x > 0 else "-Inf"
    if x == 0:
        return "-0" if str(x).startswith("-") else "0"
    sign, digits, exp = Decimal(repr(x)).normalize().as_tuple()
    ds = "".join(map(str, digits))
    point = len(ds) + int(exp)  # decimal point position: value = 0.ds × 10^point
    e = point - 1
    use_exp = (abs(x) < 1e-6 or abs(x) >= 1e21) if json_style else (e < -4 or e >= 6)
    if use_exp:
        mant = ds[0] + ("." + ds[1:] if len(ds) > 1 else "")
        es = f"{abs(e):02d}" if not json_style else str(abs(e))
        body = f"{mant}e{'-' if e < 0 else '+'}{es}"
    elif point <= 0:
        body = "0." + "0" * -point + ds
    elif point >= len(ds):
        body = ds + "0" * (point - len(ds))
    else:
        body = ds[:point] + "." + ds[point:]
    return ("-" if sign else "") + body


def printed(value: dict[str, Any], style: str) -> str | None:
    """The text a typed value was printed as: style ``v`` (%v), ``+v`` (%+v) or ``json``."""
    kind, raw = value["type"], value.get("value")
    if style == "json":
        if kind == "float":
            return go_float(raw, json_style=True)
        if kind in ("string", "error", "bytes") and "go_json" not in value:
            return str(raw)
        if kind == "nil" or (raw is None and "go_json" not in value):
            return None
        if "go_json" in value:
            decoded = json.loads(value["go_json"])
            if decoded is None or isinstance(decoded, str):
                return decoded
            return str(value["go_json"])
        return json.dumps(raw)
    if kind == "float":
        return go_float(raw)
    if kind == "bool":
        return "true" if raw else "false"
    if kind == "nil":
        return "<nil>"
    if style == "+v" and "go_plusv" in value:
        return str(value["go_plusv"])
    if "go_sprint" in value:
        return str(value["go_sprint"])
    return str(raw)


def expected_ts(case: dict[str, Any]) -> datetime | None:
    """The ``ts`` a case's printed timestamp gives, or None when its layout has no full one."""
    kind, precision = LAYOUTS.get(case["options"].get("TimestampFormat"), ("none", 0))
    entry = case["entry"]
    if kind == "none" or (kind == "named" and entry["time_zone"] not in ("UTC", "")):
        return None
    text = entry["time"].replace("Z", "+00:00")
    whole, _, rest = text.partition(".")
    frac = rest[: len(rest) - len(rest.lstrip("0123456789"))]
    zone = rest[len(frac) :] if rest else whole[19:]
    local = datetime.fromisoformat(whole[:19]).replace(tzinfo=UTC)
    local += timedelta(microseconds=int((frac + "000000")[:6]))
    local -= timedelta(microseconds=local.microsecond % precision)
    if kind == "wall":
        return local
    return local - timedelta(seconds=_offset(zone))


def _offset(zone: str) -> int:
    sign = -1 if zone.startswith("-") else 1
    hours, minutes = zone[1:].split(":")
    return sign * (int(hours) * 3600 + int(minutes) * 60)


_PRETTY: dict[str, Any] = {
    "basename_file": lambda fn, path, line: (None, f"{path.rsplit('/', 1)[-1]}:{line}"),
    "func_only": lambda fn, path, line: (fn, None),
    "both_short": lambda fn, path, line: (
        fn.rsplit(".", 1)[-1] + "()",
        f"{path.rsplit('/', 1)[-1]}:{line}",
    ),
    "none": lambda fn, path, line: (None, None),
    "spaced": lambda fn, path, line: ("fn " + fn.rsplit(".", 1)[-1], f"at line {line}"),
}


def colored_text(case: dict[str, Any]) -> bool:
    """Did logrus's TextFormatter use its colored layout for this case."""
    opts, env = case["options"], case.get("env", {})
    colored = bool(opts.get("ForceColors")) or case["tty"]
    if opts.get("EnvironmentOverrideColors"):
        if "CLICOLOR_FORCE" in env and env["CLICOLOR_FORCE"] != "0":
            colored = True
        elif env.get("CLICOLOR_FORCE") == "0" or env.get("CLICOLOR") == "0":
            colored = False
    return colored and not opts.get("DisableColors")


def caller(case: dict[str, Any], *, tty: bool) -> tuple[str | None, str | None]:
    """(func, file) as printed, for the text and JSON formatters."""
    frame = case["entry"]["caller"]
    if not case["logger"]["ReportCaller"] or frame is None:
        return None, None
    fn, path, line = frame["function"], frame["file"], frame["line"]
    name = case["options"].get("CallerPrettyfier")
    func, file = _PRETTY[name](fn, path, line) if name else (fn, f"{path}:{line}")
    if tty and func is not None:
        func = func.removesuffix("()")
    return func or None, file or None


_CLASH = ("time", "msg", "level", "logrus_error")


def _fields(case: dict[str, Any], style: str, *, rename: bool) -> dict[str, str | None]:
    out: dict[str, str | None] = {}
    for key in case["entry"].get("field_order", []):
        value = case["entry"]["fields"][key]
        if value["type"] == "func":
            continue
        out[f"fields.{key}" if rename and key in _CLASH else key] = printed(value, style)
    return out


def checkable_fields(case: dict[str, Any]) -> bool:
    """False where the printed fields depend on quirks this table does not model."""
    keys = set(case["entry"].get("fields", {}))
    risky = {"func", "file"} | ({"prefix"} if case["formatter"] != "prefixed" else set())
    return not (
        keys & risky
        or any(k.startswith("fields.") for k in keys)
        or case["options"].get("FieldMap")
        or case["options"].get("DataKey")
        or (case["options"].get("DisableSorting") and len(keys) > 1)
    )


def expected(case: dict[str, Any]) -> dict[str, Any]:
    """The columns a golden case's output must parse to (only the ones that are defined)."""
    entry, opts = case["entry"], case["options"]
    builder = {"text": _text, "json": _json, "prefixed": _prefixed}[case["formatter"]]
    exp: dict[str, Any] = {"level": entry["level"], **builder(case)}
    if not checkable_fields(case):
        exp.pop("fields", None)
    if set(entry.get("fields", {})) & {"func", "file"}:
        exp.pop("caller_func", None)
        exp.pop("caller_file", None)
    if opts.get("FieldMap"):
        exp = {
            "format": {"logrus_text", "logfmt"} if exp["format"] == "logrus_text" else exp["format"]
        }
    return exp


def prints_time_key(case: dict[str, Any]) -> bool:
    """Does the output hold the timestamp as a ``time`` key (not a ``[stamp]``)."""
    if case["options"].get("DisableTimestamp"):
        return False
    if case["formatter"] == "text":
        return not colored_text(case)
    return case["formatter"] == "json" or not prefixed_formatted(case)


def _timestamps(case: dict[str, Any], *, stamp: bool) -> dict[str, Any]:
    opts = case["options"]
    if opts.get("DisableTimestamp"):
        return {"ts": None, "elapsed_s": None}
    if stamp and not opts.get("FullTimestamp"):
        return {"ts": None, "elapsed_s": case["entry"]["elapsed_seconds"]}
    return {"ts": expected_ts(case), "elapsed_s": None}


def _text(case: dict[str, Any]) -> dict[str, Any]:
    entry, tty = case["entry"], colored_text(case)
    exp: dict[str, Any] = {"format": "logrus_tty" if tty else "logrus_text"}
    exp.update(_timestamps(case, stamp=tty))
    exp["caller_func"], exp["caller_file"] = caller(case, tty=tty)
    message = entry["message"]
    if tty:
        message = message.removesuffix("\n")
        message = message if len(message) > 44 else message.rstrip(" ")
    exp["msg"] = message
    exp["fields"] = _fields(case, "v", rename=True)
    if entry.get("logrus_error") and not tty:
        exp["fields"]["logrus_error"] = entry["logrus_error"]
    return exp


def _json(case: dict[str, Any]) -> dict[str, Any]:
    entry = case["entry"]
    exp: dict[str, Any] = {"format": "logrus_json", "msg": entry["message"]}
    exp.update(_timestamps(case, stamp=False))
    exp["caller_func"], exp["caller_file"] = caller(case, tty=False)
    exp["fields"] = _fields(case, "json", rename=True)
    if entry.get("logrus_error"):
        exp["fields"]["logrus_error"] = entry["logrus_error"]
    return exp


def prefixed_formatted(case: dict[str, Any]) -> bool:
    return bool(case["options"].get("ForceFormatting")) or case["tty"]


def prefixed_colored(case: dict[str, Any]) -> bool:
    opts = case["options"]
    colored = bool(opts.get("ForceColors")) or case["tty"]
    return prefixed_formatted(case) and colored and not opts.get("DisableColors")


def _prefixed(case: dict[str, Any]) -> dict[str, Any]:
    entry = case["entry"]
    if not prefixed_formatted(case):
        exp = {"format": {"prefixed", "logrus_text"}, "msg": entry["message"]}
        exp.update(_timestamps(case, stamp=False))
        exp["fields"] = _fields(case, "v", rename=False)
        exp["prefix"] = exp["fields"].get("prefix")
        return exp
    exp = {"format": "prefixed", **_timestamps(case, stamp=True)}
    message, prefix = entry["message"], None
    fields = entry.get("fields", {})
    if "prefix" in fields:
        prefix = str(fields["prefix"]["value"])
    elif message.startswith("[") and "]" in message and "\n" not in message[: message.index("]")]:
        inner = message[1 : message.index("]")]
        if inner:
            prefix, message = inner, message[message.index("]") + 1 :].strip()
    exp["msg"], exp["prefix"] = message.rstrip(" "), prefix
    exp["fields"] = {k: v for k, v in _fields(case, "+v", rename=False).items() if k != "prefix"}
    return exp


def detectable(case: dict[str, Any]) -> bool:
    """False for layouts that cannot be told from plain text (documented in the parsers)."""
    if case["formatter"] != "prefixed" or not prefixed_formatted(case) or prefixed_colored(case):
        return True
    opts = case["options"]
    if opts.get("DisableTimestamp"):
        return False
    return not opts.get("FullTimestamp") or expected_ts(case) is not None
