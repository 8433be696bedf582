/*
 * channels: the sales channels souk publishes the catalog to, one per platform account and
 * market (an Instagram shop for the US in USD, a TikTok Shop for Japan in JPY, ...), and the
 * feeds each one serves in its platform's own format.
 *
 * A channel names a platform connector (meta, tiktok, pinterest, snapchat, google, wechat,
 * line, kakao; see channels_int.h for the table every connector fills in), the market it sells
 * to (country, locale, currency), which products it carries (by status, tag and collection: a
 * product is carried when its status is one of the statuses, and, for each of tags and
 * collections that the selection names, it has one of those tags or is in one of those
 * collections), how its prices
 * are made (the catalog's price in the channel's currency, else a conversion through the FX
 * table, then an optional markup and a named rounding rule), the platform credentials, and the
 * base URL of the platform's API (the real one by default).
 *
 * Credentials are write-only: they are stored for the sync worker, never encoded back and never
 * logged. The feed token, which platforms present when they fetch a feed, is returned once at
 * creation (and on rotation) and stored as its SHA-256.
 *
 * Feeds are generated in pages: the caller runs each souk_channels_feed_next in a read
 * transaction of its own, so a feed of any size costs the memory of one page of products.
 *
 * Like catalog.h: functions work inside the caller's transaction and never commit; structs are
 * plain values in a caller's pool (NULL means unset). Depends on core/, db/ and catalog/.
 */
#ifndef SOUK_CHANNELS_CHANNELS_H
#define SOUK_CHANNELS_CHANNELS_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/err.h"
#include "core/pool.h"
#include "core/str.h"
#include "db/db.h"

#define SOUK_CHANNELS_MAX_CREDENTIALS 8
#define SOUK_CHANNELS_MAX_SELECTION 32 /* statuses, tags or collections a channel may name */
#define SOUK_CHANNELS_FEED_TOKEN_MAX 68 /* "ft_" + 64 hex digits + NUL */
#define SOUK_CHANNELS_ETAG_MAX 112

struct souk_channel_credential {
    char *name;  /* e.g. "access_token"; the connector says which it needs */
    char *value; /* never encoded, never logged */
};

/* A country the channel also sells to in another currency (Meta's country override feed). */
struct souk_channel_country {
    char country[3];
    char currency[4];
};

#define SOUK_CHANNELS_MAX_COUNTRIES 32

struct souk_channel {
    char *id;       /* "chn_..." */
    char *platform; /* a connector's name: "meta", "tiktok", ... */
    char *name;     /* unique, 1..100 bytes: "Instagram US" */
    char *status;   /* "active" or "paused" (a paused channel serves no feed) */
    char *country;  /* ISO 3166-1 alpha-2 */
    char *locale;   /* titles and descriptions resolve through its fallback chain */
    char currency[4];
    char *base_url;      /* the platform API's; the connector's default when not given */
    char *link_template; /* absolute product URL with {handle}, {sku} and {product_id} */
    struct souk_channel_credential *credentials;
    size_t ncredentials;
    char **statuses; /* product statuses carried; "active" when none given */
    size_t nstatuses;
    char **tags; /* carry only products with one of these tags; all when none */
    size_t ntags;
    /* Carry only products in one of these collections, by handle; all when none. Stored by
     * collection id, so a renamed collection stays selected and reads back with its new handle. */
    char **collections;
    size_t ncollections;
    char *price_list;  /* "pl_..." whose fixed prices win over the catalog's, or NULL */
    int64_t markup_bp; /* basis points added to every price: 1000 is +10% */
    char *rounding;    /* a rounding rule name from core/fx.h, for derived prices */
    struct souk_channel_country *countries; /* override markets (Meta); never the channel's own */
    size_t ncountries;
    /* A platform order souk cannot reserve: "hold" it flagged (default) or "cancel" it back to
     * the platform as out of stock. */
    char *on_shortfall;
    int64_t version, created_at, updated_at;
};

