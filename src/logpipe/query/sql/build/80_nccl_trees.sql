-- nccl_trees: one row per entry of the INIT "Trees" records (one per rank and channel;
-- 2.5-2.7 print an "up" and a "down" tree per channel: tree says which, else null).
-- parent and children are ranks, -1 = none.
CREATE TABLE _nccl_trees AS
SELECT p.run_id, p.source, p.path, p.generation, p.lineno, p.host, p.pid,
    t.entry.channel AS channel, t.entry.rank AS rank, t.entry.parent AS parent,
    t.entry.children AS children, t.entry.tree AS tree
FROM _nccl_placed p, unnest(p.trees) AS t(entry)
WHERE p.family = 'trees';

-- nccl_warnings: every WARN record, where it came from and what it said.
CREATE TABLE _nccl_warnings AS
SELECT run_id, source, path, generation, lineno, rec, host, pid, tid, device,
    coalesce(ts, line_ts) AS ts, src_file, src_line, func, family, body AS message
FROM _nccl_placed
WHERE level = 'WARN';
