-- Low-stock and out-of-stock events (issue #4). A variant may name the number of available
-- units at or below which it counts as running low (NULL: never low, only out). stock_state is
-- the state last announced in the outbox ('in', 'low' or 'out'), so stock.low, stock.out and
-- stock.back are written when the state changes, not on every reservation.
ALTER TABLE variants ADD COLUMN low_stock_threshold BIGINT CHECK (low_stock_threshold >= 0);
ALTER TABLE variants ADD COLUMN stock_state TEXT NOT NULL DEFAULT 'in'
    CHECK (stock_state IN ('in', 'low', 'out'));

-- Existing variants start from what their stock says now (no threshold yet, so in or out),
-- without announcing it: nothing has changed.
UPDATE variants SET stock_state = 'out'
    WHERE (SELECT COALESCE(SUM(s.on_hand - s.reserved), 0) FROM stock s
           WHERE s.variant_id = variants.id) <= 0;

-- /metrics counts variants by state on every scrape.
CREATE INDEX variants_stock_state ON variants (stock_state);
