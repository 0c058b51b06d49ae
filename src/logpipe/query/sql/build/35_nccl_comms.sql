-- nccl_comms: every communicator record, in the run it belongs to: init ("Init START",
-- "Init COMPLETE"; 2.3's "comm 0x.. rank r nranks n"), the 2.20+ summary ("nNodes ..
-- localRanks .. localRank .."), init timings (seconds: total) and teardown ("Destroy
-- COMPLETE", "Abort ...").
CREATE TABLE _nccl_comms AS
SELECT run_id, source, path, generation, lineno, rec, host, pid, tid, device, family, state,
    api, comm, comm_id, rank, nranks, cuda_dev, nvml_dev, bus_id, parent_comm, split_color,
    split_key, nnodes, local_ranks, local_rank, seconds
FROM _nccl_placed
WHERE family IN ('init', 'init_old', 'teardown', 'comm_summary', 'comm_ref', 'init_timings');