/* ---- channels ---- */

/*
 * Validates c (platform known, credentials it needs present, market codes valid, link
 * template absolute), assigns id and timestamps, stores it and writes its first feed token to
 * token_out.
 */
int souk_channels_create(struct souk_db_conn *conn, struct souk_pool *pool, struct souk_channel *c,
                         char token_out[SOUK_CHANNELS_FEED_TOKEN_MAX],
                         struct souk_err *err) SOUK_MUST_CHECK;

int souk_channels_get(struct souk_db_conn *conn, struct souk_pool *pool, const char *id,
                      struct souk_channel **out, struct souk_err *err) SOUK_MUST_CHECK;

/* Replaces the stored channel's fields with c's (c->id names it); bumps version. */
int souk_channels_update(struct souk_db_conn *conn, struct souk_pool *pool, struct souk_channel *c,
                         int64_t expected_version, struct souk_err *err) SOUK_MUST_CHECK;

int souk_channels_delete(struct souk_db_conn *conn, const char *id, int64_t expected_version,
                         struct souk_err *err) SOUK_MUST_CHECK;

/*
 * Deletes a catalog collection (souk_catalog_collection_delete) unless a channel's selection
 * names it: then SOUK_ECONFLICT naming the channels, since deleting it would silently change
 * what they carry. The place to delete collections from the API.
 */
int souk_channels_collection_delete(struct souk_db_conn *conn, const char *id,
                                    int64_t expected_version, struct souk_err *err) SOUK_MUST_CHECK;

struct souk_channel_filter {
    const char *platform; /* NULL for any */
    const char *after;    /* cursor: ids strictly greater */
    int limit;            /* 1..250 */
};

int souk_channels_list(struct souk_db_conn *conn, struct souk_pool *pool,
                       const struct souk_channel_filter *filter, struct souk_channel **out,
                       size_t *count, bool *has_more, struct souk_err *err) SOUK_MUST_CHECK;

/* Replaces the feed token; the old one stops working when the transaction commits. */
int souk_channels_rotate_feed_token(struct souk_db_conn *conn, const char *id,
                                    char token_out[SOUK_CHANNELS_FEED_TOKEN_MAX],
                                    struct souk_err *err) SOUK_MUST_CHECK;

/*
 * Checks a presented feed token in constant time. An unknown channel and a wrong token are the
 * same SOUK_EUNAUTH, so a feed URL reveals nothing without its token.
 */
int souk_channels_check_feed_token(struct souk_db_conn *conn, const char *id,
                                   struct souk_str token, struct souk_err *err) SOUK_MUST_CHECK;

/* The platforms souk has connectors for, as a NULL-terminated list of names. */
const char *const *souk_channels_platforms(void);

/* ---- JSON codec ---- */

enum souk_channels_decode_mode { SOUK_CHANNELS_CREATE, SOUK_CHANNELS_PATCH };

/* Overlays the JSON object in onto *c; unknown fields and wrong types are SOUK_EINVAL. */
int souk_channels_decode(struct souk_pool *pool, json_t *in, enum souk_channels_decode_mode mode,
                         struct souk_channel *c, struct souk_err *err) SOUK_MUST_CHECK;

/* A new reference. Credentials appear by name only ("credentials_set"); with feed_token
 * non-NULL the token is included (creation and rotation only). */
json_t *souk_channels_encode(const struct souk_channel *c, const char *feed_token);

/* ---- FX rates ---- */

struct souk_fx_entry {
    char base[4], quote[4];
    char *rate; /* decimal text: 1 base buys rate quote */
    int64_t updated_at;
};

/* Sets (or replaces) the rate from base to quote; rate is validated by core/fx. */
int souk_channels_fx_set(struct souk_db_conn *conn, const char *base, const char *quote,
                         const char *rate, struct souk_err *err) SOUK_MUST_CHECK;
int souk_channels_fx_delete(struct souk_db_conn *conn, const char *base, const char *quote,
                            struct souk_err *err) SOUK_MUST_CHECK;
