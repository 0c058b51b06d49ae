"""Rendering for front-ends, which must never raise into the application nor lose a record.

Where the core refuses an entry because Go would write nothing (``FormatError``:
NaN in JSON, a non-string ``prefix``), the offending values are written as
their Go ``%v`` text and, in JSON, logrus' own ``logrus_error`` key says which
field could not be encoded. Where a user hook fails (``caller_prettyfier``,
``sorting_func``, ``clock``), the entry is rendered by a formatter of the same
kind without hooks, with a ``logpipe_error`` field naming the failure.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, NamedTuple

from logpipe.errors import FormatError
from logpipe.formatting._entry import Caller
from logpipe.formatting._gofmt import call_str, quote, sprint
from logpipe.formatting._json import JSONFormatter
from logpipe.formatting._prefixed import PrefixedFormatter
from logpipe.formatting._stamp import When
from logpipe.formatting._text import TextFormatter
from logpipe.levels import Level

__all__ = ["Core", "Parts", "line_safely"]

Core = TextFormatter | JSONFormatter | PrefixedFormatter


class Parts(NamedTuple):
    """An entry as the core's ``_line`` takes it (``when``: datetime or UNIX µs)."""

    when: When
    level: Level
    message: str
    fields: Mapping[str, Any]
    caller: Caller | None


def line_safely(formatter: Core, parts: Parts) -> str:
    """The rendered line without its newline, or the closest line that can be written."""
    try:
        return formatter._line(*parts, error="")
    except FormatError:
        try:
            return _repaired(formatter, parts)
        except Exception as exc:  # the repair itself failed: fall back further
            return _fallback(formatter, parts, exc)
    except Exception as exc:  # a user hook raised; the record must still be written
        return _fallback(formatter, parts, exc)


def _repaired(formatter: Core, parts: Parts) -> str:
    if isinstance(formatter, JSONFormatter):
        fields: dict[str, Any] = {}
        problems: list[str] = []
        for key, value in parts.fields.items():
            fields[key] = value
            try:
                formatter._encoder.encode(value)
            except (FormatError, RecursionError) as exc:
                problems.append(f'can not encode field "{key}": {exc}; written as text')
                fields[key] = sprint(value)
        if not problems:
            raise FormatError("nothing to repair")
        return formatter._line(*parts._replace(fields=fields), error=", ".join(problems))
    if isinstance(formatter, PrefixedFormatter) and "prefix" in parts.fields:
        fields = {**parts.fields, "prefix": sprint(parts.fields["prefix"])}
        return formatter._line(*parts._replace(fields=fields), error="")
    raise FormatError("nothing to repair")


def _plain_twin(formatter: Core) -> Core:
    """A formatter of the same kind and look, without any user hook."""
    if isinstance(formatter, JSONFormatter):
        return JSONFormatter()
    if isinstance(formatter, PrefixedFormatter):
        return PrefixedFormatter(
            force_formatting=formatter.is_formatted(),
            force_colors=formatter.is_colored(),
            is_terminal=False,
            start_time=formatter.start_time,
        )
    return TextFormatter(force_colors=formatter.is_colored(), start_time=formatter.start_time)


def _fallback(formatter: Core, parts: Parts, exc: BaseException) -> str:
    fields = {sprint(key): sprint(value) for key, value in parts.fields.items()}
    fields["logpipe_error"] = f"{type(exc).__name__}: {call_str(exc, 'Error')}"
    # The caller is dropped: a failing caller_prettyfier is the usual culprit.
    degraded = parts._replace(fields=fields, caller=None)
    try:
        return _plain_twin(formatter)._line(*degraded, error="")
    except Exception:  # even the plain twin failed: the bare minimum, never nothing
        return (
            f"level={parts.level} msg={quote(parts.message)} "
            f"logpipe_error={quote(fields['logpipe_error'])}"
        )
