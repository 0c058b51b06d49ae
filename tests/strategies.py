"""Shared hypothesis strategies, one section per invariant they serve (add, do not rewrite)."""

from __future__ import annotations

import itertools
import json
import os
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

from hypothesis import strategies as st

from logpipe.ingest.rules import Rule, RuleKind

# --- formatting ------------------------------------------------------------------

#: Every finite float64, subnormals and negative zero included.
finite_floats = st.floats(allow_nan=False, allow_infinity=False)

#: Text as logs carry it: any code point but surrogates, biased to the tricky ones
#: (quotes, backslashes, control and format characters, separators, non-ASCII).
log_text = st.text(
    alphabet=st.one_of(
        st.characters(exclude_categories=["Cs"]),
        st.sampled_from('"\\ \t\n\r\x00\x07\x1b\x7f\x85\xa0\u200b\u2028\u2029\ufeff<>&=:'),
        st.sampled_from("aZ09-._/@^+"),
    ),
    max_size=40,
)

#: Field keys that need no thought (logrus never quotes keys anyway).
field_keys = st.text(alphabet="abcdefghijklmnopqrstuvwxyz_", min_size=1, max_size=12)

#: Fixed zones as Go has them: UTC, named abbreviations, unnamed offsets.
fixed_zones = st.one_of(
    st.just(UTC),
    st.builds(
        lambda minutes, name: timezone(timedelta(minutes=minutes), name),
        st.integers(-14 * 60, 14 * 60),
        st.sampled_from(["CET", "IST", "PDT", "NZDT", "X"]),
    ),
    st.builds(lambda minutes: timezone(timedelta(minutes=minutes)), st.integers(-14 * 60, 14 * 60)),
)

#: Aware datetimes over the years logs are written in, in Go-representable zones.
aware_datetimes = st.datetimes(
    min_value=datetime(1970, 1, 2), max_value=datetime(2200, 1, 1), timezones=fixed_zones
)

#: UNIX times (seconds) of log records, microsecond resolution.
epoch_seconds = st.integers(0, 7_000_000_000_000_000).map(lambda us: us / 1e6)

#: ``LogRecord.created`` values (float UNIX seconds from time.time()), biased to the
#: edges where the rounding to microseconds changes the second.
logging_created = st.one_of(
    st.floats(1e8, 4e9),
    epoch_seconds,
    st.builds(
        lambda second, offset: second + offset,
        st.integers(100_000_000, 4_000_000_000),
        st.sampled_from([-1e-6, -5e-7, -4.9999e-7, 0.0, 4.9999e-7, 5e-7, 5.0001e-7, 0.9999995]),
    ),
)

#: JSON-encodable values as Go's encoding/json sees them (maps, lists, scalars).
json_values: st.SearchStrategy[Any] = st.recursive(
    st.one_of(
        st.none(),
        st.booleans(),
        st.integers(-(2**64), 2**64),
        finite_floats,
        log_text,
    ),
    lambda inner: st.one_of(
        st.lists(inner, max_size=4), st.dictionaries(log_text, inner, max_size=4)
    ),
    max_leaves=12,
)

#: Values a log field may hold (what Go's %v has counterparts for).
field_values: st.SearchStrategy[Any] = st.one_of(
    log_text,
    st.integers(-(2**70), 2**70),
    finite_floats,
    st.booleans(),
    st.none(),
    st.timedeltas(min_value=timedelta(days=-3), max_value=timedelta(days=3)),
    st.lists(st.integers(), max_size=4),
    st.dictionaries(field_keys, st.integers(), max_size=3),
    st.binary(max_size=6),
)


# --- rsync filter rules: random rule lists select what the real rsync selects -------------
# Two kinds of pattern: free ones built from tokens and every wildcard form rsync knows
# (syntax coverage), and ones made from a real path of the tree with parts turned into
# wildcards (so that rules match, and the order of rules matters).

