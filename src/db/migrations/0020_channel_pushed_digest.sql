-- For a platform that counts an item's updates (Google: twice a day), what it was told at the
-- last push, as a SHA-256 of the item's values and price: a change that leaves the item as
-- it was (the same catalog event fanned out twice, a resync of an item already up to date) is
-- cleared without a call, so it does not spend one of the day's updates. NULL when not known:
-- the next change is sent.
ALTER TABLE channel_items ADD COLUMN pushed_digest TEXT;
