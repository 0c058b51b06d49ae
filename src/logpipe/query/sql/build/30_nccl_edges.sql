-- nccl_edges: one row per connection record ("Ring 00 : 3 -> 10 [send] via NET/IB/0/GDRDMA",
-- "Channel 00/0 : 0[0] -> 1[1] via P2P/IPC/read", "CollNet 05/0 : 5 [receive] via
-- COLLNET/SHARP/5/GDRDMA"), old and new layouts alike.
-- rank and peer are as printed, left and right of "->" (data flows rank -> peer; on
-- "[receive]" lines the printing rank is peer: see logged_by). transport is the full text
-- after "via"; transport_kind P2P, SHM, NET or COLLNET; net the network (IB, Socket, a
-- plugin name); nic its index and nic_name the device it names in the process' list.
-- inter_node: whether the connection crosses hosts. When the run's records give the host
-- of both ranks that decides (it catches NET between GPUs of one host, and multi-node
-- NVLink); otherwise NET and COLLNET cross hosts, P2P and SHM do not (P2P/MNNVL may:
-- unknown, null).
CREATE TABLE _nccl_edges AS
SELECT
    e.run_id, e.source, e.path, e.generation, e.lineno, e.rec, e.host, e.pid, e.tid, e.device,
    e.family, e.channel, e.conn_index, e.rank, e.peer, e.logged_by, e.direction,
    e.transport, e.transport_kind, e.net, e.nic, n.nic_name, e.proxy_rank,
    coalesce(e.gdr, false) AS gdr, e.p2p_mode, e.p2p_read,
    coalesce(rh.host, CASE WHEN e.logged_by = e.rank THEN e.host END) AS rank_host,
    coalesce(ph.host, CASE WHEN e.logged_by = e.peer THEN e.host END) AS peer_host,
    CASE
        WHEN rh.host IS NOT NULL AND ph.host IS NOT NULL THEN rh.host <> ph.host
        WHEN e.transport_kind IN ('NET', 'COLLNET') THEN true
        WHEN e.p2p_mode = 'MNNVL' THEN NULL
        ELSE false
    END AS inter_node
FROM _nccl_placed e
LEFT JOIN _nccl_rank_hosts rh ON rh.run_id = e.run_id AND rh.rank = e.rank
LEFT JOIN _nccl_rank_hosts ph ON ph.run_id = e.run_id AND ph.rank = e.peer
LEFT JOIN _nccl_nics n ON n.source = e.source AND n.path = e.path
    AND n.generation = e.generation AND n.host IS NOT DISTINCT FROM e.host
    AND n.pid IS NOT DISTINCT FROM e.pid AND n.net = e.net AND n.nic = e.nic
WHERE e.family IN ('edge', 'collnet');