_TOKENS = ("a", "app", "log", "logs", "x", "var", "skip", "keep", ".", "-", "1", "ü", " ")
_WILDCARDS = (
    "*",
    "**",
    "?",
    "[a-m]",
    "[!a]",
    "[^.]",
    "[]x]",
    "[[:digit:]]",
    "[[:upper:]]",
    "[-.]",
    "\\*",
    "\\.",
    "\\a",
)
_SEGMENT = st.lists(
    st.one_of(st.sampled_from(_TOKENS), st.sampled_from(_WILDCARDS)), min_size=1, max_size=3
).map("".join)
_SPECIAL = frozenset(b"*?[\\")


@st.composite
def free_patterns(draw: st.DrawFn) -> str:
    """A well-formed pattern of 1-3 segments, maybe anchored, maybe with a ``/``-ish tail."""
    lead = draw(st.sampled_from(("", "", "/", "**/")))
    body = "/".join(draw(st.lists(_SEGMENT, min_size=1, max_size=3)))
    return lead + body + draw(st.sampled_from(("", "", "/", "/***", "/**", "***")))


@st.composite
def patterns_from_paths(draw: st.DrawFn, paths: Sequence[bytes]) -> str:
    """Some leading (anchored) or trailing components of a real path, parts made wildcards."""
    parts = draw(st.sampled_from(paths)).split(b"/")
    count = draw(st.integers(1, len(parts)))
    anchored = draw(st.booleans())
    chosen = b"/".join(parts[:count] if anchored else parts[-count:])
    # One item per byte of the path, escaped where the byte is a wildcard character.
    items = [b"\\" + bytes((c,)) if c in _SPECIAL else bytes((c,)) for c in chosen]
    for _ in range(draw(st.integers(0, 3))):
        start = draw(st.integers(0, len(items) - 1))
        end = draw(st.integers(start + 1, min(len(items), start + 6)))
        span = b"".join(items[start:end])
        if b"/" in span:
            items[start:end] = [b"**"]
        else:
            items[start:end] = [draw(st.sampled_from((b"*", b"?" * (end - start), b"[!/]*")))]
    tail = draw(st.sampled_from((b"", b"", b"/", b"/***", b"*")))
    return os.fsdecode((b"/" if anchored else b"") + b"".join(items) + tail)


@st.composite
def filter_rules(draw: st.DrawFn, paths: Sequence[bytes]) -> Rule:
    """One ``--include``/``--exclude`` rule, sometimes with rsync's ``+ ``/``- `` prefix."""
    kind: RuleKind = draw(st.sampled_from(("include", "exclude")))
    prefix = draw(st.sampled_from(("", "", "", "", "+ ", "- ")))
    pattern = draw(st.one_of(free_patterns(), patterns_from_paths(paths)))
    return Rule(kind, prefix + pattern)


_ALL_DIRS = Rule("include", "*/")
_NOTHING_ELSE = Rule("exclude", "*")


@st.composite
def filter_rule_lists(draw: st.DrawFn, paths: Sequence[bytes]) -> list[Rule]:
    """1-7 rules in command-line order, now and then a ``"!"`` that clears those before it.

    Often the rsync idiom's ``--include='*/'`` comes first (every directory is entered, so
    every file meets the random rules) and/or its ``--exclude='*'`` closes the list.
    """
    rules = draw(st.lists(filter_rules(paths), min_size=1, max_size=4))
    if draw(st.integers(0, 9)) == 0:
        clear = Rule(draw(st.sampled_from(("include", "exclude"))), "!")
        rules.insert(draw(st.integers(0, len(rules))), clear)
    lead = draw(st.sampled_from(((), (_ALL_DIRS,), (_ALL_DIRS,))))
    tail = draw(st.sampled_from(((), (), (_NOTHING_ELSE,), (_ALL_DIRS, _NOTHING_ELSE))))
    return [*lead, *rules, *tail]


# --- ingest: byte streams of log files, and what writers do to them ---------------

#: Pieces a log file is made of: text, both line terminators, a lone CR, multi-byte
#: UTF-8, bytes that are not UTF-8, a truncated multi-byte sequence, NUL.
LOG_PIECES = st.sampled_from(
    [
        b"a",
        b"xyz ",
        b"\n",
        b"\r\n",
        b"\r",
        "é".encode(),
        "€".encode(),
        "😀".encode(),
        b"\xff",
        b"\xc3",
        b"\xe2\x82",
        b"\x80",
        b"\x00",
        b'level=info msg="hi"',
    ]
)


