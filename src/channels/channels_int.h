/*
 * channels_int.h: what the channels module's files share: the connector table, and the feed
 * item every connector renders and validates.
 *
 * A connector is data first: the feed columns it writes, what each column is called, which are
 * required and how long they may be, and the availability words its platform uses. The feed
 * writers and the validator are generic over that table, so one platform is one file of
 * tables (later: plus the push and webhook functions its platform needs).
 */
#ifndef SOUK_CHANNELS_CHANNELS_INT_H
#define SOUK_CHANNELS_CHANNELS_INT_H

#include "catalog/catalog.h"
#include "channels/channels.h"
#include "inventory/inventory.h"
#include "orders/orders.h"
#include "outbox/outbox.h"
#include "sig/sig.h"

/* One problem with an item: rejects is false for what the feed adapts (a value cut to length). */
typedef void (*souk_channels__report_fn)(void *arg, const char *field, bool rejects,
                                         const char *reason);

/* ---- pushing to a platform's API ---- */

#define SOUK_CHANNELS__MAX_HEADERS 6

struct souk_channels__request {
    const char *method; /* NULL: POST with a body, GET without; else e.g. "DELETE" */
    const char *url;
    const char *headers[SOUK_CHANNELS__MAX_HEADERS]; /* "Name: value", NULL-terminated */
    const char *content_type;                        /* with a body; JSON when NULL */
    const char *body;                                /* NULL for a GET */
    size_t body_len;
    int timeout_ms;                                  /* 0: 30 s */
};

struct souk_channels__response {
    long status;
    struct souk_buf body;
    int retry_after_s;          /* -1 when the answer had no Retry-After */
    char transport_error[128];  /* set when the call failed before an HTTP status */
};

struct souk_channels__client;
struct souk_channels__client *souk_channels__client_new(void);
void souk_channels__client_free(struct souk_channels__client *client);
/*
 * A small per-client cache of platform access tokens (WeChat's), keyed by the caller (channel
 * id and app id). In memory only: a restart fetches new ones. get copies a token still valid
 * at now_us into out (false otherwise); put remembers one until expires_at_us; forget drops it.
 */
#define SOUK_CHANNELS__TOKEN_MAX 512
bool souk_channels__client_token_get(struct souk_channels__client *client, const char *key,
                                     int64_t now_us, char out[SOUK_CHANNELS__TOKEN_MAX]);
void souk_channels__client_token_put(struct souk_channels__client *client, const char *key,
                                     const char *token, int64_t expires_at_us);
void souk_channels__client_token_forget(struct souk_channels__client *client, const char *key);
/* SOUK_OK with resp filled (any HTTP status), or SOUK_EIO with resp->transport_error. */
int souk_channels__client_call(struct souk_channels__client *client,
                               const struct souk_channels__request *req,
                               struct souk_channels__response *resp) SOUK_MUST_CHECK;
void souk_channels__response_release(struct souk_channels__response *resp);

enum souk_channels__op {
    SOUK_CHANNELS__UPSERT, /* the whole item */
    SOUK_CHANNELS__STOCK,  /* availability and quantity only */
    SOUK_CHANNELS__DELETE,
};

enum souk_channels__result {
    SOUK_CHANNELS__PUSHED,   /* the platform took it */
    SOUK_CHANNELS__REJECTED, /* the platform refused the item: retrying will not help */
    SOUK_CHANNELS__RETRY,    /* not done; try again later */
};

/*
 * An image a platform lists only once it holds its own copy (TikTok Shop's and WeChat's
 * uploads): the URL souk shows, and what the platform called the copy once it was uploaded,
 * kept per channel (channel_images) so an image is uploaded once.
 */
struct souk_channels__image {
    const char *url;
    const char *ref;     /* the platform's id or URL for its copy; NULL until uploaded */
    bool fresh;          /* set when it was uploaded in this push: to be kept */
    const char *problem; /* why it could not be had in this push; NULL otherwise */
    bool unreachable;    /* with problem: the merchant's server did not answer (not the image) */
};

