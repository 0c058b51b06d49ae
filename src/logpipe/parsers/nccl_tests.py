"""nccl-tests result tables (``*_perf`` output): which lines belong to them, and their values.

Rows are reassembled across ``mpirun --tag-output`` tags inserted mid-row and across NCCL
records spliced into a row (GRAMMAR.md section 5.1); values are kept exactly as printed
(``18825`` stays an int, ``0.00`` a float, ``N/A`` a string).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from logpipe.parsers import _nccl_arrow, _nccl_families
from logpipe.parsers import _nccl_regex as rx

__all__ = ["NcclTestsParser", "is_nccl_tests_line", "nccl_tests_mask", "parse_nccl_tests"]

# mpirun --tag-output (optionally --timestamp-output), anywhere in a line.
_TAG = r"(?:[A-Z][a-z]{2} [A-Z][a-z]{2} +\d{1,2} \d\d:\d\d:\d\d \d{4})?\[\d+,\d+\]<std(?:out|err)>:"
_NUM = r"[-+]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][-+]?\d+)?"
_VAL = rf"(?:{_NUM}|N/A)"
_GLUE = r"(?:\s*$|[^\s:\[\]]*:\d+:\d+ \[\d+\] )"  # end of line, or an NCCL record glued on
_HEAD = r"\s*\d+\s+\d+\s+[A-Za-z][A-Za-z0-9_]*\s+[A-Za-z_]+(?:\s+-?\d+)?"
_HEADER = (
    r"#(?: nThread | ?Using devices| +Rank +\d+ | +out-of-place| +size +count| +\(B\)"
    r"| Out of bounds values| Avg bus bandwidth| Collective test (?:starting|concluded):|\s*$)"
)
_ROW = rf"{_HEAD}(?:\s+{_VAL}){{8,}}{_GLUE}"
_TIMES = rf"{_NUM}\s+\d+\.\d+\s+\d+\.\d+\s+{_VAL}"  # time algbw busbw #wrong|error
_FRAGMENT = rf"{_HEAD}{_GLUE}|\s*{_TIMES}(?:\s+{_TIMES})?{_GLUE}"  # a row cut by records
_LINE = rf"^(?:{_HEADER}|{_ROW}|{_FRAGMENT})"
_PREFILTER = rx.re2(rf"^(?:\s|{_TAG})*[-+.#\d]")
_LINE_RE2 = rx.re2(_LINE)
_LINE_PY = rx.py(_LINE)
_TAG_PY = rx.py(_TAG)
_START_PY = rx.py(_nccl_families.START_PY)
_LEADING_HOST = rx.re2(rf"^(?:{_TAG})*(?P<host>{rx.HOST}):{rx.N18}:{rx.N18} \[{rx.N9}\] ")
_INT = re.compile(r"-?\d+", re.ASCII)
_FLOAT = re.compile(_NUM, re.ASCII)
_WORD = re.compile(r"[A-Za-z_][A-Za-z0-9_]*", re.ASCII)


def is_nccl_tests_line(line: str) -> bool:
    """Reference for one line: a header, row or row fragment of an nccl-tests table."""
    return _LINE_PY.match(_TAG_PY.sub("", line)) is not None


def nccl_tests_mask(
    lines: pa.StringArray | pa.LargeStringArray, *, maybe: np.ndarray | None = None
) -> pa.BooleanArray:
    """Per line, whether it belongs to nccl-tests output (header, table row or row fragment).

    A row fragment may also carry NCCL records (nccl-tests and NCCL share the stream).
    ``maybe``: the lines that pass the prefilter when the caller knows them already.
    """
    if maybe is None:
        candidates = _nccl_arrow.flatnonzero(pc.match_substring_regex(lines, _PREFILTER))
    else:
        candidates = np.flatnonzero(maybe)
    text = pc.replace_substring_regex(lines.take(pa.array(candidates)), rx.re2(_TAG), "")
    out = np.zeros(len(lines), bool)
    out[candidates] = pc.fill_null(pc.match_substring_regex(text, _LINE_RE2), False).to_numpy(
        zero_copy_only=False
    )
    return pa.array(out)


def _value(token: str) -> int | float | str:
    """A number exactly as printed: int without a point, float with one, else the text."""
    if _INT.fullmatch(token):
        return int(token)
    if _FLOAT.fullmatch(token):
        return float(token)
    return token


class NcclTestsParser:
    """Feed the lines of one file in order; ``tests`` holds the tables found so far."""

    def __init__(self) -> None:
        self.tests: list[dict[str, Any]] = []
        self._hosts: set[str] = set()
        self._name: str | None = None
        self._columns: list[str] | None = None
        self._tokens: list[str] = []

    def feed(self, lines: Iterable[str] | pa.StringArray | pa.LargeStringArray) -> None:
        """Consume the next lines of the file."""
        array = lines if isinstance(lines, pa.Array) else pa.array(list(lines), pa.string())
        hosts = pc.extract_regex(array, _LEADING_HOST).field("host")
        self._hosts.update(h for h in pc.unique(hosts.drop_null()).to_pylist() if h)
        for line in array.filter(nccl_tests_mask(array)).to_pylist():
            self._line(line)

    def _table_text(self, line: str) -> str:
        """The line without launcher tags and without the NCCL records spliced into it."""
        text = _TAG_PY.sub("", line)
        m = _START_PY.search(text)
        if m is None:
            return text.rstrip()
        cut = m.start()
        host = m.group("host") or m.group("host0")
        if host and host not in self._hosts:  # "-1mew0": the row's last value glued on
            glued = [h for h in self._hosts if host.endswith(h)]
            if glued:
                cut += len(host) - len(max(glued, key=len))
        return text[:cut].rstrip()

    def _line(self, line: str) -> None:
        text = self._table_text(line)
        stripped = text.lstrip()
        if stripped.startswith("#"):
            self._comment(stripped[1:])
        elif self._columns is not None:
            self._tokens.extend(text.split())
            self._rows()

    def _comment(self, text: str) -> None:
        body = text.strip()
        if body.startswith("Collective test starting:"):
            self._name = body.partition(":")[2].strip() or None
        elif body.startswith("nThread "):
            self.tests.append(
                {
                    "name": self._name,
                    "header_format": None,
                    "nthread_line": body,
                    "devices_listed": 0,
                    "rows": [],
                    "out_of_bounds": None,
                    "avg_busbw": None,
                }
            )
            self._name, self._columns, self._tokens = None, None, []
        elif self.tests:
            self._test_comment(self.tests[-1], body)

    def _test_comment(self, test: dict[str, Any], body: str) -> None:
        words = body.split()
        if re.match(r"Rank +\d+ ", body) and self._columns is None:
            test["devices_listed"] += 1
        elif words[:2] == ["size", "count"]:
            self._columns, self._tokens = words, []
            test["header_format"] = "root+#wrong" if "root" in words else "no-root+error"
        elif body.startswith("Out of bounds values"):
            value = body.partition(":")[2].split()
            test["out_of_bounds"] = _value(value[0]) if value else None
        elif body.startswith("Avg bus bandwidth"):
            value = body.partition(":")[2].split()
            test["avg_busbw"] = _value(value[0]) if value else None

    def _rows(self) -> None:
        assert self._columns is not None
        width = len(self._columns)
        while len(self._tokens) >= width:
            row = self._row(self._tokens[:width])
            if row is None:  # out of step (a stray token): drop one and look again
                del self._tokens[0]
                continue
            self.tests[-1]["rows"].append(row)
            del self._tokens[:width]

    def _row(self, tokens: list[str]) -> dict[str, Any] | None:
        assert self._columns is not None
        head = self._columns.index("time") if "time" in self._columns else 4
        has_root = "root" in self._columns[:head]
        size, count, dtype, redop = tokens[:4]
        values = tokens[head : head + 8]
        checks: list[object] = [_INT.fullmatch(size), _INT.fullmatch(count), _WORD.fullmatch(dtype)]
        checks += [_WORD.fullmatch(redop), not has_root or _INT.fullmatch(tokens[4])]
        checks += [len(values) == 8, *(v == "N/A" or _FLOAT.fullmatch(v) for v in values)]
        if not all(checks):
            return None
        keys = ("time_us", "algbw", "busbw", "wrong")
        return {
            "size": int(size),
            "count": int(count),
            "type": dtype,
            "redop": redop,
            "root": int(tokens[4]) if has_root else None,
            "oop": {k: _value(v) for k, v in zip(keys, values[:4], strict=True)},
            "ip": {k: _value(v) for k, v in zip(keys, values[4:], strict=True)},
        }


def parse_nccl_tests(lines: Iterable[str]) -> list[dict[str, Any]]:
    """Every nccl-tests table in the lines of one file (GRAMMAR.md 5.1 oracle format)."""
    parser = NcclTestsParser()
    parser.feed(lines)
    return parser.tests
