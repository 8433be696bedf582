-- Refunds and received returns (issue #4). A refund is money only: each one is a row of
-- order_refunds and orders.refunded keeps their sum, never past the order's total. A return
-- puts shipped units back on hand (a 'restock' row in stock_movements); order_lines.returned
-- keeps how many of the line came back, never more than were ordered.

-- Two new states: 'refunded' once refunds reach the total, 'returned' once every shipped unit
-- is back. A column's CHECK cannot be altered in place, so the status column is replaced: add
-- it with the wider CHECK, copy, drop the old one (with its index), take its name. Rewriting
-- the table in place keeps the rows that reference orders where they are. (The DEFAULT is only
-- there because a NOT NULL column cannot be added without one; every insert names a status.)
ALTER TABLE orders ADD COLUMN lifecycle_status TEXT NOT NULL DEFAULT 'pending'
    CHECK (lifecycle_status IN ('pending', 'confirmed', 'allocated', 'fulfilled', 'delivered',
                                'cancelled', 'refunded', 'returned'));
UPDATE orders SET lifecycle_status = status;
DROP INDEX orders_status;
ALTER TABLE orders DROP COLUMN status;
ALTER TABLE orders RENAME COLUMN lifecycle_status TO status;
CREATE INDEX orders_status ON orders (status, id);

ALTER TABLE orders ADD COLUMN refunded BIGINT NOT NULL DEFAULT 0
    CHECK (refunded >= 0 AND refunded <= total);

CREATE TABLE order_refunds (
    id TEXT PRIMARY KEY,
    order_id TEXT NOT NULL REFERENCES orders (id) ON DELETE CASCADE,
    amount BIGINT NOT NULL CHECK (amount > 0),
    reason TEXT,
    created_at BIGINT NOT NULL
);
CREATE INDEX order_refunds_order ON order_refunds (order_id, id);

ALTER TABLE order_lines ADD COLUMN returned BIGINT NOT NULL DEFAULT 0
    CHECK (returned >= 0 AND returned <= quantity);
