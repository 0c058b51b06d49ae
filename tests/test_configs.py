"""Every example config in configs/ loads, and logging through it writes what it promises."""

from __future__ import annotations

import json
import logging
import logging.config
import re
import tomllib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.shared import REPO

CONFIGS = REPO / "configs"


@pytest.fixture
def restore_logging() -> Iterator[None]:
    """dictConfig rewires the root and "nccl" loggers: undo it (pytest's handlers too)."""
    root, nccl = logging.getLogger(), logging.getLogger("nccl")
    saved = [(log, log.handlers[:], log.level, log.propagate) for log in (root, nccl)]
    yield
    for log, handlers, level, propagate in saved:
        for handler in log.handlers:
            if handler not in handlers:
                handler.close()
        log.handlers[:] = handlers
        log.setLevel(level)
        log.propagate = propagate


def test_logging_toml(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], restore_logging: None
) -> None:
    with (CONFIGS / "logging.toml").open("rb") as fh:
        config: dict[str, Any] = tomllib.load(fh)
    config["handlers"]["file"]["filename"] = str(tmp_path / "service.log")
    logging.config.dictConfig(config)

    logging.getLogger("sidecar").info("ring established", extra={"rank": 3})
    logging.getLogger("nccl").log(5, "[ring] 3 -> 10 via NET/IB/0/GDRDMA")

    console = capsys.readouterr()
    assert re.fullmatch(
        r'time="\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{3}" level=info msg="ring established" '
        r'func=test_logging_toml file="[^"]+test_configs.py:\d+" rank=3\n',
        console.err,
    ), console.err
    assert re.fullmatch(r"\[\d{4,}\] TRACE ring: 3 -> 10 via NET/IB/0/GDRDMA\n", console.out)
    record = json.loads((tmp_path / "service.log").read_text())
    assert record["message"] == "ring established"
    assert record["rank"] == 3
    assert record["func"] == "test_logging_toml"
    assert record["level"] == "info"
