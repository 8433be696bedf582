-- Price lists: fixed prices in one currency that a channel sells at instead of the catalog's
-- (TikTok a little dearer than the web shop, a Japan channel in hand-set yen).

CREATE TABLE price_lists (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    currency TEXT NOT NULL,
    version BIGINT NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);

CREATE TABLE price_list_prices (
    price_list_id TEXT NOT NULL REFERENCES price_lists (id) ON DELETE CASCADE,
    variant_id TEXT NOT NULL REFERENCES variants (id) ON DELETE CASCADE,
    amount BIGINT NOT NULL CHECK (amount >= 0),
    updated_at BIGINT NOT NULL,
    PRIMARY KEY (price_list_id, variant_id)
);
CREATE INDEX price_list_prices_variant ON price_list_prices (variant_id);
