-- _nccl_placed: every record of the snapshot's NCCL index with the run it belongs to.
-- Computed once per snapshot when its index is built (from _nccl_index, which numbers its
-- records in _row), and stored with the index.
--
-- run_id, deterministically:
--   1. the communicator's commId as printed (e.g. '0x45a3a89de169ea18') when the process
--      printed one for it: NCCL 2.16+ "... commId 0x... - Init START|COMPLETE" records.
--      commId is a hash of the communicator's unique id, the same on every rank.
--   2. otherwise '<source>:<path>' ('#<generation>' appended for a later generation of
--      a rewritten file): before 2.16 nothing NCCL prints ties the processes of one
--      communicator together, so a run is a log file (a launcher's stdout holds every
--      local rank of a job; a per-process NCCL_DEBUG_FILE holds one process).
-- Which communicator a record belongs to (comm_of): the one it names (init, teardown,
-- comm summary records); else, within its process (source, path, generation, host, pid,
-- in file order), the one whose init it follows (2.18+ brackets init output with
-- "Init START" ... "Init COMPLETE"; what comes before a process' first init belongs to
-- that init), or, where a process never printed "Init START" (older versions), the next
-- "Init COMPLETE" (the last one for what follows it). A record without a process (the
-- bare "NCCL version" line a launcher's stdout holds) belongs to the run most records of
-- its file belong to.
-- nccl_version, nccl_cuda: what the record's process printed in its "NCCL version" line
-- (one per process; the bare line on a launcher's stdout counts for its whole file).
-- logged_by: the rank that printed a connection record ("[receive]" lines, and 2.3 NET
-- lines which carry no direction, are printed by the receiver and name it on the right).
CREATE TABLE _nccl_placed AS
WITH marked AS (
    SELECT _row, source, path, generation, host, pid, lineno, rec, family, comm, comm_id,
        state, version, cuda_version,
        family IN ('init', 'init_old') AND comm IS NOT NULL AS is_init,
        family IN ('init', 'init_old', 'teardown', 'comm_summary', 'comm_ref')
            AND comm IS NOT NULL AS names_comm
    FROM _nccl_index
), windowed AS (
    SELECT _row, source, path, generation, host, pid, comm, comm_id, names_comm,
        last_value(CASE WHEN is_init THEN comm END IGNORE NULLS) OVER upto AS prev_comm,
        first_value(CASE WHEN is_init THEN comm END IGNORE NULLS) OVER onwards AS next_comm,
        bool_or(coalesce(state = 'Init START', false)) OVER process AS bracketed,
        coalesce(
            max(CASE WHEN family = 'version' THEN version END) OVER process,
            max(CASE WHEN family = 'version' AND pid IS NULL THEN version END) OVER file
        ) AS nccl_version,
        coalesce(
            max(CASE WHEN family = 'version' THEN cuda_version END) OVER process,
            max(CASE WHEN family = 'version' AND pid IS NULL THEN cuda_version END) OVER file
        ) AS nccl_cuda
    FROM marked
    WINDOW file AS (PARTITION BY source, path, generation),
        process AS (PARTITION BY source, path, generation, host, pid),
        upto AS (process ORDER BY lineno, rec ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW),
        onwards AS (process ORDER BY lineno, rec ROWS BETWEEN CURRENT ROW AND UNBOUNDED FOLLOWING)
), communicator AS (
    SELECT *,
        CASE
            WHEN names_comm THEN comm
            WHEN pid IS NULL THEN NULL
            WHEN bracketed THEN coalesce(prev_comm, next_comm)
            ELSE coalesce(next_comm, prev_comm)
        END AS comm_of
    FROM windowed
), ids AS (
    SELECT source, path, generation, host, pid, comm AS comm_of, max(comm_id) AS run_comm_id
    FROM communicator WHERE names_comm
    GROUP BY ALL
), placed AS (
    SELECT c._row, c.source, c.path, c.generation, c.pid, c.comm_of, c.nccl_version, c.nccl_cuda,
        CASE
            WHEN ids.run_comm_id IS NOT NULL THEN ids.run_comm_id
            WHEN c.pid IS NOT NULL THEN _file_run(c.source, c.path, c.generation)
        END AS placed_run
    FROM communicator c
    LEFT JOIN ids ON ids.source = c.source AND ids.path = c.path
        AND ids.generation = c.generation AND ids.host IS NOT DISTINCT FROM c.host
        AND ids.pid = c.pid AND ids.comm_of = c.comm_of
), file_run AS (
    SELECT source, path, generation, first(placed_run ORDER BY n DESC, placed_run) AS file_run
    FROM (
        SELECT source, path, generation, placed_run, count(*) AS n
        FROM placed WHERE placed_run IS NOT NULL GROUP BY ALL
    )
    GROUP BY ALL
), runs AS (
    SELECT p._row, p.comm_of, p.nccl_version, p.nccl_cuda,
        coalesce(p.placed_run, f.file_run, _file_run(p.source, p.path, p.generation)) AS run_id
    FROM placed p
    LEFT JOIN file_run f ON f.source = p.source AND f.path = p.path
        AND f.generation = p.generation
)
SELECT r.run_id, i.* EXCLUDE (_row), r.comm_of, r.nccl_version, r.nccl_cuda,
    CASE
        WHEN i.family = 'edge' AND (i.direction = 'receive'
            OR (i.direction IS NULL AND i.transport_kind = 'NET')) THEN i.peer
        WHEN i.family IN ('edge', 'collnet') THEN i.rank
    END AS logged_by
FROM _nccl_index i JOIN runs r USING (_row)
ORDER BY i._row;