/* One pending change on its way to the platform, and what became of it. */
struct souk_channels__push {
    const char *sku;
    enum souk_channels__op op;
    const struct souk_channels__item *item; /* NULL for DELETE */
    const char *platform_id;     /* what the platform calls it, once known (TikTok's ids) */
    const char *platform_sku_id;
    /* The item's images, main first, for a connector with upload_images (else none). The
     * items of one product in a batch share one array, so an upload serves them all. */
    struct souk_channels__image *images;
    size_t nimages;
    /* filled by the connector */
    enum souk_channels__result result;
    const char *error;           /* the platform's words, for the sync status */
    const char *new_platform_id, *new_platform_sku_id;
};

/* What a push call says about the whole batch, beyond each item's result. */
struct souk_channels__batch_outcome {
    int retry_after_s;   /* >= 0: the platform asked to wait (429 or Retry-After) */
    char error[256];     /* a batch-wide failure, for the sync status ("" when none) */
};

/* ---- images a platform takes as files (images.c) ---- */

/* What became of an image (or of all of an item's images) on its way to the platform. */
enum souk_channels__upload {
    SOUK_CHANNELS__UPLOADED,      /* the platform holds it: ref is set */
    SOUK_CHANNELS__UNUSABLE,      /* the image is at fault (4xx, too big, refused): reject */
    SOUK_CHANNELS__UNREACHABLE,   /* the merchant's server did not answer: try again later */
    SOUK_CHANNELS__UPLOAD_FAILED, /* the platform failed the whole batch (out says why) */
};

/*
 * A platform's upload of one image: form is the multipart/form-data body (boundary
 * SOUK_CHANNELS__FORM_BOUNDARY) holding a JPEG or PNG file of width x height pixels within the
 * uploader's max_bytes. Sets *ref to the platform's id or link for its copy when it took the
 * image, or *refusal to its words when it refused it (both in pool memory); false when it
 * failed the whole batch (out says why).
 */
typedef bool (*souk_channels__send_image_fn)(
    void *arg, struct souk_str form, uint32_t width, uint32_t height, const char **ref,
    const char **refusal, struct souk_channels__batch_outcome *out);

/* One push's uploads: set the public fields, zero the rest. */
struct souk_channels__uploader {
    struct souk_channels__client *client;
    struct souk_pool *pool;
    const char *platform;              /* as reasons name it: "TikTok" */
    size_t max_bytes;                  /* the largest file the platform takes */
    const char *part;                  /* the form part that holds the file: "data" */
    const char *const *fields;         /* name, value pairs sent beside it; NULL-terminated */
    souk_channels__send_image_fn send;
    void *arg;                         /* send's */
    struct souk_channels__push *items; /* the batch: an image settled for one item serves all */
    size_t n;
    /* Why an image could not be fetched in this push: the merchant's server is down or slow,
     * so the other images wait for the next push instead of each waiting out a timeout. */
    const char *_fetch_failed;
};

/*
 * Makes sure the platform holds every image of p: an image settled earlier in the push (under
 * any item's array) is not fetched again; any other is fetched from its URL, checked (a JPEG or
 * PNG within max_bytes) and handed to send as a form. UPLOADED when each has its ref; else what kept the first one back, with *reason (pool
 * memory) for UNUSABLE and UNREACHABLE. An item without images is UPLOADED: the caller says
 * whether its platform needs any.
 */
enum souk_channels__upload souk_channels__upload_images(struct souk_channels__uploader *u,
                                                        struct souk_channels__push *p,
                                                        const char **reason,
                                                        struct souk_channels__batch_outcome *out);

#define SOUK_CHANNELS__FORM_BOUNDARY "souk-image-7d3b41e85f0c2a9e"

/*
 * A connector's push: sends the n changes (at most the connector's batch_max) with the client,
 * sets each one's result, and returns SOUK_OK. A failure of the whole batch (network, 5xx,
 * 429, garbage) marks every item RETRY and says why in out. Strings it sets live in pool.
 */
