"""Rebuild a source's committed offsets from the table: its log, else its rows."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from typing import Any

from logpipe.errors import CheckpointError
from logpipe.ingest.checkpoint import Checkpoint
from logpipe.ingest.fingerprint import FP_BYTES, head_mark, window_mark
from logpipe.ingest.sink import META_KEY, DeltaSink, app_id
from logpipe.ingest.snapshot import dataset
from logpipe.ingest.state import Record, SourceState

__all__ = ["history_pages", "payloads", "recover", "state_from_log", "state_from_rows"]

log = logging.getLogger("logpipe.ingest.recover")


def _cached(cache: Checkpoint | None, table_id: str) -> SourceState | None:
    if cache is None:
        return None
    try:
        cached = cache.load()
    except CheckpointError as exc:
        fields = {"error": str(exc)}
        log.warning("checkpoint unusable; rebuilding it from the dataset", extra=fields)
        return None
    if cached is None or cached.table_id != table_id:
        return None
    return cached.state


def recover(
    sink: DeltaSink, source: str, *, cache: Checkpoint | None = None, now: float = 0.0
) -> tuple[SourceState, str, str]:
    """(state, table id, how) where how is ``new``, ``cache``, ``log`` or ``rows``.

    The table's writer version for the source decides what is committed: a cache
    only counts when it is of this very table and version; otherwise the log's
    payloads are replayed from the last full snapshot (or from the cache); when the
    log no longer holds them (expired and cleaned up), the rows themselves tell.
    """
    dt = sink.table()
    if dt is None:
        return SourceState(source), "", "new"
    table_id = str(dt.metadata().id)
    version = dt.transaction_version(app_id(source)) or 0
    if version == 0:
        return SourceState(source), table_id, "new"
    base = _cached(cache, table_id)
    if base is not None and base.version == version:
        return base, table_id, "cache"
    if base is not None and base.version > version:
        base = None  # a cache from the future: the table was restored or rewritten
    try:
        state = state_from_log(sink, source, version, base)
    except (KeyError, TypeError, ValueError) as exc:  # includes CheckpointError
        log.warning("unreadable offsets in the log", extra={"source": source, "error": str(exc)})
        state = None
    if state is not None:
        return state, table_id, "log"
    log.warning("offsets no longer in the log: rebuilding them from rows", extra={"source": source})
    return state_from_rows(sink, source, version, now=now), table_id, "rows"


def payloads(infos: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """logpipe's payloads in Delta commit infos (newest first), with their timestamps.

    Commits by others (compaction, other tools) carry none and are skipped.
    """
    out: list[dict[str, Any]] = []
    for info in infos:
        raw = info.get(META_KEY)
        if isinstance(raw, str):
            try:
                payload = json.loads(raw)
            except ValueError:
                log.warning("unreadable payload in the log", extra={"version": info.get("version")})
                continue
            payload["_timestamp"] = info.get("timestamp")
            out.append(payload)
    return out


def history_pages(sink: DeltaSink) -> Iterator[list[dict[str, Any]]]:
    """Ever longer lists of payloads, newest first, until the retained log is read."""
    limit = 128
    while True:
        table = sink.table()
        infos = table.history(limit) if table else []
        yield payloads(infos)
        if len(infos) < limit:
            return
        limit *= 4


def state_from_log(
    sink: DeltaSink, source: str, version: int, base: SourceState | None
) -> SourceState | None:
    """Replay the source's payloads up to ``version``; None when the log lacks them."""
    for page in history_pages(sink):
        chain = [p["sources"][source] for p in page if source in p.get("sources", {})]
        for i, entry in enumerate(chain):
            if entry.get("full") or (base is not None and entry["version"] <= base.version):
                return _replay(source, version, base, chain[: i + 1][::-1])
    return None


def _replay(
    source: str, version: int, base: SourceState | None, entries: list[dict[str, Any]]
) -> SourceState | None:
    if entries[0].get("full"):
        state = SourceState(source)
    elif base is not None:
        state = base.copy()
        entries = entries[1:] if entries[0]["version"] <= base.version else entries
    else:
        return None
    for entry in entries:
        if not entry.get("full") and entry["version"] != state.version + 1:
            log.warning("gap in the log", extra={"source": source, "version": entry["version"]})
            return None
        state.apply(entry)
    return state if state.version == version else None


_LAST_ROWS = """
SELECT path, generation, max("offset" + nbytes) AS "end", max(lineno) AS lineno,
       arg_max(struct_pack(o := "offset", n := nbytes, l := line, r := line_raw, t := truncated),
               "offset") AS last
FROM rows GROUP BY path, generation
"""
_HEAD_ROWS = f"""
SELECT path, generation, "offset", nbytes, line, line_raw, truncated FROM rows
WHERE "offset" < {FP_BYTES} ORDER BY path, generation, "offset"
"""


def _raw(row: dict[str, Any]) -> bytes:
    """A row's bytes in the file: exact unless truncated (then only the kept head)."""
    raw: bytes = row["r"] if row["r"] is not None else row["l"].encode("utf-8")
    if row["t"]:
        return raw
    return raw + (b"\r\n" if row["n"] - len(raw) == 2 else b"\n")


def state_from_rows(sink: DeltaSink, source: str, version: int, *, now: float = 0.0) -> SourceState:
    """The committed offsets as the rows of the source prove them (the last resort)."""
    import duckdb  # noqa: PLC0415 (tens of MB: loaded only on this last resort)

    con = duckdb.connect()
    con.register("rows", dataset(sink.uri, source=source))
    heads: dict[tuple[str, int], bytes] = {}
    for path, gen, off, nbytes, line, raw, trunc in con.sql(_HEAD_ROWS).fetchall():
        have = heads.setdefault((path, gen), b"")
        if len(have) == off:  # contiguous from the generation's first byte
            heads[(path, gen)] = have + _raw({"n": nbytes, "l": line, "r": raw, "t": trunc})
    state = SourceState(source, version)
    for path, gen, end, lineno, last in con.sql(_LAST_ROWS).fetchall():
        head_len, head = head_mark(heads.get((path, gen), b""), end)
        tail = b"" if last["t"] else _raw(last)
        vstart, vsum = window_mark(tail, end)
        rec = Record(path, gen, end, lineno, head_len, head, vstart, end, vsum, path, seen=now)
        state.put(rec)
    con.close()
    return state
