"""hypothesis strategies shared by the test suite (add yours; keep others')."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from typing import Any

from hypothesis import strategies as st

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
