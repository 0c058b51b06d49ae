"""logrus 1.9 ``JSONFormatter``: one JSON object per entry, keys sorted, Go's encoding."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from logpipe.errors import FormatError
from logpipe.formatting._entry import Caller, Entry
from logpipe.formatting._gofmt import call_str
from logpipe.formatting._gojson import Encoder
from logpipe.formatting._logrus import (
    CallerPrettyfier,
    FieldKeys,
    caller_values,
    check_options,
    layout,
    prefix_field_clashes,
)
from logpipe.formatting._stamp import TimeText, When
from logpipe.levels import Level

__all__ = ["JSONFormatter"]


class JSONFormatter:
    """Renders entries exactly as logrus' ``JSONFormatter`` with the same options."""

    def __init__(
        self,
        *,
        timestamp_format: str = "",
        disable_timestamp: bool = False,
        disable_html_escape: bool = False,
        data_key: str = "",
        field_map: Mapping[str, str] | None = None,
        caller_prettyfier: CallerPrettyfier | None = None,
        pretty_print: bool = False,
    ) -> None:
        check_options("JSONFormatter", caller_prettyfier=caller_prettyfier)
        self.disable_timestamp = disable_timestamp
        self.data_key = data_key
        self.caller_prettyfier = caller_prettyfier
        self._keys = FieldKeys.resolve(field_map)
        self._time = TimeText(layout(timestamp_format))
        self._encoder = Encoder(escape_html=not disable_html_escape, indent=pretty_print)

    def render(self, entry: Entry) -> str:
        """The JSON line logrus writes for ``entry``, newline included.

        Raises ``FormatError`` where Go's encoder fails and logrus writes nothing
        (NaN or infinite floats, complex numbers, cycles).
        """
        parts = (entry.time, entry.level, entry.message, entry.fields, entry.caller)
        return self._line(*parts, error="") + "\n"

    def _line(
        self,
        when: When,
        level: Level,
        message: str,
        fields: Mapping[str, Any],
        caller: Caller | None,
        *,
        error: str,
    ) -> str:
        """The JSON text without its newline; ``error`` is logrus' ``entry.err`` text."""
        keys = self._keys
        data: dict[str, Any] = {
            # logrus turns top-level errors into their Error() text.
            key: call_str(value, "Error") if isinstance(value, BaseException) else value
            for key, value in fields.items()
        }
        if self.data_key:
            data = {self.data_key: data}
        data = dict(prefix_field_clashes(data, keys, caller is not None))
        if error:
            data[keys.logrus_error] = error
        if not self.disable_timestamp:
            data[keys.time] = self._time(when)
        data[keys.msg] = message
        data[keys.level] = level
        if caller is not None:
            func, file = caller_values(caller, self.caller_prettyfier)
            if func:
                data[keys.func] = func
            if file:
                data[keys.file] = file
        try:
            return self._encoder.encode(data)
        except FormatError as exc:
            raise FormatError(f"failed to marshal fields to JSON, {exc}") from None
        except RecursionError:
            raise FormatError("failed to marshal fields to JSON, nesting too deep") from None