/* Every rate, ordered by base then quote (the table is small: at most one per pair). */
int souk_channels_fx_list(struct souk_db_conn *conn, struct souk_pool *pool,
                          struct souk_fx_entry **out, size_t *count,
                          struct souk_err *err) SOUK_MUST_CHECK;

/* ---- price lists ---- */

struct souk_price_list {
    char *id; /* "pl_..." */
    char *name;
    char currency[4];
    int64_t prices; /* how many variants it prices (output only) */
    int64_t version, created_at, updated_at;
};

struct souk_price_list_price {
    char *variant_id;
    int64_t amount; /* minor units of the list's currency, used as it is */
    int64_t updated_at;
};

int souk_channels_price_list_create(struct souk_db_conn *conn, struct souk_pool *pool,
                                    struct souk_price_list *pl,
                                    struct souk_err *err) SOUK_MUST_CHECK;
int souk_channels_price_list_get(struct souk_db_conn *conn, struct souk_pool *pool,
                                 const char *id, struct souk_price_list **out,
                                 struct souk_err *err) SOUK_MUST_CHECK;
/* Every price list (there are few: one per channel at most). */
int souk_channels_price_list_all(struct souk_db_conn *conn, struct souk_pool *pool,
                                 struct souk_price_list **out, size_t *count,
                                 struct souk_err *err) SOUK_MUST_CHECK;
/* Refused (SOUK_ECONFLICT) while a channel sells at it. */
int souk_channels_price_list_delete(struct souk_db_conn *conn, const char *id,
                                    struct souk_err *err) SOUK_MUST_CHECK;

/* Sets a variant's price in the list; the channels selling at it re-push the variant. */
int souk_channels_price_set(struct souk_db_conn *conn, const char *list_id,
                            struct souk_price_list_price *price,
                            struct souk_err *err) SOUK_MUST_CHECK;
int souk_channels_price_delete(struct souk_db_conn *conn, const char *list_id,
                               const char *variant_id, struct souk_err *err) SOUK_MUST_CHECK;
/* A page of the list's prices in variant id order, after the cursor. */
int souk_channels_price_page(struct souk_db_conn *conn, struct souk_pool *pool,
                             const char *list_id, const char *after, int limit,
                             struct souk_price_list_price **out, size_t *count, bool *has_more,
                             struct souk_err *err) SOUK_MUST_CHECK;

/* ---- feeds ---- */

struct souk_feed;

/*
 * Starts a feed of channel c in format ("csv", "tsv" or "xml", as the platform offers):
 * SOUK_ENOTFOUND names the formats the platform has when format is not one of them. override
 * is NULL for the main feed, or "language" / "country" for the platform's override feeds
 * (Meta's localized catalogs: translated titles and descriptions per locale, prices and
 * availability per country of c->countries), in csv or tsv.
 */
int souk_channels_feed_open(const struct souk_channel *c, const char *format,
                            const char *override, struct souk_feed **out,
                            struct souk_err *err) SOUK_MUST_CHECK;
void souk_channels_feed_free(struct souk_feed *feed); /* NULL is fine */

const char *souk_channels_feed_content_type(const struct souk_feed *feed);

/*
 * Appends the next part of the feed to out (the header, then a page of products, then the
 * footer) and sets *done after the last. Reads through conn, which must be in a transaction.
 */
int souk_channels_feed_next(struct souk_feed *feed, struct souk_db_conn *conn,
                            struct souk_buf *out, bool *done, struct souk_err *err) SOUK_MUST_CHECK;

/*
 * A validator for everything a feed of c depends on (the channel, the catalog, stock and FX
 * rates), as an ETag value, and the newest change time (UTC us) for Last-Modified.
 */
int souk_channels_feed_fingerprint(struct souk_db_conn *conn, const struct souk_channel *c,
                                   char etag[SOUK_CHANNELS_ETAG_MAX], int64_t *last_modified,
                                   struct souk_err *err) SOUK_MUST_CHECK;

