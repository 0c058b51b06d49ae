"""NCCL debug output as typed records: the record type, the reference and the hot path.

``NCCL_DEBUG=INFO`` lines (``host:pid:tid [dev] NCCL INFO <message>``, WARN, TRACE, CALL,
pre-2.3 ``INFO``/``WARN``, bare ``NCCL version`` lines) become ``NCCL_RECORD`` structs:
the prefix fields, the message ``body`` and, when the message belongs to one of the known
families of ``shared/nccl/GRAMMAR.md`` (connections, CollNet, ring order, trees,
communicator init/teardown, versions, network selection, channel counts, collectives,
tuning, threads, environment, error traces...), its typed fields. One physical line can
hold several records (wrapped, glued or interleaved writes), so a line maps to a list.

* ``parse_nccl(line)`` is the plain per-line reference (Python ``re``).
* ``nccl_column(lines)`` computes the same on whole Arrow arrays (RE2 via pyarrow
  compute, each distinct prefix and message parsed once).
* ``nccl_tests_mask(lines)`` marks lines of nccl-tests result tables.

Fields are documented in ``_nccl_record``; ``FAMILIES`` lists the family names in the
order they are tried. Records are found by searching, never by anchoring at column 0, so
launcher prefixes (``[1,0]<stdout>:``, ``[rank0]:``, ``(RayWorker pid=N)``...) and logrus
lines whose message is an NCCL record both work.
"""

from __future__ import annotations

from typing import Final

from logpipe.parsers._nccl_families import FAMILIES as _FAMILIES
from logpipe.parsers._nccl_record import NCCL_RECORD, TREE_ENTRY
from logpipe.parsers._nccl_reference import parse_nccl
from logpipe.parsers._nccl_vector import nccl_column
from logpipe.parsers.nccl_tests import nccl_tests_mask

__all__ = [
    "FAMILIES",
    "NCCL_RECORD",
    "TREE_ENTRY",
    "nccl_column",
    "nccl_tests_mask",
    "parse_nccl",
]

#: Names of the message families, in the order they are tried (the first match wins).
FAMILIES: Final = tuple(f.name for f in _FAMILIES)
