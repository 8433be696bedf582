-- The outbox: every change another part of souk must hear about (a channel's sync, later the
-- merchant's webhooks) is a row written in the same transaction as the change, so nothing is
-- announced that was not committed and nothing committed goes unannounced. seq is assigned
-- inside the writing transaction; SQLite runs one writer at a time, so seq order is commit
-- order and a consumer's cursor never skips a row.

CREATE TABLE outbox (
    seq BIGINT PRIMARY KEY,
    topic TEXT NOT NULL,
    subject TEXT NOT NULL,
    payload TEXT,
    created_at BIGINT NOT NULL
);

-- How far each consumer has read. Rows every consumer has passed are pruned.
CREATE TABLE outbox_cursors (
    consumer TEXT PRIMARY KEY,
    seq BIGINT NOT NULL
);
INSERT INTO outbox_cursors (consumer, seq) VALUES ('channels', 0);