/* ---- diagnostics ---- */

struct souk_channel_issue {
    char *item_id;    /* the SKU the platform would see */
    char *product_id; /* "prod_..." */
    char *field;      /* the platform's field name: "image_link", "gtin", ... */
    char *severity;   /* "error": the platform rejects the item; "warning": the feed adapts it */
    char *reason;
};

struct souk_channel_diagnosis {
    int64_t products, items, items_rejected; /* over the channel's whole selection */
    struct souk_channel_issue *issues;       /* the first max_issues, in catalog order */
    size_t nissues;
    bool issues_truncated; /* more issues were found than max_issues */
};

/*
 * Checks every item the channel carries against its platform's rules, as a platform would on
 * ingestion. Reads the whole selection: for the API, not for a hot path.
 */
int souk_channels_diagnose(struct souk_db_conn *conn, struct souk_pool *pool,
                           const struct souk_channel *c, size_t max_issues,
                           struct souk_channel_diagnosis *out, struct souk_err *err) SOUK_MUST_CHECK;

/* ---- sync: the push path ---- */

/*
 * Every catalog, price or stock change reaches the outbox (outbox.h) in the transaction that
 * made it. The sync turns those rows into pending changes per channel and item, stored, so a
 * restart loses none, then pushes them to each platform in its batch API shape, honouring
 * Retry-After and backing off on failures, and records each item's result.
 */
struct souk_channels_sync;

struct souk_channels_sync_options {
    int poll_ms;          /* how often the worker looks for work; 10 when 0 */
    int order_poll_ms;    /* how often it asks polling platforms (Meta) for orders; 5000 when 0 */
};

/* Starts the worker thread on db (borrowed; it must outlive the worker). */
int souk_channels_sync_start(struct souk_db *db, const struct souk_channels_sync_options *opts,
                             struct souk_channels_sync **out, struct souk_err *err) SOUK_MUST_CHECK;
/* Stops the worker after its current batch; NULL is fine. */
void souk_channels_sync_stop(struct souk_channels_sync *sync);

/*
 * One pass of the worker, for tests and tools: fans the outbox out to channels, then pushes
 * one batch to every channel with changes due. *pushed counts the items the platforms took.
 */
int souk_channels_sync_once(struct souk_db *db, int64_t *pushed,
                            struct souk_err *err) SOUK_MUST_CHECK;

struct souk_channel_sync_status {
    int64_t pending;          /* items with a change not yet pushed */
    int64_t oldest_pending_at; /* when the oldest of them changed (UTC us), or 0 */
    int64_t held;             /* of them, changes waiting for the platform's update limit */
    int64_t held_until;       /* when the first held change goes (UTC us), or 0 */
    int64_t synced;           /* items the platform holds as souk has them */
    int64_t rejected;         /* items the platform refused at their last push */
    int64_t pushed_total, rejected_total;
    int64_t last_success_at, last_error_at, paused_until; /* UTC us, or 0 */
    int64_t last_latency_us;  /* change to platform acknowledgement, last batch's oldest */
    char *last_error;         /* NULL when none */
    int64_t outbox_backlog;   /* changes not yet fanned out to any channel */
    bool resyncing;           /* a full push is being marked, a page at a time */
};

int souk_channels_sync_status(struct souk_db_conn *conn, struct souk_pool *pool, const char *id,
                              struct souk_channel_sync_status *out,
                              struct souk_err *err) SOUK_MUST_CHECK;

/*
 * Appends the channels' sync state to out in the Prometheus text format, for /metrics:
 * pending and rejected items, pushes, pauses and latency per channel, and the outbox backlog.
 */
int souk_channels_metrics_render(struct souk_db_conn *conn, struct souk_buf *out,
                                 struct souk_err *err) SOUK_MUST_CHECK;

/* ---- orders from the platforms ---- */