typedef int (*souk_channels__push_fn)(const struct souk_channel *c,
                                      struct souk_channels__client *client,
                                      struct souk_pool *pool, struct souk_channels__push *items,
                                      size_t n, struct souk_channels__batch_outcome *out);

/*
 * Sends body (taken; NULL for a GET) as JSON to url with one extra header (the platform's
 * Authorization), and returns the answer parsed when the platform said 200 in JSON, else NULL.
 * resp (the caller releases it) and *call_rc say what came back, for
 * souk_channels__batch_failed.
 */
json_t *souk_channels__exchange(struct souk_channels__client *client, const char *url,
                                const char *header, json_t *body,
                                struct souk_channels__response *resp, int *call_rc);

/*
 * GETs url until done(answer) says a platform-side batch has finished, waiting a step longer
 * before each new try (about 7 s in all); returns that answer, or NULL after the last try.
 * resp and *call_rc hold the last exchange either way (the caller releases resp).
 */
json_t *souk_channels__poll(struct souk_channels__client *client, const char *url,
                            const char *header, bool (*done)(json_t *answer),
                            struct souk_channels__response *resp, int *call_rc);

/* A comma-separated list of the feed's (additional image links) as a JSON array of strings. */
json_t *souk_channels__list_array(const char *text);

/* True for an HTTP status that blames the request itself (a 4xx other than 401, 403, 408 and
 * 429): sent again, it fails again. */
bool souk_channels__refused(long status);

/* The value of credential name of c, or NULL. */
const char *souk_channels__credential(const struct souk_channel *c, const char *name);

/* Fills out for a whole-batch failure from an HTTP answer (or a transport failure) and marks
 * every item RETRY. */
void souk_channels__batch_failed(const struct souk_channels__response *resp, int call_rc,
                                 struct souk_channels__push *items, size_t n,
                                 struct souk_channels__batch_outcome *out);

/* The wait before the next try after attempts failures: 250 ms doubling to 5 minutes. */
int64_t souk_channels__backoff_us(int64_t attempts);

#define SOUK_CHANNELS__MAX_CHANNELS 1000 /* channels one worker pass looks at */

/*
 * The ids sql selects (one column, at most SOUK_CHANNELS__MAX_CHANNELS rows) in a read
 * transaction of its own; its parameters are bound as souk_db_bind's spec says.
 */
int souk_channels__channel_ids(struct souk_db *db, struct souk_pool *pool, char ***out,
                               size_t *count, struct souk_err *err, const char *sql,
                               const char *spec, ...) SOUK_MUST_CHECK;

/* ---- orders from the platform ---- */

/* One thing a platform told souk about one of its orders (a webhook's event, a poll's find). */
struct souk_channels__notice {
    const char *event_id; /* the platform's id for the event: a redelivery has the same one */
    const char *order_id; /* the platform's order id */
    const char *status;   /* the platform's status word, when the event names one */
};

/*
 * Checks that a webhook request is the platform's own: its signature over the exact body
 * bytes with the channel's secret, compared in constant time. SOUK_EUNAUTH (saying what is
 * missing or wrong, never the expected value) when it is not.
 */
typedef int (*souk_channels__verify_fn)(const struct souk_channel *c,
                                        const struct souk_channels_webhook *w,
                                        struct souk_err *err);

/*
 * Reads a verified webhook body into notices (pool memory). *n is 0 for an event souk does
 * not act on (it is still acknowledged). SOUK_EINVAL for a body that is not the platform's
 * shape.
 */
typedef int (*souk_channels__parse_fn)(struct souk_pool *pool, struct souk_str body,
                                       struct souk_channels__notice **out, size_t *n,
                                       struct souk_err *err);