@st.composite
def log_bytes(draw: st.DrawFn, max_pieces: int = 60) -> bytes:
    """A byte stream as a log file might hold, often with very long lines."""
    pieces = draw(st.lists(LOG_PIECES, max_size=max_pieces))
    if draw(st.booleans()):
        at = draw(st.integers(0, len(pieces)))
        pieces.insert(at, b"L" * draw(st.integers(1, 40)))
    return b"".join(pieces)


@st.composite
def chunkings(draw: st.DrawFn, data: bytes) -> list[bytes]:
    """``data`` cut into consecutive chunks at arbitrary places (empty chunks included)."""
    cuts = sorted(draw(st.lists(st.integers(0, len(data)), max_size=8)))
    bounds = [0, *cuts, len(data)]
    return [data[a:b] for a, b in itertools.pairwise(bounds)]


def writer_ops(
    bases: tuple[str, ...], max_size: int = 40
) -> st.SearchStrategy[list[tuple[str, ...]]]:
    """What a log writer and the world do to a daemon: append, rotate (rename,
    copytruncate, plain truncate), inotify events, time passing, and crashes (idle,
    or with a commit that did not land / landed without the process learning it)."""
    base = st.sampled_from(bases)
    op = st.one_of(
        st.tuples(st.just("append"), base),
        st.tuples(st.just("append"), base),
        st.tuples(st.just("rotate"), base, st.sampled_from(["rename", "copytruncate", "truncate"])),
        st.tuples(st.just("event"), base),
        st.tuples(st.just("tick"), st.sampled_from(["0.1", "0.6", "1.1", "3"])),
        st.tuples(st.just("crash"), st.sampled_from(["idle", "before", "after"])),
    )
    return st.lists(op, max_size=max_size)


# --- NCCL lines: the vectorized nccl_column equals the per-line reference parse_nccl ------
# Lines are built from the pieces real logs are made of (prefixes, launcher tags, family
# messages with random values) and from a soup of the tokens the grammar keys on, glued
# in every way (several records per line, cut records, junk before and after).

_SOUP = (
    "NCCL", "INFO", "WARN", "TRACE", "CALL", "version", " ", "  ", ":", "[", "]", "0", "12",
    "-1", "->", "via", "/", "P2P/IPC", "NET/IB/0", "/GDRDMA", "(8)", "SHM/direct/direct",
    "Channel", "Ring", "Trees", "comm", "0x55d5", "rank", "nranks", "nRanks", "Init",
    "COMPLETE", "|", "\t", "\x0b", "é", "x", "h1:2:3 [0] ", "[send]", "Bytes", "opCount",
    "- Init COMPLETE", "cudaDev", "channels,", "...", ".", "\r",
)  # fmt: skip
_HOSTS = ("node0", "gpu-a100-7", "64", "ip-10-0-0-1", "-1mew0", "<cluster_name>")
_TRANSPORTS = (
    "P2P/IPC", "P2P/IPC/read", "P2P/CUMEM/read", "P2P/direct pointer", "P2P/indirect/3[b0]",
    "SHM/direct/direct", "SHM/direct", "direct shared memory", "NET/IB/0", "NET/IB/0/GDRDMA",
    "NET/IB/0(8)/GDRDMA", "NET/Socket/1", "NET/AWS Libfabric/5/GDRDMA", "NET/IBext_v8/3",
    "NET/IB/1/GDRDMA(PCI)/Shared", "NET/a/1/b/2",
)  # fmt: skip
_LAUNCHERS = (
    "", "[1,0]<stdout>:", "[rank0]:", "[default0]:", "0: ", "[155] ", "node-1: ",
    "(RayWorker pid=75833) ", "2025-11-24T03:20:21.001125857Z ", "Fri Aug 11 12:31:45 2023",
    'time="2024-01-01T00:00:00Z" level=info msg="',
)  # fmt: skip

soup_text = st.lists(st.sampled_from(_SOUP), max_size=12).map("".join)
_num = st.integers(0, 40).map(str)
_big = st.sampled_from(["0", "7", "15", "99999999", "1234567890", "000000001"])
_hex = st.sampled_from(["0", "1a000", "b0", "101c0", "3d000", "ffffffffffffffffff"])


