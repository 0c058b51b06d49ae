"""Shared hypothesis strategies (add yours; do not rewrite others').

Log lines (parsers): lines shaped like every format the parsers know - logrus key=value,
colored and JSON, x-cray, logfmt, NCCL-like, plain - behind launcher wrappers, with
escapes, odd quoting, damage and truncation, so both parser engines meet the same edges.
"""

from __future__ import annotations

import json

from hypothesis import strategies as st

_ODD = ' "\\=\x1b[]:{},\té日\ufffd\x00\r\x7f\u2028'
#: Text with the characters that matter to the parsers.
log_text = st.text(alphabet=st.sampled_from(list("abcxyz019 ._/-+@^" + _ODD)), max_size=24)
#: Text that most lines are made of (no escapes, no control bytes).
clean_text = st.text(alphabet=st.sampled_from(list("abcxyz019 ._/-+@^:,é日")), max_size=50)
_LEVELS = ["trace", "debug", "info", "warning", "error", "fatal", "panic", "warn", "INFO", "x"]
_KEYS = ["time", "level", "msg", "func", "file", "ts", "lvl", "message", "caller", "prefix"]
_KEYS += ["a", "b", "k", "fields.time", "é", "a b", "", "logrus_error", "zz", "A"]
_STAMPS = [
    "2024-03-05T14:07:09Z",
    "2024-03-05T14:07:09.123456789+01:00",
    "2024-03-05 14:07:09",
    "2024-03-05 14:07:09,123",
    "2024-03-05 14:07:09 -0700 MST",
    "2024-02-30T00:00:00Z",
    "2024-03-05T24:00:00Z",
    "Mon Mar  5 14:07:09 2024",
    "Tue Mar  5 14:07:09 UTC 2024",
    "Tue, 05 Mar 2024 14:07:09 -0700",
    "05-Mar-2024 14:07:09",
    "Mar  5 14:07:09.123",
    "0001-01-01T00:00:00+01:00",
    "9999-12-31T23:59:59-01:00",
    "3:04PM",
    "0429",
    "-001",
    "123456",
]
_WRAPPERS = [
    "",
    "",
    "",
    "[1,0]<stdout>:",
    "Fri Aug 11 12:31:45 2023[1,0]<stdout>:",
    "[rank3]:",
    "[default0]:",
    "0: ",
    "host-1: ",
    "[155] ",
    "[2026-04-28 14:14:49] ",
    "(RayWorker pid=75833) ",
    "(pid=1, ip=10.0.0.1) ",
    "2025-11-24T03:20:21.001125857Z ",
    "2025-11-24T03:20:21Z stdout F ",
    "  | 2025-05-16T16:39:55.216-07:00 | ",
]


def go_quote(text: str) -> str:
    """A Go ``%q``-like quoting (escapes for quotes, backslashes and control bytes)."""
    out = []
    for ch in text:
        if ch in '"\\':
            out.append("\\" + ch)
        elif ch in "\n\t\r":
            out.append({"\n": "\\n", "\t": "\\t", "\r": "\\r"}[ch])
        elif ord(ch) < 0x20 or ch == "\x7f":
            out.append(f"\\x{ord(ch):02x}")
        elif ch == "\u2028":
            out.append("\\u2028")
        else:
            out.append(ch)
    return '"' + "".join(out) + '"'


@st.composite
def _value(draw: st.DrawFn) -> str:
    text = draw(st.one_of(clean_text, log_text, st.sampled_from(_STAMPS + _LEVELS)))
    how = draw(st.sampled_from(["bare", "quoted", "quoted", "raw-quotes", "open-quote"]))
    if how == "bare":
        return "".join(c for c in text if c not in ' "')
    if how == "quoted":
        return go_quote(text)
    return '"' + text + ('"' if how == "raw-quotes" else "")


@st.composite
def logfmt_lines(draw: st.DrawFn) -> str:
    """``key=value`` lines, often with logrus's fixed keys first."""
    head = draw(st.sampled_from([[], ["time"], ["time", "level"], ["level"], ["level", "msg"]]))
    keys = head + draw(st.lists(st.one_of(st.sampled_from(_KEYS), log_text), max_size=5))
    pairs = [f"{k}={draw(_value())}" for k in keys]
    if "level" in head and draw(st.booleans()):
        pairs[head.index("level")] = "level=" + draw(st.sampled_from(_LEVELS))
    return " ".join(pairs) + draw(st.sampled_from(["", "", " "]))


