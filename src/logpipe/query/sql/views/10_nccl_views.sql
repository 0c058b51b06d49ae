-- The NCCL views over the tables a snapshot's index holds. Each is built once per snapshot
-- by sql/build/*.sql, where its columns are described.
CREATE VIEW nccl_runs AS SELECT * FROM _nccl_runs;
CREATE VIEW nccl_ranks AS SELECT * FROM _nccl_ranks;
CREATE VIEW nccl_comms AS SELECT * FROM _nccl_comms;
CREATE VIEW nccl_edges AS SELECT * FROM _nccl_edges;
CREATE VIEW nccl_rings AS SELECT * FROM _nccl_rings;
CREATE VIEW nccl_ring_hops AS SELECT * FROM _nccl_ring_hops;
CREATE VIEW nccl_trees AS SELECT * FROM _nccl_trees;
CREATE VIEW nccl_warnings AS SELECT * FROM _nccl_warnings;
CREATE VIEW nccl_transport_summary AS SELECT * FROM _nccl_transport_summary;
