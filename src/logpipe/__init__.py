"""logpipe: logrus-compatible logging, exactly-once log ingest, NCCL analytics."""

from logpipe._version import __version__
from logpipe.errors import (
    CheckpointError,
    ConfigError,
    DatasetError,
    FormatError,
    LogpipeError,
    SourceError,
)
from logpipe.formatting import Caller, Entry, JSONFormatter, PrefixedFormatter, TextFormatter

__all__ = [
    "Caller",
    "CheckpointError",
    "ConfigError",
    "DatasetError",
    "Entry",
    "FormatError",
    "JSONFormatter",
    "LogpipeError",
    "PrefixedFormatter",
    "SourceError",
    "TextFormatter",
    "__version__",
]
