"""The exception tree: every logpipe error also subclasses the builtin it refines."""

from __future__ import annotations

__all__ = [
    "CheckpointError",
    "ConfigError",
    "DatasetError",
    "FormatError",
    "LogpipeError",
    "QueryError",
    "SourceError",
]


class LogpipeError(Exception):
    """Base of every error logpipe raises on purpose."""


class ConfigError(LogpipeError, ValueError):
    """A configuration value, key or file is invalid (the message names which)."""


class FormatError(LogpipeError, ValueError):
    """An entry cannot be rendered where the Go library would write nothing."""


class SourceError(LogpipeError, OSError):
    """A source tree or file cannot be read."""


class DatasetError(LogpipeError, OSError):
    """The dataset is missing, unreadable, or not a logpipe Delta table."""


class CheckpointError(LogpipeError, ValueError):
    """A local checkpoint cache is corrupt (the dataset stays the truth)."""


class QueryError(LogpipeError, ValueError):
    """A query cannot run: bad SQL, an unknown view or column (DuckDB's message says which)."""
