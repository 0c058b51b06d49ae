-- nccl_rings: the ring order of each channel (rank 0 prints it: "Channel 00/02 :  0 1").
-- ranks in visiting order; truncated when NCCL cut the line ("..." from 2.23, 20 ranks
-- before). A channel printed more than once in a run keeps its first line.
CREATE TABLE _nccl_rings AS
SELECT run_id, channel, nchannels, ranks, len(ranks) AS ring_length,
    coalesce(truncated, false) AS truncated, host, source, path, lineno
FROM _nccl_placed
WHERE family = 'ring_order'
QUALIFY row_number() OVER (
    PARTITION BY run_id, channel ORDER BY source, path, generation, lineno, rec) = 1;

-- nccl_ring_hops: each hop of each ring (position, rank -> next rank) with the transport
-- of the connection record for it (the sender's record where there is one). The hop back
-- to the first rank is left out of a truncated ring.
CREATE TABLE _nccl_ring_hops AS
WITH hops AS (
    SELECT r.run_id, r.channel, CAST(u.i - 1 AS INTEGER) AS position, u.rank,
        r.ranks[(u.i % r.ring_length) + 1] AS next_rank,
        u.i = r.ring_length AS closing, r.truncated
    FROM _nccl_rings r, unnest(r.ranks) WITH ORDINALITY AS u(rank, i)
), best AS (
    SELECT run_id, channel, rank, peer, transport, transport_kind, gdr, inter_node,
        rank_host, peer_host
    FROM _nccl_edges
    WHERE family = 'edge'
    QUALIFY row_number() OVER (
        PARTITION BY run_id, channel, rank, peer
        ORDER BY coalesce(conn_index, 0), direction = 'receive', source, path, lineno, rec) = 1
)
SELECT h.run_id, h.channel, h.position, h.rank, h.next_rank,
    coalesce(b.rank_host, hr.host) AS host, coalesce(b.peer_host, hn.host) AS next_host,
    b.transport, b.transport_kind, b.gdr, b.inter_node
FROM hops h
LEFT JOIN best b ON b.run_id = h.run_id AND b.channel = h.channel
    AND b.rank = h.rank AND b.peer = h.next_rank
LEFT JOIN _nccl_rank_hosts hr ON hr.run_id = h.run_id AND hr.rank = h.rank
LEFT JOIN _nccl_rank_hosts hn ON hn.run_id = h.run_id AND hn.rank = h.next_rank
WHERE NOT (h.closing AND h.truncated);
