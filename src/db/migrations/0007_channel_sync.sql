-- What each channel's platform holds, item by item, and what it still has to be told.
-- pending is NULL when the platform is up to date, else the change to push ('upsert', 'stock'
-- or 'delete'). generation counts the changes marked: a push clears pending only if no newer
-- change arrived while it was in flight, so a change is never lost to a race.

CREATE TABLE channel_items (
    channel_id TEXT NOT NULL REFERENCES channels (id) ON DELETE CASCADE,
    sku TEXT NOT NULL,
    pending TEXT CHECK (pending IN ('upsert', 'stock', 'delete')),
    generation BIGINT NOT NULL,
    marked_at BIGINT,
    attempts INTEGER NOT NULL,
    next_attempt_at BIGINT NOT NULL,
    platform_id TEXT,
    platform_sku_id TEXT,
    pushed_at BIGINT,
    last_error TEXT,
    PRIMARY KEY (channel_id, sku)
);
CREATE INDEX channel_items_pending ON channel_items (channel_id, next_attempt_at)
    WHERE pending IS NOT NULL;

-- The channel's sync health, for GET /v1/channels/{id}/sync.
CREATE TABLE channel_sync (
    channel_id TEXT PRIMARY KEY REFERENCES channels (id) ON DELETE CASCADE,
    paused_until BIGINT NOT NULL,
    last_success_at BIGINT,
    last_error TEXT,
    last_error_at BIGINT,
    pushed BIGINT NOT NULL,
    rejected BIGINT NOT NULL,
    last_latency_us BIGINT
);
