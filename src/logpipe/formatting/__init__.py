"""Render log entries byte for byte like Go's logrus 1.9 and x-cray's prefixed formatter.

The core is pure: build an ``Entry`` and call ``render`` on a ``TextFormatter``,
``JSONFormatter`` or ``PrefixedFormatter``. The adapters for Python's logging
(``logpipe.formatting.stdlib``) and structlog (``logpipe.formatting.structlog``)
only turn records into entries.
"""

from logpipe.formatting._entry import Caller, Entry
from logpipe.formatting._json import JSONFormatter
from logpipe.formatting._prefixed import DEFAULT_COLOR_SCHEME, PrefixedFormatter
from logpipe.formatting._text import TextFormatter

__all__ = [
    "Caller",
    "DEFAULT_COLOR_SCHEME",
    "Entry",
    "JSONFormatter",
    "PrefixedFormatter",
    "TextFormatter",
]
