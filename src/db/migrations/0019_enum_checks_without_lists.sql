-- SQLite checks a CHECK (x IN ('a', 'b', 'c')) of three or more values by building a
-- temporary table of the list, again on every statement that writes the column. Every order
-- writes three such columns (orders.status, order_lines.issue, stock_movements.kind), and the
-- temporary tables were a tenth to a fifth of the intake writer's CPU per order. The same rule
-- written as comparisons joined by OR is checked in place, and means the same on PostgreSQL.
-- As in 0013, a column's CHECK cannot be altered, so each column is replaced: add it with the
-- new CHECK, copy, drop the old one (with its index), take its name. This rewrites the three
-- tables once. Every insert names these columns: the DEFAULTs are there only because a NOT
-- NULL column cannot be added without one.
ALTER TABLE orders ADD COLUMN lifecycle_status TEXT NOT NULL DEFAULT 'pending'
    CHECK (lifecycle_status = 'pending' OR lifecycle_status = 'confirmed'
           OR lifecycle_status = 'allocated' OR lifecycle_status = 'fulfilled'
           OR lifecycle_status = 'delivered' OR lifecycle_status = 'cancelled'
           OR lifecycle_status = 'refunded' OR lifecycle_status = 'returned');
UPDATE orders SET lifecycle_status = status;
DROP INDEX orders_status;
ALTER TABLE orders DROP COLUMN status;
ALTER TABLE orders RENAME COLUMN lifecycle_status TO status;
CREATE INDEX orders_status ON orders (status, id);

ALTER TABLE order_lines ADD COLUMN line_issue TEXT
    CHECK (line_issue = 'unknown_sku' OR line_issue = 'short' OR line_issue = 'backorder'
           OR line_issue = 'preorder');
UPDATE order_lines SET line_issue = issue;
ALTER TABLE order_lines DROP COLUMN issue;
ALTER TABLE order_lines RENAME COLUMN line_issue TO issue;

ALTER TABLE stock_movements ADD COLUMN movement_kind TEXT NOT NULL DEFAULT 'adjust'
    CHECK (movement_kind = 'reserve' OR movement_kind = 'release' OR movement_kind = 'consume'
           OR movement_kind = 'restock' OR movement_kind = 'adjust');
UPDATE stock_movements SET movement_kind = kind;
ALTER TABLE stock_movements DROP COLUMN kind;
ALTER TABLE stock_movements RENAME COLUMN movement_kind TO kind;
