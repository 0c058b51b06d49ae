"""The NCCL line grammar as data: record-start patterns and the message family table.

Written from ``shared/nccl/GRAMMAR.md`` (its regexes, tested on real logs), with three
deliberate changes: numbers that fill integer columns are bounded (``\\d{1,9}``) so a
match always converts; lookarounds are rewritten for RE2; and a connection's transport
must be followed by whitespace, a quote or the end (the oracle excludes glued junk).
A group named like a record column fills that column; ``_``-groups are helpers; any
other group goes to ``attrs``. Families are tried in table order; the first match wins.
"""

from __future__ import annotations

from logpipe.parsers._nccl_more_families import MORE_FAMILIES
from logpipe.parsers._nccl_regex import (
    END,
    HEX,
    HOST,
    N9,
    N18,
    NUM,
    S9,
    TS,
    Family,
)

__all__ = ["BARE_VERSION", "BARE_VERSION_RE2", "FAMILIES", "START", "START_PY"]


def _start(run: str) -> str:
    return (
        rf"(?:(?:\[(?P<ts>{TS})\] )?{run}(?P<host>{HOST}):(?P<pid>{N18}):(?P<tid>{N18}) "
        rf"(?:\[(?P<dev>{N9})\] (?:(?P<ms>{NUM}) )?"
        rf"(?:(?P<file>[^\s:]+):(?P<line>{N9})(?: \((?P<func>[^)]*)\))? )?)?)?"
        r"NCCL (?P<level>INFO|WARN|TRACE|CALL) "
        rf"|{run}(?P<host0>{HOST}):(?P<pid0>{N18}):(?P<tid0>{N18}) \[(?P<dev0>{N9})\] "
        rf"(?:(?P<file0>[^\s:]+):(?P<line0>{N9}) )?(?P<level0>INFO|WARN) "
    )


#: Where an NCCL record starts in a physical line: the modern ``... NCCL LEVEL `` token (with
#: its prefix when present) or the pre-2.3 ``host:pid:tid [dev] [file:line ]INFO|WARN ``.
START = _start("")
#: The same matches for Python's backtracking search: a host never starts inside a run of
#: host characters (the greedy host would end at the same place and fail the same way), which
#: keeps the search linear on long lines (RE2 is linear anyway and has no lookbehind).
START_PY = _start(r"(?<![^\s:\[\]])")

#: The bare ``NCCL version 2.X.Y+cudaA.B`` line (no prefix; 2.3-2.21 stdout, launcher-tagged).
BARE_VERSION = (
    rf"(?<![\w-])NCCL version (?P<version>{N9}\.{N9}\.{N9})(?P<suffix>[^+\s]*)"
    r"\+cuda(?P<cuda_version>\d+\.\d+)"
)
BARE_VERSION_RE2 = rf"(?:^|[^\w-])NCCL version {N9}\.{N9}\.{N9}[^+\s]*\+cuda\d+\.\d+"


_TRANSPORT = (
    rf"(?P<transport>NET/(?P<net>.+?)/(?P<nic>{N9})(?:\((?P<proxy_rank>{N9})\))?"
    r"(?P<gdr>/GDRDMA(?:\(PCI\))?)?(?:/GDCopy)?(?:/Shared)?"
    r"|P2P/(?P<p2p_mode>direct pointer|common device|IPC|CUMEM|MNNVL"
    rf"|indirect/{N9}\[{HEX}\])(?P<p2p_read>/read)?(?:/CE)?"
    r"|SHM/(?:direct|CE)(?:/(?:direct|CE))?|direct shared memory)"
)