/*
 * Fetches the orders with the n platform ids (at most orders_fetch_max) and normalizes each
 * into orders[i] (zeroed by the caller): external_id, status mapped to souk's lifecycle,
 * platform_status and platform_updated_at, amounts in minor units, buyer, address, payment
 * method, source, and lines (sku, quantity, unit_price). An order the platform does not
 * return keeps external_id NULL; one it returns in a shape souk cannot read gets
 * orders[i].stock_issue = NULL and problems[i] set. A failure of the whole call fills out
 * and returns SOUK_OK with every order left unset.
 */
typedef int (*souk_channels__fetch_fn)(const struct souk_channel *c,
                                       struct souk_channels__client *client,
                                       struct souk_pool *pool, const char *const *ids, size_t n,
                                       struct souk_order *orders, const char **problems,
                                       struct souk_channels__batch_outcome *out);

/*
 * Checks a platform's GET check of the webhook URL (WeChat's signature, timestamp, nonce) and
 * sets *echo to what must be sent back (pool memory). SOUK_EUNAUTH when it is not the
 * platform's.
 */
typedef int (*souk_channels__challenge_fn)(const struct souk_channel *c,
                                           const struct souk_channels_webhook *w,
                                           struct souk_pool *pool, const char **echo,
                                           struct souk_err *err);

/* Finds the platform's orders that wait for the seller (platforms without order webhooks:
 * Meta's orders in CREATED), as notices. A failure fills out. */
typedef int (*souk_channels__poll_fn)(const struct souk_channel *c,
                                      struct souk_channels__client *client,
                                      struct souk_pool *pool, struct souk_channels__notice **out,
                                      size_t *n, struct souk_channels__batch_outcome *fail);

/* Tells the platform that souk has taken the order in (Meta's acknowledge_order), under a
 * key that makes a repeat harmless. A failure fills out. */
typedef int (*souk_channels__ack_fn)(const struct souk_channel *c,
                                     struct souk_channels__client *client, struct souk_pool *pool,
                                     const struct souk_order *o,
                                     struct souk_channels__batch_outcome *out);

/* The worker's intake state: when each polling channel was last asked for orders. */
struct souk_channels__intake;
struct souk_channels__intake *souk_channels__intake_new(int64_t poll_every_us);
void souk_channels__intake_free(struct souk_channels__intake *in);

/* One intake pass (see souk_channels_intake_once); in NULL polls every polling channel now. */
int souk_channels__intake_pass(struct souk_channels__intake *in, struct souk_db *db,
                               struct souk_channels__client *client, int64_t *ingested,
                               struct souk_err *err) SOUK_MUST_CHECK;

/*
 * Tells the platform what the merchant did to one of its orders: "ship" (o->carrier and
 * o->tracking_number are set) or "cancel" (o->cancel_reason). Returns PUSHED, REJECTED (the
 * platform refused: *error says why, retrying will not help) or RETRY (out says why).
 */
typedef enum souk_channels__result (*souk_channels__order_update_fn)(
    const struct souk_channel *c, struct souk_channels__client *client, struct souk_pool *pool,
    const struct souk_order *o, const char *action, const char **error,
    struct souk_channels__batch_outcome *out);

/* The platform update an order's outbox topic may ask for: "ship" for "order.fulfilled",
 * "cancel" for "order.cancelled", NULL for any other. */
const char *souk_channels__order_update_action(const char *topic);

/* Queues the platform update an order's outbox row asks for ("order.fulfilled" or
 * "order.cancelled" by the merchant, on a channel whose connector takes updates). */
int souk_channels__queue_order_update(struct souk_db_conn *conn, struct souk_pool *pool,
                                      const struct souk_outbox_row *row, int64_t now,
                                      struct souk_err *err) SOUK_MUST_CHECK;

/* Pushes the due order updates (at most 100); *pushed counts those the platforms took. */
int souk_channels__order_updates_pass(struct souk_db *db, struct souk_channels__client *client,
                                      int64_t *pushed, struct souk_err *err) SOUK_MUST_CHECK;

