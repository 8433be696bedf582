-- What souk must tell a platform about one of its orders: the merchant fulfilled it (carrier
-- and tracking number) or cancelled it. Written by the sync worker when it fans out the
-- order's outbox row, so the update is as durable as the change; pushed with retries and
-- backoff until the platform takes it or refuses it (state 'failed' with its words).

CREATE TABLE order_updates (
    id TEXT PRIMARY KEY,
    channel_id TEXT NOT NULL REFERENCES channels (id) ON DELETE CASCADE,
    order_id TEXT NOT NULL REFERENCES orders (id) ON DELETE CASCADE,
    action TEXT NOT NULL CHECK (action IN ('ship', 'cancel')),
    state TEXT NOT NULL CHECK (state IN ('pending', 'done', 'failed')),
    attempts INTEGER NOT NULL,
    next_attempt_at BIGINT NOT NULL,
    last_error TEXT,
    created_at BIGINT NOT NULL,
    done_at BIGINT,
    UNIQUE (order_id, action)
);
CREATE INDEX order_updates_due ON order_updates (next_attempt_at) WHERE state = 'pending';

-- What souk does with a platform order it cannot reserve stock for: 'hold' it, flagged, for
-- the merchant (backorder, restock, or cancel by hand), or 'cancel' it back to the platform at
-- once with an out-of-stock reason.
ALTER TABLE channels ADD COLUMN on_shortfall TEXT NOT NULL DEFAULT 'hold'
    CHECK (on_shortfall IN ('hold', 'cancel'));
