-- nccl_lines: every NCCL record of the snapshot (a physical line can hold several: rec
-- numbers them from 0), with its process, level, family and message text (body).
CREATE VIEW nccl_lines AS
SELECT source, date, path, generation, "offset", lineno, rec, host, pid, tid, device, level,
    coalesce(ts, line_ts) AS ts, family, body, src_file, src_line
FROM _nccl_records;

-- nccl_colls: collective calls (NCCL_DEBUG_SUBSYS=COLL: "AllReduce: opCount 3 sendbuff ...
-- count 1048576 datatype 7 op 0 root 0 comm 0x... [nranks=16] stream 0x...").
-- run_id from the communicator the call names (its process' init records), else the file's.
-- bytes = count x the datatype's size (count is per rank as NCCL takes it: for AllGather
-- the send count).
CREATE VIEW nccl_colls AS
SELECT coalesce(c.run_id, _file_run(r.source, r.path, r.generation)) AS run_id,
    r.source, r.path, r.generation, r.lineno, r.host, r.pid, r.tid, r.device,
    coalesce(r.ts, r.line_ts) AS ts, r.op, r.op_count, r.count, r.datatype,
    CASE r.datatype WHEN 0 THEN 'int8' WHEN 1 THEN 'uint8' WHEN 2 THEN 'int32'
        WHEN 3 THEN 'uint32' WHEN 4 THEN 'int64' WHEN 5 THEN 'uint64' WHEN 6 THEN 'float16'
        WHEN 7 THEN 'float32' WHEN 8 THEN 'float64' WHEN 9 THEN 'bfloat16'
        WHEN 10 THEN 'float8e4m3' WHEN 11 THEN 'float8e5m2' END AS datatype_name,
    r.redop,
    CASE r.redop WHEN 0 THEN 'sum' WHEN 1 THEN 'prod' WHEN 2 THEN 'max' WHEN 3 THEN 'min'
        WHEN 4 THEN 'avg' END AS redop_name,
    r.root, r.comm, r.nranks,
    r.count * CASE WHEN r.datatype IN (0, 1, 10, 11) THEN 1 WHEN r.datatype IN (6, 9) THEN 2
        WHEN r.datatype IN (2, 3, 7) THEN 4 WHEN r.datatype IN (4, 5, 8) THEN 8 END AS bytes,
    r.sendbuff, r.recvbuff, r.stream
FROM _nccl_records r
LEFT JOIN _nccl_comm_runs c ON c.source = r.source AND c.path = r.path
    AND c.generation = r.generation AND c.host IS NOT DISTINCT FROM r.host
    AND c.pid = r.pid AND c.comm = r.comm
WHERE r.family = 'coll_call';
