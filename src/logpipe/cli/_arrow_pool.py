"""Choose Arrow's memory pool for the ingest commands, before pyarrow is first imported.

Arrow reads ``ARROW_DEFAULT_MEMORY_POOL`` once, when pyarrow loads. Its default pool
(mimalloc) kept ~120 MB more resident than jemalloc over a long ``logpipe sync`` (535 vs
415 MB peak on the 300 MB bench tree) at the same speed: batches of many megabytes are
freed and allocated again, and jemalloc hands the freed pages back. pyarrow's Linux
builds ship jemalloc; elsewhere Arrow's default stays. A value already set is kept.

Its jemalloc keeps freed pages 3 s instead of Arrow's 1 s before handing them back:
each run of lines allocates and frees tens of MB, and pages kept are reused instead of
faulted in fresh (kernel time 0.7 -> 0.4 s, faults -40% on the 300 MB bench tree, RSS
about the same). OpenBLAS (loaded with numpy) is kept to one thread: ingest makes no
BLAS call worth a thread, and each idle OpenBLAS thread held ~10 MB of peak RSS.
"""

from __future__ import annotations

import os
import sys

__all__ = ["JEMALLOC_VARIABLE", "POOL_VARIABLE"]

#: The environment variable Arrow reads its default pool from.
POOL_VARIABLE = "ARROW_DEFAULT_MEMORY_POOL"
#: ... and its jemalloc's options (on top of Arrow's own).
JEMALLOC_VARIABLE = "JE_ARROW_MALLOC_CONF"

if sys.platform == "linux":
    os.environ.setdefault(POOL_VARIABLE, "jemalloc")
    os.environ.setdefault(JEMALLOC_VARIABLE, "dirty_decay_ms:3000,muzzy_decay_ms:3000")
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
