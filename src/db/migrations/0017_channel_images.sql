-- The images a platform holds its own copy of, per channel: TikTok Shop lists a product's
-- pictures only by the uri its "Upload Product Image" answered, so souk uploads each image once
-- per channel and keeps that uri here. Keyed by the URL souk shows: an image whose bytes change
-- under the same URL keeps its old copy (a merchant's CDN gives a new picture a new URL).
CREATE TABLE channel_images (
    channel_id TEXT NOT NULL REFERENCES channels (id) ON DELETE CASCADE,
    url TEXT NOT NULL,
    platform_ref TEXT NOT NULL,
    uploaded_at BIGINT NOT NULL,
    PRIMARY KEY (channel_id, url)
);