/* A TikTok Shop API call (tiktok.c): signs app_key, shop_cipher, timestamp and the extra
 * query parameters with the path and body (consumed; NULL for a GET), sends it with the shop's
 * token, and returns the parsed answer whatever its status (NULL when it is not JSON). */
json_t *souk_channels__tiktok_call(const struct souk_channel *c,
                                   struct souk_channels__client *client, struct souk_pool *pool,
                                   const char *path, const struct souk_sig_param *extra,
                                   size_t nextra, json_t *body,
                                   struct souk_channels__response *resp, int *call_rc);

/* TikTok Shop's orders (tiktok_orders.c): webhook check and reading, Get Order Detail. */
int souk_channels__tiktok_verify(const struct souk_channel *c,
                                 const struct souk_channels_webhook *w, struct souk_err *err);
int souk_channels__tiktok_parse(struct souk_pool *pool, struct souk_str body,
                                struct souk_channels__notice **out, size_t *n,
                                struct souk_err *err);
int souk_channels__tiktok_fetch(const struct souk_channel *c,
                                struct souk_channels__client *client, struct souk_pool *pool,
                                const char *const *ids, size_t n, struct souk_order *orders,
                                const char **problems, struct souk_channels__batch_outcome *out);
enum souk_channels__result souk_channels__tiktok_update(
    const struct souk_channel *c, struct souk_channels__client *client, struct souk_pool *pool,
    const struct souk_order *o, const char *action, const char **error,
    struct souk_channels__batch_outcome *out);

/* WeChat Channels shop orders (wechat.c): the push URL check, event pushes, order/get and
 * delivery/send, behind a cached access token. */
int souk_channels__wechat_verify(const struct souk_channel *c,
                                 const struct souk_channels_webhook *w, struct souk_err *err);
int souk_channels__wechat_challenge(const struct souk_channel *c,
                                    const struct souk_channels_webhook *w, struct souk_pool *pool,
                                    const char **echo, struct souk_err *err);
int souk_channels__wechat_parse(struct souk_pool *pool, struct souk_str body,
                                struct souk_channels__notice **out, size_t *n,
                                struct souk_err *err);
int souk_channels__wechat_fetch(const struct souk_channel *c,
                                struct souk_channels__client *client, struct souk_pool *pool,
                                const char *const *ids, size_t n, struct souk_order *orders,
                                const char **problems, struct souk_channels__batch_outcome *out);
enum souk_channels__result souk_channels__wechat_update(
    const struct souk_channel *c, struct souk_channels__client *client, struct souk_pool *pool,
    const struct souk_order *o, const char *action, const char **error,
    struct souk_channels__batch_outcome *out);

/*
 * WeChat API calls (wechat.c), shared by the orders and the catalog (wechat_catalog.c). call
 * POSTs body (consumed) to path with the channel's access token, fetching a new token and
 * trying once more when WeChat says the token is invalid or expired; it returns the answer
 * when WeChat answered in JSON (whatever its errcode), else NULL with fail filled. errcode is
 * an answer's errcode (0 without one); transient says a code may pass later (busy, quota, a
 * token refused again); failed writes "what: WeChat errcode N (errmsg)" into out->error.
 */
json_t *souk_channels__wechat_call(const struct souk_channel *c,
                                   struct souk_channels__client *client, struct souk_pool *pool,
                                   const char *path, json_t *body,
                                   struct souk_channels__batch_outcome *fail);
/* The same for any body: content_type (JSON when NULL), with query ("&k=v...", or NULL) after
 * the access token. For uploads (a multipart form). */
json_t *souk_channels__wechat_post(const struct souk_channel *c,
                                   struct souk_channels__client *client, struct souk_pool *pool,
                                   const char *path, const char *query, const char *content_type,
                                   struct souk_str body, struct souk_channels__batch_outcome *fail);
int64_t souk_channels__wechat_errcode(json_t *answer);
bool souk_channels__wechat_transient(int64_t code);
void souk_channels__wechat_failed(struct souk_channels__batch_outcome *out, const char *what,
                                  json_t *answer);

