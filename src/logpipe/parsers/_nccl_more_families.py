"""Second half of the NCCL family table: network, counts, tuning, threads, env, errors."""

from __future__ import annotations

from logpipe.parsers._nccl_regex import N9, N18, NUM, Family

__all__ = ["MORE_FAMILIES"]

_IF = r"[^:\s]+:\S+<\d+>"  # interface:address<port>

MORE_FAMILIES: tuple[Family, ...] = (
    Family(
        "bootstrap_using",
        rf"Bootstrap ?: Using(?P<nics>(?: (?:\[{N9}\])?{_IF})+)$",
        ("Bootstrap",),
    ),
    Family(
        "net_ib_using",
        rf"NET/IB : Using(?P<nics>(?: \[{N9}\]\S+)*) ?(?P<ro>\[RO\])?; "
        r"OOB (?P<oob_if>[^:\s]+):(?P<oob_addr>.*)<(?P<oob_port>\d+)>$",
        ("NET/IB : Using",),
    ),
    Family(
        "net_ib_old",
        rf"NET/IB: ?\[(?P<nic>{N9})\] ?(?P<nics>[^:\s]+:\d+/(?:IB|RoCE))\s*$",
        ("NET/IB:",),
    ),
    Family(
        "net_socket_using",
        rf"NET/Socket : Using(?P<nics>(?: \[{N9}\]{_IF})+)$",
        ("NET/Socket : Using",),
    ),
    Family(
        "using_network",
        r"(?:Using network|Using internal Network) (?P<net>.+)$",
        ("Using network ", "Using internal Network "),
    ),
    Family(
        "gdr_state",
        r"NET/(?P<net>[^\s:]+) ?: GPU Direct RDMA (?P<state>(?P<gdr>Enabled)|Disabled) for "
        rf"(?:GPU (?P<gpu>\S+) / )?HCA (?P<nic>{N9})(?: '(?P<nic_name>[^']*)')?(?P<rest>.*)$",
        ("NET/",),
        ": GPU Direct RDMA ",
    ),
    Family(
        "net_plugin",
        r"(?:NET/Plugin ?: ?|TUNER/Plugin: |PROFILER/Plugin: |Using tuner plugin: "
        r"|Plugin Path : |P2P plugin |NET/OFI |Using non-device net plugin version "
        r"|Initialized NET plugin |Assigned NET plugin )(?P<text>.*)$",
        (
            "NET/Plugin",
            "TUNER/Plugin: ",
            "PROFILER/Plugin: ",
            "Using tuner plugin: ",
            "Plugin Path : ",
            "P2P plugin ",
            "NET/OFI ",
            "Using non-device net plugin version ",
            "Initialized NET plugin ",
            "Assigned NET plugin ",
        ),
    ),
    Family(
        "net_misc",
        r"(?:NET/IB : No device found\.|NET/Socket : (?P<nifs>\d+) interfaces found"
        r"|NET : Using interface (?P<ifname>[^:\s]+):(?P<addr>\S+)<(?P<port>\d+)>"
        r"|NET/IB : Using interface (?P<sideband>\S+) for sideband communication"
        r"|DMA-BUF is available on GPU device (?P<dmabuf_dev>\d+)"
        r"|NET/Socket: Using (?P<nthreads>\d+) threads and (?P<nsocks>\d+) sockets per thread)$",
        (
            "NET/IB : No device found.",
            "NET/Socket : ",
            "NET : Using interface ",
            "NET/IB : Using interface ",
            "DMA-BUF is available on GPU device ",
            "NET/Socket: Using ",
        ),
    ),
    Family(
        "channel_counts",
        rf"(?P<coll_channels>{N9}) coll channels, "
        rf"(?:(?P<collnet_channels>{N9}) collnet channels, )?"
        rf"(?:(?P<nvls_channels>{N9}) nvls channels, )?(?P<p2p_channels>{N9}) p2p channels, "
        rf"(?P<p2p_per_peer>{N9}) p2p channels per peer$",
        contains=" coll channels, ",
    ),
    Family(
        "connected",
        r"Connected (?:all (?P<what>rings|trees)"
        r"(?:, use ring PXN (?P<pxn>\d+) GDR (?P<ring_gdr>\d+))?"
        r"|(?P<nvls>NVLS tree)|(?P<collnet>Collnet Chains|CollNet)\b.*)$",
        ("Connected ",),
    ),
    Family(
        "thread_thresholds",
        r"threadThresholds (?P<values>[\d/]+(?: \| [\d/]+)*)$",
        ("threadThresholds ",),
    ),
    Family(
        "algo_matrix_head",
        r"Enabled NCCL Func/Proto/Algo Matrix:$",
        ("Enabled NCCL Func/Proto/Algo Matrix:",),
    ),
    Family(
        "proxy_thread",
        r"\[Proxy (?P<kind>Service UDS|Service|Progress)\] "
        r"(?:Device (?P<gpu>\d+) CPU core (?P<core>\d+)|(?P<text>.*))$",
        ("[Proxy ",),
    ),
    Family(
        "proxy_conn",
        rf"New proxy (?P<direction>send|recv) connection (?P<conn>\d+) from local rank "
        rf"(?P<local_rank>{N9}), transport (?P<transport_id>\d+)$",
        ("New proxy ",),
    ),
    Family(
        "bootstrap_timings",
        rf"Bootstrap timings total (?P<seconds>{NUM}) \(create (?P<create>{NUM}), "
        rf"send (?P<send>{NUM}), recv (?P<recv>{NUM}), ring (?P<ring>{NUM}), "
        rf"delay (?P<delay>{NUM})\)$",
        ("Bootstrap timings ",),
    ),
    Family("service_thread", r"\[Service thread\] (?P<text>.*)$", ("[Service thread] ",)),
    Family(
        "env",
        r"(?P<var>NCCL_[A-Z0-9_]+) set (?:by environment )?to (?P<value>.*?)\.?$",
        ("NCCL_",),
        " set ",
    ),
    Family(
        "affinity",
        r"Setting affinity for GPU (?P<gpu>\d+) to (?P<mask>\S+)$",
        ("Setting affinity for GPU ",),
    ),
    Family(
        "p2p_chunksize",
        rf"P2P Chunksize set to (?P<bytes>{N18})$",
        ("P2P Chunksize set to ",),
    ),
    Family(
        "cc",
        r"CC (?P<cc>On|Off)(?:, Multi-GPU CC (?P<mgpu>On|Off))?, workFifoBytes (?P<fifo>\d+)$",
        ("CC ",),
    ),
    Family(
        "mnnvl",
        r"MNNVL busId (?P<bus_id>0x[0-9a-fA-F]+) fabric UUID (?P<uuid>\S+) cliqueId "
        r"(?P<clique>0x[0-9a-fA-F]+) state (?P<mnnvl_state>\d+) "
        r"healthMask (?P<mask>0x[0-9a-fA-F]+)$",
        ("MNNVL busId ",),
    ),
    Family(
        "err_trace",
        rf"(?P<src_file>[\w./-]+\.(?:cc|cu|h|c|cpp)):(?P<src_line>{N9}) -> (?P<code>{N9})"
        r"(?: (?P<extra>.*))?$",
        contains=" -> ",
    ),
    Family(
        "ib_completion",
        r"NET/IB ?: ?Got completion (?:from peer (?P<peer_addr>\S+) )?with "
        r"(?:error (?P<err>\d+), opcode (?P<opcode>\d+), len (?P<len>\d+), vendor err (?P<verr>\d+)"
        r"|status=(?P<status>\d+) opcode=(?P<opcode2>\d+) len=(?P<len2>\d+) "
        r"vendor err (?P<verr2>\d+))(?P<rest>.*)$",
        ("NET/IB",),
        "Got completion ",
    ),
    Family(
        "nvls_support",
        rf"NVLS multicast support is (?P<nvls>not available|available) on dev (?P<gpu>\d+)"
        rf"(?: \(NVLS_NCHANNELS (?P<nchannels>{N9})\))?$",
        ("NVLS multicast support is ",),
    ),
    Family("nvls_head", rf"NVLS Head +(?P<head>\d+):(?P<ranks>(?: +{N9})+)$", ("NVLS Head ",)),
    Family(  # TUNING tables: last, it is the loosest pattern
        "tuning_table",
        r"\s*(?P<row>Algorithm|Protocol|Max NThreads|[A-Za-z]+)\s*\|(?P<cells>.*)$",
        contains="|",
    ),
)