/*
 * A platform's order arrives in two steps. Its webhook (or, for a platform without order
 * webhooks, the worker's poll) is recorded as a notification in the receiving transaction, so
 * once the platform is answered 200 nothing is lost; a redelivery of the same event is a
 * no-op. The sync worker then fetches each notified order's detail from the platform, takes
 * it into the order book (orders.h, souk_orders_ingest) in the transaction that marks the
 * notification done, and acknowledges it to the platform where the platform asks for that.
 */

/* A webhook request as it arrived, for the channel's connector to check and read. */
struct souk_channels_webhook {
    struct souk_str body;                               /* the exact bytes */
    const char *(*header)(void *ctx, const char *name); /* NULL when absent */
    const char *(*query)(void *ctx, const char *name);  /* URL-decoded; NULL when absent */
    void *ctx;
};

/*
 * Receives a platform's order webhook for channel id in the caller's write transaction:
 * checks its signature (SOUK_EUNAUTH), reads it (SOUK_EINVAL for a body that is not the
 * platform's shape) and records each event not seen before; *recorded counts them. *ack is the
 * plain-text answer the platform expects ("success" for WeChat; static), or NULL where a JSON
 * answer does. SOUK_ENOTFOUND for an unknown channel or one whose platform sends no order
 * webhooks.
 */
int souk_channels_webhook_receive(struct souk_db_conn *conn, struct souk_pool *pool,
                                  const char *channel_id, const struct souk_channels_webhook *w,
                                  size_t *recorded, const char **ack,
                                  struct souk_err *err) SOUK_MUST_CHECK;

/*
 * Answers a platform checking souk's webhook URL with a GET (WeChat's server check): checks
 * the request's signature (SOUK_EUNAUTH) and sets *echo to the text to send back verbatim
 * (pool memory). SOUK_ENOTFOUND for an unknown channel or a platform that makes no such check.
 */
int souk_channels_webhook_challenge(struct souk_db_conn *conn, struct souk_pool *pool,
                                    const char *channel_id, const struct souk_channels_webhook *w,
                                    const char **echo, struct souk_err *err) SOUK_MUST_CHECK;

/*
 * One intake pass, for tests and tools: asks every polling platform for orders, then fetches,
 * takes in and acknowledges every notified order that is due, then tells the platforms what
 * the merchant fulfilled or cancelled. *ingested counts the orders created or moved on and the
 * updates the platforms took.
 */
int souk_channels_intake_once(struct souk_db *db, int64_t *ingested,
                              struct souk_err *err) SOUK_MUST_CHECK;

struct souk_channel_intake_status {
    int64_t pending;      /* notifications not yet taken in */
    int64_t failed;       /* notifications given up on (see last_error) */
    int64_t orders;       /* the channel's orders */
    int64_t stock_issues; /* of them, orders with units not reserved */
    int64_t last_received_at; /* UTC us, or 0 */
    char *last_error;     /* the newest failed notification's reason, or NULL */
    int64_t updates_pending; /* fulfilments and cancellations not yet taken by the platform */
    int64_t updates_failed;  /* ones the platform refused (see last_update_error) */
    char *last_update_error;
};

int souk_channels_intake_status(struct souk_db_conn *conn, struct souk_pool *pool, const char *id,
                                struct souk_channel_intake_status *out,
                                struct souk_err *err) SOUK_MUST_CHECK;

/*
 * Asks for a full push of everything the channel carries (and a delete of what its platform
 * holds but it no longer carries). Cheap: the sync worker does the work a page of products at
 * a time; GET .../sync shows it under way. Creating or changing a channel asks for one.
 * A platform that counts updates (Google) is sent only the items that differ from what it was
 * last told, unless resend: then souk forgets that, and sends every item again (the merchant's
 * manual resync, for a platform whose copy may have drifted).
 */
int souk_channels_resync(struct souk_db_conn *conn, const char *id, bool resend,
                         struct souk_err *err) SOUK_MUST_CHECK;

#endif
