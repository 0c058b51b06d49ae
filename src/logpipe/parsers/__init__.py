"""Lines -> typed Arrow columns: logrus text/colored/JSON, x-cray prefixed, logfmt, NCCL, plain.

``parse_batch`` is the hot path: whole Arrow arrays read by byte kernels compiled with
numba (each line read about once, spans gathered into new Arrow buffers; see ``_text``),
NCCL records by pyarrow compute over each distinct message once; a line goes through
per-line Python only when it needs it (x-cray layouts, escapes the kernels leave alone,
damaged structure). ``parse_nccl_first`` gives the same rows with the lines that may
hold NCCL records first (a writer stores those apart). ``parse_line`` is the
straightforward reference; the two agree row for row (property tests). One row per
line, always; a line never raises. The kernels compile on first use (some seconds,
once: the code is cached on disk).

Columns (``SCHEMA``; names and types are the contract):

* ``format``: one of ``FORMATS``. ``ts``: the UTC instant the line carries (a layout without
  a zone is taken as UTC; see ``_time`` for the layouts), else the launcher's timestamp
  (kubectl, CloudWatch, OpenMPI), else null. Microseconds: finer digits are truncated
  (Delta Lake and DuckDB store microseconds).
* ``elapsed_s``: the ``[0429]`` stamp of the colored layouts. ``level``: ``trace debug info
  warning error fatal panic`` (``warn``/``WARN``/``err``/``critical`` normalized).
* ``msg``: the message (the whole text after the launcher for plain and NCCL lines).
* ``fields``: every other key with its value as printed, unquoted and unescaped (JSON
  strings decoded, JSON ``null`` null, other JSON values as their source text); a later
  duplicate key replaces an earlier one; empty for a structured line without fields,
  null for plain/NCCL lines. Keys that are not understood (``time`` that is not a full
  timestamp, an unknown ``level``) stay in ``fields``.
* ``caller_func``/``caller_file``, ``prefix`` (x-cray), ``launcher`` (the wrapper text
  stripped in front of the line), ``parse_error`` (null when the line parsed; else why,
  with the row kept), ``nccl`` (the NCCL records anywhere in the line).

A line terminator (``\\n``, ``\\r\\n``) at the end of a line is ignored. Null entries of
the input array give a ``plain`` row with ``parse_error`` "null line".
"""

from __future__ import annotations

from logpipe.parsers._batch import parse_batch, parse_nccl_first
from logpipe.parsers._reference import parse_line
from logpipe.parsers._schema import FORMATS, SCHEMA

__all__ = ["FORMATS", "SCHEMA", "parse_batch", "parse_line", "parse_nccl_first"]
