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
