-- The catalog, stock per warehouse, API keys and idempotency records.
-- Portable SQL: runs unchanged on SQLite and PostgreSQL. Times are UTC microseconds (BIGINT);
-- money is BIGINT minor units beside an ISO 4217 code.

CREATE TABLE api_keys (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    secret_hash TEXT NOT NULL,
    scopes TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    revoked_at BIGINT
);

CREATE TABLE idempotency_keys (
    api_key_id TEXT NOT NULL REFERENCES api_keys (id),
    idem_key TEXT NOT NULL,
    method TEXT NOT NULL,
    path TEXT NOT NULL,
    request_hash TEXT NOT NULL,
    status INTEGER NOT NULL,
    response_body TEXT NOT NULL,
    location TEXT,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (api_key_id, idem_key)
);
CREATE INDEX idempotency_keys_created ON idempotency_keys (created_at);

CREATE TABLE products (
    id TEXT PRIMARY KEY,
    handle TEXT NOT NULL UNIQUE,
    status TEXT NOT NULL CHECK (status IN ('draft', 'active', 'archived')),
    title TEXT NOT NULL,
    description TEXT,
    brand TEXT,
    vendor TEXT,
    product_type TEXT,
    google_product_category TEXT,
    item_condition TEXT NOT NULL CHECK (item_condition IN ('new', 'refurbished', 'used')),
    option1_name TEXT,
    option2_name TEXT,
    option3_name TEXT,
    version BIGINT NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX products_updated ON products (updated_at, id);
CREATE INDEX products_status ON products (status, id);

CREATE TABLE product_tags (
    product_id TEXT NOT NULL REFERENCES products (id) ON DELETE CASCADE,
    tag TEXT NOT NULL,
    PRIMARY KEY (product_id, tag)
);
CREATE INDEX product_tags_tag ON product_tags (tag, product_id);

CREATE TABLE product_translations (
    product_id TEXT NOT NULL REFERENCES products (id) ON DELETE CASCADE,
    locale TEXT NOT NULL,
    title TEXT,
    description TEXT,
    PRIMARY KEY (product_id, locale)
);

CREATE TABLE product_media (
    product_id TEXT NOT NULL REFERENCES products (id) ON DELETE CASCADE,
    position INTEGER NOT NULL,
    url TEXT NOT NULL,
    alt TEXT,
    PRIMARY KEY (product_id, position)
);

CREATE TABLE variants (
    id TEXT PRIMARY KEY,
    product_id TEXT NOT NULL REFERENCES products (id) ON DELETE CASCADE,
    sku TEXT NOT NULL UNIQUE,
    position INTEGER NOT NULL,
    gtin TEXT,
    mpn TEXT,
    option1 TEXT,
    option2 TEXT,
    option3 TEXT,
    weight_grams BIGINT CHECK (weight_grams >= 0),
    length_mm BIGINT CHECK (length_mm >= 0),
    width_mm BIGINT CHECK (width_mm >= 0),
    height_mm BIGINT CHECK (height_mm >= 0),
    image_url TEXT,
    version BIGINT NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX variants_product ON variants (product_id, position);

CREATE TABLE variant_prices (
    variant_id TEXT NOT NULL REFERENCES variants (id) ON DELETE CASCADE,
    currency TEXT NOT NULL,
    amount BIGINT NOT NULL CHECK (amount >= 0),
    compare_at BIGINT CHECK (compare_at >= 0),
    sale_amount BIGINT CHECK (sale_amount >= 0),
    sale_starts_at BIGINT,
    sale_ends_at BIGINT,
    PRIMARY KEY (variant_id, currency)
);

CREATE TABLE warehouses (
    id TEXT PRIMARY KEY,
    code TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    country TEXT NOT NULL,
    version BIGINT NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);

CREATE TABLE stock (
    variant_id TEXT NOT NULL REFERENCES variants (id) ON DELETE CASCADE,
    warehouse_id TEXT NOT NULL REFERENCES warehouses (id),
    on_hand BIGINT NOT NULL CHECK (on_hand >= 0),
    reserved BIGINT NOT NULL DEFAULT 0 CHECK (reserved >= 0),
    version BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    PRIMARY KEY (variant_id, warehouse_id)
);
CREATE INDEX stock_warehouse ON stock (warehouse_id);