def _edge(parts: tuple[str, int, str, str, str, str, str, str]) -> str:
    kw, ch, conn, r, rdev, p, d, t = parts
    return f"{kw} {ch:02d}{conn} : {r}{rdev} -> {p}{d} via {t}"


_edges = st.tuples(
    st.sampled_from(["Channel", "Ring"]),
    st.integers(0, 31),
    st.sampled_from(["", "/0", "/1"]),
    _big,
    st.one_of(st.just(""), _hex.map(lambda h: f"[{h}]")),
    _num,
    st.sampled_from(["", " [send]", " [receive]", "[1a000] [send]"]),
    st.builds(
        "{}{}".format,
        st.sampled_from(_TRANSPORTS),
        st.sampled_from(["", " comm 0x1 nRanks 8", "x"]),
    ),
).map(_edge)
_templates = st.sampled_from(
    [
        "CollNet {0:02}/0 : {1} [receive] via COLLNET/SHARP/{0}/GDRDMA",
        "Channel {0:02}/{1:02} :    0   1   2   3",
        "Channel {0:02}/24 : 0 1 2 3...",
        "Ring {0:02} : {1} -> {0} -> -1",
        "Tree {0} : -1 -> {1} -> 2/-1/-1",
        "Trees [0] -1/-1/-1->{0}->{1} [1] 1/-1/-1->{0}->-1",
        "Trees [0] 154/-1/-1->155->153|153->155->154/-1/-1 [1] 1->2->3/4/5",
        "Trees [0] {0}->{1}->2/-1/-1",
        "AllReduce: opCount {0:x} sendbuff 0x7f recvbuff 0x7f count {1} datatype 7 op 0 root 0 "
        "comm 0x55d5 [nranks={1}] stream 0x55",
        "AllReduce: {0} Bytes -> Algo RING proto SIMPLE channel{{Lo..Hi}}={{0..{1}}}",
        "{0} Bytes -> Algo 1 proto 2 time 12.5",
        "AllGather [Symmetric]: {0} Bytes -> Kernel k nchannels {1} nthreads 512 nWorks 2",
        "ncclCommInitRank comm 0x55{0} rank {1} nranks 16 cudaDev {0} nvmlDev {0} busId 1a000 "
        "commId 0x45a3 - Init COMPLETE",
        "comm 0x7f{0} rank {1} nranks 8 cudaDev 0 busId 1a000 - Init COMPLETE",
        "ncclCommSplit comm 0x1 rank {0} nranks 2 cudaDev 0 nvmlDev 0 busId 1000 parent 0x2 "
        "splitCount 1 color -1 key {1} commId 0x3- Init START",
        "comm 0x5{0} rank {1} nranks 16 cudaDev 4 busId 97000 - Destroy COMPLETE",
        "comm 0x5{0} rank {1} nRanks 16 nNodes 2 localRanks 8 localRank 0 MNNVL 0",
        "rank {0} nranks {1}",
        "comm 0x8fe0500 rank {0} nranks {1} cudaDev ",
        "Init timings - ncclCommInitRank: rank {0} nranks {1} total 1.47 (kernels 0.25)",
        "NCCL version 2.{0}.{1}+cuda12.2",
        "NCCL git version master v2.29.{0}",
        "cudaDriverVersion 1{0}020",
        "Bootstrap : Using [0]eth0:10.0.0.{0}<0> [1]ib0:10.1.0.{1}<0>",
        "Bootstrap: Using bond0:192.168.3.{0}<0>",
        "NET/IB : Using [0]mlx5_0:1/IB [1]mlx5_{0}:1/RoCE [RO]; OOB eth0:10.0.0.{1}<0>",
        "NET/IB: [{0}] mlx5_1:1/IB",
        "NET/Socket : Using [0]eth0:10.0.0.{0}<0>",
        "Using network AWS Libfabric",
        "NET/IB : GPU Direct RDMA Enabled for HCA {0} 'mlx5_{1}'",
        "NET/IB : GPU Direct RDMA Disabled for GPU {0}[{0}] / HCA {1} (distance 3 >= 2)",
        "NET/Plugin : No plugin found (libnccl-net.so), using internal implementation",
        "NET/Socket : {0} interfaces found",
        "{0} coll channels, {1} collnet channels, 0 nvls channels, 2 p2p channels, "
        "2 p2p channels per peer",
        "Connected all rings, use ring PXN {0} GDR {1}",
        "threadThresholds 8/8/64 | {0}/8/64 | 512 | 512",
        "Enabled NCCL Func/Proto/Algo Matrix:",
        "[Proxy Progress] Device {0} CPU core {1}",
        "New proxy send connection {0} from local rank {1}, transport 2",
        "Bootstrap timings total 0.0{0} (create 0.1, send 0.2, recv 0.3, ring 0.4, delay 0.{1})",
        "[Service thread] Connection closed by localRank {0}",
        "NCCL_IB_HCA set by environment to mlx5_{0}.",
        "Setting affinity for GPU {0} to ff00ff",
        "P2P Chunksize set to {0}",
        "CC Off, workFifoBytes 104857{0}",
        "MNNVL busId 0x{0} fabric UUID abc cliqueId 0x1 state {1} healthMask 0x0",
        "transport/net.cc:{0} -> {1}",
        "proxy.cc:{0} -> 6 [Progress Thread]",
        "NET/IB : Got completion from peer 10.0.0.1<{0}> with error 4, opcode {1}, len 0, "
        "vendor err 81 (Send)",
        "NVLS multicast support is not available on dev {0} (NVLS_NCHANNELS {1})",
        "NVLS Head  {0}:  0  8 16",
        "  Algorithm   |     Tree |     Ring |",
        "    AllReduce |    {0}.4/ 12.3 |",
    ]
)
_filled = st.builds(
    lambda t, a, b: t.format(a, b), _templates, st.integers(0, 40), st.integers(0, 40)
)
nccl_message = st.one_of(_edges, _filled, _filled, soup_text)


