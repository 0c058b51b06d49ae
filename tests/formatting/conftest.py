"""hypothesis without per-example deadlines: the machines running the suite are shared."""

from __future__ import annotations

from hypothesis import settings

settings.register_profile("logpipe-shared-cpu", deadline=None)
settings.load_profile("logpipe-shared-cpu")
