"""Logs of the services beside a job: a Go GPU agent (logrus) and the Python trainer (logpipe)."""

from __future__ import annotations

import random
from collections.abc import Iterator
from datetime import datetime, timedelta
from typing import Any

from logpipe.formatting import Caller, Entry, JSONFormatter, TextFormatter
from logpipe.levels import Level

__all__ = ["agent_lines", "exporter_lines", "trainer_lines"]

_AGENT = TextFormatter(disable_colors=True)
_EXPORTER = JSONFormatter()
_TRAINER = TextFormatter(disable_colors=True, timestamp_format="2006-01-02T15:04:05.000Z07:00")


def _entry(
    when: datetime, level: Level, msg: str, caller: Caller | None = None, **fields: Any
) -> Entry:
    return Entry(when, level, msg, fields=fields, caller=caller)


def agent_lines(host: str, start: datetime, minutes: int, *, ib_down: bool) -> Iterator[str]:
    """The Go ``gpu-agent`` sidecar (logrus TextFormatter, plain): discovery, health checks."""
    rng = random.Random(host)
    yield _AGENT.render(_entry(start, "info", "starting gpu-agent", version="1.8.2", host=host))
    for gpu in range(8):
        yield _AGENT.render(
            _entry(
                start + timedelta(milliseconds=40 * gpu),
                "info",
                "discovered GPU",
                index=gpu,
                bus_id=f"0000:{0x18 + 0x12 * gpu:02x}:00.0",
                model="NVIDIA H100 80GB HBM3",
            )
        )
    if ib_down:
        caller = Caller("main.(*Prober).checkFabric", "/src/agent/fabric.go", 212)
        yield _AGENT.render(
            _entry(
                start + timedelta(seconds=2),
                "error",
                "infiniband port state DOWN, jobs will fall back to TCP",
                caller,
                hca="mlx5_0",
                port=1,
                error="ibv_open_device: No such device",
            )
        )
    for minute in range(0, minutes, 5):
        when = start + timedelta(minutes=minute, seconds=rng.randrange(60))
        temps = [rng.randrange(55, 83) for _ in range(8)]
        hot = max(temps) > 80
        level: Level = "warning" if hot else "info"
        msg = "GPU temperature high" if hot else "health check passed"
        yield _AGENT.render(_entry(when, level, msg, gpus=8, max_temp_c=max(temps)))


def exporter_lines(host: str, start: datetime, minutes: int) -> Iterator[str]:
    """The Go metrics exporter (logrus JSONFormatter): one scrape summary a minute."""
    rng = random.Random(f"{host}/exporter")
    for minute in range(minutes):
        yield _EXPORTER.render(
            _entry(
                start + timedelta(minutes=minute),
                "info",
                "metrics scraped",
                host=host,
                power_w=round(rng.uniform(480, 700), 1),
                sm_util=round(rng.uniform(0.80, 0.99), 3),
                duration=timedelta(milliseconds=rng.randrange(5, 90)),
            )
        )


def trainer_lines(rank: int, start: datetime, steps: int, *, nccl_warn_at: int) -> Iterator[str]:
    """The PyTorch trainer, logging through logpipe's logrus formatter (as our users do)."""
    rng = random.Random(f"trainer/{rank}")
    loss = 11.0
    yield _TRAINER.render(_entry(start, "info", "trainer starting", rank=rank, world_size=16))
    for step in range(1, steps + 1):
        loss *= rng.uniform(0.95, 0.999)
        when = start + timedelta(seconds=30 * step, milliseconds=rng.randrange(999))
        if step == nccl_warn_at:
            yield _TRAINER.render(
                _entry(when, "warning", "slow step, NCCL reported a network error", step=step)
            )
        yield _TRAINER.render(
            _entry(
                when,
                "info",
                "step done",
                step=step,
                loss=round(loss, 4),
                tokens_per_s=rng.randrange(90_000, 120_000),
            )
        )
