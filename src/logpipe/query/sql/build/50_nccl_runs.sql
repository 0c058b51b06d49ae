-- nccl_runs: one row per run (see _nccl_placed for run_id): NCCL and CUDA version,
-- communicator size, ranks seen, hosts, channels, time span, warnings.
-- id_kind: 'commId' or 'file'. files: the 'source:path' of the log files it was read from. nranks: as the init records print it (else ranks seen).
-- nchannels: "N coll channels" (2.7+), else the ring-order lines' "/NN" (2.5+), else the
-- number of ring-order channels, else of connection channels. start/end: the earliest and
-- latest timestamp of its records (NCCL stamps WARN records from 2.26, every record with
-- NCCL_DEBUG_TIMESTAMP_LEVELS=ALL; launchers and collectors stamp lines too); null when
-- none carries one.
CREATE TABLE _nccl_runs AS
WITH recs AS (
    SELECT run_id,
        bool_or(comm_id IS NOT NULL AND run_id = comm_id) AS by_comm_id,
        min(nccl_version) AS version,
        min(nccl_cuda) AS cuda_version,
        max(nranks) FILTER (WHERE family IN ('init', 'init_old', 'comm_summary', 'comm_ref',
            'teardown', 'init_timings')) AS printed_nranks,
        max(nnodes) AS nnodes,
        list_sort(list_distinct(list(source))) AS sources,
        list_sort(list_distinct(list(source || ':' || path))) AS files,
        list_sort(list_distinct(list(host) FILTER (WHERE host IS NOT NULL))) AS hosts,
        max(coll_channels) AS coll_channels,
        max(nchannels) FILTER (WHERE family = 'ring_order') AS ring_nchannels,
        count(DISTINCT channel) FILTER (WHERE family = 'ring_order') AS ring_channels,
        count(DISTINCT channel) FILTER (WHERE family IN ('edge', 'collnet')) AS edge_channels,
        min(coalesce(ts, line_ts)) AS start_time,
        max(coalesce(ts, line_ts)) AS end_time,
        count(*) FILTER (WHERE level = 'WARN') AS warnings,
        count(*) FILTER (WHERE family IN ('edge', 'collnet')) AS edges,
        count(*) FILTER (WHERE family = 'init' AND state = 'Init COMPLETE') AS init_complete
    FROM _nccl_placed
    GROUP BY run_id
), ranks AS (
    SELECT run_id, count(*) AS ranks_seen FROM _nccl_ranks GROUP BY run_id
)
SELECT r.run_id,
    CASE WHEN r.by_comm_id THEN 'commId' ELSE 'file' END AS id_kind,
    r.version, r.cuda_version,
    coalesce(r.printed_nranks, k.ranks_seen, 0) AS nranks,
    coalesce(k.ranks_seen, 0) AS ranks_seen,
    r.hosts, len(r.hosts) AS nhosts, r.nnodes, r.sources, r.files,
    coalesce(r.coll_channels, r.ring_nchannels, nullif(r.ring_channels, 0),
        nullif(r.edge_channels, 0)) AS nchannels,
    r.start_time, r.end_time, r.warnings, r.edges, r.init_complete
FROM recs r
LEFT JOIN ranks k USING (run_id);
