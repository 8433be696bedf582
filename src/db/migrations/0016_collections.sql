-- Manual collections (issue #3: a channel carries products "by status, tag or collection").
-- A collection is an ordered list of products under a unique, URL-safe handle. Deleting a
-- product removes it from every collection; a collection that a channel selects cannot be
-- deleted (channel_collections holds it, and the channels module says which channel does).

CREATE TABLE collections (
    id TEXT PRIMARY KEY,
    handle TEXT NOT NULL UNIQUE,
    title TEXT NOT NULL,
    description TEXT,
    version BIGINT NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);

CREATE TABLE collection_translations (
    collection_id TEXT NOT NULL REFERENCES collections (id) ON DELETE CASCADE,
    locale TEXT NOT NULL,
    title TEXT,
    description TEXT,
    PRIMARY KEY (collection_id, locale)
);

-- position is 1-based, the order the merchant gave.
CREATE TABLE collection_products (
    collection_id TEXT NOT NULL REFERENCES collections (id) ON DELETE CASCADE,
    product_id TEXT NOT NULL REFERENCES products (id) ON DELETE CASCADE,
    position INTEGER NOT NULL,
    PRIMARY KEY (collection_id, product_id)
);
-- A product's collections (its JSON, and the channels' selection by collection).
CREATE INDEX collection_products_product ON collection_products (product_id, collection_id);

-- The collections a channel's selection names, by id, so renaming a handle keeps the channel
-- carrying the same products. No ON DELETE: a selected collection cannot go.
CREATE TABLE channel_collections (
    channel_id TEXT NOT NULL REFERENCES channels (id) ON DELETE CASCADE,
    collection_id TEXT NOT NULL REFERENCES collections (id),
    position INTEGER NOT NULL,
    PRIMARY KEY (channel_id, collection_id)
);
CREATE INDEX channel_collections_collection ON channel_collections (collection_id, channel_id);
