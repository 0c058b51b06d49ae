-- _nccl_comm_runs: the run of every communicator a process printed (for records that name
-- their communicator but are not in the index: collective calls).
CREATE TABLE _nccl_comm_runs AS
SELECT source, path, generation, host, pid, comm, min(run_id) AS run_id
FROM _nccl_placed
WHERE comm IS NOT NULL AND family IN ('init', 'init_old', 'teardown', 'comm_summary', 'comm_ref')
GROUP BY ALL;
