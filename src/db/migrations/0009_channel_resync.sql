-- A full push of a channel's selection (on creation, on a change of the channel, or asked
-- for) is done by the sync worker a page of products at a time, not inside the request that
-- asks for it: on a million-variant catalog that would hold the store's writer for seconds.
-- resync_after is the product id the worker has reached ('' at the start), NULL when no
-- resync is under way; resync_started_at tells which items the pass has not touched.
ALTER TABLE channel_sync ADD COLUMN resync_after TEXT;
ALTER TABLE channel_sync ADD COLUMN resync_started_at BIGINT;
