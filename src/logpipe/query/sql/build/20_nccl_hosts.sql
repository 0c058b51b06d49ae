-- _nccl_rank_hosts: the host of each rank of a run, where the run's records agree on one
-- (a rank's own init/communicator records, and the connection records it printed).
CREATE VIEW _nccl_rank_hosts AS
SELECT run_id, rank, min(host) AS host
FROM (
    SELECT run_id, rank, host FROM _nccl_placed
    WHERE family IN ('init', 'init_old', 'teardown', 'comm_summary', 'comm_ref', 'init_timings')
    UNION ALL
    SELECT run_id, logged_by AS rank, host FROM _nccl_placed WHERE logged_by IS NOT NULL
)
WHERE rank IS NOT NULL AND host IS NOT NULL
GROUP BY ALL
HAVING count(DISTINCT host) = 1;

-- _nccl_nics: NIC names by index, per process, from "NET/IB : Using [0]mlx5_0:1/IB ...",
-- "NET/Socket : Using [0]eth0:10.0.0.1<0>" and the 2.3 per-device "NET/IB: [0] mlx5_0:1/IB".
CREATE VIEW _nccl_nics AS
SELECT source, path, generation, host, pid, net, nic, min(nic_name) AS nic_name
FROM (
    SELECT source, path, generation, host, pid,
        CASE family WHEN 'net_socket_using' THEN 'Socket' ELSE 'IB' END AS net,
        CAST(u.i - 1 AS INTEGER) AS nic, regexp_extract(u.name, '^[^:/]+') AS nic_name
    FROM _nccl_placed, unnest(nics) WITH ORDINALITY AS u(name, i)
    WHERE family IN ('net_ib_using', 'net_socket_using')
    UNION ALL
    SELECT source, path, generation, host, pid, 'IB', nic, regexp_extract(nics[1], '^[^:/]+')
    FROM _nccl_placed WHERE family = 'net_ib_old'
)
GROUP BY ALL;