/* WeChat Channels shop products (wechat_catalog.c): the push, and the rules /diagnostics
 * adds to the column table's. */
int souk_channels__wechat_push(const struct souk_channel *c, struct souk_channels__client *client,
                               struct souk_pool *pool, struct souk_channels__push *items,
                               size_t n, struct souk_channels__batch_outcome *out);
size_t souk_channels__wechat_rules(const struct souk_channel *c,
                                   const struct souk_channels__item *item,
                                   souk_channels__report_fn report, void *arg);

/* Meta Commerce Platform orders (meta_orders.c): polled, read one by one, acknowledged. */
int souk_channels__meta_poll(const struct souk_channel *c, struct souk_channels__client *client,
                             struct souk_pool *pool, struct souk_channels__notice **out,
                             size_t *n, struct souk_channels__batch_outcome *fail);
int souk_channels__meta_fetch(const struct souk_channel *c, struct souk_channels__client *client,
                              struct souk_pool *pool, const char *const *ids, size_t n,
                              struct souk_order *orders, const char **problems,
                              struct souk_channels__batch_outcome *out);
int souk_channels__meta_ack(const struct souk_channel *c, struct souk_channels__client *client,
                            struct souk_pool *pool, const struct souk_order *o,
                            struct souk_channels__batch_outcome *out);
enum souk_channels__result souk_channels__meta_update(
    const struct souk_channel *c, struct souk_channels__client *client, struct souk_pool *pool,
    const struct souk_order *o, const char *action, const char **error,
    struct souk_channels__batch_outcome *out);

/* The non-empty string member key of obj, copied into pool; NULL otherwise. */
const char *souk_channels__json_text(struct souk_pool *pool, json_t *obj, const char *key);

/* A decimal amount as the platforms write it ("19.99", "1500") in minor units of currency:
 * SOUK_EINVAL for anything else, or more decimals than the currency has. */
int souk_channels__parse_amount(const char *text, const char *currency,
                                int64_t *out) SOUK_MUST_CHECK;

/* The values a feed row can carry; a connector maps its column names onto them. */
enum souk_channels__field {
    SOUK_CHANNELS__ID,               /* the variant's SKU, the platform's retailer id */
    SOUK_CHANNELS__GROUP_ID,         /* the product's handle: variants of one product */
    SOUK_CHANNELS__TITLE,
    SOUK_CHANNELS__DESCRIPTION,      /* plain text: platforms refuse HTML */
    SOUK_CHANNELS__LINK,
    SOUK_CHANNELS__IMAGE_LINK,
    SOUK_CHANNELS__ADDITIONAL_IMAGES, /* comma-separated, at most 10 */
    SOUK_CHANNELS__AVAILABILITY,
    SOUK_CHANNELS__AVAILABILITY_DATE, /* when a pre-order ships: "2027-03-01T00:00Z" */
    SOUK_CHANNELS__QUANTITY,         /* units the channel may sell */
    SOUK_CHANNELS__CONDITION,
    SOUK_CHANNELS__PRICE,            /* "9.99 USD" */
    SOUK_CHANNELS__SALE_PRICE,
    SOUK_CHANNELS__SALE_DATES,       /* ISO 8601 interval "start/end" */
    SOUK_CHANNELS__BRAND,
    SOUK_CHANNELS__GTIN,
    SOUK_CHANNELS__MPN,
    SOUK_CHANNELS__GOOGLE_CATEGORY,
    SOUK_CHANNELS__PRODUCT_TYPE,
    SOUK_CHANNELS__COLOR,
    SOUK_CHANNELS__SIZE,
    SOUK_CHANNELS__SHIPPING_WEIGHT,  /* "350 g" */
    SOUK_CHANNELS__OVERRIDE,         /* an override feed's locale or country */
    SOUK_CHANNELS__FIELD_COUNT
};

