"""Ingest settings: frozen dataclasses from defaults < TOML file < LOGPIPE_* env < flags."""

from __future__ import annotations

import os
import re
import tomllib
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

from logpipe.errors import ConfigError as _ConfigError
from logpipe.ingest import checkpoint as _checkpoint
from logpipe.ingest import lines as _lines
from logpipe.ingest import rules as _rules

__all__ = [
    "ENV_PREFIX",
    "IngestConfig",
    "KEYS",
    "SourceSpec",
    "load_config",
    "parse_duration",
    "parse_rule",
    "parse_size",
]

ENV_PREFIX = "LOGPIPE_"


@dataclass(frozen=True, slots=True)
class SourceSpec:
    """One source tree: its name (the ``source`` column) and its root (``SRC/``)."""

    name: str
    root: Path


@dataclass(frozen=True, slots=True)
class IngestConfig:
    """Everything ``sync`` and ``watch`` need; every field is also a TOML key."""

    sources: tuple[SourceSpec, ...]
    to: str
    rules: tuple[_rules.Rule, ...] = ()  # empty: the default `*.log` idiom
    max_line_bytes: int = _lines.DEFAULT_MAX_LINE_BYTES
    batch_bytes: int = 32 << 20  # parsed in 4 MB runs: memory does not grow with it
    flush_interval: float = 1.0
    poll_interval: float = 2.0
    compact_interval: float = 600.0
    drain_grace: float = 5.0
    forget_after: float = 7 * 86400.0
    state_dir: Path = field(default_factory=_checkpoint.default_state_dir)
    snapshot_every: int = 64
    log_level: str = ""  # empty: the command's own default (sync: warning, watch: info)


_UNITS = {"": 1, "b": 1, "k": 1000, "m": 1000**2, "g": 1000**3}
_UNITS |= {"kb": 1000, "mb": 1000**2, "gb": 1000**3, "kib": 1024, "mib": 1024**2, "gib": 1024**3}
_SECONDS = {"": 1.0, "s": 1.0, "ms": 0.001, "m": 60.0, "h": 3600.0, "d": 86400.0}


def parse_size(value: object) -> int:
    """``1048576``, ``"1MiB"``, ``"16M"`` (decimal), ``"512KiB"`` -> bytes."""
    if isinstance(value, int) and not isinstance(value, bool):
        number, unit = float(value), ""
    else:
        m = re.fullmatch(r"\s*([0-9.]+)\s*([a-zA-Z]*)\s*", str(value))
        if not m or m.group(2).lower() not in _UNITS:
            raise ValueError(f"not a size: {value!r} (try 1048576, 512KiB, 1MiB, 16M)")
        number, unit = float(m.group(1)), m.group(2).lower()
    return int(number * _UNITS[unit])


