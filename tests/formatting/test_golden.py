"""Every case rendered by the real Go libraries, replayed through the public API byte for byte."""

from __future__ import annotations

import pytest

from logpipe.errors import FormatError
from tests.formatting.golden import (
    CASES_FILE,
    Case,
    build_entry,
    build_formatter,
    load_cases,
    skip_reason,
)
from tests.shared import params_or_missing, require

CASES = load_cases()
FUNC_CASES = [c for c in CASES if "logrus_error" in c["entry"]]


@pytest.mark.parametrize("case", params_or_missing(CASES, [c["id"] for c in CASES], CASES_FILE))
def test_case(case: Case | None) -> None:
    if case is None:
        require(CASES_FILE)  # fails under CI, skips in a user's clone
        return
    reason = skip_reason(case)
    if reason is not None:
        pytest.skip(reason)
    formatter, entry = build_formatter(case), build_entry(case)
    if "panic_value" in case or (not case["output"] and case.get("stderr")):
        # Go wrote nothing to the output: the core says why instead.
        with pytest.raises(FormatError):
            formatter.render(entry)
        return
    assert formatter.render(entry) == case["output"]


def test_corpus_is_complete() -> None:
    """The file is the one the README describes (a truncated copy would pass vacuously)."""
    require(CASES_FILE)
    assert len(CASES) == 738
    assert len({c["id"] for c in CASES}) == len(CASES)


@pytest.mark.parametrize(
    "case", params_or_missing(FUNC_CASES, [c["id"] for c in FUNC_CASES], CASES_FILE)
)
def test_logrus_error_where_logrus_puts_it(case: Case | None) -> None:
    """Go refuses func fields and names them in logrus_error; Python has no such field,
    but the core writes logrus' error text (the JSON repair uses it): given the text,
    the line must be Go's."""
    if case is None:
        require(CASES_FILE)
        return
    formatter, entry = build_formatter(case), build_entry(case, drop_funcs=True)
    parts = (entry.time, entry.level, entry.message, entry.fields, entry.caller)
    error = case["entry"]["logrus_error"]
    assert formatter._line(*parts, error=error) + "\n" == case["output"]
