"""The curated public API: ``__all__`` is sorted, complete and importable (after httpx)."""

from __future__ import annotations

import importlib
import types

import pytest

import logpipe

PUBLIC_MODULES = [
    "logpipe",
    "logpipe.errors",
    "logpipe.ingest.compact",
    "logpipe.ingest.config",
    "logpipe.ingest.daemon",
    "logpipe.ingest.discover",
    "logpipe.ingest.lines",
    "logpipe.ingest.rules",
    "logpipe.ingest.snapshot",
    "logpipe.ingest.status",
    "logpipe.ingest.sync",
    "logpipe.formatting",
    "logpipe.formatting.stdlib",
    "logpipe.formatting.structlog",
    "logpipe.levels",
    "logpipe.parsers",
    "logpipe.parsers.nccl",
    "logpipe.parsers.nccl_summary",
    "logpipe.parsers.nccl_tests",
    "logpipe.query",
    "logpipe.query.nccl",
    "logpipe.sample",
]


@pytest.mark.parametrize("name", PUBLIC_MODULES)
def test_all_is_sorted_and_importable(name: str) -> None:
    module = importlib.import_module(name)
    exported = list(module.__all__)
    assert exported == sorted(exported)
    for attr in exported:
        assert hasattr(module, attr), f"{name}.{attr} listed in __all__ but missing"


@pytest.mark.parametrize("name", PUBLIC_MODULES)
def test_all_is_complete(name: str) -> None:
    module = importlib.import_module(name)
    public = {
        attr
        for attr, value in vars(module).items()
        if not attr.startswith("_")
        and not isinstance(value, types.ModuleType)
        and getattr(value, "__module__", name).startswith("logpipe")
        and attr not in {"annotations", "Final", "Literal"}
    }
    missing = public - set(module.__all__) - {"TYPE_CHECKING"}
    assert not missing, f"{name} defines public names not in __all__: {sorted(missing)}"


def test_errors_subclass_builtins() -> None:
    assert issubclass(logpipe.ConfigError, ValueError)
    assert issubclass(logpipe.SourceError, OSError)
    assert issubclass(logpipe.DatasetError, OSError)
    assert issubclass(logpipe.CheckpointError, ValueError)
    assert issubclass(logpipe.errors.QueryError, ValueError)
    for exc in (logpipe.ConfigError, logpipe.SourceError, logpipe.FormatError):
        assert issubclass(exc, logpipe.LogpipeError)