enum souk_channels__column_flags {
    SOUK_CHANNELS__REQUIRED = 1 << 0,
    /* one of the columns so marked must be set (Meta, Snapchat: brand, gtin or mpn) */
    SOUK_CHANNELS__ONE_OF_IDENTIFIERS = 1 << 1,
};

struct souk_channels__column {
    const char *name; /* as the platform spells it in CSV headers and XML elements */
    enum souk_channels__field field;
    unsigned flags;
    size_t max_chars; /* 0 for no platform limit */
};

/* One problem with an item: rejects is false for what the feed adapts (a value cut to length). */
typedef void (*souk_channels__report_fn)(void *arg, const char *field, bool rejects,
                                         const char *reason);

/*
 * A platform's rules beyond its column table, for a platform whose API needs more than the feed
 * (TikTok Shop's package and sales attributes; WeChat's image count, title and currency): calls report once per problem and returns how
 * many would make the platform reject the item. The push leaves such an item unsent.
 */
typedef size_t (*souk_channels__rules_fn)(const struct souk_channel *c,
                                          const struct souk_channels__item *item,
                                          souk_channels__report_fn report, void *arg);

struct souk_channels__connector {
    const char *platform;
    const char *doc;              /* the public documentation the tables follow */
    const char *default_base_url; /* the platform API's */
    const char *const *credentials; /* names a channel must supply; NULL-terminated */
    const char *const *optional_credentials; /* names it may supply; NULL or NULL-terminated */
    const struct souk_channels__column *columns;
    size_t ncolumns;
    const char *const *formats;   /* of "csv", "tsv", "xml"; NULL-terminated */
    const char *in_stock, *out_of_stock;
    /* The platform's words for a product at 0 that still sells (its inventory_policy); NULL
     * where the platform has none, and the item shows out_of_stock. */
    const char *backorder, *preorder;
    bool dated_availability;      /* backorder and preorder need an availability_date (Google) */
    const char *xml_prefix;       /* "g:" for the Google namespace in RSS; "" for none */
    bool overrides;               /* serves language and country override feeds (Meta) */
    souk_channels__push_fn push;  /* NULL for a feed-only platform */
    size_t batch_max;             /* changes per push call */
    /* The platform takes at most two updates of an item a day: Google's Merchant API quota
     * guide, "Update policy": "You can only update your products up to twice per day. You
     * should evenly spread the daily calls throughout the day". A change to an item pushed
     * twice in the last 24 h waits (held) until the older push is a day old; creates and
     * deletes go at once. */
    bool twice_a_day;
    size_t upload_images;         /* images per item the push uploads (struct push.images); 0 */
    souk_channels__rules_fn rules; /* NULL: the column table says it all */
    /* Orders: a platform with order webhooks has verify and parse; one without has poll. */
    souk_channels__verify_fn webhook_verify;
    souk_channels__parse_fn webhook_parse;
    souk_channels__challenge_fn webhook_challenge; /* NULL: no GET check of the URL */
    const char *webhook_ack;  /* the plain-text answer to a webhook; NULL: JSON */
    souk_channels__poll_fn orders_poll;
    souk_channels__fetch_fn orders_fetch; /* NULL: the platform sends souk no orders */
    size_t orders_fetch_max;              /* order ids per fetch call */
    souk_channels__ack_fn order_ack;      /* NULL: nothing to acknowledge */
    souk_channels__order_update_fn order_update; /* NULL: the platform is not told */
};

extern const struct souk_channels__connector souk_channels__meta;
extern const struct souk_channels__connector souk_channels__google;
extern const struct souk_channels__connector souk_channels__pinterest;
extern const struct souk_channels__connector souk_channels__tiktok;
extern const struct souk_channels__connector souk_channels__snapchat;
extern const struct souk_channels__connector souk_channels__wechat;
extern const struct souk_channels__connector souk_channels__line;
extern const struct souk_channels__connector souk_channels__kakao;

