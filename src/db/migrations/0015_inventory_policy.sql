-- Backorder and pre-order where the product allows it (issue #4, the stock ledger). A product's
-- inventory_policy says what an order does when stock cannot cover it: 'deny' refuses it (the
-- default, and what every existing product keeps), 'backorder' sells past zero and 'preorder'
-- sells a product not yet released; preorder_ships_at (UTC us) is when a pre-order ships, set
-- only for 'preorder' (the catalog checks the pair; the store only checks the words).
ALTER TABLE products ADD COLUMN inventory_policy TEXT NOT NULL DEFAULT 'deny'
    CHECK (inventory_policy IN ('deny', 'backorder', 'preorder'));
ALTER TABLE products ADD COLUMN preorder_ships_at BIGINT;

-- An order line sold on backorder or pre-order reserves nothing until it is fulfilled, like a
-- line with a problem, but it is expected: its issue says which. The column's CHECK cannot be
-- widened in place, so the column is replaced (as 0013 replaced orders.status).
ALTER TABLE order_lines ADD COLUMN line_issue TEXT
    CHECK (line_issue IN ('unknown_sku', 'short', 'backorder', 'preorder'));
UPDATE order_lines SET line_issue = issue;
ALTER TABLE order_lines DROP COLUMN issue;
ALTER TABLE order_lines RENAME COLUMN line_issue TO issue;
