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

__all__ = [
    "CheckpointError",
    "ConfigError",
    "DatasetError",
    "FormatError",
    "LogpipeError",
    "SourceError",
    "__version__",
]