/* The connector for a platform name, or NULL. */
const struct souk_channels__connector *souk_channels__connector(const char *platform);

/* One row of a feed: a variant as the channel shows it. Strings live in the caller's pool;
 * NULL means the value is missing. */
struct souk_channels__item {
    const char *product_id;
    const char *values[SOUK_CHANNELS__FIELD_COUNT];
    int64_t price_minor; /* in the channel's currency; SOUK_CATALOG_UNSET without a price */
    const char *price_problem; /* why there is no price, for diagnostics */
    /* The variant's package as the catalog holds it; SOUK_CATALOG_UNSET when not given. */
    int64_t weight_grams, length_mm, width_mm, height_mm;
    /* The product's option names and this variant's values (NULL past the last option), and
     * how many variants the product has: a platform's sales attributes. */
    const char *option_names[SOUK_CATALOG_OPTIONS], *option_values[SOUK_CATALOG_OPTIONS];
    size_t variants;
};

/* The variant's price in a price list: 1 with *amount set, 0 when the list has none. */
int souk_channels__list_price(struct souk_db_conn *conn, const char *list_id,
                              const char *variant_id, int64_t *amount,
                              struct souk_err *err) SOUK_MUST_CHECK;

/* Everything the item builder needs besides the product: the channel, and its FX table. */
struct souk_channels__context {
    struct souk_db_conn *conn; /* for the channel's price list; set before each build */
    const struct souk_channel *channel;
    const struct souk_channels__connector *connector;
    struct souk_fx_entry *rates;
    size_t nrates;
    int64_t now_us; /* sale windows are judged at this instant */
    /* The channel's allocations (inventory.h), by variant id: what it may sell of those. */
    struct souk_allocation_left *allocations;
    size_t nallocations;
};

int souk_channels__context_load(struct souk_db_conn *conn, struct souk_pool *pool,
                                const struct souk_channel *c, struct souk_channels__context *ctx,
                                struct souk_err *err) SOUK_MUST_CHECK;

/* True when the channel carries p (its status, tags and collections match the selection). */
bool souk_channels__selects(const struct souk_channel *c, const struct souk_product *p);

/* Plain text from an HTML description (pool memory), or NULL when nothing is left. */
const char *souk_channels__plain_text(struct souk_pool *pool, const char *html);

/* Builds the feed row of variant v of p. */
void souk_channels__item_build(const struct souk_channels__context *ctx, struct souk_pool *pool,
                               const struct souk_product *p, const struct souk_variant *v,
                               struct souk_channels__item *out);

/*
 * The item as a JSON object keyed by the connector's column names, values cut to the column
 * limits, the quantity as a number; with stock_only, just the id, availability and quantity
 * columns. For platforms whose batch API takes the feed's own field names (Meta, Pinterest).
 */
json_t *souk_channels__item_object(const struct souk_channels__connector *conn,
                                   const struct souk_channels__item *item, bool stock_only);

/* Checks an item of channel c against the connector's rules (its column table, then its rules
 * function), calling report once per problem; returns how many problems would make the
 * platform reject the item. */
size_t souk_channels__item_check(const struct souk_channels__connector *conn,
                                 const struct souk_channel *c,
                                 const struct souk_channels__item *item,
                                 souk_channels__report_fn report, void *arg);

/* The first problem rules reports that would make the platform reject item, as "field:
 * reason" in pool; NULL when there is none. For a push that leaves such an item unsent. */
const char *souk_channels__unsendable(struct souk_pool *pool, souk_channels__rules_fn rules,
                                      const struct souk_channel *c,
                                      const struct souk_channels__item *item);

/* Loads the next page of products after *cursor (updated to the last id read); sets *count to
 * 0 at the end. */
int souk_channels__next_products(struct souk_db_conn *conn, struct souk_pool *pool,
                                 const struct souk_channel *c, char **cursor,
                                 struct souk_product **out, size_t *count,
                                 struct souk_err *err) SOUK_MUST_CHECK;

#endif
