-- nccl_transport_summary: per run and transport, the connections using it and their
-- share of the run's connections, with the run's GPUDirect RDMA coverage of inter-node
-- connections (gdr_coverage = inter-node connections via /GDRDMA / inter-node connections;
-- null when the run has none).
CREATE TABLE _nccl_transport_summary AS
WITH per_run AS (
    SELECT run_id, count(*) AS run_edges,
        count(*) FILTER (WHERE inter_node) AS run_inter_node,
        count(*) FILTER (WHERE inter_node AND gdr) AS run_inter_node_gdr
    FROM _nccl_edges GROUP BY run_id
)
SELECT e.run_id, e.transport_kind, e.net, e.transport,
    count(*) AS edges,
    count(*) / any_value(p.run_edges) AS share,
    count(*) FILTER (WHERE e.gdr) AS gdr_edges,
    count(*) FILTER (WHERE e.inter_node) AS inter_node_edges,
    any_value(p.run_edges) AS run_edges,
    any_value(p.run_inter_node) AS run_inter_node_edges,
    any_value(p.run_inter_node_gdr) AS run_inter_node_gdr_edges,
    any_value(p.run_inter_node_gdr) / nullif(any_value(p.run_inter_node), 0) AS gdr_coverage
FROM _nccl_edges e JOIN per_run p USING (run_id)
GROUP BY e.run_id, e.transport_kind, e.net, e.transport;
