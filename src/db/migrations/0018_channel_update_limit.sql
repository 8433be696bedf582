-- A platform that takes an item's updates only so often (Google: "up to twice per day") needs
-- the push before the last one: prior_pushed_at is that successful push (pushed_at stays the
-- last). held_until is set while a change waits for the platform's limit, and says when it
-- goes (next_attempt_at is set to the same instant); NULL otherwise.
ALTER TABLE channel_items ADD COLUMN prior_pushed_at BIGINT;
ALTER TABLE channel_items ADD COLUMN held_until BIGINT;