nccl_prefix = st.builds(
    "{}{}:{}:{} {}{}{} ".format,
    # Repeated entries weigh the plain INFO form (the vectorized fast path) up.
    st.sampled_from(["", "", "", "", "[2026-03-03 12:35:26] ", "[2026-13-03 12:35:26.123] "]),
    st.sampled_from(_HOSTS),
    st.integers(0, 10**6),
    st.integers(0, 10**6),
    st.sampled_from(["[0] ", "[0] ", "[0] ", "[7] ", ""]),
    st.sampled_from(["", "", "", "", "misc/socket.cc:441 ", "x.cc:1 (f) ", "12.5 init:3 "]),
    st.sampled_from(["NCCL INFO"] * 6 + ["NCCL WARN", "NCCL TRACE", "NCCL CALL", "INFO", "WARN"]),
)
nccl_record = st.builds(
    "{}{}".format, st.sampled_from(["NCCL INFO ", "NCCL WARN ", ""]) | nccl_prefix, nccl_message
)
# The common shape (the vectorized fast path): launcher tag, one plain INFO record.
_plain_line = st.builds(
    "{}{}:{}:{} [{}] NCCL INFO {}{}".format,
    st.sampled_from(_LAUNCHERS),
    st.sampled_from(_HOSTS),
    st.integers(0, 10**6),
    st.integers(0, 10**6),
    st.integers(0, 7),
    nccl_message,
    st.sampled_from(["", "", "  ", "\r", " NCCL INFO x"]),
)
_record_line = st.builds(
    "{}{}{}".format,
    st.sampled_from(_LAUNCHERS),
    st.lists(nccl_record, min_size=1, max_size=3).map("".join),
    st.sampled_from(["", "", "", "   ", '"', " tail", "NCCL version 2.3.7+cuda9.0"]),
)
nccl_line = st.one_of(
    _plain_line,
    _record_line,
    _plain_line,
    st.builds("{}NCCL version 2.{}.{}+cuda10.2".format, st.sampled_from(_LAUNCHERS), _num, _num),
    _plain_line,
    soup_text,
    st.text(max_size=40),
)

