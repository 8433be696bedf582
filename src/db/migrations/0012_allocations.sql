-- Channel allocations: a quota of a variant's stock held for one channel (or one live-shopping
-- session on it). The units are reserved in the stock table like an order's (so no other
-- channel can sell them) and the channel is told it may sell quantity - sold. A platform order
-- on the channel takes its units from the allocation first; ending the allocation releases
-- what is left to the shared pool. At most one allocation is active per channel and variant.

CREATE TABLE allocations (
    id TEXT PRIMARY KEY,
    channel_id TEXT NOT NULL REFERENCES channels (id) ON DELETE CASCADE,
    variant_id TEXT NOT NULL REFERENCES variants (id) ON DELETE CASCADE,
    warehouse_id TEXT NOT NULL REFERENCES warehouses (id),
    live_session TEXT,
    quantity BIGINT NOT NULL CHECK (quantity > 0),
    sold BIGINT NOT NULL CHECK (sold >= 0 AND sold <= quantity),
    state TEXT NOT NULL CHECK (state IN ('active', 'ended')),
    created_at BIGINT NOT NULL,
    ended_at BIGINT
);
CREATE UNIQUE INDEX allocations_active ON allocations (channel_id, variant_id)
    WHERE state = 'active';
CREATE INDEX allocations_channel ON allocations (channel_id, id);
