"""logrus' value quoting: the rule, its options, and that quoted values read back."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from logpipe.formatting._gofmt import quote, sprint
from logpipe.formatting._logfmt import needs_quoting, pair_heads, pairs_text, value_quoter
from tests.formatting.gounquote import go_unquote
from tests.strategies import field_keys, field_values, log_text

SAFE = set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-._/@^+")


@given(log_text)
def test_quoting_decision_is_logrus_rule(text: str) -> None:
    bare = all(ch in SAFE for ch in text)
    assert needs_quoting(text) == (not bare)
    rendered = value_quoter(False, False, False)(text)
    assert rendered == (text if bare else quote(text))
    value = go_unquote(rendered) if rendered.startswith('"') and not bare else rendered
    assert value == text


@given(log_text)
def test_options_order(text: str) -> None:
    forced = value_quoter(True, False, True)(text)  # ForceQuote beats DisableQuote
    assert forced == quote(text)
    disabled = value_quoter(False, False, True)(text)
    assert disabled == text
    empty_quoted = value_quoter(False, True, True)("")  # QuoteEmptyFields before DisableQuote
    assert empty_quoted == '""'


@given(field_values)
def test_non_strings_go_through_percent_v(value: Any) -> None:
    text = sprint(value)
    assert value_quoter(False, False, False)(value) == (
        text if not text or not needs_quoting(text) else quote(text)
    )


@given(
    st.dictionaries(field_keys, st.one_of(field_values, log_text), max_size=5),
    st.booleans(),
    st.booleans(),
    st.booleans(),
)
def test_pairs_equal_the_plain_rendering(
    data: dict[str, Any], force: bool, empty: bool, disable: bool
) -> None:
    # pairs_text's bare-word and int shortcuts must write what value() writes.
    value = value_quoter(force, empty, disable)
    keys = sorted(data)
    pairs = pair_heads(keys, "<", ">")
    assert pairs == tuple((k, f"<{k}>") for k in keys)
    expected = "".join(f"<{k}>{value(data[k])}" for k in keys)
    assert pairs_text("line", data, pairs, value) == "line" + expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (None, '"<nil>"'),
        (float("inf"), "+Inf"),
        (1e21, "1e+21"),
        ("", ""),
        ("a=b", '"a=b"'),
        (["a b", "c"], '"[a b c]"'),
        (True, "true"),
    ],
)
def test_examples(value: Any, expected: str) -> None:
    assert value_quoter(False, False, False)(value) == expected