def parse_duration(value: object) -> float:
    """``1``, ``0.5``, ``"500ms"``, ``"5m"``, ``"7d"`` -> seconds."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        return float(value)
    m = re.fullmatch(r"\s*([0-9.]+)\s*([a-z]*)\s*", str(value))
    if not m or m.group(2) not in _SECONDS:
        raise ValueError(f"not a duration: {value!r} (try 1, 0.5, 500ms, 5m, 7d)")
    return float(m.group(1)) * _SECONDS[m.group(2)]


def parse_rule(text: str) -> _rules.Rule:
    """``"+ *.log"`` / ``"include *.log"`` and ``"- *"`` / ``"exclude *"`` (rsync's short form)."""
    head, _, pattern = str(text).partition(" ")
    kinds = {"+": "include", "include": "include", "-": "exclude", "exclude": "exclude"}
    if head not in kinds or not pattern:
        raise ValueError(f"not a rule: {text!r} (try '+ *.log' or '- *')")
    return _rules.Rule("include" if kinds[head] == "include" else "exclude", pattern)


def _rule_list(value: object) -> tuple[_rules.Rule, ...]:
    if isinstance(value, str):
        value = [line for line in value.splitlines() if line.strip()]
    if not isinstance(value, list | tuple):
        raise ValueError("rules must be a list like ['+ *.log', '+ */', '- *']")
    return tuple(v if isinstance(v, _rules.Rule) else parse_rule(v) for v in value)


def _paths(value: object) -> tuple[str, ...]:
    if isinstance(value, str):
        return tuple(p for p in value.split(os.pathsep) if p)
    if isinstance(value, list | tuple):
        return tuple(str(v) for v in value)
    raise ValueError("sources must be a list of directories")


def _level(value: object) -> str:
    text = str(value).lower()
    if text not in {"debug", "info", "warning", "error"}:
        raise ValueError(f"not a log level: {value!r} (debug, info, warning, error)")
    return text


def _positive_int(value: object) -> int:
    number = int(str(value))
    if number < 1:
        raise ValueError(f"must be at least 1: {value!r}")
    return number


_PARSE: dict[str, Callable[[object], Any]] = {
    "sources": _paths,
    "source": str,
    "to": str,
    "rules": _rule_list,
    "max_line_bytes": parse_size,
    "batch_bytes": parse_size,
    "flush_interval": parse_duration,
    "poll_interval": parse_duration,
    "compact_interval": parse_duration,
    "drain_grace": parse_duration,
    "forget_after": parse_duration,
    "state_dir": lambda v: Path(str(v)).expanduser(),
    "snapshot_every": _positive_int,
    "log_level": _level,
}

#: Every key a config file may hold.
KEYS = frozenset(_PARSE)


def _layer(values: Mapping[str, object], origin: Callable[[str], str]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, raw in values.items():
        if key not in _PARSE:
            raise _ConfigError(f"unknown key {key!r} in {origin(key)} (known: {sorted(KEYS)})")
        try:
            out[key] = _PARSE[key](raw)
        except (ValueError, TypeError) as exc:
            raise _ConfigError(f"bad value for {key!r} in {origin(key)}: {exc}") from exc
    return out


def _file_layer(path: Path) -> dict[str, Any]:
    try:
        with path.open("rb") as fh:
            doc = tomllib.load(fh)
    except FileNotFoundError as exc:
        raise _ConfigError(f"config file {path} does not exist") from exc
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise _ConfigError(f"cannot read config file {path}: {exc}") from exc
    return _layer(doc, lambda _key: str(path))


def _env_layer(env: Mapping[str, str]) -> dict[str, Any]:
    # Other LOGPIPE_* variables (LOGPIPE_SHARED, ...) belong to other parts: ignored.
    found = {k.removeprefix(ENV_PREFIX).lower(): v for k, v in env.items()}
    known = {k: v for k, v in found.items() if k in KEYS and f"{ENV_PREFIX}{k.upper()}" in env}
    return _layer(known, lambda key: f"environment variable {ENV_PREFIX}{key.upper()}")


def _check_range(cfg: dict[str, Any], key: str, low: float, high: float) -> None:
    if key in cfg and not low <= cfg[key] <= high:
        raise _ConfigError(f"{key} must be between {low:g} and {high:g}, not {cfg[key]:g}")


def _specs(sources: Sequence[str], name: str | None) -> tuple[SourceSpec, ...]:
    if not sources:
        raise _ConfigError("no source directory given (SRC... or 'sources' in the config file)")
    if name is not None and len(sources) > 1:
        raise _ConfigError(f"--source names one source but {len(sources)} SRC directories given")
    specs = []
    for src in sources:
        root = Path(src).expanduser().resolve()
        label = name if name is not None else (root.name or "root")
        if not label or "/" in label or not label.isprintable():
            raise _ConfigError(f"bad source name {label!r}: printable, no '/'")
        specs.append(SourceSpec(label, root))
    names = [s.name for s in specs]
    dupes = sorted({n for n in names if names.count(n) > 1})
    if dupes:
        raise _ConfigError(f"two SRC directories are both named {dupes}: run them separately")
    return tuple(specs)


def _dataset_uri(to: str) -> str:
    # Keep URLs (s3://, file://) as given; make paths absolute so the cache key is stable.
    return to if re.match(r"^[a-z][a-z0-9+.-]*://", to) else str(Path(to).expanduser().resolve())


def load_config(
    *,
    config_file: Path | str | None = None,
    env: Mapping[str, str] | None = None,
    flags: Mapping[str, object] | None = None,
) -> IngestConfig:
    """Merge the layers (flags whose value is None are not given) into an ``IngestConfig``."""
    env = os.environ if env is None else env
    merged: dict[str, Any] = {}
    config_file = config_file or env.get(f"{ENV_PREFIX}CONFIG")
    if config_file:
        merged |= _file_layer(Path(config_file).expanduser())
    merged |= _env_layer(env)
    given = {k: v for k, v in (flags or {}).items() if v is not None and v != []}
    merged |= _layer(given, lambda key: f"--{key.replace('_', '-')}")
    _check_range(merged, "max_line_bytes", 1024, 256 << 20)
    _check_range(merged, "batch_bytes", 64 << 10, 1 << 30)
    for key in ("flush_interval", "poll_interval", "drain_grace"):
        _check_range(merged, key, 0.001, 86400.0)
    to = merged.pop("to", None)
    if not to:
        raise _ConfigError("no dataset given (--to DATASET or 'to' in the config file)")
    specs = _specs(merged.pop("sources", ()), merged.pop("source", None))
    rest = {f.name: merged[f.name] for f in fields(IngestConfig) if f.name in merged}
    return IngestConfig(sources=specs, to=_dataset_uri(to), **rest)
