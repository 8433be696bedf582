-- Orders from the platforms' own checkouts (TikTok Shop, Instagram and Facebook Shops, ...).
--
-- A platform's notification is written to order_notifications before souk answers it, so an
-- acknowledged notification is never lost; (channel_id, event_id) makes a redelivery a no-op.
-- The intake worker then fetches the order's detail from the platform and applies it to the
-- order book in the same transaction that marks the notification done, so its effect happens
-- exactly once even across a crash.

CREATE TABLE order_notifications (
    id TEXT PRIMARY KEY,
    channel_id TEXT NOT NULL REFERENCES channels (id) ON DELETE CASCADE,
    event_id TEXT NOT NULL,
    external_order_id TEXT NOT NULL,
    platform_status TEXT,
    received_at BIGINT NOT NULL,
    state TEXT NOT NULL CHECK (state IN ('pending', 'done', 'failed')),
    attempts INTEGER NOT NULL,
    next_attempt_at BIGINT NOT NULL,
    last_error TEXT,
    done_at BIGINT,
    UNIQUE (channel_id, event_id)
);
CREATE INDEX order_notifications_due ON order_notifications (next_attempt_at)
    WHERE state = 'pending';

-- The normalized order: where it came from and what the platform last said about it.
-- platform_updated_at orders the platform's updates: an older one never moves an order back.
ALTER TABLE orders ADD COLUMN platform_status TEXT;
ALTER TABLE orders ADD COLUMN platform_updated_at BIGINT;
ALTER TABLE orders ADD COLUMN payment_method TEXT;
ALTER TABLE orders ADD COLUMN buyer_phone TEXT;
ALTER TABLE orders ADD COLUMN ship_name TEXT;
ALTER TABLE orders ADD COLUMN ship_line1 TEXT;
ALTER TABLE orders ADD COLUMN ship_line2 TEXT;
ALTER TABLE orders ADD COLUMN ship_city TEXT;
ALTER TABLE orders ADD COLUMN ship_region TEXT;
ALTER TABLE orders ADD COLUMN ship_postal_code TEXT;
ALTER TABLE orders ADD COLUMN source_campaign TEXT;
ALTER TABLE orders ADD COLUMN source_creator TEXT;
ALTER TABLE orders ADD COLUMN source_live_stream TEXT;
-- Why some of the order's units hold no reservation (an unknown SKU, stock that ran out);
-- NULL when every unit is reserved. Such an order is never silently accepted.
ALTER TABLE orders ADD COLUMN stock_issue TEXT;
CREATE INDEX orders_stock_issue ON orders (id) WHERE stock_issue IS NOT NULL;

-- 'unknown_sku' (no variant has the SKU) or 'short' (not enough stock): the line holds no
-- reservation.
ALTER TABLE order_lines ADD COLUMN issue TEXT CHECK (issue IN ('unknown_sku', 'short'));
