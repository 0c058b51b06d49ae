"""The typed NCCL record: one flat Arrow struct with a nullable column per family field."""

from __future__ import annotations

from typing import Final

import pyarrow as pa

__all__ = ["COLUMN_KIND", "FAMILY_COLUMNS", "NCCL_RECORD", "PREFIX_COLUMNS", "TREE_ENTRY"]

_I32 = pa.int32()
_I64 = pa.int64()
_STR = pa.string()
_BOOL = pa.bool_()
_F64 = pa.float64()

#: One entry of an INIT ``Trees`` record: the tree of one channel as seen by ``rank``.
#: ``tree`` is ``up``/``down`` for the 2.5-2.7 two-trees-per-channel layout, else null.
TREE_ENTRY: Final = pa.struct(
    [
        pa.field("channel", _I32),
        pa.field("rank", _I32),
        pa.field("parent", _I32),
        pa.field("children", pa.list_(_I32)),
        pa.field("tree", _STR),
    ]
)

#: Fields every record gets from its line prefix (``host:pid:tid [dev] ... NCCL LEVEL``).
PREFIX_COLUMNS: Final = (
    pa.field("host", _STR),
    pa.field("pid", _I64),
    pa.field("tid", _I64),
    pa.field("device", _I32),
    pa.field("level", _STR),  # INFO, WARN, TRACE, CALL, or VERSION for the bare version line
    # 2.26+ wall clock as printed. The log has no zone: read as UTC, as the line's own
    # zone-less ``ts`` is, which also keeps the Delta table at protocol (1, 2) (a zone-less
    # timestamp needs timestampNtz, which older Spark/Databricks/Trino cannot read).
    pa.field("ts", pa.timestamp("us", tz="UTC")),
    pa.field("src_file", _STR),  # WARN/TRACE location as printed (file, or function for plugins)
    pa.field("src_line", _I32),
    pa.field("func", _STR),  # 2.30.7 "(function)" of WARN
    pa.field("elapsed_ms", _F64),  # TRACE: ms since init
    pa.field("family", _STR),  # null when the message matches no known family
    pa.field("body", _STR),  # the message, right-trimmed: nothing is lost
)

#: Typed fields filled by the message families (a regex group of the same name fills them).
FAMILY_COLUMNS: Final = (
    # connections (edge, collnet)
    pa.field("channel", _I32),
    pa.field("conn_index", _I32),
    pa.field("rank", _I32),
    pa.field("rank_dev", _STR),  # bracket after the rank, as printed (meaning depends on version)
    pa.field("peer", _I32),
    pa.field("peer_dev", _STR),
    pa.field("direction", _STR),
    pa.field("transport", _STR),  # full text after "via", trailing junk excluded
    pa.field("transport_kind", _STR),  # P2P, SHM, NET, COLLNET
    pa.field("net", _STR),  # IB, Socket, or a plugin name ("AWS Libfabric")
    pa.field("nic", _I32),
    pa.field("proxy_rank", _I32),  # PXN: NET/IB/0(8) -> 8
    pa.field("gdr", _BOOL),
    pa.field("p2p_mode", _STR),  # IPC, CUMEM, direct pointer, MNNVL, indirect, common device
    pa.field("p2p_read", _BOOL),
    # communicators
    pa.field("comm", _STR),
    pa.field("comm_id", _STR),
    pa.field("nranks", _I32),
    pa.field("cuda_dev", _I32),
    pa.field("nvml_dev", _I32),
    pa.field("bus_id", _STR),
    pa.field("state", _STR),  # "Init START", "Init COMPLETE", "Destroy COMPLETE", ...
    pa.field("api", _STR),
    pa.field("parent_comm", _STR),
    pa.field("split_color", _I32),
    pa.field("split_key", _I32),
    pa.field("nnodes", _I32),
    pa.field("local_ranks", _I32),
    pa.field("local_rank", _I32),
    # versions
    pa.field("version", _STR),
    pa.field("cuda_version", _STR),
    pa.field("cuda_driver", _I32),
    # ring order, NVLS heads, trees, GRAPH lines
    pa.field("ranks", pa.list_(_I32)),
    pa.field("nchannels", _I32),
    pa.field("truncated", _BOOL),
    pa.field("trees", pa.list_(TREE_ENTRY)),
    pa.field("parent", _I32),
    pa.field("children", pa.list_(_I32)),
    pa.field("ring_prev", _I32),
    pa.field("ring_next", _I32),
    # channel counts
    pa.field("coll_channels", _I32),
    pa.field("collnet_channels", _I32),
    pa.field("nvls_channels", _I32),
    pa.field("p2p_channels", _I32),
    pa.field("p2p_per_peer", _I32),
    # network selection
    pa.field("nics", pa.list_(_STR)),
    # collectives and tuning
    pa.field("op", _STR),
    pa.field("op_count", _I64),
    pa.field("count", _I64),
    pa.field("datatype", _I32),
    pa.field("redop", _I32),
    pa.field("root", _I32),
    pa.field("sendbuff", _STR),
    pa.field("recvbuff", _STR),
    pa.field("stream", _STR),
    pa.field("bytes", _I64),
    pa.field("algo", _STR),
    pa.field("proto", _STR),
    # error traces, timings
    pa.field("code", _I32),
    pa.field("seconds", _F64),
    # every other regex group of the family, non-empty ones only
    pa.field("attrs", pa.map_(_STR, _STR)),
)

NCCL_RECORD: Final = pa.struct([*PREFIX_COLUMNS, *FAMILY_COLUMNS])

#: How a captured text becomes the column value when the Arrow type alone does not say.
COLUMN_KIND: Final = {
    "op_count": "hex",
    "ranks": "ints",
    "children": "ints",
    "nics": "nics",
    "trees": "trees",
}