# --- nccl-tests tables: the vectorized mask equals the per-line reference ----------------
_TABLE_PIECES = (
    "#", "# nThread 1 nGpus 1", "# Using devices", "#  Rank  0 Group  0 Pid 1 on h",
    "#   size   count", "# Avg bus bandwidth    : 1.5", "# Out of bounds values : 0 OK",
    "# Collective test starting: x", "          8             2     float     sum      -1",
    "    65.43    0.00    0.00      0", "   N/A", " 1e-05", "[1,0]<stdout>:", "[1,", "0]<stdout>:",
    "mew0:1:1 [0] NCCL INFO x", " ", "-1", "12", "x", "\t",
)  # fmt: skip
nccl_tests_line = st.lists(st.sampled_from(_TABLE_PIECES), max_size=6).map("".join)


# --- parsers ---------------------------------------------------------------------
# Log lines shaped like every format the parsers know (logrus key=value, colored and
# JSON, x-cray, logfmt, NCCL-like, plain) behind launcher wrappers, with escapes, odd
# quoting, damage and truncation, so both parser engines meet the same edges.

_ODD = ' "\\=\x1b[]:{},\té日\ufffd\x00\r\x7f\u2028'
#: Text with the characters that matter to the parsers.
line_text = st.text(alphabet=st.sampled_from(list("abcxyz019 ._/-+@^" + _ODD)), max_size=24)
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
    text = draw(st.one_of(clean_text, line_text, st.sampled_from(_STAMPS + _LEVELS)))
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
    keys = head + draw(st.lists(st.one_of(st.sampled_from(_KEYS), line_text), max_size=5))
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
    msg = draw(st.one_of(clean_text, line_text))
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
    scalar = st.one_of(clean_text, line_text, st.integers(), st.floats(), st.booleans(), st.none())
    values = st.one_of(scalar, st.lists(scalar, max_size=2), st.sampled_from(_STAMPS + _LEVELS))
    obj = draw(st.dictionaries(st.one_of(st.sampled_from(_KEYS), line_text), values, max_size=5))
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
    pairs = [(k, draw(line_text)) for k in draw(st.lists(st.sampled_from(_KEYS), max_size=3))]
    msg = draw(line_text)
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
            line_text,
            clean_text,
        )
    )
    if draw(st.integers(0, 9)) == 0:
        body = body[: draw(st.integers(0, len(body)))]
    line: str = draw(st.sampled_from(_WRAPPERS)) + body
    return line + draw(st.sampled_from(["", "", "", "\r", "\n", "\r\n"]))


# --- query: a snapshot's views do not depend on how its lines were committed ---------


@st.composite
def commit_plans(draw: st.DrawFn, files: int, max_commits: int = 3) -> list[list[float]]:
    """For each commit, how far into each of ``files`` files the writers have got.

    Fractions of each file's lines, never going back; the last commit has everything.
    """
    commits = draw(st.integers(1, max_commits))
    per_file = [
        [*sorted(draw(st.lists(st.floats(0, 1), min_size=commits - 1, max_size=commits - 1))), 1.0]
        for _ in range(files)
    ]
    return [[plan[c] for plan in per_file] for c in range(commits)]


# --- parser byte kernels: each hand matcher agrees with the regex or function it mirrors ---
# Whole pieces and near misses (a part short, a bracket missing...), glued in any order.

_WRAPPER_BITS = (
    *[w for w in _WRAPPERS if w],
    "[1,0]<stddiag>:",
    "[1,]<stdout>:",
    "[1,0]<stdin>:",
    "Fri Aug 11 12:31:45 2023",
    "Fry Aug 11 12:31:45 2023[1,0]<stdout>:",
    "Fri Aug  1 12:31:45 2023[1,0]<stdout>:",
    "[r_0]:",
    "[r0a]:",
    "[0]:",
    "(x pid=) ",
    "(x y pid=2) ",
    "(pid=1, ip=) ",
    "(pid=1, ip=1.2.3.4)",
    "(_w.1 pid=7, ip=1.2) ",
    "2025-11-24T03:20:21.Z ",
    "2025-11-24T03:20:21+01:00 stderr P ",
    "2025-11-24T03:20:21Z stdout X ",
    "2025-11-24 03:20:21Z ",
    " | 2025-05-16T16:39:55Z | ",
    "| 2025-05-16T16:39:55Z |",
    "  12: ",
    "12:",
    "a-b_c.d: ",
    "-x: ",
    "[2026-04-28T14:14:49.5] ",
    "[2026-04-28 14:14:49,] ",
    "[2026-04-28 14:14:49] x",
    "node-1:12:34 [3] ",
    "h:1:2 [x] ",
    "NCCL version ",
    " ",
    ":",
    "[",
    "]",
)
wrapper_soup = st.lists(st.one_of(st.sampled_from(_WRAPPER_BITS), line_text), max_size=5).map(
    "".join
)