_CORE: tuple[Family, ...] = (
    Family(
        "edge",
        rf"(?:Ring|Channel) (?P<channel>{N9})(?:/(?P<conn_index>{N9}))? : (?P<rank>{N9})"
        rf"(?:\[(?P<rank_dev>{HEX})\])? -> (?P<peer>{N9})(?:\[(?P<peer_dev>{HEX})\])?"
        rf"(?: \[(?P<direction>send|receive)\])? via {_TRANSPORT}{END}",
        ("Ring ", "Channel "),
        " via ",
    ),
    Family(
        "collnet",
        rf"(?:Coll|CollNet) (?P<channel>{N9})(?:/(?P<conn_index>{N9}))? : (?P<rank>{N9}) "
        rf"\[(?P<direction>send|receive)\] via (?P<transport>COLLNET/(?P<net>.+?)/"
        rf"(?P<nic>{N9})(?P<gdr>/GDRDMA(?:\(PCI\))?)?){END}",
        ("Coll ", "CollNet "),
        " via ",
    ),
    Family(
        "ring_order",
        rf"Channel (?P<channel>{N9})(?:/(?P<nchannels>{N9}))? :(?P<ranks>(?: +{N9})+)"
        r"(?P<truncated>\.\.\.)?\s*$",
        ("Channel ",),
    ),
    Family(
        "graph_ring",
        rf"Ring (?P<channel>{N9}) : (?P<ring_prev>{S9}) -> (?P<rank>{N9}) -> "
        rf"(?P<ring_next>{S9})$",
        ("Ring ",),
    ),
    Family(
        "graph_tree",
        rf"Tree (?P<channel>{N9}) : (?P<parent>{S9}) -> (?P<rank>{N9}) -> "
        rf"(?P<children>{S9}/{S9}/{S9})$",
        ("Tree ",),
    ),
    Family("trees", rf"Trees(?P<trees>(?: \[{N9}\] \S+)*)", ("Trees",)),
    Family(
        "coll_call",
        rf"(?P<op>\w+): opCount (?P<op_count>[0-9a-fA-F]{{1,15}}) sendbuff (?P<sendbuff>\S+) "
        rf"recvbuff (?P<recvbuff>\S+) count (?P<count>{N18}) datatype (?P<datatype>{N9}) "
        rf"op (?P<redop>{N9}) root (?P<root>{S9}) comm (?P<comm>\S+) "
        rf"\[nranks=(?P<nranks>{N9})\] stream (?P<stream>\S+)$",
        contains=": opCount ",
    ),
    Family(
        "algo_select",
        r"(?:(?P<op>\w+)(?: \[(?P<kind>Symmetric|Copy Engine|Hierarchical CE)\])?: )?"
        rf"(?P<bytes>{N18}) Bytes -> (?:Algo (?P<algo>\w+) proto (?P<proto>\w+)"
        rf"(?: time (?P<time>{NUM})| channel\{{Lo\.\.Hi\}}=\{{(?P<lo>\d+)\.\.(?P<hi>\d+)\}})?"
        r"|Kernel (?P<kernel>\S+) nchannels (?P<nchannels>\d{1,9}) nthreads (?P<nthreads>\d+)"
        r"(?: nWorks (?P<nworks>\d+))?|(?P<other>.+))$",
        contains=" Bytes -> ",
    ),
    Family(
        "init",
        rf"(?:\[Rank {N9}\] )?(?:(?P<api>ncclComm\w+) )?comm (?P<comm>0x[0-9a-fA-F]+) "
        rf"rank (?P<rank>{N9}) nranks (?P<nranks>{N9}) cudaDev (?P<cuda_dev>{N9})"
        rf"(?: nvmlDev (?P<nvml_dev>{N9}))?(?: busId (?P<bus_id>[0-9a-fA-F]+))?"
        rf"(?: parent (?P<parent_comm>\S+)(?: (?:splitCount|childCount) \d+)? "
        rf"color (?P<split_color>{S9}) key (?P<split_key>{S9}))?"
        r"(?: commId (?P<comm_id>0x[0-9a-fA-F]+))? ?- (?P<state>Init (?:START|COMPLETE))$",
        contains="- Init ",
    ),
    Family(
        "teardown",
        rf"comm (?P<comm>0x[0-9a-fA-F]+) rank (?P<rank>{N9}) n[Rr]anks (?P<nranks>{N9}) "
        rf"cudaDev (?P<cuda_dev>{N9}) busId (?P<bus_id>[0-9a-fA-F]+) - "
        r"(?P<state>(?:Destroy|Abort|Revoke) (?:START|COMPLETE))",
        ("comm ",),
    ),
    Family(
        "comm_summary",
        rf"comm (?P<comm>0x[0-9a-fA-F]+) rank (?P<rank>{N9}) nRanks (?P<nranks>{N9}) "
        rf"nNodes (?P<nnodes>{N9}) localRanks (?P<local_ranks>{N9}) "
        rf"localRank (?P<local_rank>{N9}) MNNVL (?P<mnnvl>\d+)$",
        ("comm ",),
    ),
    Family(
        "init_old",
        rf"(?:comm (?P<comm>0x[0-9a-fA-F]+) )?rank (?P<rank>{N9}) nranks (?P<nranks>{N9})$",
        ("comm ", "rank "),
    ),
    Family(  # a cut or spliced init/teardown record that still names its rank
        "comm_ref",
        rf"comm (?P<comm>0x[0-9a-fA-F]+) rank (?P<rank>{N9}) n[Rr]anks (?P<nranks>{N9})"
        r"(?:\D(?s:.*))?$",
        ("comm ",),
    ),
    Family(
        "init_timings",
        rf"Init timings(?: - (?P<api>\w+))?: rank (?P<rank>{N9}) nranks (?P<nranks>{N9}) "
        rf"total (?P<seconds>{NUM}) \((?P<parts>[^)]*)\)",
        ("Init timings",),
    ),
    Family(
        "version",
        rf"NCCL version (?P<version>{N9}\.{N9}\.{N9})(?P<suffix>[^+\s]*)"
        r"(?:\+cuda(?P<cuda_version>\d+\.\d+))?(?: (?P<commit>\S+))?$",
        ("NCCL version ",),
    ),
    Family(
        "git_version",
        r"NCCL git version (?P<branch>\S+)(?: (?P<commit>\S+))?$",
        ("NCCL git version ",),
    ),
    Family("cuda_driver", rf"cudaDriverVersion (?P<cuda_driver>{N9})$", ("cudaDriverVersion ",)),
)

FAMILIES: tuple[Family, ...] = _CORE + MORE_FAMILIES
