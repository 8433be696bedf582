-- Sales channels (one per platform account and market) and the FX table their prices use.
-- credentials is a JSON object of the platform's secrets: the API never returns it and the
-- logs never print it. The feed token is stored as its SHA-256, like an API key.

CREATE TABLE channels (
    id TEXT PRIMARY KEY,
    platform TEXT NOT NULL,
    name TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('active', 'paused')),
    country TEXT NOT NULL,
    locale TEXT NOT NULL,
    currency TEXT NOT NULL,
    base_url TEXT NOT NULL,
    link_template TEXT NOT NULL,
    credentials TEXT NOT NULL,
    selection TEXT NOT NULL,
    pricing TEXT NOT NULL,
    feed_token_hash TEXT NOT NULL,
    version BIGINT NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    UNIQUE (name)
);

-- One rate per ordered pair: 1 unit of base buys `rate` units of quote, as a decimal string
-- so no binary floating point ever touches it.
CREATE TABLE fx_rates (
    base TEXT NOT NULL,
    quote TEXT NOT NULL,
    rate TEXT NOT NULL,
    updated_at BIGINT NOT NULL,
    PRIMARY KEY (base, quote)
);

-- A feed's ETag is the newest change to anything it shows; these make that a lookup.
CREATE INDEX variants_updated ON variants (updated_at);
CREATE INDEX stock_updated ON stock (updated_at);