def _mutate(text: str, at: int, char: str) -> str:
    return text[:at] + char + text[at + 1 :] if text else char


#: Timestamp texts of every layout ``_time`` knows, exact or with one character changed.
timestamp_texts = st.one_of(
    st.sampled_from(_STAMPS),
    st.builds(
        lambda dt, sep, digits, zone: (
            dt.strftime(f"%Y-%m-%d{sep}%H:%M:%S")
            + (f".{dt.microsecond:06d}{dt.microsecond:03d}"[: digits + 1] if digits else "")
            + zone
        ),
        st.datetimes(min_value=datetime(1, 1, 1), max_value=datetime(9999, 12, 31)),
        st.sampled_from(["T", " ", "t"]),
        st.integers(0, 10),
        st.sampled_from(["", "Z", "+01:00", "-07:30", "+23:59", "+24:00", "-0700", " UTC", "z"]),
    ),
    st.builds(
        _mutate,
        st.sampled_from(_STAMPS),
        st.integers(0, 30),
        st.sampled_from(list("09:-.,TZ +x")),
    ),
)

#: Bodies of quoted strings (no outer quotes): plain text and escapes, valid or not.
_ESCAPES = (
    "\\n", "\\t", "\\\\", '\\"', "\\'", "\\/", "\\a", "\\v", "\\b", "\\f", "\\r",
    "\\x41", "\\x7f", "\\x80", "\\xff", "\\xZ1", "\\101", "\\377", "\\400", "\\8",
    "\\u00e9", "\\u2028", "\\uD83D", "\\ud83d\\ude00", "\\udc00", "\\ud800\\u0041",
    "\\ud800\\uZZZZ", "\\U0001F600", "\\U00110000", "\\U0000d800", "\\u12", "\\q", "\\",
)  # fmt: skip
quoted_bodies = st.lists(
    st.one_of(st.sampled_from(_ESCAPES), clean_text, st.sampled_from(["é", "日", "\x01", "\x7f"])),
    max_size=6,
).map("".join)


# --- ingest layout: the files a batch is written as read back as the batch -------------

#: One record of a toy ``list<struct>`` column: fields often null, sometimes all of them.
_toy_records = st.fixed_dictionaries(
    {"a": st.none() | st.integers(-3, 3), "b": st.none() | st.sampled_from(["x", "y", ""])}
)


@st.composite
def record_rows(draw: st.DrawFn) -> tuple[list[list[dict[str, Any]] | None], list[bool]]:
    """Rows of a records column (None: the line has none) and, for each row, whether its
    null entry should still span values (Arrow allows it; ingest must not be fooled)."""
    rows = draw(st.lists(st.none() | st.lists(_toy_records, max_size=3), min_size=1, max_size=40))
    dirty = draw(st.lists(st.booleans(), min_size=len(rows), max_size=len(rows)))
    return rows, dirty


#: Bytes a word-at-a-time newline search must not take for "\n" (0x0A): its neighbours,
#: 0x0A with the high bit set, and runs of terminators.
_NEAR_NEWLINE = st.sampled_from([b"\t", b"\x0b", b"\x8a", b"\n\n", b"\r\r\n", b"\x7f\x80"])


@st.composite
def wide_log_bytes(draw: st.DrawFn) -> bytes:
    """A longer stream than ``log_bytes``: lines of 0 to a few hundred bytes, so newlines,
    ``\\r\\n`` pairs and cuts fall at every place of an 8-byte word and of a chunk."""
    run = st.integers(1, 200).map(lambda n: b"w" * n)
    piece = st.one_of(LOG_PIECES, _NEAR_NEWLINE, run, st.binary(max_size=9))
    return b"".join(draw(st.lists(piece, max_size=80)))