@st.composite
def tty_lines(draw: st.DrawFn) -> str:
    """logrus's colored layout (sometimes without its codes)."""
    color = draw(st.sampled_from(["36", "31", "37", "33", "7", "136"]))
    level = draw(st.sampled_from(["INFO", "WARN", "ERRO", "TRAC", "WARNING", "INFO   ", "PANI"]))
    stamp = draw(st.sampled_from(["", "[0429]", "[-001]"] + [f"[{s}]" for s in _STAMPS[:6]]))
    caller = draw(st.sampled_from(["", "", "/a/b.go:3 main.f()", "b.go:3", "main.f", "x y"]))
    msg = draw(st.one_of(clean_text, log_text))
    width = draw(st.sampled_from([44, 44, 0, 43, 60]))
    fields = "".join(
        f" \x1b[{draw(st.sampled_from([color, '36', '1']))}m{k}\x1b[0m={draw(_value())}"
        for k in draw(st.lists(st.sampled_from(_KEYS), max_size=4))
    )
    plain = draw(st.booleans()) and draw(st.booleans())
    head = f"{level}{stamp}" if plain else f"\x1b[{color}m{level}\x1b[0m{stamp}"
    if plain:
        fields = fields.replace("\x1b[" + color + "m", "").replace("\x1b[0m", "")
    return f"{head}{caller} {msg.ljust(width)} {fields}"


@st.composite
def json_lines(draw: st.DrawFn) -> str:
    """JSON objects (compact or not, ASCII-escaped or not), sometimes broken."""
    scalar = st.one_of(clean_text, log_text, st.integers(), st.floats(), st.booleans(), st.none())
    values = st.one_of(scalar, st.lists(scalar, max_size=2), st.sampled_from(_STAMPS + _LEVELS))
    obj = draw(st.dictionaries(st.one_of(st.sampled_from(_KEYS), log_text), values, max_size=5))
    compact = draw(st.booleans())
    text = json.dumps(
        obj,
        ensure_ascii=draw(st.booleans()),
        separators=(",", ":") if compact else None,
        allow_nan=True,
    )
    extra = draw(st.sampled_from(["", "", "", '{"a":1,"a":2}', '{"msg":"x"} tail', "{x"]))
    return extra or text


@st.composite
def prefixed_lines(draw: st.DrawFn) -> str:
    """x-cray's formatted layout, colored or not."""
    colored = draw(st.booleans())
    stamp = draw(st.sampled_from(["[0007]", "[2024-03-05 14:07:09]", "", "[main]"]))
    level = draw(st.sampled_from([" INFO", " WARN", "DEBUG", "ERROR", " info", "INFO"]))
    prefix = draw(st.sampled_from(["", " api:", " x y:", " :"]))
    pairs = [(k, draw(log_text)) for k in draw(st.lists(st.sampled_from(_KEYS), max_size=3))]
    msg = draw(log_text)
    if colored:
        ts = f"\x1b[0;90m{stamp}\x1b[0m " if stamp else ""
        pfx = f"\x1b[0;36m{prefix}\x1b[0m" if prefix else ""
        fields = "".join(f" \x1b[0;32m{k}\x1b[0m={v}" for k, v in pairs)
        return f"{ts}\x1b[0;32m{level}\x1b[0m{pfx} {msg}{fields}"
    ts = f"{stamp} " if stamp else ""
    return f"{ts}{level}{prefix} {msg}" + "".join(f" {k}={v}" for k, v in pairs)


nccl_like_lines = st.sampled_from(
    [
        "node-1:12345:12399 [3] NCCL INFO Channel 00/0 : 3[3] -> 10[2] [send] via NET/IB/0/GDRDMA",
        "h:1:1 [0] misc/socket.cc:441 NCCL WARN Net : Connection closed",
        "NCCL version 2.18.3+cuda12.2",
        "#  Rank  0 Group  0 Pid   6899 on host device  0 [0000:04:00] NVIDIA H100",
    ]
)


@st.composite
def log_lines(draw: st.DrawFn) -> str:
    """One physical log line of any shape, maybe wrapped, cut short or CRLF-terminated."""
    body = draw(
        st.one_of(
            logfmt_lines(),
            tty_lines(),
            json_lines(),
            prefixed_lines(),
            nccl_like_lines,
            log_text,
            clean_text,
        )
    )
    if draw(st.integers(0, 9)) == 0:
        body = body[: draw(st.integers(0, len(body)))]
    line: str = draw(st.sampled_from(_WRAPPERS)) + body
    return line + draw(st.sampled_from(["", "", "", "\r", "\n", "\r\n"]))
