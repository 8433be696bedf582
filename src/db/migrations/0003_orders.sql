-- The order book and the stock ledger. Every stock movement is a row with its reason, so
-- on_hand and reserved in the stock table can always be audited against the ledger.

CREATE TABLE orders (
    id TEXT PRIMARY KEY,
    channel TEXT NOT NULL,
    external_id TEXT,
    status TEXT NOT NULL CHECK (status IN ('pending', 'confirmed', 'allocated', 'fulfilled',
                                           'delivered', 'cancelled')),
    currency TEXT NOT NULL,
    subtotal BIGINT NOT NULL CHECK (subtotal >= 0),
    shipping BIGINT NOT NULL CHECK (shipping >= 0),
    discount BIGINT NOT NULL CHECK (discount >= 0),
    tax BIGINT NOT NULL CHECK (tax >= 0),
    total BIGINT NOT NULL CHECK (total >= 0),
    buyer_name TEXT,
    buyer_email TEXT,
    ship_country TEXT,
    ship_address TEXT,
    version BIGINT NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    UNIQUE (channel, external_id)
);
CREATE INDEX orders_status ON orders (status, id);
CREATE INDEX orders_created ON orders (created_at, id);

CREATE TABLE order_lines (
    order_id TEXT NOT NULL REFERENCES orders (id) ON DELETE CASCADE,
    line_no INTEGER NOT NULL,
    variant_id TEXT REFERENCES variants (id) ON DELETE SET NULL,
    sku TEXT NOT NULL,
    title TEXT NOT NULL,
    quantity BIGINT NOT NULL CHECK (quantity > 0),
    unit_price BIGINT NOT NULL CHECK (unit_price >= 0),
    warehouse_id TEXT REFERENCES warehouses (id),
    PRIMARY KEY (order_id, line_no)
);

CREATE TABLE stock_movements (
    id TEXT PRIMARY KEY,
    variant_id TEXT NOT NULL REFERENCES variants (id) ON DELETE CASCADE,
    warehouse_id TEXT NOT NULL REFERENCES warehouses (id),
    kind TEXT NOT NULL CHECK (kind IN ('reserve', 'release', 'consume', 'restock', 'adjust')),
    quantity BIGINT NOT NULL,
    order_id TEXT REFERENCES orders (id) ON DELETE SET NULL,
    reason TEXT NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE INDEX stock_movements_variant ON stock_movements (variant_id, warehouse_id, id);
CREATE INDEX stock_movements_order ON stock_movements (order_id);
