"""Round trip against the real Go formatters: parsing each golden output gives its entry back."""

from __future__ import annotations

from typing import Any

import pytest

from logpipe.parsers import parse_line
from tests.golden_logrus import detectable, expected, prints_time_key
from tests.shared import glob, params_or_missing, read_jsonl

_FILES = glob("golden/logrus", "cases.jsonl")
_CASES = [c for f in _FILES for c in read_jsonl(f)]
#: Layouts the parsers read wrongly by design (documented in their modules), by case id prefix.
KNOWN_LIMITS = {
    "text/caller/forcecolors/spaced": "a caller prettyfier that prints spaces",
    "text/caller/forcecolors-fullts/spaced": "a caller prettyfier that prints spaces",
    "text/sorting/plain/sortingfunc-reverse": "SortingFunc moves time/level away from the front",
    "prefixed/bracket/ff/spaces-inside": "uncolored x-cray: a prefix with spaces reads as message",
    "prefixed/fieldsets/ff/sortkeys": "uncolored x-cray: a key with a space",
    "prefixed/fieldsets/ff-fc/odd-keys": "x-cray prints an empty key without colors",
}
_SINGLE = [
    c
    for c in _CASES
    if c["output"].count("\n") == 1 and c["output"].endswith("\n") and not c.get("panicked")
]


@pytest.mark.parametrize(
    "case", params_or_missing(_SINGLE, [c["id"] for c in _SINGLE], "golden/logrus/cases.jsonl")
)
def test_golden_output_parses_back_to_its_entry(case: dict[str, Any] | None) -> None:
    assert case is not None
    row = parse_line(case["output"])
    if not detectable(case):
        assert row["format"] == "plain"
        assert row["msg"] == case["output"].removesuffix("\n")
        return
    if case["id"].startswith(tuple(KNOWN_LIMITS)):
        assert row["format"] in {"plain", "logrus_text", "logrus_tty", "prefixed", "logfmt"}
        return
    exp = expected(case)
    if exp.get("ts", 0) is None and prints_time_key(case) and row["fields"] is not None:
        assert row["fields"].pop("time", None) in case["output"]
    allowed = exp.pop("format")
    assert row["format"] in (allowed if isinstance(allowed, set) else {allowed}), row
    got = {k: row[k] for k in exp}
    assert got == exp
    assert row["parse_error"] is None


def test_enough_golden_cases_are_checked() -> None:
    if not _CASES:
        pytest.skip("golden data missing")
    assert len(_SINGLE) >= 690
    assert sum(detectable(c) for c in _SINGLE) >= 680
