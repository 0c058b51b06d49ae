"""Configuration: defaults < TOML file < LOGPIPE_* environment < flags; errors name the culprit."""

from __future__ import annotations

from pathlib import Path

import pytest

from logpipe.errors import ConfigError
from logpipe.ingest.config import (
    IngestConfig,
    load_config,
    parse_duration,
    parse_rule,
    parse_size,
)
from logpipe.ingest.rules import Rule
from tests.shared import REPO


def test_documented_example_loads_with_every_key() -> None:
    cfg = load_config(config_file=REPO / "configs" / "logpipe.toml", env={})
    assert [(s.name, str(s.root)) for s in cfg.sources] == [("gpu-node-07", "/var/log/train")]
    assert cfg.to == "/data/logs.delta"
    assert cfg.rules[:2] == (Rule("exclude", "tmp/"), Rule("include", "*.log"))
    assert (cfg.max_line_bytes, cfg.batch_bytes) == (1 << 20, 32 << 20)
    assert (cfg.compact_interval, cfg.forget_after) == (600.0, 7 * 86400.0)
    assert cfg.state_dir == Path("~/.local/state/logpipe").expanduser()
    assert cfg.log_level == "info"
    text = (REPO / "configs" / "logpipe.toml").read_text()
    for name in IngestConfig.__dataclass_fields__:
        assert f"\n{name} = " in text, f"{name} is not documented in the example"


def test_precedence(tmp_path: Path) -> None:
    conf = tmp_path / "c.toml"
    conf.write_text('to = "file-ds"\nflush_interval = 3\nbatch_bytes = "1MiB"\nsources = ["a"]\n')
    env = {"LOGPIPE_FLUSH_INTERVAL": "500ms", "LOGPIPE_BATCH_BYTES": "2MiB", "LOGPIPE_X": "?"}
    cfg = load_config(config_file=conf, env=env, flags={"batch_bytes": "4MiB", "source": None})
    assert cfg.flush_interval == 0.5  # env over file
    assert cfg.batch_bytes == 4 << 20  # flag over env
    assert cfg.to == str(Path("file-ds").resolve())  # file over default, made absolute
    assert cfg.poll_interval == 2.0  # default
    via_env = load_config(env={"LOGPIPE_CONFIG": str(conf), "LOGPIPE_SOURCES": "x:y"})
    assert [s.name for s in via_env.sources] == ["x", "y"]


def test_unknown_key_names_key_and_file(tmp_path: Path) -> None:
    conf = tmp_path / "c.toml"
    conf.write_text('to = "d"\nflush_intervall = 3\n')
    with pytest.raises(ConfigError, match=rf"unknown key 'flush_intervall' in {conf}"):
        load_config(config_file=conf, env={})


@pytest.mark.parametrize(
    ("where", "message"),
    [
        ({"flags": {"batch_bytes": "lots"}}, "bad value for 'batch_bytes' in --batch-bytes"),
        ({"env": {"LOGPIPE_POLL_INTERVAL": "soon"}}, "in environment variable LOGPIPE_POLL"),
        ({"flags": {"max_line_bytes": 10}}, "max_line_bytes must be between"),
        ({"flags": {"rules": ["? x"]}}, "not a rule"),
        ({"flags": {"to": None}}, "no dataset given"),
    ],
)
def test_bad_values_are_config_errors(where: dict[str, dict[str, object]], message: str) -> None:
    flags = {"sources": ["s"], "to": "d"} | where.get("flags", {})
    with pytest.raises(ConfigError, match=message):
        load_config(flags=flags, env={k: str(v) for k, v in where.get("env", {}).items()})


def test_sources_and_names(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="no source directory"):
        load_config(flags={"to": "d"}, env={})
    with pytest.raises(ConfigError, match="names one source but 2"):
        load_config(flags={"to": "d", "sources": ["a", "b"], "source": "n"}, env={})
    with pytest.raises(ConfigError, match="both named"):
        load_config(flags={"to": "d", "sources": ["x/logs", "y/logs"]}, env={})
    cfg = load_config(flags={"to": "s3://bucket/t", "sources": [str(tmp_path / "web")]}, env={})
    assert cfg.to == "s3://bucket/t"
    assert cfg.sources[0].name == "web"


def test_missing_or_broken_file(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="does not exist"):
        load_config(config_file=tmp_path / "none.toml", env={})
    (tmp_path / "b.toml").write_text("to = ")
    with pytest.raises(ConfigError, match="cannot read config file"):
        load_config(config_file=tmp_path / "b.toml", env={})


def test_parsers() -> None:
    assert [parse_size(v) for v in (1024, "1MiB", "16M", "512 KiB", "2g")] == [
        1024,
        1 << 20,
        16_000_000,
        512 << 10,
        2_000_000_000,
    ]
    assert [parse_duration(v) for v in (1, 0.5, "500ms", "5m", "7d", "2h")] == [
        1.0,
        0.5,
        0.5,
        300.0,
        604800.0,
        7200.0,
    ]
    assert parse_rule("+ *.log") == Rule("include", "*.log")
    assert parse_rule("exclude a b/") == Rule("exclude", "a b/")
    for bad in ("", "+", "* x"):
        with pytest.raises(ValueError, match="not a rule"):
            parse_rule(bad)
    with pytest.raises(ValueError, match="not a size"):
        parse_size("1 parsec")
