-- nccl_ranks: one row per run and rank: where it ran (host, pid), its GPU (cuda_dev,
-- nvml_dev, bus_id as printed) and the NICs its network connections used.
CREATE TABLE _nccl_ranks AS
WITH seen AS (
    SELECT run_id, rank, host, pid, cuda_dev, nvml_dev, bus_id, local_rank, nnodes
    FROM _nccl_placed
    WHERE rank IS NOT NULL
        AND family IN ('init', 'init_old', 'teardown', 'comm_summary', 'comm_ref', 'init_timings')
    UNION ALL BY NAME
    SELECT run_id, logged_by AS rank, host, pid FROM _nccl_placed WHERE logged_by IS NOT NULL
    UNION ALL BY NAME
    SELECT run_id, peer AS rank FROM _nccl_placed WHERE family = 'edge' AND peer IS NOT NULL
    UNION ALL BY NAME
    SELECT run_id, rank FROM _nccl_placed WHERE family = 'edge' AND rank IS NOT NULL
), nics AS (
    SELECT run_id, logged_by AS rank,
        list_sort(list_distinct(list(coalesce(nic_name, net || '/' || CAST(nic AS VARCHAR))))) AS nics
    FROM _nccl_edges
    WHERE transport_kind IN ('NET', 'COLLNET') AND logged_by IS NOT NULL
    GROUP BY ALL
)
SELECT s.run_id, s.rank, h.host, min(s.pid) AS pid, min(s.cuda_dev) AS cuda_dev,
    min(s.nvml_dev) AS nvml_dev, min(s.bus_id) AS bus_id, min(s.local_rank) AS local_rank,
    coalesce(n.nics, []) AS nics
FROM seen s
LEFT JOIN _nccl_rank_hosts h ON h.run_id = s.run_id AND h.rank = s.rank
LEFT JOIN nics n ON n.run_id = s.run_id AND n.rank = s.rank
GROUP BY s.run_id, s.rank, h.host, n.nics;
